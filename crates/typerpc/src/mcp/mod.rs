//! Service methods as Model Context Protocol tools, so that AI agents can
//! call them (feature `mcp`, with the official Rust SDK, `rmcp`).
//!
//! Each chosen unary method is one tool: its name is the method's in snake
//! case, its description the method's doc comment, its input schema the
//! request message's JSON Schema (the one the OpenAPI document has), and
//! its result the response as JSON (`structuredContent`, and as text). A
//! failed call is a tool error that says the code and message, and for a
//! request that breaks a validation rule, each field and what is wrong
//! with it.
//!
//! A tool call is a Connect JSON call through the router, in memory: the
//! router's interceptors run as for any other call, and see the headers
//! of the MCP request (`authorization`, ...).
//!
//! ```no_run
//! # use typerpc::{service, Message, Status};
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
//! # pub struct EchoService;
//! # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
//! use typerpc::mcp::McpTools;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Over streamable HTTP, on the server's own port, at /mcp:
//! typerpc::Server::new()
//!     .add(EchoService)
//!     .configure(|router| router.with_mcp("/mcp", McpTools::all()))
//!     .serve()
//!     .await?;
//!
//! // Or over stdio, for an agent that starts the program:
//! let router = typerpc::Router::new().add(EchoService);
//! typerpc::mcp::serve_stdio(router, McpTools::only(["echo.v1.EchoService/Echo"])).await?;
//! # Ok(()) }
//! ```

mod handler;
mod tools;

use std::sync::Arc;

use rmcp::ServiceExt;

pub use tools::{tools, ToolSpec};

/// Which methods are tools, and how the HTTP endpoint checks hosts.
#[derive(Clone, Debug, Default)]
pub struct McpTools {
    selection: Vec<String>,
    allowed_hosts: Option<Vec<String>>,
}

impl McpTools {
    /// Every unary method of the services added to the router (not health
    /// or reflection).
    pub fn all() -> McpTools {
        McpTools::default()
    }

    /// The methods named (`package.Service/Method`), and every unary method
    /// of the services named (`package.Service`). A name the router does not
    /// have, or a streaming method, is an error when the tools are listed
    /// ([`tools`] says it beforehand).
    pub fn only(names: impl IntoIterator<Item = impl Into<String>>) -> McpTools {
        McpTools {
            selection: names.into_iter().map(Into::into).collect(),
            allowed_hosts: None,
        }
    }

    /// The `Host` values the HTTP endpoint accepts (`example.com`,
    /// `example.com:8080`). By default only loopback names are, which
    /// protects a server on a developer's machine from DNS rebinding; an
    /// empty list accepts any host.
    pub fn allowed_hosts(mut self, hosts: impl IntoIterator<Item = impl Into<String>>) -> McpTools {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// The names chosen; empty for every unary method.
    pub fn selection(&self) -> &[String] {
        &self.selection
    }
}

impl crate::Router {
    /// Serves the methods `tools` chooses as MCP tools over the streamable
    /// HTTP transport at `path` (`/mcp`), on the router's own port. Calls go
    /// through the router's interceptors.
    pub fn with_mcp(self, path: impl Into<String>, tools: McpTools) -> crate::Router {
        let endpoint = Arc::new(handler::McpEndpoint::new(Arc::new(tools)));
        self.endpoint(path, crate::server::endpoint::Placement::Beside, endpoint)
    }
}

/// Why [`serve_stdio`] stopped.
#[derive(Debug)]
pub struct McpError(String);

impl std::fmt::Display for McpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MCP over stdio: {}", self.0)
    }
}

impl std::error::Error for McpError {}

/// Serves the methods `tools` chooses as MCP tools over stdin and stdout,
/// until the client closes them. Calls go through `router`'s
/// interceptors (with no request headers). Nothing else may write to
/// stdout meanwhile: it carries the protocol.
///
/// # Errors
///
/// The selection does not match the router's methods, or the client did
/// not start a session.
pub async fn serve_stdio(router: crate::Router, tools: McpTools) -> Result<(), McpError> {
    tools::tools(&router, &tools.selection).map_err(McpError)?;
    let handler = handler::Handler::new(Arc::new(tools), Some(router));
    let running = handler
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError(e.to_string()))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|e| McpError(e.to_string()))
}
