//! Unary calls over real loopback sockets: Connect (JSON and proto, POST
//! and GET) through a plain HTTP client, gRPC through tonic's client, and
//! gRPC-Web through plain HTTP.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::server::*;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use typerpc::Message;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn http1() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

fn http2() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> (StatusCode, http::HeaderMap, Bytes, Option<http::HeaderMap>) {
    let response = client.request(request).await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let collected = response.into_body().collect().await.expect("body");
    let trailers = collected.trailers().cloned();
    (status, headers, collected.to_bytes(), trailers)
}

fn post(url: String, content_type: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::post(url)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .unwrap()
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

#[tokio::test]
async fn connect_json_accepts_snake_and_camel_case_over_both_http_versions() {
    let server = TestServer::start().await;
    for client in [http1(), http2()] {
        for body in [r#"{"text":"hi","count":"5"}"#, r#"{"text":"hi","count":5}"#] {
            let mut request = post(
                server.url("/echo.v1.EchoService/Echo"),
                "application/json",
                body,
            );
            request
                .headers_mut()
                .insert("x-test", "abc".parse().unwrap());
            let (status, headers, body, _) = send(&client, request).await;
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            assert_eq!(
                json(&body),
                serde_json::json!({"text": "hi", "count": "5", "header": "abc"})
            );
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(headers["x-answer"], "yes");
            assert_eq!(headers["trailer-x-trailer"], "done");
            assert_eq!(headers["content-length"], body.len().to_string().as_str());
        }
    }
}

#[tokio::test]
async fn connect_proto_round_trips() {
    let server = TestServer::start().await;
    let request = EchoRequest {
        text: "bin".into(),
        count: -3,
        ..EchoRequest::default()
    };
    let (status, headers, body, _) = send(
        &http1(),
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/proto",
            request.encode_to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/proto");
    let response = EchoResponse::decode(&body[..]).unwrap();
    assert_eq!((response.text.as_str(), response.count), ("bin", -3));
}

#[tokio::test]
async fn connect_errors_have_the_spec_status_and_json_body() {
    let server = TestServer::start().await;
    for (code, name, http_status) in [
        (3, "invalid_argument", 400),
        (5, "not_found", 404),
        (7, "permission_denied", 403),
        (8, "resource_exhausted", 429),
        (13, "internal", 500),
        (14, "unavailable", 503),
        (16, "unauthenticated", 401),
    ] {
        let body = format!(r#"{{"text":"x","code":{code}}}"#);
        let (status, _, body, _) = send(
            &http1(),
            post(
                server.url("/echo.v1.EchoService/Fail"),
                "application/json",
                body,
            ),
        )
        .await;
        assert_eq!(status.as_u16(), http_status, "{name}");
        let error = json(&body);
        assert_eq!(error["code"], name);
        assert_eq!(error["message"], "failing: x");
        assert_eq!(error["details"][0]["type"], "echo.v1.ErrorInfo");
    }
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_the_server_keeps_serving() {
    let server = TestServer::start().await;
    let client = http1();
    // Unknown method: 404 with code unimplemented.
    let (status, _, body, _) = send(
        &client,
        post(
            server.url("/echo.v1.EchoService/Nope"),
            "application/json",
            "{}",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json(&body)["code"], "unimplemented");
    // Broken JSON: invalid_argument naming the problem.
    let (status, _, body, _) = send(
        &client,
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/json",
            "{\"count\": \"x\"}",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json(&body)["message"].as_str().unwrap().contains("count"),
        "{body:?}"
    );
    // Unsupported content type: 415.
    let (status, headers, _, _) = send(
        &client,
        post(server.url("/echo.v1.EchoService/Echo"), "text/plain", "x"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(headers.contains_key("accept-post"));
    // Wrong verb: 405 with Allow.
    let request = Request::put(server.url("/echo.v1.EchoService/Echo"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, headers, _, _) = send(&client, request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    // A panicking handler: internal, without its text.
    let (status, _, body, _) = send(
        &client,
        post(
            server.url("/echo.v1.EchoService/Explode"),
            "application/json",
            "{}",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!String::from_utf8_lossy(&body).contains("secret"));
    // Oversized: resource_exhausted.
    let big = format!(r#"{{"text":"{}"}}"#, "a".repeat(5 * 1024 * 1024));
    let (status, _, body, _) = send(
        &client,
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/json",
            big,
        ),
    )
    .await;
    assert_eq!(status.as_u16(), 429, "{body:?}");
    // Still serving.
    let (status, _, _, _) = send(
        &client,
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/json",
            "{}",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn connect_timeout_ends_a_slow_call_with_deadline_exceeded() {
    let server = TestServer::start().await;
    let mut request = post(
        server.url("/echo.v1.EchoService/Slow"),
        "application/json",
        r#"{"delayMs": 2000}"#,
    );
    request
        .headers_mut()
        .insert("connect-timeout-ms", "50".parse().unwrap());
    let started = std::time::Instant::now();
    let (status, _, body, _) = send(&http1(), request).await;
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(status.as_u16(), 504);
    assert_eq!(json(&body)["code"], "deadline_exceeded");
}

#[tokio::test]
async fn connect_get_works_for_idempotent_methods_only() {
    let server = TestServer::start().await;
    let query = "encoding=json&message=%7B%22text%22%3A%22abc%22%7D&connect=v1";
    let get = |path: &str| {
        Request::get(server.url(&format!("{path}?{query}")))
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    let (status, _, body, _) = send(&http1(), get("/echo.v1.EchoService/Lookup")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["text"], "ABC");
    let (status, headers, _, _) = send(&http1(), get("/echo.v1.EchoService/Echo")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
}

mod tonic_client {
    use super::*;
    use tonic::codegen::http::uri::PathAndQuery;
    use tonic_prost::ProstCodec;

    async fn grpc(server: &TestServer) -> tonic::client::Grpc<tonic::transport::Channel> {
        let channel = tonic::transport::Endpoint::from_shared(server.url(""))
            .unwrap()
            .connect()
            .await
            .unwrap();
        tonic::client::Grpc::new(channel)
    }

    async fn call(
        client: &mut tonic::client::Grpc<tonic::transport::Channel>,
        method: &'static str,
        request: tonic::Request<EchoRequest>,
    ) -> Result<tonic::Response<EchoResponse>, tonic::Status> {
        client.ready().await.unwrap();
        client
            .unary(
                request,
                PathAndQuery::from_static(method),
                ProstCodec::<EchoRequest, EchoResponse>::default(),
            )
            .await
    }

    #[tokio::test]
    async fn unary_with_metadata_both_ways() {
        let server = TestServer::start().await;
        let mut client = grpc(&server).await;
        let mut request = tonic::Request::new(EchoRequest {
            text: "hello".into(),
            count: 7,
            ..EchoRequest::default()
        });
        request
            .metadata_mut()
            .insert("x-test", "meta".parse().unwrap());
        let binary: &[u8] = &[0, 1, 2, 0xfe, 0xff];
        request.metadata_mut().insert_bin(
            "x-data-bin",
            tonic::metadata::MetadataValue::from_bytes(binary),
        );
        let response = call(&mut client, "/echo.v1.EchoService/Echo", request)
            .await
            .unwrap();
        assert_eq!(response.metadata().get("x-answer").unwrap(), "yes");
        // `-bin` metadata survives the trip as bytes.
        let echoed = response.metadata().get_bin("x-data-bin").unwrap();
        assert_eq!(echoed.to_bytes().unwrap().as_ref(), binary);
        let response = response.into_inner();
        assert_eq!(
            (
                response.text.as_str(),
                response.count,
                response.header.as_str()
            ),
            ("hello", 7, "meta")
        );
    }

    #[tokio::test]
    async fn every_error_code_with_message_and_details() {
        let server = TestServer::start().await;
        let mut client = grpc(&server).await;
        for code in 1..=16 {
            let request = tonic::Request::new(EchoRequest {
                text: "x".into(),
                code,
                ..EchoRequest::default()
            });
            let status = call(&mut client, "/echo.v1.EchoService/Fail", request)
                .await
                .unwrap_err();
            assert_eq!(status.code() as i32, code);
            assert_eq!(status.message(), "failing: x");
            let details: typerpc_google_rpc_status::Status =
                prost::Message::decode(status.details()).unwrap();
            assert_eq!(details.code, code);
            assert_eq!(
                details.details[0].type_url,
                "type.googleapis.com/echo.v1.ErrorInfo"
            );
        }
    }

    #[tokio::test]
    async fn unknown_method_and_panic() {
        let server = TestServer::start().await;
        let mut client = grpc(&server).await;
        let status = call(
            &mut client,
            "/echo.v1.EchoService/Nope",
            tonic::Request::new(EchoRequest::default()),
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unimplemented);
        let status = call(
            &mut client,
            "/echo.v1.EchoService/Explode",
            tonic::Request::new(EchoRequest::default()),
        )
        .await
        .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(!status.message().contains("secret"));
        // The connection survived the panic.
        call(
            &mut client,
            "/echo.v1.EchoService/Echo",
            tonic::Request::new(EchoRequest::default()),
        )
        .await
        .unwrap();
    }

    /// tonic compresses its request, and we answer in the encoding it
    /// accepts (tonic decompresses either way: the header says which).
    #[tokio::test]
    async fn gzip_and_zstd_both_ways() {
        let server = TestServer::start().await;
        for (encoding, name) in [
            (tonic::codec::CompressionEncoding::Gzip, "gzip"),
            (tonic::codec::CompressionEncoding::Zstd, "zstd"),
        ] {
            let client = grpc(&server).await;
            let mut client = client.send_compressed(encoding).accept_compressed(encoding);
            let text = "z".repeat(10_000);
            let request = tonic::Request::new(EchoRequest {
                text: text.clone(),
                ..EchoRequest::default()
            });
            let response = call(&mut client, "/echo.v1.EchoService/Echo", request)
                .await
                .unwrap();
            assert_eq!(response.metadata().get("grpc-encoding").unwrap(), name);
            assert_eq!(response.into_inner().text, text);
        }
    }

    /// `google.rpc.Status` as prost's own derive reads it.
    mod typerpc_google_rpc_status {
        #[derive(Clone, PartialEq, prost_derive::Message)]
        pub struct Status {
            #[prost(int32, tag = "1")]
            pub code: i32,
            #[prost(string, tag = "2")]
            pub message: String,
            #[prost(message, repeated, tag = "3")]
            pub details: Vec<prost_types::Any>,
        }
    }
}

#[tokio::test]
async fn grpc_web_binary_and_text_over_http1() {
    let server = TestServer::start().await;
    let message = EchoRequest {
        text: "web".into(),
        ..EchoRequest::default()
    }
    .encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    let (status, headers, body, _) = send(
        &http1(),
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/grpc-web+proto",
            framed.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/grpc-web+proto");
    let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
    let response = EchoResponse::decode(&body[5..5 + len]).unwrap();
    assert_eq!(response.text, "web");
    let trailer = &body[5 + len..];
    assert_eq!(trailer[0], 0x80);
    assert!(String::from_utf8_lossy(&trailer[5..]).contains("grpc-status:0"));

    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(&framed);
    let (status, _, body, _) = send(
        &http1(),
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/grpc-web-text",
            text,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&body)
        .unwrap();
    assert_eq!(decoded[0], 0);
}

/// tonic's client enforces `grpc-timeout` itself, so the server's own
/// deadline is shown with a plain HTTP/2 client.
#[tokio::test]
async fn grpc_timeout_ends_a_slow_call_with_deadline_exceeded() {
    let server = TestServer::start().await;
    let message = EchoRequest {
        delay_ms: 2000,
        ..EchoRequest::default()
    }
    .encode_to_vec();
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    let mut request = post(
        server.url("/echo.v1.EchoService/Slow"),
        "application/grpc",
        framed,
    );
    request
        .headers_mut()
        .insert("grpc-timeout", "50m".parse().unwrap());
    request
        .headers_mut()
        .insert("te", "trailers".parse().unwrap());
    let started = std::time::Instant::now();
    let (status, headers, body, _) = send(&http2(), request).await;
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty());
    assert_eq!(headers["grpc-status"], "4");
}

#[tokio::test]
async fn grpc_over_http1_is_refused_clearly() {
    let server = TestServer::start().await;
    let (status, headers, _, _) = send(
        &http1(),
        post(
            server.url("/echo.v1.EchoService/Echo"),
            "application/grpc",
            vec![0, 0, 0, 0, 0],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["grpc-status"], "13");
}

#[tokio::test]
async fn graceful_shutdown_lets_in_flight_calls_finish() {
    let mut server = TestServer::start().await;
    let url = server.url("/echo.v1.EchoService/Slow");
    let in_flight = tokio::spawn(async move {
        send(
            &http1(),
            post(url, "application/json", r#"{"text":"late","delayMs":300}"#),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop();
    let (status, _, body, _) = in_flight.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&body)["text"], "late");
    server.handle.take().unwrap().await.unwrap().unwrap();
    // New connections are refused once the server stopped.
    assert!(tokio::net::TcpStream::connect(server.addr).await.is_err());
}

/// With no accept-encoding header, every protocol answers in the
/// request's own compression; an accept header that leaves it out is
/// obeyed.
#[tokio::test]
async fn responses_use_the_request_compression_unless_told_otherwise() {
    use typerpc::client::Compression;
    let server = TestServer::start().await;
    let text = "z".repeat(4_000);
    let request_json = format!(r#"{{"text":"{text}"}}"#);
    let message = EchoRequest {
        text: text.clone(),
        ..EchoRequest::default()
    }
    .encode_to_vec();
    let packed = Compression::Gzip.compress(&message);
    let mut enveloped = vec![1u8];
    enveloped.extend_from_slice(&(packed.len() as u32).to_be_bytes());
    enveloped.extend_from_slice(&packed);
    let url = server.url("/echo.v1.EchoService/Echo");
    for accept in [None, Some("identity")] {
        // Connect unary: content-encoding, accept-encoding.
        let mut request = post(
            url.clone(),
            "application/json",
            Compression::Gzip.compress(request_json.as_bytes()),
        );
        request
            .headers_mut()
            .insert("content-encoding", "gzip".parse().unwrap());
        if let Some(accept) = accept {
            request
                .headers_mut()
                .insert("accept-encoding", accept.parse().unwrap());
        }
        let (status, headers, body, _) = send(&http1(), request).await;
        assert_eq!(status, StatusCode::OK);
        let body = if accept.is_none() {
            assert_eq!(headers["content-encoding"], "gzip");
            Compression::Gzip.decompress(&body, 1 << 20).unwrap()
        } else {
            assert!(!headers.contains_key("content-encoding"));
            body
        };
        assert_eq!(json(&body)["text"], text.as_str());

        // gRPC-Web: grpc-encoding, grpc-accept-encoding.
        let mut request = post(url.clone(), "application/grpc-web+proto", enveloped.clone());
        request
            .headers_mut()
            .insert("grpc-encoding", "gzip".parse().unwrap());
        if let Some(accept) = accept {
            request
                .headers_mut()
                .insert("grpc-accept-encoding", accept.parse().unwrap());
        }
        let (status, headers, body, _) = send(&http1(), request).await;
        assert_eq!(status, StatusCode::OK);
        let compressed = body[0] & 1 == 1;
        assert_eq!(compressed, accept.is_none(), "{accept:?}");
        if accept.is_none() {
            assert_eq!(headers["grpc-encoding"], "gzip");
        }
    }
}

/// What a person opening the server in a browser sees: `GET /` lists the
/// services and methods; a path that is no method is a 404 that says so;
/// a GET of a method that is not idempotent is a 405 saying to POST.
#[tokio::test]
async fn plain_gets_answer_a_person_in_a_browser() {
    let server = TestServer::start().await;
    let get = |path: &str| {
        Request::get(server.url(path))
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    let (status, headers, body, _) = send(&http1(), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let index = json(&body);
    let echo = index["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "echo.v1.EchoService")
        .unwrap_or_else(|| panic!("{index}"));
    let method = &echo["methods"][0];
    assert_eq!(method["path"], "/echo.v1.EchoService/Echo");
    assert_eq!(method["shape"], "unary");
    assert!(index["standard_services"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("grpc.health.v1.Health")));

    let (status, headers, body, _) = send(&http1(), get("/nothing-here")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(json(&body)["code"], "unimplemented");
    assert_eq!(json(&body)["message"], "no method /nothing-here");

    let (status, headers, body, _) = send(
        &http1(),
        get("/echo.v1.EchoService/Echo?encoding=json&message=%7B%7D"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert!(String::from_utf8_lossy(&body).contains("use POST"));
    // Whatever the query says (here: none at all).
    let (status, headers, _, _) = send(&http1(), get("/echo.v1.EchoService/Echo")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
}
