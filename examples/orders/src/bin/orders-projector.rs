//! The projector alone: follows the log into the read model, and serves
//! its progress (`orders.v1.ProjectorService/GetStatus`), health and
//! `/healthz`.
//!
//! ```text
//! orders-projector --log nats://127.0.0.1:4222 --read-model redis://127.0.0.1:6379 \
//!   --addr 127.0.0.1:50053
//! orders-projector ... --rebuild     # empty the read model, replay the whole log
//! ```

use clap::Parser;
use orders::config::{exit_with, ListenArgs, LogArgs, ReadModelArgs};
use orders::{Projector, ProjectorService};
use typerpc::Server;

const NAME: &str = "orders-projector";

/// The projector.
#[derive(Parser)]
#[command(name = NAME)]
struct Args {
    #[command(flatten)]
    listen: ListenArgs,
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    read_model: ReadModelArgs,
    /// Empty the read model first and rebuild it from the start of the log.
    #[arg(long)]
    rebuild: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.read_model.is_memory() {
        eprintln!(
            "{NAME}: an in-memory read model would be invisible to the query service; \
             pass --read-model redis://HOST:PORT (or run `orders`, all roles in one)"
        );
        std::process::exit(2);
    }
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
    let projector = Projector::new(log.clone(), model.clone());
    if args.rebuild {
        projector
            .reset()
            .await
            .unwrap_or_else(|s| exit_with(NAME, &s));
        eprintln!("{NAME}: read model emptied; rebuilding from the start of the log");
    }
    eprintln!(
        "{NAME}: following {} into {}",
        args.log.log, args.read_model.read_model
    );
    let server = Server::new()
        .add(ProjectorService::new(log, model))
        .health_probe("/healthz");
    // On SIGTERM the server drains and `serve` returns; the projector
    // stops between two events (each applied atomically).
    tokio::select! {
        () = example_support::serve(NAME, server, args.listen.or("0.0.0.0:50053")) => {}
        () = projector.run(NAME) => {}
    }
}
