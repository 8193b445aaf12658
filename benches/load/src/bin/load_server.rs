//! The server `scripts/bench-load` measures: the load service and the chat
//! room on one port, Prometheus metrics at `/metrics`, on one thread.
//!
//! ```text
//! load_server 127.0.0.1:50621 [--max-in-flight N]
//! ```
//!
//! `--max-in-flight N` sheds calls beyond N in flight (the server's
//! `max_calls_in_flight`): they are answered `resource_exhausted` at once
//! instead of queueing.

fn main() {
    let mut args = std::env::args().skip(1);
    let addr: std::net::SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:50621".into())
        .parse()
        .expect("HOST:PORT");
    let mut max_in_flight = 0usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-in-flight" => {
                max_in_flight = args.next().and_then(|n| n.parse().ok()).expect("a number")
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let metrics = typerpc::metrics::Prometheus::new();
        let server = typerpc::Server::new()
            .addr(addr)
            .add(typerpc_bench_load::LoadService)
            .add(chat::ChatService::new())
            .metrics(&metrics);
        let server = if max_in_flight > 0 {
            server.connection_settings(typerpc::server::ConnectionSettings {
                max_calls_in_flight: Some(max_in_flight),
                ..Default::default()
            })
        } else {
            server
        };
        server.serve().await.expect("serve");
    });
}
