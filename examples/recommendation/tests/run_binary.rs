//! The example binary as users run it: it serves the seed guide's calls
//! on the address given with `--addr`, and SIGTERM stops it cleanly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_recommendation"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the example did not start listening"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// One HTTP/1.1 request, as curl or a browser's fetch would send it.
fn http(port: u16, request_line: &str, headers: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "{request_line} HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

#[test]
fn seed_calls_work_and_sigterm_drains() {
    let port = free_port();
    let mut child = start(port);

    // The seed's browser fetch: snake_case JSON, no limit (defaults to 10).
    let (status, body) = http(
        port,
        "POST /recommendation.v1.RecommendationService/GetRecommendations",
        "Content-Type: application/json\r\nOrigin: https://shop.example\r\n",
        r#"{"user_id":"123","category":"electronics"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["products"].as_array().unwrap().len(), 3);
    assert_eq!(json["products"][0]["id"], "e-1");

    // An invalid request is a 400 with Connect's error body.
    let (status, body) = http(
        port,
        "POST /recommendation.v1.RecommendationService/GetRecommendations",
        "Content-Type: application/json\r\n",
        r#"{"userId":"1"}"#,
    );
    assert_eq!(status, 400);
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["code"], "invalid_argument", "{body}");
    assert_eq!(
        error["message"], "invalid request: category: must be at least 1 character long",
        "{body}"
    );
    assert_eq!(
        error["details"][0]["type"], "google.rpc.BadRequest",
        "{body}"
    );

    // `limit` must be 1 to 100.
    let (status, body) = http(
        port,
        "POST /recommendation.v1.RecommendationService/GetRecommendations",
        "Content-Type: application/json\r\n",
        r#"{"userId":"1","category":"books","limit":500}"#,
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("limit: must be less than or equal to 100"),
        "{body}"
    );

    // GET for the idempotent method.
    let (status, body) = http(
        port,
        "GET /recommendation.v1.RecommendationService/GetTrending?encoding=json&message=%7B%7D",
        "",
        "",
    );
    assert_eq!(status, 200, "{body}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(Instant::now() < deadline, "SIGTERM did not stop the server");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());

    // The log: start, where it listens, shutdown.
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    for line in [
        "recommendation: starting recommendation.v1.RecommendationService".to_string(),
        format!("recommendation: listening on 127.0.0.1:{port}\n"),
        "recommendation: shutting down".to_string(),
        "recommendation: stopped\n".to_string(),
    ] {
        assert!(log.contains(&line), "{line:?} not in the log:\n{log}");
    }
}

#[test]
fn every_interface_is_said_with_how_to_stay_on_loopback() {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_recommendation"))
        .args(["--addr", "0.0.0.0:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = lines.nth(1).unwrap().unwrap();
    let hint = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let port = listening
        .strip_prefix("recommendation: listening on 0.0.0.0:")
        .unwrap_or_else(|| panic!("{listening}"));
    assert_eq!(
        hint,
        format!(
            "recommendation: that is every network interface; --addr 127.0.0.1:{port} keeps it on this machine"
        )
    );
}

#[test]
fn help_and_bad_arguments() {
    let help = Command::new(env!("CARGO_BIN_EXE_recommendation"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout)
        .contains("127.0.0.1:50051 keeps the server on this machine"));
    let bad = Command::new(env!("CARGO_BIN_EXE_recommendation"))
        .args(["--addr", "localhost"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).starts_with("recommendation: --addr localhost: "),
        "{bad:?}"
    );
}
