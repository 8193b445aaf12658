//! Seed Pattern 6, the testing strategy: a small service and, in
//! `tests/`, the three kinds of test the pattern asks for:
//!
//! - `grpc_endpoint.rs`: the generated typed client over gRPC against a
//!   real server on a free port (and the same call in memory, no socket);
//! - `connect_endpoint.rs`: plain HTTP with a JSON body, as a browser or
//!   `curl` would send it, asserting on the response body;
//! - `load.rs`: 100 concurrent requests through one shared client.
//!
//! None of them needs hand-written plumbing: `typerpc::testing::TestServer`
//! starts the server on `127.0.0.1:0` and stops it on drop, and
//! `#[service]` generated `TestServiceClient`.

use typerpc::{service, Message, Status};

/// What the test method is given.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct TestRequest {
    pub data: String,
}

/// What it answers.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct TestResponse {
    pub result: String,
}

/// The service under test.
pub struct TestService;

#[service]
impl TestService {
    /// Processes `data`; an empty one is `invalid_argument`.
    async fn test_method(&self, req: TestRequest) -> Result<TestResponse, Status> {
        if req.data.is_empty() {
            return Err(Status::invalid_argument("data is required"));
        }
        Ok(TestResponse {
            result: "processed".into(),
        })
    }
}

/// The router the server and the tests serve.
pub fn router() -> typerpc::Router {
    typerpc::Router::new().add(TestService)
}
