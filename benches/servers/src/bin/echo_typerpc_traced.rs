//! The echo service on typerpc with a `tracing` subscriber installed
//! (`typerpc_bench_servers::install_subscriber`): what tracing costs when
//! the application listens (scripts/bench-pipeline compares it with
//! `echo_typerpc`, which has no subscriber).

fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::install_subscriber();
    typerpc_bench_servers::runtime().block_on(async move {
        typerpc::Server::new()
            .addr(addr)
            .add(typerpc_bench_servers::EchoService)
            .serve()
            .await
            .expect("serve");
    });
}
