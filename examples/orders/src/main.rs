//! All three roles in one process: the quick start. With no arguments the
//! log is a file under `orders-data/` and the read model is in memory,
//! rebuilt from the log at start; no server is needed.
//!
//! ```text
//! cargo run -p orders                                  # 0.0.0.0:50051
//! cargo run -p orders -- --addr 127.0.0.1:8080
//! cargo run -p orders -- --log nats://127.0.0.1:4222 --read-model redis://127.0.0.1:6379
//! ```

use clap::Parser;
use orders::config::{exit_with, ListenArgs, LogArgs, ReadModelArgs};
use orders::{OrderCommandService, OrderQueryService, Projector, ProjectorService, QueryOptions};
use typerpc::server::Cors;
use typerpc::Server;

const NAME: &str = "orders";

/// Commands, projector and queries in one process.
#[derive(Parser)]
#[command(name = NAME)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    read_model: ReadModelArgs,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let log = args
        .log
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    let model = args
        .read_model
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    eprintln!(
        "{NAME}: starting orders.v1 OrderCommandService, OrderQueryService and ProjectorService \
         (log {}, read model {})",
        args.log.log, args.read_model.read_model
    );
    let projector = Projector::new(log.clone(), model.clone());
    let server = Server::new()
        .add(OrderCommandService::new(log.clone()))
        .add(OrderQueryService::new(
            model.clone(),
            QueryOptions::default(),
        ))
        .add(ProjectorService::new(log, model))
        .health_probe("/healthz")
        .configure(|router| router.cors(Cors::any_origin()));
    tokio::select! {
        () = example_support::serve(NAME, server, args.listen.or("0.0.0.0:50051")) => {}
        () = projector.run(NAME) => {}
    }
}
