//! The same echo service on tonic, written against tonic's generic server
//! (what tonic-build generates), with the same message type.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::codegen::{BoxFuture, Service};
use tonic::server::{NamedService, ServerStreamingService, UnaryService};
use typerpc_bench_servers::{Echo, TickRequest};

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

struct TicksMethod;

type TickStream =
    std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<Echo, tonic::Status>> + Send>>;

impl ServerStreamingService<TickRequest> for TicksMethod {
    type Response = Echo;
    type ResponseStream = TickStream;
    type Future = BoxFuture<tonic::Response<TickStream>, tonic::Status>;
    fn call(&mut self, request: tonic::Request<TickRequest>) -> Self::Future {
        let count = request.into_inner().count;
        Box::pin(async move {
            let stream: TickStream = Box::pin(tokio_stream::iter(
                typerpc_bench_servers::ticks(count).map(Ok),
            ));
            Ok(tonic::Response::new(stream))
        })
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
            } else if request.uri().path() == "/bench.v1.EchoService/Ticks" {
                let mut grpc = tonic::server::Grpc::new(
                    tonic_prost::ProstCodec::<Echo, TickRequest>::default(),
                );
                Ok(grpc.server_streaming(TicksMethod, request).await)
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
