//! The seed's `test_grpc_endpoint`: the typed client over gRPC against a
//! real server, and the same assertions in memory.

use testing::{router, TestRequest, TestServiceClient};
use typerpc::client::Protocol;
use typerpc::testing::TestServer;
use typerpc::{Client, Code};

fn request(data: &str) -> TestRequest {
    TestRequest { data: data.into() }
}

#[tokio::test]
async fn grpc_endpoint() {
    let server = TestServer::start(router()).await;
    let client = TestServiceClient::new(server.client(Protocol::Grpc));
    let response = client.test_method(request("test")).await.unwrap();
    assert_eq!(response.result, "processed");

    let error = client.test_method(request("")).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(error.message(), "data is required");
}

/// No socket: the client calls the router through the whole protocol
/// stack in the same process. The fastest way to test a service.
#[tokio::test]
async fn in_memory() {
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let client = Client::in_memory(router())
            .protocol(protocol)
            .build()
            .unwrap();
        let response = TestServiceClient::new(client)
            .test_method(request("test"))
            .await
            .unwrap();
        assert_eq!(response.result, "processed", "{protocol:?}");
    }
}
