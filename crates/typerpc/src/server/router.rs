//! The router: a `tower::Service` that finds the method a request names
//! (`/{package}.{Service}/{Method}`) and hands it to the protocol
//! pipeline, with the interceptors that apply to it.
//!
//! It is a method table plus CORS and a table of plain-HTTP endpoints
//! (probes, metrics, documents; see `endpoint`): everything about
//! the call itself happens in the protocol layer below. Standard services
//! (health, reflection) are [`Companion`]s: services that follow the
//! router's set of services, attached by the modules that define them.
//!
//! Because it is a plain `tower::Service` over `http::Request`, it runs
//! under typerpc's own server and inside any tower-based web framework
//! (for axum: `axum::Router::new().nest_service("/partner", router)`).

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use futures_util::future::Either;
use futures_util::FutureExt;
use http::{Request, Response};

use crate::message::json::JsonOptions;
use crate::protocol::config::Config;
use crate::protocol::pipeline::{self, Route};
use crate::protocol::{Limits, RpcBody};
use crate::schema::model::{MessageSchema, ServiceSchema};
use crate::service::{Caller, Chain, Interceptor, Method, Service};

use super::endpoint::{Endpoint, Placement};
use super::route_table::RouteTable;
use crate::TypeRegistry;

/// Routes requests to the methods of the services added to it.
///
/// ```
/// # use typerpc::{service, Message, Status};
/// # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
/// # pub struct EchoService;
/// # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
/// let router = typerpc::Router::new().add(EchoService);
/// assert!(router.has_method("echo.v1.EchoService/Echo"));
/// ```
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    /// Keyed by `package.Service/Method` (the path without its `/`).
    routes: RouteTable,
    services: Vec<&'static ServiceSchema>,
    extra_types: Vec<&'static MessageSchema>,
    registry: TypeRegistry,
    config: Config,
    cors: Option<super::cors::Cors>,
    interceptors: Vec<(Scope, Arc<dyn Interceptor>)>,
    companions: Vec<Arc<dyn Companion>>,
    /// Plain-HTTP endpoints beside the RPCs (`/ready`, `/metrics`,
    /// `/openapi.json`, `/mcp`), by path.
    endpoints: Vec<super::endpoint::Entry>,
    /// Whether the operational endpoints answer on this router's port; off
    /// when the server serves them on an admin port instead.
    endpoints_here: bool,
    /// Who answers requests for no method or endpoint of this router.
    fallback: Option<super::fallback::Fallback>,
}

/// Which methods an interceptor applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    All,
    /// `package.Service`.
    Service(String),
    /// `package.Service/Method`.
    Method(String),
}

impl Scope {
    fn covers(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Service(service) => path
                .strip_prefix(service.as_str())
                .is_some_and(|rest| rest.starts_with('/')),
            Scope::Method(method) => method == path,
        }
    }
}

/// A standard service that follows the router's set of services: health
/// reports each one, reflection describes them. The modules that define
/// them attach them (`Router::with_health`, `Router::with_reflection`), so
/// the router knows neither.
pub(crate) trait Companion: Send + Sync + 'static {
    /// The services it serves, to be routed and described beside the
    /// user's. Called again whenever the user's services change.
    fn serve(&self, catalog: &Catalog<'_>) -> Vec<(&'static ServiceSchema, Vec<Method>)>;

    /// The server is shutting down.
    fn shutdown(&self) {}

    /// For finding a companion by its type.
    fn as_any(&self) -> &dyn Any;
}

/// What a companion sees of the router.
pub(crate) struct Catalog<'a> {
    /// The services the user added, in order.
    pub services: &'a [&'static ServiceSchema],
    /// The services of every companion.
    pub standard: &'a [&'static ServiceSchema],
    /// Message types registered besides those of the services.
    pub extra_types: &'a [&'static MessageSchema],
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut paths: Vec<_> = self.inner.routes.paths().collect();
        paths.sort();
        f.debug_struct("Router")
            .field("methods", &paths)
            .field("limits", &self.inner.config.limits)
            .finish()
    }
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// A router with no services.
    pub fn new() -> Router {
        Router {
            inner: Arc::new(Inner {
                routes: RouteTable::default(),
                services: Vec::new(),
                extra_types: Vec::new(),
                registry: TypeRegistry::new(),
                config: Config::default(),
                cors: None,
                interceptors: Vec::new(),
                companions: Vec::new(),
                endpoints: Vec::new(),
                endpoints_here: true,
                fallback: None,
            }),
        }
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }

    /// Adds a service.
    // `add` is the name users know from the design; it is not arithmetic.
    #[allow(clippy::should_implement_trait)]
    pub fn add<S: Service>(self, service: S) -> Router {
        self.add_shared(Arc::new(service))
    }

    /// Adds a service that the caller also holds.
    pub fn add_shared<S: Service>(mut self, service: Arc<S>) -> Router {
        let schema = S::schema();
        let inner = self.inner_mut();
        inner.insert_methods(schema, service.methods());
        inner.services.push(schema);
        inner.refresh_companions();
        self
    }

    /// Adds a service known only by its schema, with methods built at run
    /// time ([`Method::encoded`](crate::service::Method::encoded)): a
    /// gateway forwarding calls, or handlers registered from another
    /// language. It is served, described and intercepted like any other.
    pub fn add_methods(mut self, schema: &'static ServiceSchema, methods: Vec<Method>) -> Router {
        let inner = self.inner_mut();
        inner.insert_methods(schema, methods);
        inner.services.push(schema);
        inner.refresh_companions();
        self
    }

    /// Adds an interceptor for every method, those added before and after.
    ///
    /// Interceptors run in the order they were added (`before`), and in
    /// the reverse order once the call is over (`after`). See
    /// [`Interceptor`](crate::service::Interceptor).
    ///
    /// ```
    /// use typerpc::service::interceptor_fn;
    /// use typerpc::Status;
    ///
    /// let router = typerpc::Router::new().intercept(interceptor_fn(|ctx| {
    ///     if ctx.request_headers().contains_key("authorization") {
    ///         Ok(())
    ///     } else {
    ///         Err(Status::unauthenticated("a bearer token is required"))
    ///     }
    /// }));
    /// # let _ = router;
    /// ```
    pub fn intercept(self, interceptor: impl Interceptor) -> Router {
        self.intercept_scoped(Scope::All, Arc::new(interceptor))
    }

    /// Adds an interceptor for the methods of one service
    /// (`package.Service`, as in `shop.v1.CartService`).
    pub fn intercept_service(self, service: &str, interceptor: impl Interceptor) -> Router {
        let service = service.trim_start_matches('/').to_string();
        self.intercept_scoped(Scope::Service(service), Arc::new(interceptor))
    }

    /// Adds an interceptor for one method (`package.Service/Method`).
    pub fn intercept_method(self, method: &str, interceptor: impl Interceptor) -> Router {
        let method = method.trim_start_matches('/').to_string();
        self.intercept_scoped(Scope::Method(method), Arc::new(interceptor))
    }

    /// Adds an interceptor that is already shared (one instance counting
    /// calls on several routers, say).
    pub fn intercept_shared(self, interceptor: Arc<dyn Interceptor>) -> Router {
        self.intercept_scoped(Scope::All, interceptor)
    }

    fn intercept_scoped(mut self, scope: Scope, interceptor: Arc<dyn Interceptor>) -> Router {
        let inner = self.inner_mut();
        inner.interceptors.push((scope, interceptor));
        let paths: Vec<String> = inner.routes.paths().cloned().collect();
        for path in paths {
            let chain = inner.chain_for(&path);
            if let Some(route) = inner.routes.get_mut(&path) {
                route.chain = chain;
            }
        }
        self
    }

    /// Registers a message type that may appear inside `google.protobuf.Any`
    /// (an error detail, say): JSON can then show it, and it joins the
    /// schema so other languages can decode it. Request and response
    /// types are registered already.
    pub fn register_type<M: crate::Message>(mut self) -> Router {
        let inner = self.inner_mut();
        inner.registry.register::<M>();
        inner.extra_types.push(M::schema());
        inner
            .config
            .set_json(JsonOptions::default().with_registry(inner.registry.clone()));
        inner.refresh_companions();
        self
    }

    /// Sets the size limits.
    pub fn limits(mut self, limits: Limits) -> Router {
        self.inner_mut().config.limits = limits;
        self
    }

    /// How long a request body may stall before its call ends with
    /// `deadline_exceeded` (`None`, the default of a bare router: no
    /// bound). A [`Server`](crate::Server) sets it from
    /// [`ConnectionSettings::request_body_timeout`](crate::server::ConnectionSettings::request_body_timeout);
    /// a router mounted in another framework can set it here.
    pub fn request_body_timeout(mut self, timeout: Option<std::time::Duration>) -> Router {
        self.inner_mut().config.body_timeout = timeout;
        self
    }

    /// Lets browsers on other origins call (answers preflights, exposes the
    /// protocol headers). Off by default.
    pub fn cors(mut self, cors: super::cors::Cors) -> Router {
        self.inner_mut().cors = Some(cors);
        self
    }

    /// Sets the largest message accepted (default 4 MiB).
    pub fn max_message_size(mut self, bytes: usize) -> Router {
        self.inner_mut().config.limits.max_message_size = bytes;
        self
    }

    /// Serves the OpenAPI 3.1 document of the services' Connect JSON
    /// endpoints at `path` (`GET`), built from the same schema as the
    /// `.proto` files: see [`openapi`](crate::openapi).
    ///
    /// ```
    /// let router = typerpc::Router::new().with_openapi("/openapi.json").with_docs("/docs");
    /// # let _ = router;
    /// ```
    pub fn with_openapi(self, path: impl Into<String>) -> Router {
        self.without_endpoints::<super::docs::OpenApiDocument>()
            .endpoint(
                path,
                Placement::Beside,
                Arc::new(super::docs::OpenApiDocument),
            )
    }

    /// Serves a page at `path` that shows the OpenAPI document and lets a
    /// person try each unary method: Swagger UI, loaded from a public CDN
    /// ([`DocsPage`](crate::openapi::DocsPage) sets another place). Serves
    /// the document at `/openapi.json` too unless
    /// [`with_openapi`](Self::with_openapi) chose a path.
    pub fn with_docs(self, path: impl Into<String>) -> Router {
        self.with_docs_page(path, crate::openapi::DocsPage::new())
    }

    /// Like [`with_docs`](Self::with_docs), with the page configured (the
    /// viewer's URL, the title).
    pub fn with_docs_page(self, path: impl Into<String>, page: crate::openapi::DocsPage) -> Router {
        let router = if self
            .endpoint_path::<super::docs::OpenApiDocument>()
            .is_none()
        {
            self.with_openapi("/openapi.json")
        } else {
            self
        };
        router
            .without_endpoints::<super::docs::DocsPageEndpoint>()
            .endpoint(
                path,
                Placement::Beside,
                Arc::new(super::docs::DocsPageEndpoint(page)),
            )
    }

    /// The OpenAPI document of the services added (the one
    /// [`with_openapi`](Self::with_openapi) serves).
    ///
    /// # Errors
    ///
    /// The services do not form a valid schema.
    pub fn openapi(&self) -> Result<serde_json::Value, crate::schema::SchemaError> {
        let set = self.schema()?;
        Ok(crate::openapi::document(
            &set,
            &self.inner.services,
            &crate::openapi::Info::default(),
        ))
    }

    /// Whether a path (`package.Service/Method`, without the leading `/`)
    /// names a method.
    pub fn has_method(&self, path: &str) -> bool {
        self.inner.routes.contains(path)
    }

    /// The schema of every service added and every type they use, ready to
    /// render as `.proto` files or descriptors. The health and reflection
    /// services are left out: they are gRPC's, and their `.proto` files
    /// ship with every gRPC toolchain.
    pub fn schema(&self) -> Result<crate::schema::SchemaSet, crate::schema::SchemaError> {
        let mut builder = crate::schema::SchemaBuilder::new();
        for service in &self.inner.services {
            builder.add_service(service);
        }
        for message in &self.inner.extra_types {
            builder.add_message(message);
        }
        builder.build()
    }

    /// The schemas of the services added, in order.
    pub fn services(&self) -> &[&'static ServiceSchema] {
        &self.inner.services
    }

    /// Attaches a companion (once per type) and routes its services.
    pub(crate) fn attach(mut self, companion: Arc<dyn Companion>) -> Router {
        let inner = self.inner_mut();
        inner.companions.push(companion);
        inner.refresh_companions();
        self
    }

    /// Detaches the companion of type `C`, and stops routing its services.
    pub(crate) fn detach<C: Companion>(mut self) -> Router {
        let inner = self.inner_mut();
        let Some(at) = inner.companions.iter().position(|c| c.as_any().is::<C>()) else {
            return self;
        };
        let companion = inner.companions.remove(at);
        let catalog = Catalog {
            services: &[],
            standard: &[],
            extra_types: &[],
        };
        for (schema, _) in companion.serve(&catalog) {
            let prefix = format!("{}.{}/", schema.package, schema.name);
            inner.routes.retain(|path| !path.starts_with(&prefix));
        }
        inner.refresh_companions();
        self
    }

    /// The attached companion of type `C`.
    pub(crate) fn companion<C: Companion>(&self) -> Option<&C> {
        self.inner
            .companions
            .iter()
            .find_map(|c| c.as_any().downcast_ref::<C>())
    }

    /// Answers plain-HTTP requests for `path` with `endpoint` (replacing
    /// one already there), placed as `placement` says.
    pub(crate) fn endpoint(
        mut self,
        path: impl Into<String>,
        placement: Placement,
        endpoint: Arc<dyn Endpoint>,
    ) -> Router {
        let path = super::endpoint::absolute(path);
        let inner = self.inner_mut();
        inner.endpoints.retain(|e| e.path != path);
        inner.endpoints.push(super::endpoint::Entry {
            path,
            placement,
            endpoint,
        });
        self
    }

    /// Removes every endpoint of type `E`.
    pub(crate) fn without_endpoints<E: Endpoint>(mut self) -> Router {
        self.inner_mut()
            .endpoints
            .retain(|e| !e.endpoint.as_any().is::<E>());
        self
    }

    /// The path of the (first) endpoint of type `E`.
    pub(crate) fn endpoint_path<E: Endpoint>(&self) -> Option<&str> {
        self.inner.endpoint_path::<E>()
    }

    /// Leaves the operational endpoints to another port (the server's
    /// admin port): this router no longer answers them.
    pub(crate) fn endpoints_elsewhere(mut self) -> Router {
        self.inner_mut().endpoints_here = false;
        self
    }

    /// The operational endpoint at `path`, for the admin port.
    pub(crate) fn operational_endpoint(&self, path: &str) -> Option<Arc<dyn Endpoint>> {
        self.inner
            .endpoints
            .iter()
            .find(|e| e.placement == Placement::Operational && e.path == path)
            .map(|e| Arc::clone(&e.endpoint))
    }

    /// Answers every request that is not for one of the router's methods
    /// or endpoints with `service`: an axum app, a file server, any
    /// `tower::Service` over `http::Request`. One server then serves both,
    /// with its TLS, client certificates and graceful shutdown; the
    /// fallback finds the peer's address and certificates in the request's
    /// extensions ([`PeerAddr`](crate::server::PeerAddr),
    /// [`PeerCertificates`](crate::server::PeerCertificates)).
    ///
    /// Methods, probes, metrics, `/openapi.json` and the docs page come
    /// first; the fallback also takes `GET /` and every path that names no
    /// method (a call to a method the router does not have gets the
    /// fallback's answer, such as axum's 404, rather than `unimplemented`).
    /// CORS set with [`cors`](Self::cors) applies to the RPCs only.
    ///
    /// ```
    /// # use typerpc::{service, Message, Status};
    /// # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
    /// # pub struct EchoService;
    /// # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
    /// let rest = axum::Router::new()
    ///     .route("/api/v1/stats", axum::routing::get(|| async { "{}" }));
    /// let server = typerpc::Server::new()
    ///     .add(EchoService) // POST /echo.v1.EchoService/Echo
    ///     .fallback(rest); // GET /api/v1/stats, and axum's 404 for the rest
    /// ```
    pub fn fallback(mut self, service: impl super::FallbackService) -> Router {
        self.inner_mut().fallback = Some(super::fallback::Fallback::new(service));
        self
    }

    /// Tells the companions that the server is shutting down (health
    /// answers NOT_SERVING from then on).
    pub fn shutting_down(&self) {
        for companion in &self.inner.companions {
            companion.shutdown();
        }
    }
}

/// What a call's future reads of the router it owns.
impl pipeline::Routes for Inner {
    fn config(&self) -> &Config {
        &self.config
    }

    fn route(&self, id: pipeline::RouteId) -> &Route {
        self.routes.get(id)
    }
}

impl Inner {
    /// The path of the (first) endpoint of type `E`.
    fn endpoint_path<E: Endpoint>(&self) -> Option<&str> {
        self.endpoints
            .iter()
            .find(|e| e.endpoint.as_any().is::<E>())
            .map(|e| e.path.as_str())
    }

    /// The endpoint answering `path` on this router's port.
    fn endpoint_at(&self, path: &str) -> Option<(Arc<dyn Endpoint>, Placement)> {
        if self.endpoints.is_empty() {
            return None;
        }
        self.endpoints
            .iter()
            .find(|e| e.path == path && (self.endpoints_here || e.placement == Placement::Beside))
            .map(|e| (Arc::clone(&e.endpoint), e.placement))
    }

    /// Routes the methods of one service.
    fn insert_methods(&mut self, schema: &'static ServiceSchema, methods: Vec<Method>) {
        let prefix = format!("{}.{}", schema.package, schema.name);
        for method in methods {
            method.register_types(&mut self.registry);
            let path = format!("{prefix}/{}", method.schema().name);
            let mut route = Route::new(method, format!("/{path}"));
            route.chain = self.chain_for(&path);
            self.routes.insert(path, route);
        }
        self.config
            .set_json(JsonOptions::default().with_registry(self.registry.clone()));
    }

    /// The services the companions serve.
    fn standard_services(&self) -> Vec<&'static ServiceSchema> {
        let empty = Catalog {
            services: &[],
            standard: &[],
            extra_types: &[],
        };
        self.companions
            .iter()
            .flat_map(|c| c.serve(&empty))
            .map(|(schema, _)| schema)
            .collect()
    }

    /// The interceptors that apply to `path`, in order.
    fn chain_for(&self, path: &str) -> Chain {
        Chain::new(
            self.interceptors
                .iter()
                .filter(|(scope, _)| scope.covers(path))
                .map(|(_, interceptor)| Arc::clone(interceptor))
                .collect(),
        )
    }

    /// Lets every companion see the current services and routes what it
    /// serves for them.
    fn refresh_companions(&mut self) {
        if self.companions.is_empty() {
            return;
        }
        // First the schemas every companion serves, so that each can
        // describe the others (reflection lists health).
        let standard = self.standard_services();
        let companions = self.companions.clone();
        let services = self.services.clone();
        let extra_types = self.extra_types.clone();
        let catalog = Catalog {
            services: &services,
            standard: &standard,
            extra_types: &extra_types,
        };
        for companion in companions {
            for (schema, methods) in companion.serve(&catalog) {
                self.insert_methods(schema, methods);
            }
        }
    }
}

/// The future a [`Router`] returns.
pub type RouterFuture = Pin<Box<dyn Future<Output = Result<Response<RpcBody>, Infallible>> + Send>>;

impl<B> tower_service::Service<Request<B>> for Router
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<RpcBody>;
    type Error = Infallible;
    type Future = RouterFuture;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> RouterFuture {
        Box::pin(respond(Arc::clone(&self.inner), request, None).map(Ok))
    }
}

impl Router {
    /// Answers one request that typerpc's server received from `caller`,
    /// who is not written into the request's extensions: that would cost
    /// a map allocation per call. The future is boxed: the connection
    /// moves it several times before it first runs, and a pointer moves
    /// for less than the whole state.
    pub(crate) fn answer<B>(
        &self,
        request: Request<B>,
        caller: Caller,
    ) -> Pin<Box<dyn Future<Output = Response<RpcBody>> + Send>>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Box::pin(respond(Arc::clone(&self.inner), request, Some(caller)))
    }
}

/// Answers one request: an endpoint, a call, the fallback or the index
/// page, in that order; CORS around the calls and the endpoints beside
/// them when configured.
///
/// A call with nothing around it (no CORS, no endpoint at its path) is
/// the pipeline's future alone, which owns the router: nothing wraps it
/// that would keep a second copy of the request. The rest is boxed apart,
/// so that it does not add to the size of every call's future.
fn respond<B>(
    inner: Arc<Inner>,
    request: Request<B>,
    caller: Option<Caller>,
) -> impl Future<Output = Response<RpcBody>> + Send + 'static
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let path = request.uri().path();
    let route = inner.routes.find(path.trim_start_matches('/'));
    if route.is_some() && inner.cors.is_none() && inner.endpoint_at(path).is_none() {
        return Either::Left(pipeline::serve(inner, route, request, caller));
    }
    Either::Right(Box::pin(respond_otherwise(inner, request, caller)))
}

/// [`respond`] for everything but a plain call.
async fn respond_otherwise<B>(
    inner: Arc<Inner>,
    mut request: Request<B>,
    caller: Option<Caller>,
) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let path = request.uri().path();
    let endpoint = inner.endpoint_at(path);
    let route = inner.routes.find(path.trim_start_matches('/'));
    // What is not a call reads the caller where any handler of a request
    // would: in its extensions.
    let tag = |request: &mut Request<B>, caller: &Option<Caller>| {
        if let Some(caller) = caller.clone() {
            caller.insert_into(request.extensions_mut());
        }
    };
    match &endpoint {
        // Probes and metrics answer as they are: no CORS.
        Some((endpoint, Placement::Operational)) => {
            tag(&mut request, &caller);
            let router = Router {
                inner: Arc::clone(&inner),
            };
            return endpoint.call(router, super::endpoint::boxed(request)).await;
        }
        Some((_, Placement::Beside)) => {}
        None if route.is_some() => {}
        None => {
            if let Some(fallback) = &inner.fallback {
                tag(&mut request, &caller);
                return fallback.call(super::endpoint::boxed(request)).await;
            }
            if request.method() == http::Method::GET && path == "/" {
                let links = super::index::Links {
                    openapi: inner.endpoint_path::<super::docs::OpenApiDocument>(),
                    docs: inner.endpoint_path::<super::docs::DocsPageEndpoint>(),
                };
                return super::index::answer(&inner.services, &inner.standard_services(), &links);
            }
        }
    }
    // The calls and the endpoints beside them (the document, the docs,
    // MCP), with CORS when the router has it.
    let answer = |mut request: Request<B>| async {
        match &endpoint {
            Some((endpoint, _)) => {
                tag(&mut request, &caller);
                let router = Router {
                    inner: Arc::clone(&inner),
                };
                endpoint.call(router, super::endpoint::boxed(request)).await
            }
            None => pipeline::serve(Arc::clone(&inner), route, request, caller).await,
        }
    };
    let Some(cors) = &inner.cors else {
        return answer(request).await;
    };
    if let Some(preflight) = cors.preflight(request.method(), request.headers()) {
        return preflight;
    }
    let headers = request.headers().clone();
    let mut response = answer(request).await;
    cors.decorate(&headers, &mut response);
    response
}
