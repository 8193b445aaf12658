//! The example binary as users run it, called with `buf curl` (a client we
//! did not write) over Connect, gRPC and gRPC-Web, every call shape.

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `buf`, installed by `scripts/peers`; `None` (with a note) outside CI
/// when it is missing, a failure in CI.
fn buf() -> Option<PathBuf> {
    let dir = std::env::var_os("TYPERPC_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/peers/venv/bin")
        });
    let buf = dir.join("buf");
    if buf.exists() {
        return Some(buf);
    }
    let message = "peer `buf` is not installed; run scripts/peers (scripts/test does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipping: {message}");
    None
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> (Running, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_chat"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the example did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (Running(child), port)
}

fn curl(
    buf: &PathBuf,
    port: u16,
    protocol: &str,
    method: &str,
    input: &str,
) -> Vec<serde_json::Value> {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let mut child = Command::new(buf)
        .arg("curl")
        .arg("--schema")
        .arg(schema)
        .args([
            "--protocol",
            protocol,
            "--http2-prior-knowledge",
            "-d",
            "@-",
        ])
        .arg(format!(
            "http://127.0.0.1:{port}/chat.v1.ChatService/{method}"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{protocol} {method}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<serde_json::Value>()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn every_call_shape_over_every_protocol() {
    let Some(buf) = buf() else { return };
    let (_server, port) = start();
    for protocol in ["connect", "grpc", "grpcweb"] {
        let receipt = curl(
            &buf,
            port,
            protocol,
            "Post",
            r#"{"author":"ann","text":"hello"}"#,
        );
        assert_eq!(receipt[0]["accepted"], 1, "{protocol}");

        let receipt = curl(
            &buf,
            port,
            protocol,
            "Upload",
            r#"{"author":"bob","text":"one"} {"author":"bob","text":"two"}"#,
        );
        assert_eq!(receipt[0]["accepted"], 2, "{protocol}");

        // The last three messages of the room, then the stream ends.
        let feed = curl(
            &buf,
            port,
            protocol,
            "Subscribe",
            r#"{"history":3,"limit":3}"#,
        );
        let texts: Vec<_> = feed.iter().map(|m| m["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["hello", "one", "two"], "{protocol}");
        assert!(feed[0]["sentAt"].is_string(), "{protocol}: {}", feed[0]);

        // The caller's own messages come back through the room.
        let echoed = curl(
            &buf,
            port,
            protocol,
            "Converse",
            r#"{"author":"cy","text":"a"} {"author":"cy","text":"b"}"#,
        );
        let texts: Vec<_> = echoed.iter().map(|m| m["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["a", "b"], "{protocol}");
    }
}
