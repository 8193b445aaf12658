//! Prometheus metrics, checked by Prometheus itself: a real Prometheus
//! server (Debian's `prometheus`) scrapes `/metrics` and a query through
//! its HTTP API returns the request counts the test produced; `promtool
//! check metrics` accepts the exposition. Also: the admin port, and the
//! Kubernetes probes. Skipped when Prometheus is missing, except in CI,
//! where that fails.
#![cfg(feature = "prometheus")]

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::peers::{free_port, http_get, system_tool};
use typerpc::client::{Codec, Protocol};
use typerpc::metrics::Prometheus;
use typerpc::testing::TestServer;
use typerpc::{service, Code, Message, Server, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ping {
    pub text: String,
}

pub struct EchoService;

#[service(package = "echo.v1")]
impl EchoService {
    /// Echoes; `missing` is not found.
    async fn echo(&self, req: Ping) -> Result<Ping, Status> {
        match req.text.as_str() {
            "missing" => Err(Status::not_found("no such thing")),
            _ => Ok(req),
        }
    }
}

/// Makes `ok` successful calls and `missing` failing ones over `protocol`.
async fn calls(server: &TestServer, protocol: Protocol, ok: usize, missing: usize) {
    let client = EchoServiceClient::new(
        server
            .client_builder()
            .protocol(protocol)
            .codec(if protocol == Protocol::Connect {
                Codec::Json
            } else {
                Codec::Proto
            })
            .build()
            .unwrap(),
    );
    for _ in 0..ok {
        client.echo(Ping { text: "hi".into() }).await.unwrap();
    }
    for _ in 0..missing {
        let error = client
            .echo(Ping {
                text: "missing".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::NotFound);
    }
}

/// The Prometheus server, killed on drop.
struct PrometheusServer {
    child: Child,
    dir: std::path::PathBuf,
    addr: SocketAddr,
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl PrometheusServer {
    /// Starts Prometheus scraping `target` every second.
    fn start(binary: &std::path::Path, target: SocketAddr) -> PrometheusServer {
        let dir = std::env::temp_dir().join(format!("typerpc-prometheus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: typerpc\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['{target}']\n"
        );
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let child = Command::new(binary)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        PrometheusServer { child, dir, addr }
    }

    /// The value of an instant query, once Prometheus has it.
    fn query(&self, query: &str) -> Option<f64> {
        let encoded: String = query
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let (status, body) = http_get(self.addr, &format!("/api/v1/query?query={encoded}")).ok()?;
        if status != 200 {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        assert_eq!(json["status"], "success", "{json}");
        let value = json["data"]["result"].get(0)?["value"][1].as_str()?;
        value.parse().ok()
    }

    /// Waits (up to a minute) until `query` answers `expected`.
    fn wait_for(&self, query: &str, expected: f64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        while Instant::now() < deadline {
            last = self.query(query);
            if last == Some(expected) {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("{query}: Prometheus answered {last:?}, not {expected}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_the_counts_the_calls_made() {
    let Some(prometheus) = system_tool("prometheus", "prometheus") else {
        return;
    };
    let Some(promtool) = system_tool("promtool", "prometheus") else {
        return;
    };
    let metrics = Prometheus::new();
    let server = TestServer::start_server(Server::new().add(EchoService).metrics(&metrics)).await;
    calls(&server, Protocol::Grpc, 7, 3).await;
    calls(&server, Protocol::Connect, 2, 1).await;

    // promtool lints the exposition as served.
    let (status, text) = http_get(server.addr(), "/metrics").unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("rpc_server_requests_total{"), "{text}");
    let mut check = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    // Prometheus scrapes it, and its query API returns our counts.
    let scraper = PrometheusServer::start(&prometheus, server.addr());
    let service = r#"rpc_service="echo.v1.EchoService""#;
    scraper.wait_for(
        &format!(r#"sum(rpc_server_requests_total{{{service},code="ok"}})"#),
        9.0,
    );
    scraper.wait_for(
        &format!(r#"rpc_server_requests_total{{{service},rpc_system="grpc",code="not_found"}}"#),
        3.0,
    );
    scraper.wait_for(
        &format!(
            r#"rpc_server_requests_total{{{service},rpc_system="connect_rpc",code="not_found"}}"#
        ),
        1.0,
    );
    scraper.wait_for(
        &format!(r#"sum(rpc_server_duration_seconds_count{{{service}}})"#),
        13.0,
    );
    scraper.wait_for(&format!(r#"sum(rpc_server_in_flight{{{service}}})"#), 0.0);
    scraper.wait_for(
        &format!(r#"sum(rpc_server_request_messages_total{{{service}}})"#),
        13.0,
    );

    // More calls, and the next scrapes follow.
    calls(&server, Protocol::GrpcWeb, 5, 0).await;
    scraper.wait_for(
        &format!(r#"sum(rpc_server_requests_total{{{service},code="ok"}})"#),
        14.0,
    );
    drop(scraper);
    server.shutdown().await;
}

#[tokio::test]
async fn the_endpoints_move_to_the_admin_port_when_asked() {
    let metrics = Prometheus::new();
    let admin = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let admin_addr = admin.local_addr().unwrap();
    let server = TestServer::start_server(
        Server::new()
            .add(EchoService)
            .metrics(&metrics)
            .admin_listener(admin),
    )
    .await;
    calls(&server, Protocol::Grpc, 2, 0).await;
    let main = server.addr();
    tokio::task::spawn_blocking(move || {
        let (status, text) = http_get(admin_addr, "/metrics").unwrap();
        assert_eq!(status, 200);
        assert!(text.contains(r#"code="ok""#), "{text}");
        assert_eq!(
            http_get(admin_addr, "/healthz").unwrap(),
            (200, "alive\n".into())
        );
        assert_eq!(
            http_get(admin_addr, "/ready").unwrap(),
            (200, "ready\n".into())
        );
        assert_eq!(
            http_get(admin_addr, "/echo.v1.EchoService/Echo").unwrap().0,
            404
        );
        // Not on the main port.
        assert_eq!(http_get(main, "/metrics").unwrap().0, 404);
        assert_eq!(http_get(main, "/ready").unwrap().0, 404);
    })
    .await
    .unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn ready_follows_the_health_statuses_and_live_stays_up() {
    let server_config = Server::new().add(EchoService);
    let health = server_config.health().unwrap();
    let server = TestServer::start_server(server_config).await;
    let addr = server.addr();
    let get = move |path: &'static str| {
        tokio::task::spawn_blocking(move || http_get(addr, path).unwrap())
    };
    assert_eq!(get("/healthz").await.unwrap(), (200, "alive\n".into()));
    assert_eq!(get("/ready").await.unwrap(), (200, "ready\n".into()));
    health.set_not_serving("echo.v1.EchoService");
    assert_eq!(
        get("/ready").await.unwrap(),
        (503, "not serving: echo.v1.EchoService\n".into())
    );
    assert_eq!(get("/healthz").await.unwrap().0, 200);
    health.set_serving("echo.v1.EchoService");
    assert_eq!(get("/ready").await.unwrap().0, 200);
    // Draining: not ready, still alive.
    health.shutdown();
    assert_eq!(get("/ready").await.unwrap(), (503, "draining\n".into()));
    assert_eq!(get("/healthz").await.unwrap().0, 200);
    server.shutdown().await;
}
