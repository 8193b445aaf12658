//! The chat room on one port, every protocol.
//!
//! ```text
//! cargo run -p chat                                  # 0.0.0.0:50051
//! cargo run -p chat -- --addr 127.0.0.1:8080
//! buf curl --schema proto --protocol connect --http2-prior-knowledge \
//!   -d '{"history": 10}' http://localhost:50051/chat.v1.ChatService/Subscribe
//! curl -H 'content-type: application/json' -d '{"author":"ann","text":"hi"}' \
//!   localhost:50051/chat.v1.ChatService/Post
//! ```

use std::net::SocketAddr;

use chat::ChatService;
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
                println!("usage: chat [--addr HOST:PORT]   (default 0.0.0.0:50051)");
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
            eprintln!("chat: {message}");
            std::process::exit(2);
        }
    };
    println!("chat.v1.ChatService on {addr} (gRPC, gRPC-Web, Connect; unary and streaming)");
    if let Err(error) = Server::new()
        .addr(addr)
        .add(ChatService::new())
        .serve()
        .await
    {
        eprintln!("chat: {error}");
        std::process::exit(1);
    }
}
