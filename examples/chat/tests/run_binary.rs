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

/// The binary with its log on a pipe, read once it has exited.
fn start_logged() -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_chat"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the example did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, port)
}

/// Sends one HTTP/1.1 request and reads the response head (status line
/// and headers, lower-cased names); the connection stays open.
fn head(port: u16, request: &str, body: &[u8]) -> (TcpStream, u16, Vec<(String, String)>) {
    use std::io::Read;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut bytes = Vec::new();
    let mut buf = [0; 1024];
    while !bytes.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed before the headers");
        bytes.extend_from_slice(&buf[..n]);
    }
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let text = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    (stream, status, headers)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A Connect server-streaming `Subscribe` from a page on another origin.
fn subscribe_from_browser(port: u16) -> (TcpStream, u16, Vec<(String, String)>) {
    let json = br#"{"history":0}"#;
    let mut body = vec![0];
    body.extend_from_slice(&(json.len() as u32).to_be_bytes());
    body.extend_from_slice(json);
    head(
        port,
        &format!(
            "POST /chat.v1.ChatService/Subscribe HTTP/1.1\r\nHost: localhost\r\n\
             Origin: https://app.example\r\nContent-Type: application/connect+json\r\n\
             Connect-Protocol-Version: 1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        ),
        &body,
    )
}

#[test]
fn a_page_on_another_origin_subscribes_and_reads_the_room_size() {
    let (child, port) = start_logged();

    // connect-web's preflight.
    let (_, status, headers) = head(
        port,
        "OPTIONS /chat.v1.ChatService/Subscribe HTTP/1.1\r\nHost: localhost\r\n\
         Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n\
         Access-Control-Request-Headers: content-type,connect-protocol-version\r\n\
         Connection: close\r\n\r\n",
        b"",
    );
    assert_eq!(status, 204, "{headers:?}");
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("https://app.example")
    );

    // The room size counts the caller, and the page may read it.
    let (first, status, headers) = subscribe_from_browser(port);
    assert_eq!(status, 200, "{headers:?}");
    assert_eq!(header(&headers, "x-room-size"), Some("1"), "{headers:?}");
    let exposed = header(&headers, "access-control-expose-headers").unwrap_or_default();
    assert!(
        exposed.split(", ").any(|name| name == "x-room-size"),
        "{exposed}"
    );
    let (second, _, headers) = subscribe_from_browser(port);
    assert_eq!(header(&headers, "x-room-size"), Some("2"), "{headers:?}");
    drop((first, second));

    // SIGTERM: the log says where it listened and that it stopped.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let log = String::from_utf8(output.stderr).unwrap();
    for line in [
        "chat: starting chat.v1.ChatService".to_string(),
        format!("chat: listening on 127.0.0.1:{port}\n"),
        "chat: shutting down".to_string(),
        "chat: stopped\n".to_string(),
    ] {
        assert!(log.contains(&line), "{line:?} not in the log:\n{log}");
    }
    assert!(!log.contains("every network interface"), "{log}");
}
