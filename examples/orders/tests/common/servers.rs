//! Servers of a test's own, for the fault tests: a `nats-server -js` or a
//! `redis-server` on a free loopback port with its data in a temporary
//! directory, killed (by its process id) and restarted at will.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TempDir;

/// Which server.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Nats,
    Redis,
}

/// A server process of this test's own.
pub struct OwnServer {
    kind: Kind,
    pub port: u16,
    pub dir: TempDir,
    child: Option<Child>,
}

fn free_port() -> u16 {
    // Below the kernel's ephemeral range (32768 and up on Linux): while
    // the server is down for a fault, no other test's `bind(0)` can be
    // handed its port, and the restarted server gets it back instead of
    // the client reaching someone else's server there.
    let seed = std::process::id() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.subsec_nanos() as u64);
    let mut port = 20_000 + (seed % 10_000) as u16;
    loop {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
        port = 20_000 + (port - 20_000 + 7) % 10_000;
    }
}

/// True when the server's program is installed; a failure under
/// `CI=true`, a skip otherwise.
pub fn installed(program: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return true;
    }
    let message = format!("{program} is not installed (Debian: apt install {program})");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipping: {message}");
    false
}

impl OwnServer {
    /// Starts a server; `None` when its program is not installed outside CI.
    pub fn start(kind: Kind) -> Option<OwnServer> {
        let program = match kind {
            Kind::Nats => "nats-server",
            Kind::Redis => "redis-server",
        };
        if !installed(program) {
            return None;
        }
        let mut server = OwnServer {
            kind,
            port: free_port(),
            dir: TempDir::new(),
            child: None,
        };
        server.restart();
        Some(server)
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Nats => format!("nats://127.0.0.1:{}", self.port),
            Kind::Redis => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// Starts the process (again), on the same port and data directory,
    /// and waits until it accepts connections.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "the server is running");
        let port = self.port.to_string();
        let dir = self.dir.0.display().to_string();
        let mut command = match self.kind {
            Kind::Nats => {
                let mut command = Command::new("nats-server");
                command.args(["-js", "-a", "127.0.0.1", "-p", &port, "-sd", &dir]);
                command
            }
            Kind::Redis => {
                let mut command = Command::new("redis-server");
                command.args([
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    &port,
                    "--dir",
                    &dir,
                    "--appendonly",
                    "yes",
                    "--appendfsync",
                    "always",
                    "--save",
                    "",
                ]);
                command
            }
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "{:?} did not start", self.kind);
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Some(status) = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
        {
            panic!(
                "{:?} exited ({status}) while another process answers on port {}",
                self.kind, self.port
            );
        }
        if matches!(self.kind, Kind::Nats) {
            // JetStream answers a moment after the port opens.
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Kills the process (SIGKILL: no clean shutdown) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends a signal (`STOP`, `CONT`) to the process.
    pub fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("the server is running");
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        if signal == "STOP" {
            // `kill` returns once the signal is sent; the process stops
            // a moment later. Wait until it has, so that what the test
            // sends next meets a stopped server.
            let state = format!("/proc/{}/stat", child.id());
            let deadline = Instant::now() + Duration::from_secs(5);
            while !std::fs::read_to_string(&state).is_ok_and(|stat| {
                stat.rsplit(')')
                    .next()
                    .is_some_and(|rest| rest.trim_start().starts_with('T'))
            }) {
                assert!(Instant::now() < deadline, "the server did not stop");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            // A stopped process cannot die until it is continued.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
        }
        self.kill();
    }
}
