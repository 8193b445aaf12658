//! The same echo service on tonic, written against tonic's generic server
//! (what tonic-build generates), with the same message type.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service};
use tonic::server::{NamedService, UnaryService};
use typerpc_bench_servers::Echo;

#[derive(Clone)]
struct EchoServer;

impl NamedService for EchoServer {
    const NAME: &'static str = "bench.v1.EchoService";
}

struct EchoMethod;

impl UnaryService<Echo> for EchoMethod {
    type Response = Echo;
    type Future = BoxFuture<tonic::Response<Echo>, tonic::Status>;
    fn call(&mut self, request: tonic::Request<Echo>) -> Self::Future {
        Box::pin(async move { Ok(tonic::Response::new(request.into_inner())) })
    }
}

impl Service<http::Request<Body>> for EchoServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        Box::pin(async move {
            if request.uri().path() == "/bench.v1.EchoService/Echo" {
                let mut grpc =
                    tonic::server::Grpc::new(tonic_prost::ProstCodec::<Echo, Echo>::default());
                Ok(grpc.unary(EchoMethod, request).await)
            } else {
                Ok(tonic::Status::unimplemented("").into_http())
            }
        })
    }
}

fn main() {
    let addr = typerpc_bench_servers::addr();
    typerpc_bench_servers::runtime().block_on(async move {
        tonic::transport::Server::builder()
            .add_service(EchoServer)
            .serve(addr)
            .await
            .expect("serve");
    });
}
