//! A server whose router falls back to an axum app: RPCs, probes and the
//! app's routes on one port, driven by curl; the app sees the peer's
//! address, its own 404s and errors pass through, and a gRPC client
//! (tonic) still reaches the RPCs.

mod common;

use std::process::Command;

use common::peers::system_tool;
use common::server::*;
use tonic::codegen::http::uri::PathAndQuery;
use typerpc::server::PeerAddr;
use typerpc::Server;

fn app() -> axum::Router {
    axum::Router::new()
        .route(
            "/api/v1/stats",
            axum::routing::get(|| async { axum::Json(serde_json::json!({"requests": 7})) }),
        )
        .route(
            "/whoami",
            axum::routing::get(
                |axum::Extension(PeerAddr(peer)): axum::Extension<PeerAddr>| async move {
                    peer.ip().to_string()
                },
            ),
        )
        .route(
            "/upload",
            axum::routing::post(|body: String| async move { format!("{} bytes", body.len()) }),
        )
        .route("/", axum::routing::get(|| async { "the app's home" }))
}

/// curl's status line and body for `args`.
fn curl(args: &[&str]) -> (u16, String) {
    let curl = system_tool("curl", "curl").expect("curl");
    let output = Command::new(curl)
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.parse().unwrap(), body.to_string())
}

#[tokio::test]
async fn rpcs_probes_and_the_apps_routes_share_one_port() {
    let server = TestServer::start_with(Server::new().add(EchoService).fallback(app())).await;
    let base = server.url("");
    let (status, body) = tokio::task::spawn_blocking(move || {
        let rpc = curl(&[
            "-H",
            "content-type: application/json",
            "-d",
            r#"{"text":"hi"}"#,
            &format!("{base}/echo.v1.EchoService/Echo"),
        ]);
        assert_eq!(rpc.0, 200, "{}", rpc.1);
        assert!(rpc.1.contains(r#""text":"hi""#), "{}", rpc.1);
        let stats = curl(&[&format!("{base}/api/v1/stats")]);
        assert_eq!(stats, (200, r#"{"requests":7}"#.to_string()));
        let peer = curl(&[&format!("{base}/whoami")]);
        assert_eq!(peer, (200, "127.0.0.1".to_string()));
        // A streamed request body reaches the app whole.
        let upload = curl(&[
            "--http2-prior-knowledge",
            "-d",
            &"x".repeat(100_000),
            &format!("{base}/upload"),
        ]);
        assert_eq!(upload, (200, "100000 bytes".to_string()));
        // The app owns `/`; the probes stay the server's.
        assert_eq!(
            curl(&[&format!("{base}/")]),
            (200, "the app's home".to_string())
        );
        assert_eq!(curl(&[&format!("{base}/healthz")]).0, 200);
        // A path that names no method is the app's to answer.
        curl(&[
            "-H",
            "content-type: application/json",
            "-d",
            "{}",
            &format!("{base}/echo.v1.EchoService/Nope"),
        ])
    })
    .await
    .unwrap();
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn a_grpc_client_reaches_the_rpcs_beside_the_app() {
    let server = TestServer::start_with(Server::new().add(EchoService).fallback(app())).await;
    let channel = tonic::transport::Channel::from_shared(server.url(""))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let response: tonic::Response<EchoResponse> = grpc
        .unary(
            tonic::Request::new(EchoRequest {
                text: "grpc".into(),
                ..EchoRequest::default()
            }),
            PathAndQuery::from_static("/echo.v1.EchoService/Echo"),
            tonic_prost::ProstCodec::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.into_inner().text, "grpc");
    // A method the router lacks gets the app's 404, which gRPC reads as
    // `unimplemented`.
    grpc.ready().await.unwrap();
    let missing: Result<tonic::Response<EchoResponse>, _> = grpc
        .unary(
            tonic::Request::new(EchoRequest::default()),
            PathAndQuery::from_static("/internal.v1.Hidden/Call"),
            tonic_prost::ProstCodec::default(),
        )
        .await;
    assert_eq!(missing.unwrap_err().code(), tonic::Code::Unimplemented);
}

#[tokio::test]
async fn a_failing_fallback_is_a_500_and_the_server_keeps_serving() {
    let failing = tower::service_fn(
        |_request: http::Request<typerpc::server::FallbackBody>| async {
            Err::<http::Response<String>, _>(std::io::Error::other("the app broke"))
        },
    );
    let server = TestServer::start_with(Server::new().add(EchoService).fallback(failing)).await;
    let base = server.url("");
    tokio::task::spawn_blocking(move || {
        let (status, body) = curl(&[&format!("{base}/anything")]);
        assert_eq!(status, 500);
        assert!(!body.contains("the app broke"), "{body}");
        let rpc = curl(&[
            "-H",
            "content-type: application/json",
            "-d",
            r#"{"text":"still"}"#,
            &format!("{base}/echo.v1.EchoService/Echo"),
        ]);
        assert_eq!(rpc.0, 200);
    })
    .await
    .unwrap();
}
