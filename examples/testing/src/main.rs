//! The service of the testing example, served for a look by hand; the
//! point of the example is its tests (`cargo test -p testing`).
//!
//! ```text
//! cargo run -p testing                               # 0.0.0.0:50051, every interface
//! cargo run -p testing -- --addr 127.0.0.1:8080      # this machine only
//! curl -H 'content-type: application/json' -d '{"data":"x"}' \
//!   localhost:50051/test.v1.TestService/TestMethod
//! ```

use std::net::SocketAddr;

use testing::TestService;
use typerpc::server::shutdown_signal;
use typerpc::Server;

const NAME: &str = "testing";

#[tokio::main]
async fn main() {
    let addr = parse_addr();
    eprintln!("{NAME}: starting test.v1.TestService (gRPC, gRPC-Web, Connect)");
    serve(Server::new().add(TestService), addr).await;
}

/// `--addr HOST:PORT`, or the default `0.0.0.0:50051`.
fn parse_addr() -> SocketAddr {
    let mut args = std::env::args().skip(1);
    let mut addr = SocketAddr::from(typerpc::server::DEFAULT_ADDR);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let Some(value) = args.next() else {
                    fail(2, "--addr needs HOST:PORT");
                };
                addr = value
                    .parse()
                    .unwrap_or_else(|e| fail(2, &format!("--addr {value}: {e}")));
            }
            "-h" | "--help" => {
                println!("usage: {NAME} [--addr HOST:PORT]");
                println!(
                    "  --addr HOST:PORT  where to listen (default 0.0.0.0:50051: every interface;"
                );
                println!("                    127.0.0.1:50051 keeps the server on this machine)");
                std::process::exit(0);
            }
            other => fail(2, &format!("unknown argument {other}; try --help")),
        }
    }
    addr
}

/// Serves on `addr` until SIGINT or SIGTERM, saying where it listens and
/// when it stops.
async fn serve(server: Server, addr: SocketAddr) {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| fail(1, &format!("cannot listen on {addr}: {e}")));
    let local = listener.local_addr().unwrap_or(addr);
    eprintln!("{NAME}: listening on {local}");
    if local.ip().is_unspecified() {
        eprintln!(
            "{NAME}: that is every network interface; --addr 127.0.0.1:{} keeps it on this machine",
            local.port()
        );
    }
    let signal = async {
        shutdown_signal().await;
        eprintln!("{NAME}: shutting down; finishing the calls in flight");
    };
    match server.serve_on(listener, signal).await {
        Ok(()) => eprintln!("{NAME}: stopped"),
        Err(error) => fail(1, &error.to_string()),
    }
}

fn fail(code: i32, message: &str) -> ! {
    eprintln!("{NAME}: {message}");
    std::process::exit(code)
}
