//! What every example's `main` shares: the `--addr HOST:PORT` argument,
//! logs through `tracing-subscriber` (filtered by `RUST_LOG`), and serving
//! until SIGINT or SIGTERM while saying on stderr where the server listens
//! and when it stops.

use std::net::SocketAddr;

#[cfg(feature = "rest")]
pub mod rest;

use typerpc::server::shutdown_signal;
use typerpc::Server;

/// `--addr HOST:PORT` from the command line, or the default
/// `0.0.0.0:50051`; `--help` prints the usage of `name` and exits, and a
/// bad argument exits with status 2.
pub fn parse_addr(name: &str) -> SocketAddr {
    let mut args = std::env::args().skip(1);
    let mut addr = SocketAddr::from(typerpc::server::DEFAULT_ADDR);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let Some(value) = args.next() else {
                    fail(name, 2, "--addr needs HOST:PORT");
                };
                addr = value
                    .parse()
                    .unwrap_or_else(|e| fail(name, 2, &format!("--addr {value}: {e}")));
            }
            "-h" | "--help" => {
                println!("usage: {name} [--addr HOST:PORT]");
                println!(
                    "  --addr HOST:PORT  where to listen (default 0.0.0.0:50051: every interface;"
                );
                println!("                    127.0.0.1:50051 keeps the server on this machine)");
                std::process::exit(0);
            }
            other => fail(name, 2, &format!("unknown argument {other}; try --help")),
        }
    }
    addr
}

/// Prints typerpc's logs (and the example's) on stderr, filtered by
/// `RUST_LOG` (default `info`: start, listen address, shutdown and failed
/// calls; `RUST_LOG=typerpc=debug` adds every call, `trace` every
/// message). typerpc itself prints nothing until an application does this.
pub fn init_logs() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .try_init();
}

fn filter() -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
}

/// [`init_logs`], and, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, spans and metrics
/// exported over OTLP as `service` (unless `OTEL_SERVICE_NAME` says
/// otherwise). Keep what it returns and shut it down before exiting, so
/// the last spans leave.
#[cfg(feature = "otel")]
pub fn init_telemetry(name: &str, service: &str) -> Option<typerpc::otel::Otel> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let exporting = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    let otel = if exporting {
        match typerpc::otel::Otel::from_env(service) {
            Ok(otel) => Some(otel),
            Err(error) => fail(name, 1, &error.to_string()),
        }
    } else {
        None
    };
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(otel.as_ref().map(|o| o.layer()))
        .try_init();
    otel
}

/// Sends the last spans and metrics of [`init_telemetry`].
#[cfg(feature = "otel")]
pub async fn shutdown_telemetry(otel: Option<typerpc::otel::Otel>) {
    if let Some(otel) = otel {
        // Shutting down waits for the exporters' threads: not on a worker.
        let _ = tokio::task::spawn_blocking(move || otel.shutdown()).await;
    }
}

/// Serves on `addr` until SIGINT or SIGTERM, saying where it listens and
/// when it stops; a server that cannot listen exits with status 1.
pub async fn serve(name: &str, server: Server, addr: SocketAddr) {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| fail(name, 1, &format!("cannot listen on {addr}: {e}")));
    let local = listener.local_addr().unwrap_or(addr);
    eprintln!("{name}: listening on {local}");
    if local.ip().is_unspecified() {
        eprintln!(
            "{name}: that is every network interface; --addr 127.0.0.1:{} keeps it on this machine",
            local.port()
        );
    }
    let signal = async {
        shutdown_signal().await;
        eprintln!("{name}: shutting down; finishing the calls in flight");
    };
    match server.serve_on(listener, signal).await {
        Ok(()) => eprintln!("{name}: stopped"),
        Err(error) => fail(name, 1, &error.to_string()),
    }
}

/// Says what went wrong and exits with `code`.
pub fn fail(name: &str, code: i32, message: &str) -> ! {
    eprintln!("{name}: {message}");
    std::process::exit(code)
}
