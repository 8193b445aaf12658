//! The echo service on typerpc: gRPC, gRPC-Web and Connect on one port.
fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::runtime().block_on(async move {
        typerpc::Server::new()
            .addr(addr)
            .add(typerpc_bench_servers::EchoService)
            .serve()
            .await
            .expect("serve");
    });
}
