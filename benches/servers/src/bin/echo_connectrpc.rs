//! The same echo service on connectrpc 0.9 (connect-rust): Connect, gRPC
//! and gRPC-Web from `proto/echo.proto`, with its own standalone server.

mod generated {
    connectrpc::include_generated!();
}

use connectrpc::{ConnectRpcService, RequestContext, Response, ServiceRequest, ServiceResult};
use generated::bench::v1::*;

struct EchoImpl;

// The trait's methods return `impl Encodable<Echo>`; naming the concrete
// types here is simpler and serves the same bytes.
#[allow(refining_impl_trait)]
impl EchoService for EchoImpl {
    async fn echo(
        &self,
        _ctx: RequestContext,
        request: ServiceRequest<'_, Echo>,
    ) -> ServiceResult<Echo> {
        // The request is a view borrowed from the body; the answer owns
        // its text, as every other server's echo does.
        Response::ok(request.to_owned_message())
    }

    async fn ticks(
        &self,
        _ctx: RequestContext,
        request: ServiceRequest<'_, TickRequest>,
    ) -> ServiceResult<connectrpc::ServiceStream<Echo>> {
        let ticks = typerpc_bench_servers::ticks(request.count).map(|tick| {
            Ok(Echo {
                text: tick.text,
                number: tick.number,
                ..Default::default()
            })
        });
        Response::ok(Box::pin(tokio_stream::iter(ticks)))
    }
}

fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::runtime().block_on(async move {
        let service = ConnectRpcService::new(EchoServiceServer::new(EchoImpl));
        connectrpc::server::Server::bind(addr)
            .await
            .expect("bind")
            .serve_with_service(service)
            .await
            .expect("serve");
    });
}
