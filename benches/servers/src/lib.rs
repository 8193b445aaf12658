//! The echo message and service shared by the benchmark servers.

use typerpc::{service, Message, Status, Stream};

/// What the benchmark sends and gets back.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Echo {
    pub text: String,
    pub number: i64,
}

/// How many messages `Ticks` streams.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct TickRequest {
    pub count: u64,
}

/// Echoes its request.
pub struct EchoService;

#[service(package = "bench.v1")]
impl EchoService {
    /// Returns the request. Free of side effects, so Connect GET may call it.
    #[rpc(idempotent)]
    async fn echo(&self, request: Echo) -> Result<Echo, Status> {
        Ok(request)
    }

    /// Streams `count` small messages as fast as the client takes them.
    async fn ticks(
        &self,
        request: TickRequest,
    ) -> Result<impl Stream<Item = Result<Echo, Status>>, Status> {
        Ok(typerpc::stream::iter(ticks(request.count).map(Ok)))
    }
}

/// The messages `Ticks` sends: the same on every server.
pub fn ticks(count: u64) -> impl Iterator<Item = Echo> + Send + 'static {
    (0..count).map(|n| Echo {
        text: "tick".to_string(),
        number: n as i64,
    })
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

/// Installs a `tracing` subscriber as a service that logs would have one:
/// `info` filtering and the `fmt` layer, writing to nowhere so that the
/// disk does not count. Every call then gets its span; a successful call
/// logs nothing at `info`.
pub fn install_subscriber() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info"))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
        .init();
}
