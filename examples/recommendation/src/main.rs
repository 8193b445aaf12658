//! Seed Pattern 1, both implementations at once: the recommendation
//! service answers gRPC (implementation A) and Connect / gRPC-Web
//! (implementation B) on one port, in one process.
//!
//! ```text
//! cargo run -p recommendation                      # 0.0.0.0:50051
//! cargo run -p recommendation -- --addr 127.0.0.1:8080
//! curl -H 'content-type: application/json' -d '{"user_id":"123","category":"electronics"}' \
//!   localhost:50051/recommendation.v1.RecommendationService/GetRecommendations
//! ```

use std::net::SocketAddr;

use recommendation::RecommendationService;
use typerpc::server::Cors;
use typerpc::Server;

fn parse_addr() -> Result<SocketAddr, String> {
    let mut args = std::env::args().skip(1);
    let mut addr = SocketAddr::from(typerpc::server::DEFAULT_ADDR);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args.next().ok_or("--addr needs HOST:PORT")?;
                addr = value.parse().map_err(|e| format!("--addr {value}: {e}"))?;
            }
            "-h" | "--help" => {
                println!("usage: recommendation [--addr HOST:PORT]   (default 0.0.0.0:50051)");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}; try --help")),
        }
    }
    Ok(addr)
}

#[tokio::main]
async fn main() {
    let addr = match parse_addr() {
        Ok(addr) => addr,
        Err(message) => {
            eprintln!("recommendation: {message}");
            std::process::exit(2);
        }
    };
    println!("recommendation.v1.RecommendationService on {addr} (gRPC, gRPC-Web, Connect)");
    if let Err(error) = Server::new()
        .addr(addr)
        .add(RecommendationService::new())
        // The seed's browser `fetch` comes from a web app on another origin.
        .configure(|router| router.cors(Cors::any_origin()))
        .serve()
        .await
    {
        eprintln!("recommendation: {error}");
        std::process::exit(1);
    }
}
