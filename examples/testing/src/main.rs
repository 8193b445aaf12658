//! The service of the testing example, served for a look by hand; the
//! point of the example is its tests (`cargo test -p testing`).
//!
//! ```text
//! cargo run -p testing                               # 0.0.0.0:50051, every interface
//! cargo run -p testing -- --addr 127.0.0.1:8080      # this machine only
//! curl -H 'content-type: application/json' -d '{"data":"x"}' \
//!   localhost:50051/test.v1.TestService/TestMethod
//! ```

use testing::TestService;
use typerpc::Server;

const NAME: &str = "testing";

#[tokio::main]
async fn main() {
    example_support::init_logs();
    let addr = example_support::parse_addr(NAME);
    eprintln!("{NAME}: starting test.v1.TestService (gRPC, gRPC-Web, Connect)");
    example_support::serve(NAME, Server::new().add(TestService), addr).await;
}
