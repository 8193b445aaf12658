//! Seed Pattern 5: the payment service, or the checkout service that calls
//! it, served with traces, metrics and probes for a service mesh.
//!
//! ```text
//! cargo run -p mesh -- --addr 127.0.0.1:50051                  # PaymentService
//! cargo run -p mesh -- checkout --addr 127.0.0.1:50052 \
//!     --payment-url http://127.0.0.1:50051                     # CheckoutService, calling it
//! curl -H 'content-type: application/json' -d '{"user_id":"u1","total":12.5,"currency":"EUR"}' \
//!   localhost:50052/mesh.v1.CheckoutService/Checkout
//! curl localhost:50051/metrics; curl localhost:50051/ready
//! ```
//!
//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set (OTLP over HTTP, such as
//! `http://otel-collector:4318`), spans and the RPC metrics are exported
//! there; one checkout is one trace across both processes. `RUST_LOG`
//! filters the logs (default `info`). `--admin-addr HOST:PORT` moves
//! `/metrics`, `/healthz` and `/ready` to a port of their own.

use std::net::SocketAddr;

use mesh::{CheckoutService, PaymentService, PaymentServiceClient};
use typerpc::metrics::Prometheus;
use typerpc::otel::{ClientRpcMetrics, RpcMetrics};
use typerpc::Server;

const NAME: &str = "mesh";

const USAGE: &str = "usage: mesh [payment] [--addr HOST:PORT] [--admin-addr HOST:PORT]
       mesh checkout --payment-url URL [--addr HOST:PORT] [--admin-addr HOST:PORT]
  payment         serve mesh.v1.PaymentService (the default)
  checkout        serve mesh.v1.CheckoutService, paying through --payment-url
  --addr          where to listen (default 0.0.0.0:50051: every interface)
  --admin-addr    serve /metrics, /healthz and /ready there instead of on --addr
  environment: RUST_LOG (default info), OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* variables";

/// What the command line asks for.
struct Args {
    checkout: bool,
    addr: SocketAddr,
    admin: Option<SocketAddr>,
    payment_url: Option<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        checkout: false,
        addr: SocketAddr::from(typerpc::server::DEFAULT_ADDR),
        admin: None,
        payment_url: None,
    };
    let mut given = std::env::args().skip(1);
    let address = |flag: &str, value: Option<String>| -> SocketAddr {
        let value = value.unwrap_or_else(|| fail(&format!("{flag} needs HOST:PORT")));
        value
            .parse()
            .unwrap_or_else(|e| fail(&format!("{flag} {value}: {e}")))
    };
    while let Some(arg) = given.next() {
        match arg.as_str() {
            "payment" => args.checkout = false,
            "checkout" => args.checkout = true,
            "--addr" => args.addr = address("--addr", given.next()),
            "--admin-addr" => args.admin = Some(address("--admin-addr", given.next())),
            "--payment-url" => {
                args.payment_url = Some(
                    given
                        .next()
                        .unwrap_or_else(|| fail("--payment-url needs a URL")),
                );
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => fail(&format!("unknown argument {other}; try --help")),
        }
    }
    if args.checkout && args.payment_url.is_none() {
        fail("checkout needs --payment-url URL (the payment service)");
    }
    args
}

fn fail(message: &str) -> ! {
    eprintln!("{NAME}: {message}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let service = if args.checkout {
        "checkout-service"
    } else {
        "payment-service"
    };
    let otel = example_support::init_telemetry(NAME, service);
    let metrics = Prometheus::new();
    let mut server = Server::new()
        .metrics(&metrics)
        .configure(|router| router.intercept(RpcMetrics::server()));
    if args.checkout {
        let url = args.payment_url.unwrap_or_default();
        let client = typerpc::Client::builder(&url)
            .intercept(ClientRpcMetrics::client())
            .build()
            .unwrap_or_else(|e| fail(&format!("--payment-url {url}: {e}")));
        eprintln!("{NAME}: starting mesh.v1.CheckoutService, paying through {url}");
        server = server.add(CheckoutService::new(PaymentServiceClient::new(client)));
    } else {
        eprintln!("{NAME}: starting mesh.v1.PaymentService");
        server = server.add(PaymentService::new());
    }
    if let Some(admin) = args.admin {
        server = server.admin_addr(admin);
    }
    example_support::serve(NAME, server, args.addr).await;
    example_support::shutdown_telemetry(otel).await;
}
