//! The recommendation service's methods as MCP tools over stdio, for an
//! agent that starts this program (an MCP client's `command`):
//!
//! ```text
//! cargo build -p recommendation --features mcp
//! target/debug/recommendation-mcp
//! ```

use recommendation::RecommendationService;
use typerpc::mcp::{serve_stdio, McpTools};

#[tokio::main]
async fn main() {
    let router = typerpc::Router::new().add(RecommendationService::new());
    if let Err(e) = serve_stdio(router, McpTools::all()).await {
        // stdout carries the protocol: say it on stderr.
        eprintln!("recommendation-mcp: {e}");
        std::process::exit(1);
    }
}
