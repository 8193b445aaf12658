//! The MCP server: lists the tools and answers tool calls, over the
//! streamable HTTP transport (mounted on the router) or stdio.

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::tools::{self, ToolSpec};
use super::McpTools;
use crate::protocol::RpcBody;
use crate::server::endpoint::{Endpoint, EndpointBody, EndpointFuture};
use crate::Router;

/// One MCP session's handler. Over HTTP it finds the router in the
/// request (the router puts itself there), so it sees every service and
/// interceptor as configured; over stdio it is given the router.
pub(crate) struct Handler {
    selection: Arc<McpTools>,
    router: Option<Router>,
    specs: OnceLock<Result<Vec<ToolSpec>, String>>,
}

impl Handler {
    pub(crate) fn new(selection: Arc<McpTools>, router: Option<Router>) -> Handler {
        Handler {
            selection,
            router,
            specs: OnceLock::new(),
        }
    }

    /// The router and the headers to pass on, for a request in `context`.
    fn router_and_headers(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<(Router, HeaderMap), ErrorData> {
        let parts = context.extensions.get::<http::request::Parts>();
        let headers = parts
            .map(|p| tools::forwarded_headers(&p.headers))
            .unwrap_or_default();
        let router = self
            .router
            .clone()
            .or_else(|| parts.and_then(|p| p.extensions.get::<Router>().cloned()))
            .ok_or_else(|| {
                ErrorData::internal_error("typerpc: no router for this MCP request", None)
            })?;
        Ok((router, headers))
    }

    fn specs(&self, router: &Router) -> Result<&[ToolSpec], ErrorData> {
        self.specs
            .get_or_init(|| tools::tools(router, &self.selection.selection))
            .as_deref()
            .map_err(|e| ErrorData::internal_error(format!("typerpc: {e}"), None))
    }
}

fn tool(spec: &ToolSpec) -> Tool {
    let mut tool = Tool::new(
        spec.name.clone(),
        if spec.description.is_empty() {
            format!("Calls {}.", spec.path)
        } else {
            spec.description.clone()
        },
        Arc::new(spec.input_schema.clone()),
    )
    .with_raw_output_schema(Arc::new(spec.output_schema.clone()))
    .with_title(spec.path.trim_start_matches('/').to_string());
    if spec.idempotent {
        tool = tool.annotate(ToolAnnotations::new().read_only(true).idempotent(true));
    }
    tool
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("typerpc", env!("CARGO_PKG_VERSION")))
            .with_instructions("Each tool calls one RPC method of this server: the arguments are its request message in proto3 JSON, the result its response.")
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let (router, _) = self.router_and_headers(&context)?;
        let specs = self.specs(&router)?;
        Ok(ListToolsResult::with_all_items(
            specs.iter().map(tool).collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (router, headers) = self.router_and_headers(&context)?;
        let specs = self.specs(&router)?;
        let Some(spec) = specs.iter().find(|s| s.name == request.name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool {:?}", request.name),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let result = match tools::call(&router, spec, arguments, headers).await {
            Ok(response) => {
                let text = serde_json::to_string(&response).unwrap_or_default();
                let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
                result.structured_content = Some(response);
                result
            }
            Err(status) => {
                CallToolResult::error(vec![ContentBlock::text(tools::error_text(&status))])
            }
        };
        Ok(result.into())
    }
}

/// The streamable HTTP endpoint, at a path of a router.
pub(crate) struct McpEndpoint {
    service: StreamableHttpService<Handler, LocalSessionManager>,
}

impl McpEndpoint {
    pub(crate) fn new(selection: Arc<McpTools>) -> McpEndpoint {
        let mut config = StreamableHttpServerConfig::default();
        if let Some(hosts) = &selection.allowed_hosts {
            config = if hosts.is_empty() {
                config.disable_allowed_hosts()
            } else {
                config.with_allowed_hosts(hosts.clone())
            };
        }
        let factory = move || Ok(Handler::new(Arc::clone(&selection), None));
        McpEndpoint {
            service: StreamableHttpService::new(
                factory,
                Arc::new(LocalSessionManager::default()),
                config,
            ),
        }
    }
}

impl Endpoint for McpEndpoint {
    fn call(&self, router: Router, mut request: Request<EndpointBody>) -> EndpointFuture {
        request.extensions_mut().insert(router);
        let mut service = self.service.clone();
        Box::pin(async move {
            let response = match tower_service::Service::call(&mut service, request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            response.map(|body| RpcBody::foreign(body.map_err(Into::into).boxed_unsync()))
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
