//! Finding the independent peers (`scripts/peers` installs them). Outside
//! CI a missing peer skips the test with a message; with `CI=true` it
//! fails, so CI never passes by skipping.
#![allow(dead_code)]

use std::path::PathBuf;

/// The directory holding the peers' executables.
pub fn peers_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TYPERPC_PEERS_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/peers/venv/bin");
    dir.is_dir().then_some(dir)
}

/// Runs a peer's command off the async runtime and returns its output,
/// panicking with its stderr unless it succeeded.
pub async fn run_peer(mut command: std::process::Command) -> std::process::Output {
    let output = tokio::task::spawn_blocking(move || command.output().expect("the peer runs"))
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The path of one peer executable, or `None` (after saying why) when it
/// is not installed and this is not CI.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = peers_dir().map(|d| d.join(name)).filter(|p| p.exists());
    if found.is_none() {
        let message =
            format!("peer `{name}` is not installed; run scripts/peers (scripts/test does)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

/// schemathesis (`st`) against the OpenAPI document at `url`, to run in
/// `dir` (an empty directory the caller removes afterwards), which gets
/// its configuration: every check but `positive_data_acceptance` (a
/// document cannot state the bounds of integers sent as strings, so it
/// admits more than the server accepts), `max_examples` cases per
/// operation, one worker. A request the document forbids must be rejected
/// with one of schemathesis's usual statuses or 414: hyper answers 414 to
/// a request line over 64 KiB, which a generated Connect GET can reach.
pub fn schemathesis(
    st: &std::path::Path,
    url: &str,
    max_examples: u32,
    dir: &std::path::Path,
) -> std::process::Command {
    std::fs::write(
        dir.join("schemathesis.toml"),
        "[checks.negative_data_rejection]\n\
         expected-statuses = [\"400\", \"401\", \"403\", \"404\", \"405\", \"406\", \"409\", \
         \"414\", \"415\", \"422\", \"428\", \"429\", \"5xx\"]\n",
    )
    .expect("schemathesis configuration written");
    let mut command = std::process::Command::new(st);
    command
        .current_dir(dir)
        .args(["run", url, "--checks", "all"])
        .args(["--exclude-checks", "positive_data_acceptance"])
        .args(["--max-examples", &max_examples.to_string()])
        .args(["--workers", "1", "--no-color"]);
    command
}

/// Writes the `.proto` files of a router's services into a fresh
/// temporary directory and returns it.
pub fn proto_dir(router: &typerpc::Router, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typerpc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    typerpc::schema::write_proto_files(&router.schema().unwrap(), &dir).unwrap();
    dir
}

/// The folder holding the npm peers (`node_modules` with connect-node),
/// or `None` (after saying why) when they are not installed.
pub fn node_dir() -> Option<PathBuf> {
    let dir = peers_dir()
        .map(|bin| bin.join("../../node"))
        .filter(|d| d.join("node_modules/@connectrpc/connect-node").exists());
    if dir.is_none() {
        let _ = peer("connect-node (npm)");
    }
    dir
}

/// `google/rpc/status.proto`, reduced to what decoding a
/// `grpc-status-details-bin` trailer needs.
pub const RPC_STATUS_PROTO: &str = r#"syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
"#;

/// Generates Python grpcio stubs for `protos` (paths under `schema`, plus
/// `google/rpc/status.proto`) with grpcio-tools into `schema/py`; returns
/// that folder.
pub fn python_stubs(
    python: &std::path::Path,
    schema: &std::path::Path,
    protos: &[&str],
) -> PathBuf {
    std::fs::create_dir_all(schema.join("google/rpc")).unwrap();
    std::fs::write(schema.join("google/rpc/status.proto"), RPC_STATUS_PROTO).unwrap();
    let out = schema.join("py");
    std::fs::create_dir_all(&out).unwrap();
    let generate = std::process::Command::new(python)
        .args(["-m", "grpc_tools.protoc", "-I"])
        .arg(schema)
        .arg(format!("--python_out={}", out.display()))
        .arg(format!("--grpc_python_out={}", out.display()))
        .args(protos)
        .arg("google/rpc/status.proto")
        .output()
        .unwrap();
    assert!(
        generate.status.success(),
        "protoc: {}",
        String::from_utf8_lossy(&generate.stderr)
    );
    out
}

/// A program that comes from the system's packages (Debian's `prometheus`
/// brings `prometheus` and `promtool`), found on the `PATH`; `None` (after
/// saying how to install it) when missing and this is not CI.
pub fn system_tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        let message = format!(
            "`{name}` is not installed; apt-get install {package} (scripts/peers does, as root)"
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

/// A free loopback port for a peer that must be told one: bound to 0,
/// read, released.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.1 GET on loopback: the status and the body.
pub fn http_get(
    addr: std::net::SocketAddr,
    path_and_query: &str,
) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    ))
}

/// The body of a chunked HTTP/1.1 response.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
