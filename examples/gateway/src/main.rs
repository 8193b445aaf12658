//! Seed Pattern 2 from the command line.
//!
//! ```text
//! gateway all                          # quick start: every backend and the gateway, one process
//! gateway user --addr 127.0.0.1:50051  # one backend per process (also: product, inventory,
//!                                      #   recommendation, payment, order), --delay-ms N to slow it
//! gateway serve --user 127.0.0.1:50051,127.0.0.1:50061 --product ...   # the gateway alone
//! curl localhost:8000/mobile/home/123
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use gateway::clients::Backends;
use gateway::run::{self, Backend};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "gateway",
    about = "Seed Pattern 2: an API gateway over several backends"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every backend on loopback ports and the gateway, in this process.
    All {
        /// Where the gateway listens.
        #[arg(long, default_value = "0.0.0.0:8000")]
        addr: SocketAddr,
        #[command(flatten)]
        timeout: Timeout,
    },
    /// The gateway alone, over backends running elsewhere.
    Serve {
        /// Where the gateway listens.
        #[arg(long, default_value = "0.0.0.0:8000")]
        addr: SocketAddr,
        #[command(flatten)]
        backends: BackendArgs,
        #[command(flatten)]
        timeout: Timeout,
    },
    /// The user service (gRPC).
    User(BackendCommand),
    /// The product service (Connect).
    Product(BackendCommand),
    /// The inventory service (REST).
    Inventory(BackendCommand),
    /// The recommendation service of Pattern 1.
    Recommendation(BackendCommand),
    /// The payment service (gRPC).
    Payment(BackendCommand),
    /// The order service (gRPC).
    Order(BackendCommand),
}

#[derive(Args)]
struct Timeout {
    /// The time a request gets when it does not say (X-Request-Timeout-Ms).
    #[arg(long, default_value_t = 3000)]
    timeout_ms: u64,
}

/// Each backend: HOST:PORT, several comma-separated to balance over
/// them, or a DNS NAME:PORT to balance over every address it has.
#[derive(Args)]
struct BackendArgs {
    #[arg(long, default_value = "127.0.0.1:50051")]
    user: String,
    #[arg(long, default_value = "127.0.0.1:8081")]
    product: String,
    #[arg(long, default_value = "127.0.0.1:3000")]
    inventory: String,
    #[arg(long, default_value = "127.0.0.1:8080")]
    recommendation: String,
    #[arg(long, default_value = "127.0.0.1:50052")]
    payment: String,
    #[arg(long, default_value = "127.0.0.1:50053")]
    order: String,
}

#[derive(Args)]
struct BackendCommand {
    /// Where to listen (default: the port `gateway serve` expects, on
    /// every interface).
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Added to every call: a slow backend.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
}

fn default_port(backend: Backend) -> u16 {
    match backend {
        Backend::User => 50051,
        Backend::Product => 8081,
        Backend::Inventory => 3000,
        Backend::Recommendation => 8080,
        Backend::Payment => 50052,
        Backend::Order => 50053,
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::All { addr, timeout } => match run::spawn_backends().await {
            Ok(backends) => gateway(addr, &backends, timeout).await,
            Err(e) => Err(e),
        },
        Command::Serve {
            addr,
            backends,
            timeout,
        } => {
            let backends = Backends {
                user: backends.user,
                product: backends.product,
                inventory: backends.inventory,
                recommendation: backends.recommendation,
                payment: backends.payment,
                order: backends.order,
            };
            gateway(addr, &backends, timeout).await
        }
        Command::User(args) => backend(Backend::User, args).await,
        Command::Product(args) => backend(Backend::Product, args).await,
        Command::Inventory(args) => backend(Backend::Inventory, args).await,
        Command::Recommendation(args) => backend(Backend::Recommendation, args).await,
        Command::Payment(args) => backend(Backend::Payment, args).await,
        Command::Order(args) => backend(Backend::Order, args).await,
    };
    if let Err(message) = result {
        eprintln!("gateway: {message}");
        std::process::exit(1);
    }
}

async fn listen(name: &str, addr: SocketAddr) -> Result<TcpListener, String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("{name}: listening on {local}");
    Ok(listener)
}

async fn gateway(addr: SocketAddr, backends: &Backends, timeout: Timeout) -> Result<(), String> {
    let listener = listen("gateway", addr).await?;
    let default_timeout = Duration::from_millis(timeout.timeout_ms.max(1));
    run::serve_gateway(listener, backends, default_timeout, shutdown("gateway")).await
}

async fn backend(backend: Backend, args: BackendCommand) -> Result<(), String> {
    let addr = args
        .addr
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], default_port(backend))));
    let listener = listen(backend.name(), addr).await?;
    let delay = Duration::from_millis(args.delay_ms);
    run::serve_backend(backend, listener, delay, shutdown(backend.name())).await
}

async fn shutdown(name: &'static str) {
    typerpc::server::shutdown_signal().await;
    eprintln!("{name}: shutting down");
}
