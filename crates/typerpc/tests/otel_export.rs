//! OpenTelemetry end to end, checked by a receiver we did not write the
//! decoding of: an OTLP/HTTP server built on the official
//! `opentelemetry-proto` Python package (`peers/otlp_receiver.py`) gets our
//! spans and metrics. One trace id spans the caller, our client, a
//! gateway service, its client and the backend, with the semantic
//! conventions' names, kinds and attributes; a `traceparent` from another
//! implementation is continued and a malformed one ignored; and a
//! collector that is down or slow never slows or fails a call.
//! Skipped when the peer is missing, except in CI, where that fails.
#![cfg(feature = "otel")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::peers::peer;
use serde_json::Value;
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;
use typerpc::client::Protocol;
use typerpc::otel::{Otel, RpcMetrics};
use typerpc::testing::TestServer;
use typerpc::{service, Message, Router, Server, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Payment {
    pub amount: f64,
    pub user_id: String,
}

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Receipt {
    pub transaction_id: String,
}

pub struct BackendService;

#[service(package = "backend.v1")]
impl BackendService {
    /// Charges; a child span of the call.
    async fn charge(&self, req: Payment) -> Result<Receipt, Status> {
        let span = tracing::info_span!("charge_payment", payment.amount = req.amount);
        async {
            tokio::task::yield_now().await;
            Ok(Receipt {
                transaction_id: format!("tx-{}", req.user_id),
            })
        }
        .instrument(span)
        .await
    }
}

pub struct GatewayService {
    backend: BackendServiceClient,
}

#[service(package = "gateway.v1")]
impl GatewayService {
    /// Forwards to the backend with our client.
    async fn pay(&self, req: Payment) -> Result<Receipt, Status> {
        self.backend.charge(req).await
    }
}

/// The receiver process, killed on drop, and what it printed.
struct Receiver {
    child: Child,
    port: u16,
    records: Arc<Mutex<Vec<Value>>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    fn start(python: &std::path::Path, hold: Option<f64>) -> Receiver {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/otlp_receiver.py");
        let mut command = Command::new(python);
        command.arg(script);
        if let Some(hold) = hold {
            command.args(["--hold", &hold.to_string()]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = lines.next().unwrap().unwrap().trim().parse().unwrap();
        let records = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&records);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).unwrap());
            }
        });
        Receiver {
            child,
            port,
            records,
        }
    }

    /// Waits (up to 20 s) until `enough` holds for what was received.
    fn wait_until(&self, what: &str, enough: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let records = self.records.lock().unwrap().clone();
            if enough(&records) {
                return records;
            }
            assert!(
                Instant::now() < deadline,
                "{what} never arrived; got {records:#?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Points the exporters at `endpoint`, exporting quickly.
fn configure(endpoint: &str) {
    std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
    std::env::set_var("OTEL_BSP_SCHEDULE_DELAY", "50");
    std::env::set_var("OTEL_METRIC_EXPORT_INTERVAL", "200");
    std::env::set_var("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
    std::env::remove_var("OTEL_SERVICE_NAME");
    std::env::remove_var("OTEL_SDK_DISABLED");
}

/// Runs `scenario` on one thread under a subscriber exporting through
/// `otel`, plus `extra`.
fn traced<L, F>(otel: &Otel, extra: L, scenario: F)
where
    L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
    F: std::future::Future<Output = ()>,
{
    let subscriber = tracing_subscriber::registry()
        .with(extra)
        .with(otel.layer())
        .with(tracing_subscriber::EnvFilter::new("info"));
    let _guard = tracing::subscriber::set_default(subscriber);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(scenario);
}

/// The backend and the gateway that calls it, each on its own port.
async fn start_pair(otel: &Otel) -> (TestServer, TestServer) {
    let meter = opentelemetry::metrics::MeterProvider::meter(otel.meter_provider(), "typerpc");
    let backend = TestServer::start_server(
        Server::new()
            .add(BackendService)
            .configure(|r| r.intercept(RpcMetrics::with_meter(&meter))),
    )
    .await;
    let gateway = GatewayService {
        backend: BackendServiceClient::new(backend.client(Protocol::Grpc)),
    };
    let gateway = TestServer::start(
        Router::new()
            .add(gateway)
            .intercept(RpcMetrics::with_meter(&meter)),
    )
    .await;
    (backend, gateway)
}

fn spans(records: &[Value]) -> Vec<&Value> {
    records.iter().filter(|r| r["signal"] == "span").collect()
}

fn find<'a>(records: &'a [&'a Value], name: &str, kind: i64) -> &'a Value {
    records
        .iter()
        .find(|s| s["name"] == name && s["kind"] == kind)
        .unwrap_or_else(|| panic!("no span {name} of kind {kind} in {records:#?}"))
}

const SERVER: i64 = 2;
const CLIENT: i64 = 3;

#[test]
fn one_trace_spans_the_caller_our_client_and_the_callee() {
    let Some(python) = peer("python") else {
        return;
    };
    let receiver = Receiver::start(&python, None);
    configure(&format!("http://127.0.0.1:{}", receiver.port));
    let otel = Otel::from_env("otel-test").unwrap();
    traced(&otel, tracing_subscriber::layer::Identity::new(), async {
        let (backend, gateway) = start_pair(&otel).await;
        let client = GatewayServiceClient::new(gateway.client(Protocol::Grpc));
        let receipt = client
            .pay(Payment {
                amount: 12.5,
                user_id: "u1".into(),
            })
            .instrument(tracing::info_span!("caller"))
            .await
            .unwrap();
        assert_eq!(receipt.transaction_id, "tx-u1");
        gateway.shutdown().await;
        backend.shutdown().await;
    });
    otel.flush();
    let records = receiver.wait_until("six spans and the server metrics", |r| {
        spans(r).len() >= 6
            && r.iter()
                .any(|m| m["signal"] == "metric" && m["name"] == "rpc.server.duration")
    });
    let spans = spans(&records);

    let caller = find(&spans, "caller", 1);
    let gateway_client = find(&spans, "gateway.v1.GatewayService/Pay", CLIENT);
    let gateway_server = find(&spans, "gateway.v1.GatewayService/Pay", SERVER);
    let backend_client = find(&spans, "backend.v1.BackendService/Charge", CLIENT);
    let backend_server = find(&spans, "backend.v1.BackendService/Charge", SERVER);
    let charge = find(&spans, "charge_payment", 1);

    // One trace, each span the child of the one before.
    let trace = &caller["trace_id"];
    let chain = [
        caller,
        gateway_client,
        gateway_server,
        backend_client,
        backend_server,
        charge,
    ];
    for span in chain {
        assert_eq!(&span["trace_id"], trace, "{span:#}");
        assert_eq!(span["service"], "otel-test");
    }
    for pair in chain.windows(2) {
        assert_eq!(
            pair[1]["parent_span_id"], pair[0]["span_id"],
            "{:#} is not the parent of {:#}",
            pair[0], pair[1]
        );
    }

    // The conventions' attributes.
    for span in [gateway_server, backend_server] {
        let a = &span["attributes"];
        assert_eq!(a["rpc.system"], "grpc");
        assert_eq!(a["rpc.grpc.status_code"], 0);
        assert_eq!(a["network.peer.address"], "127.0.0.1");
        assert!(a["network.peer.port"].as_i64().unwrap() > 0);
    }
    assert_eq!(
        backend_server["attributes"]["rpc.service"],
        "backend.v1.BackendService"
    );
    assert_eq!(backend_server["attributes"]["rpc.method"], "Charge");
    assert_eq!(gateway_client["attributes"]["server.address"], "127.0.0.1");
    assert_eq!(charge["attributes"]["payment.amount"], 12.5);

    // rpc.server.duration, per method, through the metrics API.
    let durations: Vec<&Value> = records
        .iter()
        .filter(|m| m["signal"] == "metric" && m["name"] == "rpc.server.duration")
        .collect();
    assert!(durations.iter().all(|m| m["unit"] == "ms"));
    assert!(durations
        .iter()
        .any(|m| m["attributes"]["rpc.method"] == "Charge" && m["count"] == 1));
    assert!(records
        .iter()
        .any(|m| m["signal"] == "metric" && m["name"] == "rpc.server.request.size"));
    otel.shutdown();
}

#[test]
fn a_foreign_traceparent_is_continued_and_a_malformed_one_ignored() {
    let Some(python) = peer("python") else {
        return;
    };
    let receiver = Receiver::start(&python, None);
    configure(&format!("http://127.0.0.1:{}", receiver.port));
    let otel = Otel::from_env("otel-test").unwrap();
    let foreign_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let foreign_parent = "00f067aa0ba902b7";
    traced(&otel, tracing_subscriber::layer::Identity::new(), async {
        let server = TestServer::start(Router::new().add(BackendService)).await;
        let addr = server.addr();
        tokio::task::spawn_blocking(move || {
            for (traceparent, user) in [
                (format!("00-{foreign_trace}-{foreign_parent}-01"), "good"),
                ("00-not-a-trace-context".to_string(), "bad"),
            ] {
                let body = format!(r#"{{"amount": 1, "userId": "{user}"}}"#);
                let (status, answer) = post_json(
                    addr,
                    "/backend.v1.BackendService/Charge",
                    &traceparent,
                    &body,
                );
                assert_eq!(status, 200, "{answer}");
                assert!(answer.contains(&format!("tx-{user}")), "{answer}");
            }
        })
        .await
        .unwrap();
        server.shutdown().await;
    });
    otel.flush();
    let records = receiver.wait_until("two server spans", |r| {
        spans(r).iter().filter(|s| s["kind"] == SERVER).count() >= 2
    });
    let servers: Vec<&Value> = spans(&records)
        .into_iter()
        .filter(|s| s["kind"] == SERVER)
        .collect();
    assert_eq!(servers.len(), 2, "{servers:#?}");
    // Continued: the foreign trace and parent.
    assert_eq!(servers[0]["trace_id"], foreign_trace);
    assert_eq!(servers[0]["parent_span_id"], foreign_parent);
    assert_eq!(servers[0]["attributes"]["rpc.system"], "connect_rpc");
    // Ignored: a trace of its own, with no parent.
    assert_ne!(servers[1]["trace_id"], foreign_trace);
    assert_eq!(servers[1]["trace_id"].as_str().unwrap().len(), 32);
    assert_eq!(servers[1]["parent_span_id"], "");
    otel.shutdown();
}

/// A Connect JSON call over HTTP/1.1 with a `traceparent`, as another
/// implementation would send it.
fn post_json(
    addr: std::net::SocketAddr,
    path: &str,
    traceparent: &str,
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ntraceparent: {traceparent}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer)
}

/// Counts the export's warnings.
#[derive(Clone, Default)]
struct Warnings(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "typerpc::otel"
            && *event.metadata().level() == tracing::Level::WARN
        {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Makes `n` calls, returning the slowest.
async fn slowest_of(client: &BackendServiceClient, n: usize) -> Duration {
    let mut slowest = Duration::ZERO;
    for i in 0..n {
        let start = Instant::now();
        client
            .charge(Payment {
                amount: 1.0,
                user_id: i.to_string(),
            })
            .await
            .expect("the call succeeds whatever the collector does");
        slowest = slowest.max(start.elapsed());
        if i % 20 == 0 {
            // Let the exporter's batches go out meanwhile.
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    }
    slowest
}

#[test]
fn a_collector_that_is_down_never_fails_a_call_and_is_reported_once() {
    // A port nobody listens on.
    let port = common::peers::free_port();
    configure(&format!("http://127.0.0.1:{port}"));
    let otel = Otel::from_env("otel-test").unwrap();
    // The warning comes from the exporter's own thread: only a global
    // subscriber sees it. The other tests' thread-local ones take
    // precedence on their threads.
    let warnings = Warnings::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(warnings.clone()))
        .expect("no other test in this file sets the global subscriber");
    traced(&otel, tracing_subscriber::layer::Identity::new(), async {
        let server = TestServer::start(Router::new().add(BackendService)).await;
        let client = BackendServiceClient::new(server.client(Protocol::Grpc));
        let slowest = slowest_of(&client, 200).await;
        assert!(
            slowest < Duration::from_millis(500),
            "a call took {slowest:?}"
        );
        server.shutdown().await;
    });
    otel.flush();
    assert!(otel.spans_dropped() > 0, "nothing counted as dropped");
    assert_eq!(otel.export_health().exported(), 0);
    assert_eq!(
        warnings.0.load(Ordering::Relaxed),
        1,
        "the failure is said once"
    );
    otel.shutdown();
}

#[test]
fn a_slow_collector_never_slows_a_call() {
    let Some(python) = peer("python") else {
        return;
    };
    // Answers each export after 3 s, past the exporter's 1 s timeout.
    let receiver = Receiver::start(&python, Some(3.0));
    configure(&format!("http://127.0.0.1:{}", receiver.port));
    let otel = Otel::from_env("otel-test").unwrap();
    traced(&otel, tracing_subscriber::layer::Identity::new(), async {
        let server = TestServer::start(Router::new().add(BackendService)).await;
        let client = BackendServiceClient::new(server.client(Protocol::Grpc));
        let slowest = slowest_of(&client, 200).await;
        assert!(
            slowest < Duration::from_millis(500),
            "a call took {slowest:?}"
        );
        server.shutdown().await;
    });
    otel.shutdown();
}
