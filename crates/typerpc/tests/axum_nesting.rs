//! Seed Pattern 3: the router nested in an axum app under a prefix, next
//! to a REST route; all three protocols work through the prefix.

mod common;

use bytes::Bytes;
use common::server::*;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tonic::codegen::http::uri::PathAndQuery;
use typerpc::Message;

async fn start_app() -> std::net::SocketAddr {
    let rpc = typerpc::Router::new().add(EchoService);
    let app = axum::Router::new()
        .route(
            "/api/v1/stats",
            axum::routing::get(|| async { "{\"calls\":0}" }),
        )
        .nest_service("/partner", rpc);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn connect_grpc_web_and_rest_side_by_side() {
    let addr = start_app().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();

    let request = Request::post(format!("http://{addr}/partner/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(br#"{"text":"nested"}"#)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["text"],
        "nested"
    );

    let message = EchoRequest {
        text: "web".into(),
        ..EchoRequest::default()
    }
    .encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    let request = Request::post(format!("http://{addr}/partner/echo.v1.EchoService/Echo"))
        .header("content-type", "application/grpc-web+proto")
        .body(Full::new(Bytes::from(framed)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/grpc-web+proto"
    );

    let response = client
        .get(format!("http://{addr}/api/v1/stats").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn grpc_through_the_prefix_with_tonic() {
    let addr = start_app().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}/partner"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.unwrap();
    let response = client
        .unary(
            tonic::Request::new(EchoRequest {
                text: "grpc".into(),
                ..EchoRequest::default()
            }),
            PathAndQuery::from_static("/partner/echo.v1.EchoService/Echo"),
            tonic_prost::ProstCodec::<EchoRequest, EchoResponse>::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.into_inner().text, "grpc");
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers_for_browsers() {
    let rpc = typerpc::Router::new()
        .add(EchoService)
        .cors(typerpc::server::Cors::origins(["https://app.example"]));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        typerpc::Server::new()
            .configure(|_| rpc)
            .serve_on(listener, std::future::pending()),
    );
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let url = format!("http://{addr}/echo.v1.EchoService/Echo");
    let preflight = Request::options(&url)
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,connect-protocol-version",
        )
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = client.request(preflight).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(
        response.headers()["access-control-allow-headers"],
        "content-type,connect-protocol-version"
    );

    let call = Request::post(&url)
        .header("origin", "https://app.example")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    let response = client.request(call).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(
        exposed.contains("grpc-status") && exposed.contains("trailer-x-trailer"),
        "{exposed}"
    );
}
