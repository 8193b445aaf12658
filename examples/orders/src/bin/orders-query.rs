//! The query service alone: answers from the read model.
//!
//! ```text
//! orders-query --read-model redis://127.0.0.1:6379 --addr 127.0.0.1:50052
//! ```

use clap::Parser;
use orders::config::{exit_with, ListenArgs, ReadModelArgs};
use orders::{OrderQueryService, QueryOptions};
use typerpc::server::Cors;
use typerpc::Server;

const NAME: &str = "orders-query";

/// The query service.
#[derive(Parser)]
#[command(name = NAME)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    read_model: ReadModelArgs,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.read_model.is_memory() {
        eprintln!(
            "{NAME}: an in-memory read model would stay empty in a process of its own; \
             pass --read-model redis://HOST:PORT (or run `orders`, all roles in one)"
        );
        std::process::exit(2);
    }
    let model = args
        .read_model
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    eprintln!(
        "{NAME}: starting orders.v1.OrderQueryService (read model {})",
        args.read_model.read_model
    );
    let server = Server::new()
        .add(OrderQueryService::new(model, QueryOptions::default()))
        .health_probe("/healthz")
        .configure(|router| router.cors(Cors::any_origin()));
    example_support::serve(NAME, server, args.listen.or("0.0.0.0:50052")).await;
}
