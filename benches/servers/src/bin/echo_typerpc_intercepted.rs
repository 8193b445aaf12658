//! The echo service on typerpc with one interceptor that does nothing:
//! what an interceptor costs by itself (scripts/bench-pipeline compares
//! it with `echo_typerpc`).

/// Implements every hook with its default: the pipeline still observes
/// the call for it (its `before` and `after` run on every call).
struct NoOp;

impl typerpc::service::Interceptor for NoOp {}

fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::runtime().block_on(async move {
        typerpc::Server::new()
            .addr(addr)
            .add(typerpc_bench_servers::EchoService)
            .configure(|router| router.intercept(NoOp))
            .serve()
            .await
            .expect("serve");
    });
}
