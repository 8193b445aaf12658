//! The echo service on typerpc with Prometheus metrics on (every call
//! counted, timed and sized) and no `tracing` subscriber: what metrics
//! cost (scripts/bench-pipeline compares it with `echo_typerpc`).

fn main() {
    let addr = typerpc_bench_servers::addr();
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
