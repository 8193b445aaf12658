//! The example as deployed: the payment service and the checkout service
//! in two processes, exporting to an OTLP receiver built on the official
//! `opentelemetry-proto` package, scraped by a real Prometheus. One
//! checkout is one trace across both processes, continuing the trace of
//! the caller's `traceparent`; Prometheus' query API returns the calls the
//! test made. Skipped when a peer is missing, except in CI, where that
//! fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A peer, or `None` (after saying why) outside CI.
fn peer(path: Option<PathBuf>, name: &str) -> Option<PathBuf> {
    let found = path.filter(|p| p.is_file());
    if found.is_none() {
        let message = format!("`{name}` is not installed; run scripts/peers (scripts/test does)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

fn python() -> Option<PathBuf> {
    let dir = std::env::var_os("TYPERPC_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/peers/venv/bin")
        });
    peer(Some(dir.join("python")), "python (peers venv)")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    peer(found, name)
}

/// A child process, killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the example with `args`, exporting to `otlp`; returns it and
/// the address it listens on.
fn start_mesh(args: &[&str], otlp: &str) -> (Process, SocketAddr, ChildStderr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mesh"))
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp)
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_METRIC_EXPORT_INTERVAL", "500")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the example exited"
        );
        if let Some(addr) = line.trim().strip_prefix("mesh: listening on ") {
            break addr.parse().unwrap();
        }
    };
    (Process(child), addr, stderr.into_inner())
}

/// A Connect JSON call, as a caller outside typerpc makes it.
fn post_json(addr: SocketAddr, path: &str, headers: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    (answer.split(' ').nth(1).unwrap().parse().unwrap(), answer)
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not in time");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn one_checkout_is_one_trace_across_two_processes_and_prometheus_counts_it() {
    let (Some(python), Some(prometheus)) = (python(), on_path("prometheus")) else {
        return;
    };

    // The OTLP receiver.
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/typerpc/tests/peers/otlp_receiver.py");
    let mut receiver = Command::new(python)
        .arg(script)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(receiver.stdout.take().unwrap()).lines();
    let _receiver = Process(receiver);
    let port: u16 = lines.next().unwrap().unwrap().trim().parse().unwrap();
    let records: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = Arc::clone(&records);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(&line).unwrap());
        }
    });
    let otlp = format!("http://127.0.0.1:{port}");

    // The two services, each in its process.
    let (payment, payment_addr, _payment_log) = start_mesh(&["payment"], &otlp);
    let payment_url = format!("http://{payment_addr}");
    let (checkout, checkout_addr, _checkout_log) =
        start_mesh(&["checkout", "--payment-url", &payment_url], &otlp);
    assert_eq!(get(payment_addr, "/ready"), (200, "ready\n".into()));
    assert_eq!(get(checkout_addr, "/healthz").0, 200);

    // A caller with a trace of its own.
    let trace = "0af7651916cd43dd8448eb211c80319c";
    let traceparent = format!("traceparent: 00-{trace}-b7ad6b7169203331-01\r\n");
    for user in ["u1", "u2", "u3"] {
        let body = format!(r#"{{"user_id":"{user}","total":12.5,"currency":"EUR"}}"#);
        let (status, answer) = post_json(
            checkout_addr,
            "/mesh.v1.CheckoutService/Checkout",
            &traceparent,
            &body,
        );
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains(&format!("tx-{user}-")), "{answer}");
    }
    // A currency the payment service does not take: its error, through checkout.
    let body = r#"{"user_id":"u4","total":1,"currency":"XXX"}"#;
    let (status, answer) = post_json(checkout_addr, "/mesh.v1.CheckoutService/Checkout", "", body);
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("not taken here"), "{answer}");

    // One trace: the caller's, through both processes.
    let spans = wait_for("the spans of both processes", || {
        let records = records.lock().unwrap().clone();
        let spans: Vec<Value> = records
            .into_iter()
            .filter(|r| r["signal"] == "span" && r["trace_id"] == trace)
            .collect();
        (spans.len() >= 18).then_some(spans)
    });
    let named = |name: &str, kind: i64| -> Vec<&Value> {
        spans
            .iter()
            .filter(|s| s["name"] == name && s["kind"] == kind)
            .collect()
    };
    let checkout_servers = named("mesh.v1.CheckoutService/Checkout", 2);
    let payment_clients = named("mesh.v1.PaymentService/ProcessPayment", 3);
    let payment_servers = named("mesh.v1.PaymentService/ProcessPayment", 2);
    assert_eq!(
        (
            checkout_servers.len(),
            payment_clients.len(),
            payment_servers.len()
        ),
        (3, 3, 3),
        "{spans:#?}"
    );
    for server in &checkout_servers {
        assert_eq!(server["service"], "checkout-service");
        assert_eq!(server["parent_span_id"], "b7ad6b7169203331");
        assert_eq!(server["attributes"]["rpc.system"], "connect_rpc");
    }
    for (client, server) in payment_clients.iter().zip(&payment_servers) {
        assert_eq!(client["service"], "checkout-service");
        assert_eq!(server["service"], "payment-service");
        assert_eq!(server["attributes"]["rpc.system"], "grpc");
        assert_eq!(server["attributes"]["rpc.grpc.status_code"], 0);
        assert!(
            payment_clients
                .iter()
                .any(|c| c["span_id"] == server["parent_span_id"]),
            "{server:#} has no client parent"
        );
        let _ = client;
    }
    // The seed's spans and attributes, children of the call.
    for name in ["process_payment", "validate_payment", "charge_payment"] {
        assert_eq!(named(name, 1).len(), 3, "{name}: {spans:#?}");
    }
    let process = named("process_payment", 1)[0];
    assert_eq!(process["attributes"]["payment.currency"], "EUR");
    assert_eq!(process["attributes"]["payment.amount"], 12.5);
    assert!(payment_servers
        .iter()
        .any(|s| s["span_id"] == process["parent_span_id"]));

    // Prometheus scrapes the payment service's /metrics.
    let dir = std::env::temp_dir().join(format!("mesh-prometheus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("prometheus.yml"),
        format!("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: payment\n    static_configs:\n      - targets: ['{payment_addr}']\n"),
    )
    .unwrap();
    let prometheus_addr: SocketAddr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let _prometheus = Process(
        Command::new(prometheus)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={prometheus_addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let query = |q: &str| -> Option<f64> {
        let encoded: String = q
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let stream = TcpStream::connect(prometheus_addr).ok()?;
        drop(stream);
        let (status, body) = get(prometheus_addr, &format!("/api/v1/query?query={encoded}"));
        if status != 200 {
            return None;
        }
        let json: Value = serde_json::from_str(&body).ok()?;
        json["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    };
    let service = r#"rpc_service="mesh.v1.PaymentService""#;
    wait_for("3 payments in Prometheus", || {
        (query(&format!(
            r#"sum(rpc_server_requests_total{{{service},code="ok"}})"#
        )) == Some(3.0))
        .then_some(())
    });
    wait_for("1 refused payment in Prometheus", || {
        (query(&format!(
            r#"sum(rpc_server_requests_total{{{service},code="invalid_argument"}})"#
        )) == Some(1.0))
        .then_some(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    drop((checkout, payment));
}
