//! The chat room on one port, every protocol.
//!
//! ```text
//! cargo run -p chat                                  # 0.0.0.0:50051, every interface
//! cargo run -p chat -- --addr 127.0.0.1:8080         # this machine only
//! buf curl --schema proto --protocol connect --http2-prior-knowledge \
//!   -d '{"history": 10}' http://localhost:50051/chat.v1.ChatService/Subscribe
//! curl -H 'content-type: application/json' -d '{"author":"ann","text":"hi"}' \
//!   localhost:50051/chat.v1.ChatService/Post
//! ```

use chat::ChatService;
use typerpc::server::Cors;
use typerpc::Server;

const NAME: &str = "chat";

#[tokio::main]
async fn main() {
    example_support::init_logs();
    let addr = example_support::parse_addr(NAME);
    eprintln!(
        "{NAME}: starting chat.v1.ChatService (gRPC, gRPC-Web, Connect; unary and streaming)"
    );
    let server = Server::new().add(ChatService::new()).configure(|router| {
        // connect-web in a page on another origin: preflights are answered,
        // and the page may read the room size `Subscribe` sends.
        router.cors(Cors::any_origin().expose_headers(["x-room-size"]))
    });
    example_support::serve(NAME, server, addr).await;
}
