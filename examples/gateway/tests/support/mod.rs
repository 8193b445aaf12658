//! Starting the example's processes on free loopback ports, and calling
//! them as curl would.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BACKENDS: [&str; 6] = [
    "user",
    "product",
    "inventory",
    "recommendation",
    "payment",
    "order",
];

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process of the example binary, killed when dropped.
pub struct Process(Child);

impl Process {
    /// Runs `gateway ARGS` and waits until it listens on `port`.
    pub fn start(args: &[String], port: u16) -> Process {
        let child = Command::new(env!("CARGO_BIN_EXE_gateway"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let process = Process(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "gateway {args:?} did not start listening"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        process
    }

    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A backend process.
pub struct BackendProcess {
    pub name: &'static str,
    pub port: u16,
    pub delay_ms: u64,
    pub process: Process,
}

impl BackendProcess {
    pub fn start(name: &'static str, port: u16, delay_ms: u64) -> BackendProcess {
        let args = vec![
            name.to_string(),
            "--addr".into(),
            format!("127.0.0.1:{port}"),
            "--delay-ms".into(),
            delay_ms.to_string(),
        ];
        BackendProcess {
            name,
            port,
            delay_ms,
            process: Process::start(&args, port),
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.process = Process::start(
            &[
                self.name.to_string(),
                "--addr".into(),
                format!("127.0.0.1:{}", self.port),
                "--delay-ms".into(),
                self.delay_ms.to_string(),
            ],
            self.port,
        );
    }
}

/// Every backend in its own process, and the gateway in another.
pub struct Stack {
    pub backends: Vec<BackendProcess>,
    pub port: u16,
    pub gateway: Process,
}

impl Stack {
    /// The stack, with `delays` (backend, ms) making some backends slow.
    pub fn start(delays: &[(&str, u64)]) -> Stack {
        let backends: Vec<BackendProcess> = BACKENDS
            .iter()
            .map(|name| {
                let delay = delays
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0, |(_, d)| *d);
                BackendProcess::start(name, free_port(), delay)
            })
            .collect();
        let port = free_port();
        let mut args = vec![
            "serve".to_string(),
            "--addr".into(),
            format!("127.0.0.1:{port}"),
        ];
        for backend in &backends {
            args.push(format!("--{}", backend.name));
            args.push(format!("127.0.0.1:{}", backend.port));
        }
        let gateway = Process::start(&args, port);
        Stack {
            backends,
            port,
            gateway,
        }
    }

    pub fn backend(&mut self, name: &str) -> &mut BackendProcess {
        self.backends.iter_mut().find(|b| b.name == name).unwrap()
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
    pub took: Duration,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 request, as curl sends it.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let start = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer before reading all of a body it refuses.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let took = start.elapsed();
    let response = String::from_utf8_lossy(&response).to_string();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Answer {
        status,
        headers: head.to_string(),
        body,
        took,
    }
}

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

pub fn get(port: u16, path: &str) -> Answer {
    http(port, "GET", path, &[], b"")
}

pub fn post_json(port: u16, path: &str, body: &str) -> Answer {
    http(
        port,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}
