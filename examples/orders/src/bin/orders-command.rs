//! The command service alone: appends order events to the log.
//!
//! ```text
//! orders-command --log nats://127.0.0.1:4222 --addr 127.0.0.1:50051
//! ```

use clap::Parser;
use orders::config::{exit_with, ListenArgs, LogArgs};
use orders::OrderCommandService;
use typerpc::server::Cors;
use typerpc::Server;

const NAME: &str = "orders-command";

/// The command service.
#[derive(Parser)]
#[command(name = NAME)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    log: LogArgs,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let log = args
        .log
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    eprintln!(
        "{NAME}: starting orders.v1.OrderCommandService (log {})",
        args.log.log
    );
    let server = Server::new()
        .add(OrderCommandService::new(log))
        .health_probe("/healthz")
        .configure(|router| router.cors(Cors::any_origin()));
    example_support::serve(NAME, server, args.listen.or("0.0.0.0:50051")).await;
}
