//! The echo service on typerpc with both a `tracing` subscriber and
//! Prometheus metrics: a fully observed service (scripts/bench-pipeline
//! compares it with `echo_typerpc`).

fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::install_subscriber();
    let metrics = typerpc::metrics::Prometheus::new();
    typerpc_bench_servers::runtime().block_on(async move {
        typerpc::Server::new()
            .addr(addr)
            .add(typerpc_bench_servers::EchoService)
            .metrics(&metrics)
            .serve()
            .await
            .expect("serve");
    });
}
