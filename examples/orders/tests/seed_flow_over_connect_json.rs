//! The seed's flow end to end against the `orders` binary as users run it
//! (embedded log, in-memory read model, no other server), with the
//! requests `curl -H 'content-type: application/json' -d '{...}'` sends:
//! create, get, list, cancel, and a Connect stream of `WatchOrders`
//! receiving the creation and the cancellation. Then SIGTERM: the binary
//! stops cleanly, and a restart rebuilds the same read model from the log.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::TempDir;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

struct Binary {
    child: Option<Child>,
    port: u16,
}

impl Binary {
    fn start(dir: &TempDir) -> Binary {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = format!("embedded:{}", dir.0.join("events.redb").display());
        let child = Command::new(env!("CARGO_BIN_EXE_orders"))
            .args(["--addr", &format!("127.0.0.1:{port}"), "--log", &log])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "orders did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Binary {
            child: Some(child),
            port,
        }
    }

    fn url(&self, method: &str) -> String {
        format!("http://127.0.0.1:{}/orders.v1.{method}", self.port)
    }

    /// SIGTERM, then the log the binary wrote.
    fn stop(mut self) -> String {
        let child = self.child.take().unwrap();
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `curl -H 'content-type: application/json' -d BODY URL`.
async fn post(client: &HttpClient, url: String, body: Value) -> (u16, Value) {
    let request = http::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

/// A Connect server stream's messages, read as they arrive.
struct ConnectStream {
    body: hyper::body::Incoming,
    buffer: Vec<u8>,
}

impl ConnectStream {
    async fn open(client: &HttpClient, url: String, message: Value) -> ConnectStream {
        let json = message.to_string().into_bytes();
        let mut body = vec![0];
        body.extend_from_slice(&(json.len() as u32).to_be_bytes());
        body.extend_from_slice(&json);
        let request = http::Request::post(url)
            .header("content-type", "application/connect+json")
            .header("connect-protocol-version", "1")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        ConnectStream {
            body: response.into_body(),
            buffer: Vec::new(),
        }
    }

    /// The next message (not the end-of-stream frame), within 10 s.
    async fn next(&mut self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.buffer.len() >= 5 {
                let len = u32::from_be_bytes(self.buffer[1..5].try_into().unwrap()) as usize;
                if self.buffer.len() >= 5 + len {
                    let flags = self.buffer[0];
                    let frame: Vec<u8> = self.buffer.drain(..5 + len).skip(5).collect();
                    let value: Value = serde_json::from_slice(&frame).unwrap();
                    assert_eq!(flags & 2, 0, "the stream ended: {value}");
                    return value;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = tokio::time::timeout(left, self.body.frame())
                .await
                .expect("a message within 10 s")
                .expect("the stream stays open")
                .unwrap();
            if let Some(data) = frame.data_ref() {
                self.buffer.extend_from_slice(data);
            }
        }
    }
}

fn order(user: &str) -> Value {
    json!({
        "user_id": user,
        "items": [
            {"product_id": "book-1", "quantity": 2, "unit_price_cents": 1250},
            {"product_id": "pen-7", "quantity": 1, "unit_price_cents": 300}
        ],
        "shipping_address": {
            "name": "Ada Lovelace", "line1": "12 St James's Square",
            "city": "London", "postal_code": "SW1Y 4JH", "country": "GB"
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_flow_over_connect_json() {
    let dir = TempDir::new();
    let binary = Binary::start(&dir);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    // Watch first: once the headers are in, the subscription is.
    let mut watch = ConnectStream::open(
        &client,
        binary.url("OrderQueryService/WatchOrders"),
        json!({"user_id": "ada"}),
    )
    .await;

    let (status, created) = post(
        &client,
        binary.url("OrderCommandService/CreateOrder"),
        order("ada"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["status"], "ORDER_STATUS_ACCEPTED", "{created}");
    let id = created["orderId"].as_str().unwrap().to_owned();
    let sequence: u64 = created["sequence"].as_str().unwrap().parse().unwrap();

    let (status, got) = post(
        &client,
        binary.url("OrderQueryService/GetOrder"),
        json!({"order_id": id, "min_sequence": sequence}),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["userId"], "ada");
    assert_eq!(got["totalCents"], "2800");
    assert_eq!(got["items"][0]["productId"], "book-1");

    let (status, list) = post(
        &client,
        binary.url("OrderQueryService/ListUserOrders"),
        json!({"user_id": "ada", "min_sequence": sequence}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["orders"].as_array().unwrap().len(), 1);
    assert_eq!(list["orders"][0]["orderId"], id.as_str());

    let (status, cancelled) = post(
        &client,
        binary.url("OrderCommandService/CancelOrder"),
        json!({"order_id": id, "reason": "ordered twice"}),
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "ORDER_STATUS_CANCELLED");

    let first = watch.next().await;
    assert_eq!(first["orderId"], id.as_str());
    assert_eq!(first["status"], "ORDER_STATUS_ACCEPTED");
    let second = watch.next().await;
    assert_eq!(second["orderId"], id.as_str());
    assert_eq!(second["status"], "ORDER_STATUS_CANCELLED");
    assert_eq!(second["cancelReason"], "ordered twice");

    // The seed's holes, closed: an empty order and an unknown id are the
    // caller's errors, with JSON bodies that say which.
    let mut empty = order("ada");
    empty["items"] = json!([]);
    let (status, error) = post(
        &client,
        binary.url("OrderCommandService/CreateOrder"),
        empty,
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "invalid_argument");
    assert!(
        error["message"].as_str().unwrap().contains("items"),
        "{error}"
    );
    let (status, error) = post(
        &client,
        binary.url("OrderQueryService/GetOrder"),
        json!({"order_id": "no-such-order"}),
    )
    .await;
    assert_eq!(status, 404, "{error}");
    assert_eq!(error["code"], "not_found");
    assert!(error["message"].as_str().unwrap().contains("no-such-order"));
    drop(watch);

    let log = binary.stop();
    assert!(log.contains("orders: stopped"), "{log}");

    // The log is on disk: a new process rebuilds the read model from it.
    let binary = Binary::start(&dir);
    let (status, got) = post(
        &client,
        binary.url("OrderQueryService/GetOrder"),
        json!({"order_id": id, "min_sequence": sequence + 1}),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["status"], "ORDER_STATUS_CANCELLED");
    let (status, health) = post(
        &client,
        format!(
            "http://127.0.0.1:{}/grpc.health.v1.Health/Check",
            binary.port
        ),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "SERVING");
    binary.stop();
}
