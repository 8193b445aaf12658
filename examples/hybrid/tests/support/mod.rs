//! Starting the example's process on free loopback ports, and calling it
//! as the seed's clients do: curl for REST and Connect, grpcurl for gRPC.
#![allow(dead_code)]

#[path = "../../../../crates/typerpc/tests/common/peers.rs"]
mod peers;

pub use peers::free_port;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A fresh directory for one test's files.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hybrid-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `hybrid certs DIR`: a demo CA, server and client certificate.
pub fn make_certs(dir: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_hybrid"))
        .arg("certs")
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// The example running with its three doors; killed when dropped.
pub struct Hybrid {
    child: Child,
    /// The public port (REST, `/partner`).
    pub public: u16,
    /// The internal gRPC port.
    pub internal: u16,
    /// The TLS port serving everything.
    pub tls: u16,
    /// Where its certificates are.
    pub certs: PathBuf,
}

impl Hybrid {
    /// Starts `hybrid` with `extra` arguments (rates, tokens), no
    /// processing delay, and a TLS port with fresh demo certificates.
    pub fn start(name: &str, extra: &[&str]) -> Hybrid {
        let certs = temp_dir(name);
        make_certs(&certs);
        let (public, internal, tls) = (free_port(), free_port(), free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_hybrid"))
            .args(["--addr", &format!("127.0.0.1:{public}")])
            .args(["--internal-addr", &format!("127.0.0.1:{internal}")])
            .args(["--tls-addr", &format!("127.0.0.1:{tls}")])
            .arg("--tls-dir")
            .arg(&certs)
            .args(["--delay-ms", "0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let hybrid = Hybrid {
            child,
            public,
            internal,
            tls,
            certs,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        for port in [public, internal, tls] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "hybrid did not listen on {port}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        hybrid
    }

    /// `http://127.0.0.1:PUBLIC{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.public)
    }

    /// `https://127.0.0.1:TLS{path}`.
    pub fn tls_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.tls)
    }

    /// A file of its certificate directory.
    pub fn cert(&self, name: &str) -> String {
        self.certs.join(name).display().to_string()
    }
}

impl Drop for Hybrid {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.certs);
    }
}

/// A peer: curl from the system's packages, the others (grpcurl) from
/// `scripts/peers`; `None` (after saying why) outside CI, a failure in CI.
pub fn peer(name: &str) -> Option<PathBuf> {
    match name {
        "curl" => peers::system_tool("curl", "curl"),
        other => peers::peer(other),
    }
}

/// What curl got: the status, the headers (lower-cased names) and the body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Runs curl with `args` (the seed's own flags), reading the status and
/// headers from `-D`.
pub fn curl(curl: &Path, args: &[&str]) -> Reply {
    let output = Command::new(curl)
        .args(["-s", "-S", "-D", "-", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        stderr(&output)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Runs grpcurl with `args`; its output, whether it succeeded or not.
pub fn grpcurl(grpcurl: &Path, args: &[&str]) -> Output {
    Command::new(grpcurl)
        .args(["-max-time", "10"])
        .args(args)
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
