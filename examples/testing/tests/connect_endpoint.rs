//! The seed's `test_connect_endpoint`: Connect is plain HTTP, so any HTTP
//! client can call it with JSON and read JSON back.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use testing::router;
use typerpc::testing::TestServer;

async fn post_json(url: String, body: &'static str) -> (http::StatusCode, serde_json::Value) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn connect_endpoint() {
    let server = TestServer::start(router()).await;
    let url = format!("{}/test.v1.TestService/TestMethod", server.url());

    let (status, body) = post_json(url.clone(), r#"{"data": "test"}"#).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], "processed");

    // Errors are JSON too, with an HTTP status from the code.
    let (status, body) = post_json(url, r#"{"data": ""}"#).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "invalid_argument");
    assert_eq!(body["message"], "data is required");
}
