//! The router: a `tower::Service` that finds the method a request names
//! (`/{package}.{Service}/{Method}`) and hands it to the protocol layer.
//!
//! Because it is a plain `tower::Service` over `http::Request`, it runs
//! under typerpc's own server and inside any tower-based web framework
//! (for axum: `axum::Router::new().nest_service("/partner", router)`).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::{Request, Response};

use super::body::RpcBody;
use crate::health::HealthReporter;
use crate::message::json::JsonOptions;
use crate::reflection::{IndexSource, ReflectionV1, ReflectionV1alpha};
use crate::schema::model::ServiceSchema;
use crate::service::{Method, Service};
use crate::TypeRegistry;

/// The address of the client, put in request extensions by typerpc's
/// server (and by anything else that knows it) for `Context::peer_addr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// Size limits applied to every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest message accepted, before and after decompression
    /// (default 4 MiB, as gRPC's default).
    pub max_message_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 4 * 1024 * 1024,
        }
    }
}

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
pub(crate) struct Inner {
    pub(crate) methods: HashMap<String, Method>,
    pub(crate) services: Vec<&'static ServiceSchema>,
    pub(crate) extra_types: Vec<&'static crate::schema::model::MessageSchema>,
    pub(crate) registry: TypeRegistry,
    pub(crate) json: Arc<JsonOptions>,
    pub(crate) limits: Limits,
    pub(crate) cors: Option<super::cors::Cors>,
    /// The health reporter, when the health service is on.
    pub(crate) health: Option<HealthReporter>,
    /// Whether the reflection services are on.
    pub(crate) reflection: bool,
    /// The schemas of the health and reflection services that are on:
    /// reflection describes them, `Router::schema` leaves them out.
    pub(crate) standard: Vec<&'static ServiceSchema>,
    /// The path answering plain-HTTP health probes, if any.
    pub(crate) probe: Option<String>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut paths: Vec<_> = self.inner.methods.keys().collect();
        paths.sort();
        f.debug_struct("Router")
            .field("methods", &paths)
            .field("limits", &self.inner.limits)
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
                methods: HashMap::new(),
                services: Vec::new(),
                extra_types: Vec::new(),
                registry: TypeRegistry::new(),
                json: Arc::new(JsonOptions::default()),
                limits: Limits::default(),
                cors: None,
                health: None,
                reflection: false,
                standard: Vec::new(),
                probe: None,
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
        if let Some(health) = &inner.health {
            health.set_serving(&format!("{}.{}", schema.package, schema.name));
        }
        inner.refresh_reflection();
        self
    }

    /// Serves `grpc.health.v1.Health` (`Check`, `List`, `Watch`): the
    /// server as a whole (`""`) and every service added, before or after,
    /// start as SERVING. Change statuses through [`health`](Self::health).
    /// [`Server`](crate::Server) turns this on by default and reports
    /// NOT_SERVING when graceful shutdown starts.
    pub fn with_health(mut self) -> Router {
        let inner = self.inner_mut();
        if inner.health.is_some() {
            return self;
        }
        let reporter = HealthReporter::new();
        for service in &inner.services {
            reporter.set_serving(&format!("{}.{}", service.package, service.name));
        }
        let health = Arc::new(crate::health::HealthService::new(reporter.clone()));
        let schema = crate::health::service_schema();
        inner.insert_methods(schema, health.methods());
        inner.standard.push(schema);
        inner.health = Some(reporter);
        inner.refresh_reflection();
        self
    }

    /// Stops serving the health service.
    pub fn without_health(mut self) -> Router {
        let inner = self.inner_mut();
        if inner.health.take().is_some() {
            inner.remove_service(crate::health::service_schema());
            inner.refresh_reflection();
        }
        self
    }

    /// The health statuses this router reports, when the health service is
    /// on: `router.health().unwrap().set_not_serving("shop.v1.CartService")`.
    pub fn health(&self) -> Option<&HealthReporter> {
        self.inner.health.as_ref()
    }

    /// Serves gRPC server reflection (`grpc.reflection.v1` and
    /// `grpc.reflection.v1alpha`), describing every service of the router
    /// with the descriptors its `.proto` files are written from, so
    /// grpcurl, `buf curl` and Postman need no `.proto` files.
    /// [`Server`](crate::Server) turns this on by default.
    pub fn with_reflection(mut self) -> Router {
        let inner = self.inner_mut();
        if !inner.reflection {
            inner.reflection = true;
            inner.refresh_reflection();
        }
        self
    }

    /// Stops serving reflection.
    pub fn without_reflection(mut self) -> Router {
        let inner = self.inner_mut();
        if inner.reflection {
            inner.reflection = false;
            for schema in crate::reflection::standard_services().into_iter().skip(1) {
                inner.remove_service(schema);
            }
        }
        self
    }

    /// Answers plain-HTTP health probes (Kubernetes `httpGet`) at `path`
    /// (for example `/healthz`): `GET` gives 200 `SERVING` while the server
    /// serves and 503 `NOT_SERVING` otherwise (during shutdown, say);
    /// `?service=package.Service` asks about one service (404 if unknown).
    /// Needs the health service ([`with_health`](Self::with_health)).
    pub fn health_probe(mut self, path: impl Into<String>) -> Router {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        self.inner_mut().probe = Some(path);
        self.with_health()
    }

    /// Registers a message type that may appear inside `google.protobuf.Any`
    /// (an error detail, say): JSON can then show it, and it joins the
    /// schema so other languages can decode it. Request and response
    /// types are registered already.
    pub fn register_type<M: crate::Message>(mut self) -> Router {
        let inner = self.inner_mut();
        inner.registry.register::<M>();
        inner.extra_types.push(M::schema());
        inner.json = Arc::new(JsonOptions::default().with_registry(inner.registry.clone()));
        inner.refresh_reflection();
        self
    }

    /// Sets the size limits.
    pub fn limits(mut self, limits: Limits) -> Router {
        self.inner_mut().limits = limits;
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
        self.inner_mut().limits.max_message_size = bytes;
        self
    }

    /// Whether a path (`package.Service/Method`, without the leading `/`)
    /// names a method.
    pub fn has_method(&self, path: &str) -> bool {
        self.inner.methods.contains_key(path)
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
}

impl Inner {
    /// Routes the methods of one service.
    fn insert_methods(&mut self, schema: &'static ServiceSchema, methods: Vec<Method>) {
        let prefix = format!("{}.{}", schema.package, schema.name);
        for method in methods {
            method.register_types(&mut self.registry);
            let path = format!("{prefix}/{}", method.schema().name);
            self.methods.insert(path, method);
        }
        self.json = Arc::new(JsonOptions::default().with_registry(self.registry.clone()));
    }

    /// Stops routing a standard service.
    fn remove_service(&mut self, schema: &'static ServiceSchema) {
        let prefix = format!("{}.{}/", schema.package, schema.name);
        self.methods.retain(|path, _| !path.starts_with(&prefix));
        self.standard.retain(|s| !std::ptr::eq(*s, schema));
    }

    /// Points the reflection services at the current set of services: the
    /// index of what they describe is built on the first reflection call.
    fn refresh_reflection(&mut self) {
        if !self.reflection {
            return;
        }
        let [_, v1_schema, v1alpha_schema] = crate::reflection::standard_services();
        for schema in [v1_schema, v1alpha_schema] {
            if !self.standard.iter().any(|s| std::ptr::eq(*s, schema)) {
                self.standard.push(schema);
            }
        }
        let services = self
            .services
            .iter()
            .chain(&self.standard)
            .copied()
            .collect();
        let source = IndexSource::new(services, self.extra_types.clone());
        let v1 = Arc::new(ReflectionV1 {
            source: Arc::clone(&source),
        });
        self.insert_methods(v1_schema, v1.methods());
        let v1alpha = Arc::new(ReflectionV1alpha { source });
        self.insert_methods(v1alpha_schema, v1alpha.methods());
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
        let inner = Arc::clone(&self.inner);
        Box::pin(async move {
            if let Some(probe) = inner.probe.as_deref() {
                if request.uri().path() == probe {
                    return Ok(super::probe::answer(inner.health.as_ref(), &request));
                }
            }
            let Some(cors) = inner.cors.clone() else {
                return Ok(crate::protocol::dispatch::handle(inner, request).await);
            };
            if let Some(preflight) = cors.preflight(request.method(), request.headers()) {
                return Ok(preflight);
            }
            let headers = request.headers().clone();
            let mut response = crate::protocol::dispatch::handle(inner, request).await;
            cors.decorate(&headers, &mut response);
            Ok(response)
        })
    }
}

/// Collects a request body with a size bound; shared by the protocols.
pub(crate) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, crate::Status>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) => {
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(crate::Status::resource_exhausted(format!(
                    "the request body is larger than the limit of {limit} bytes"
                )))
            } else {
                Err(crate::Status::canceled(format!(
                    "reading the request body failed: {error}"
                )))
            }
        }
    }
}
