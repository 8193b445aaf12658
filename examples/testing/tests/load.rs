//! The seed's `test_load`: 100 concurrent requests. One client, cloned
//! into each task, shares its connections: over HTTP/2 all 100 calls are
//! streams on one connection.

use testing::{router, TestRequest, TestServiceClient};
use typerpc::client::{Codec, HttpVersion, Protocol};
use typerpc::testing::TestServer;

async fn hundred_concurrent(client: TestServiceClient) {
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .test_method(TestRequest {
                        data: "test".into(),
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().result, "processed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_connect_json() {
    let server = TestServer::start(router()).await;
    for http in [HttpVersion::Http1, HttpVersion::Http2] {
        let client = server
            .client_builder()
            .protocol(Protocol::Connect)
            .codec(Codec::Json)
            .http_version(http)
            .build()
            .unwrap();
        hundred_concurrent(TestServiceClient::new(client)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_grpc() {
    let server = TestServer::start(router()).await;
    hundred_concurrent(TestServiceClient::new(server.client(Protocol::Grpc))).await;
}
