//! The streaming load client: tonic's gRPC client (the same client for
//! every server) asks for one server stream of `COUNT` messages, reads
//! them all, and prints messages per second. Repeats `ROUNDS` times and
//! prints the best round, the usual way to see through a noisy machine.
//!
//! Usage: `stream_load HOST:PORT [COUNT] [ROUNDS]`

use std::time::Instant;

use tonic::codegen::http::uri::PathAndQuery;
use typerpc_bench_servers::{Echo, TickRequest};

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:50051".into());
    let count: u64 = args.next().map_or(1_000_000, |c| c.parse().expect("COUNT"));
    let rounds: u32 = args.next().map_or(5, |r| r.parse().expect("ROUNDS"));
    typerpc_bench_servers::runtime().block_on(async move {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("address")
            .connect()
            .await
            .expect("connect");
        let mut client = tonic::client::Grpc::new(channel);
        let mut best = 0f64;
        for _ in 0..rounds {
            client.ready().await.expect("ready");
            let started = Instant::now();
            let mut stream = client
                .server_streaming(
                    tonic::Request::new(TickRequest { count }),
                    PathAndQuery::from_static("/bench.v1.EchoService/Ticks"),
                    tonic_prost::ProstCodec::<TickRequest, Echo>::default(),
                )
                .await
                .expect("call")
                .into_inner();
            let mut received = 0u64;
            while let Some(message) = stream.message().await.expect("message") {
                assert_eq!(message.number, received as i64, "messages out of order");
                received += 1;
            }
            assert_eq!(received, count, "the stream ended early");
            let rate = count as f64 / started.elapsed().as_secs_f64();
            best = best.max(rate);
        }
        println!("{best:.0}");
    });
}
