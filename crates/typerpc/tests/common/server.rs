//! A test service and a server for it on 127.0.0.1:0 that stops on drop.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use typerpc::{service, Code, Context, Message, Server, Status};

/// What the test service echoes.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "echo.v1")]
pub struct EchoRequest {
    pub text: String,
    pub count: i64,
    /// For `Fail`: the gRPC code to fail with.
    pub code: i32,
    /// For `Slow`: how long to sleep.
    pub delay_ms: u32,
}

/// The answer.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "echo.v1")]
pub struct EchoResponse {
    pub text: String,
    pub count: i64,
    pub header: String,
}

/// A detail attached to errors.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "echo.v1")]
pub struct ErrorInfo {
    pub reason: String,
}

pub struct EchoService;

#[service]
impl EchoService {
    /// Echoes the request; copies `x-test` into the response and a header
    /// and a trailer back.
    async fn echo(&self, ctx: &Context, req: EchoRequest) -> Result<EchoResponse, Status> {
        let header = ctx
            .request_headers()
            .get("x-test")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        ctx.append_response_header(
            HeaderName::from_static("x-answer"),
            HeaderValue::from_static("yes"),
        );
        ctx.append_response_trailer(
            HeaderName::from_static("x-trailer"),
            HeaderValue::from_static("done"),
        );
        // Binary metadata comes back as it came, header and trailer.
        for value in ctx.request_headers().get_all("x-data-bin") {
            ctx.append_response_header(HeaderName::from_static("x-data-bin"), value.clone());
            ctx.append_response_trailer(HeaderName::from_static("x-data-bin"), value.clone());
        }
        Ok(EchoResponse {
            text: req.text,
            count: req.count,
            header,
        })
    }

    /// Fails with the requested code, a message and a detail.
    async fn fail(&self, req: EchoRequest) -> Result<EchoResponse, Status> {
        let mut status = Status::new(Code::from_i32(req.code), format!("failing: {}", req.text));
        status.add_detail(&ErrorInfo {
            reason: "asked".into(),
        });
        Err(status)
    }

    /// Sleeps, then echoes.
    async fn slow(&self, req: EchoRequest) -> Result<EchoResponse, Status> {
        tokio::time::sleep(Duration::from_millis(u64::from(req.delay_ms))).await;
        Ok(EchoResponse {
            text: req.text,
            ..EchoResponse::default()
        })
    }

    /// Panics with a secret.
    async fn explode(&self, _req: EchoRequest) -> Result<EchoResponse, Status> {
        panic!("secret internals");
    }

    /// Reports the TLS client certificates the server verified.
    async fn whoami(&self, ctx: &Context, _req: EchoRequest) -> Result<EchoResponse, Status> {
        let count = ctx.peer_certificates().map_or(0, <[_]>::len);
        let peer = ctx
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default();
        Ok(EchoResponse {
            text: format!("certs:{count}"),
            count: count as i64,
            header: peer,
        })
    }

    /// Free of side effects: callable with Connect GET.
    #[rpc(idempotent)]
    async fn lookup(&self, req: EchoRequest) -> Result<EchoResponse, Status> {
        Ok(EchoResponse {
            text: req.text.to_uppercase(),
            ..EchoResponse::default()
        })
    }
}

/// A running server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The server's health reporter, when it serves health checks.
    pub health: Option<typerpc::health::HealthReporter>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub handle: Option<tokio::task::JoinHandle<Result<(), typerpc::Error>>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(
            Server::new()
                .add(EchoService)
                .configure(|r| r.register_type::<ErrorInfo>()),
        )
        .await
    }

    pub async fn start_with(server: Server) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = server.health();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.serve_on(listener, async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            health,
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts the graceful shutdown.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}
