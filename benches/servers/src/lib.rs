//! The echo message and service shared by the benchmark servers.

use typerpc::{service, Message, Status};

/// What the benchmark sends and gets back.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Echo {
    pub text: String,
    pub number: i64,
}

/// Echoes its request.
pub struct EchoService;

#[service(package = "bench.v1")]
impl EchoService {
    /// Returns the request.
    async fn echo(&self, request: Echo) -> Result<Echo, Status> {
        Ok(request)
    }
}

/// The address from the first argument (default 127.0.0.1:50051).
pub fn addr() -> std::net::SocketAddr {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:50051".into())
        .parse()
        .expect("HOST:PORT")
}

/// A single-threaded runtime: the benchmark pins each server to one core.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
