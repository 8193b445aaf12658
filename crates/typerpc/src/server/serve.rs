//! The server: one port, HTTP/1.1 and HTTP/2 (prior knowledge) side by
//! side, every protocol on each, and a graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::call_limit::{Admitted, CallLimit};
use super::router::Router;
pub use super::settings::ConnectionSettings;
use super::watchdog::{self, Activity, Counted};
use crate::service::{Caller, PeerCertificates, Service};

/// The address `Server::new()` listens on: every interface, port 50051.
pub const DEFAULT_ADDR: ([u8; 4], u16) = ([0, 0, 0, 0], 50051);

/// Why the server could not run.
#[derive(Debug)]
pub enum Error {
    /// Binding the listening socket failed.
    Bind(SocketAddr, std::io::Error),
    /// Accepting connections failed in a way that will not pass.
    Io(std::io::Error),
    /// The TLS configuration is unusable.
    Tls(super::tls::TlsError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            Error::Io(e) => write!(f, "the server failed: {e}"),
            Error::Tls(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind(_, e) | Error::Io(e) => Some(e),
            Error::Tls(e) => Some(e),
        }
    }
}

/// Serves services over gRPC, gRPC-Web and Connect on one port.
///
/// ```no_run
/// # use typerpc::{service, Message, Status};
/// # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
/// # pub struct EchoService;
/// # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
/// # async fn run() -> Result<(), typerpc::Error> {
/// typerpc::Server::new().add(EchoService).serve().await // 0.0.0.0:50051, until SIGINT/SIGTERM
/// # }
/// ```
pub struct Server {
    router: Router,
    /// Tower layers around the router, outermost last.
    layers: Vec<Box<dyn FnOnce(LayeredService) -> LayeredService + Send>>,
    addr: SocketAddr,
    grace: Duration,
    tls: Option<super::tls::TlsConfig>,
    settings: ConnectionSettings,
    /// Where the plain-HTTP endpoints (probes, metrics) are served instead
    /// of the main port, if the user chose an admin port.
    admin: Option<Admin>,
}

/// The admin port: an address to bind, or a listener bound already.
enum Admin {
    Addr(SocketAddr),
    Listener(std::net::TcpListener),
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("router", &self.router)
            .field("addr", &self.addr)
            .field("layers", &self.layers.len())
            .field("tls", &self.tls.is_some())
            .field("settings", &self.settings)
            .field("admin", &self.admin.is_some())
            .finish_non_exhaustive()
    }
}

/// The body of a response once tower layers have had it.
pub type LayeredBody = http_body_util::combinators::UnsyncBoxBody<bytes::Bytes, LayerError>;

/// An error of a layer or of a layered body. A named type rather than a
/// bare `Box<dyn Error>`: hyper's bounds on the latter trip the compiler's
/// lifetime inference.
#[derive(Debug)]
pub struct LayerError(pub BoxError);

impl std::fmt::Display for LayerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for LayerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// An error a layer may return.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The router as the layers given to [`Server::layer`] see it (each
/// wraps the router and the layers added before it), boxed.
pub type LayeredService = tower::util::BoxCloneSyncService<
    http::Request<Incoming>,
    http::Response<LayeredBody>,
    BoxError,
>;

/// What a connection calls: the router itself, or the router in layers.
#[derive(Clone)]
enum Served {
    Router(Router),
    Layered(LayeredService),
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    /// A server for 0.0.0.0:50051 with no services yet, serving health
    /// checks (`grpc.health.v1`) and reflection (`grpc.reflection.v1` and
    /// `v1alpha`) for the services it will have, and Kubernetes' plain-HTTP
    /// probes `GET /healthz` (live) and `GET /ready` (see
    /// [`Router::probes`]).
    pub fn new() -> Server {
        Server {
            router: Router::new().with_health().with_reflection().probes(),
            layers: Vec::new(),
            addr: SocketAddr::from(DEFAULT_ADDR),
            grace: Duration::from_secs(10),
            tls: None,
            settings: ConnectionSettings::default(),
            admin: None,
        }
    }

    /// Adds a service.
    // `add` is the name users know from the design; it is not arithmetic.
    #[allow(clippy::should_implement_trait)]
    pub fn add<S: Service>(mut self, service: S) -> Server {
        self.router = self.router.add(service);
        self
    }

    /// The health statuses the server reports (every service added starts
    /// as SERVING); `None` after [`without_health`](Self::without_health).
    ///
    /// ```
    /// use typerpc::health::ServingStatus;
    /// let server = typerpc::Server::new();
    /// let health = server.health().unwrap();
    /// health.set_status("shop.v1.CartService", ServingStatus::NotServing);
    /// ```
    pub fn health(&self) -> Option<crate::health::HealthReporter> {
        self.router.health().cloned()
    }

    /// Does not serve `grpc.health.v1.Health`.
    pub fn without_health(mut self) -> Server {
        self.router = self.router.without_health();
        self
    }

    /// Does not serve reflection (clients then need the `.proto` files).
    pub fn without_reflection(mut self) -> Server {
        self.router = self.router.without_reflection();
        self
    }

    /// Answers plain-HTTP health probes at `path` (`/healthz`, say): 200
    /// while serving, 503 once shutdown starts. See [`Router::health_probe`].
    pub fn health_probe(mut self, path: impl Into<String>) -> Server {
        self.router = self.router.health_probe(path);
        self
    }

    /// Counts every call in `metrics` and answers Prometheus' scrapes at
    /// `GET /metrics`, on the server's port or, with
    /// [`admin_addr`](Self::admin_addr), on an admin port. See
    /// [`metrics`](crate::metrics).
    #[cfg(feature = "prometheus")]
    pub fn metrics(mut self, metrics: &crate::metrics::Prometheus) -> Server {
        self.router = self.router.metrics(metrics);
        self
    }

    /// Serves the plain-HTTP endpoints (`/healthz`, `/ready`, `/metrics`)
    /// on a port of their own, over HTTP/1.1, instead of the main port: a
    /// port that the cluster reaches and the world does not.
    pub fn admin_addr(mut self, addr: SocketAddr) -> Server {
        self.admin = Some(Admin::Addr(addr));
        self
    }

    /// [`admin_addr`](Self::admin_addr) on a listener the caller bound
    /// (port 0 in tests).
    pub fn admin_listener(mut self, listener: std::net::TcpListener) -> Server {
        self.admin = Some(Admin::Listener(listener));
        self
    }

    /// Listens on `addr` instead of 0.0.0.0:50051.
    pub fn addr(mut self, addr: SocketAddr) -> Server {
        self.addr = addr;
        self
    }

    /// How long in-flight calls may run after shutdown starts (default 10 s).
    pub fn grace_period(mut self, grace: Duration) -> Server {
        self.grace = grace;
        self
    }

    /// Serves over TLS (HTTP/2 and HTTP/1.1 chosen by ALPN), optionally
    /// verifying client certificates.
    pub fn tls(mut self, tls: super::tls::TlsConfig) -> Server {
        self.tls = Some(tls);
        self
    }

    /// Sets connection limits and HTTP/2 tuning.
    pub fn connection_settings(mut self, settings: ConnectionSettings) -> Server {
        self.settings = settings;
        self
    }

    /// Serves `service` (an axum app, any `tower::Service` over
    /// `http::Request`) for every request that is not an RPC or one of the
    /// server's endpoints: see [`Router::fallback`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), typerpc::Error> {
    /// let rest = axum::Router::new()
    ///     .route("/api/v1/stats", axum::routing::get(|| async { "{}" }));
    /// typerpc::Server::new().fallback(rest).serve().await
    /// # }
    /// ```
    pub fn fallback(mut self, service: impl super::FallbackService) -> Server {
        self.router = self.router.fallback(service);
        self
    }

    /// Changes the router (limits, extra types) with a function.
    pub fn configure(mut self, f: impl FnOnce(Router) -> Router) -> Server {
        self.router = f(self.router);
        self
    }

    /// Wraps the router in a tower layer: tower-http's `TraceLayer`,
    /// `CorsLayer` or `CompressionLayer`, tower's `ConcurrencyLimitLayer`
    /// or `TimeoutLayer`, or your own. The first layer added is the
    /// innermost. A layer's error is answered as an RPC error in the
    /// request's protocol (see [`Status::from_error`](crate::Status::from_error)):
    /// tower's `TimeoutLayer` gives `deadline_exceeded`, `LoadShedLayer`
    /// `unavailable`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), typerpc::Error> {
    /// typerpc::Server::new()
    ///     .layer(tower_http::trace::TraceLayer::new_for_http())
    ///     .layer(tower::limit::ConcurrencyLimitLayer::new(1024))
    ///     .serve()
    ///     .await
    /// # }
    /// ```
    pub fn layer<L, B>(mut self, layer: L) -> Server
    where
        L: tower_layer::Layer<LayeredService> + Send + 'static,
        L::Service: tower_service::Service<http::Request<Incoming>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower_service::Service<http::Request<Incoming>>>::Error: Into<BoxError>,
        <L::Service as tower_service::Service<http::Request<Incoming>>>::Future: Send + 'static,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.layers.push(Box::new(move |inner: LayeredService| {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            LayeredService::new(
                layer
                    .layer(inner)
                    .map_response(|response: http::Response<B>| {
                        response.map(|body| body.map_err(|e| LayerError(e.into())).boxed_unsync())
                    })
                    .map_err(Into::into),
            )
        }));
        self
    }

    /// The service connections call.
    fn service(
        router: Router,
        layers: Vec<Box<dyn FnOnce(LayeredService) -> LayeredService + Send>>,
    ) -> Served {
        if layers.is_empty() {
            return Served::Router(router);
        }
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let boxed = ServiceExt::<http::Request<Incoming>>::map_response(
            router,
            |response: http::Response<crate::protocol::RpcBody>| {
                response.map(|body| body.map_err(|never| match never {}).boxed_unsync())
            },
        );
        let boxed = ServiceExt::<http::Request<Incoming>>::map_err(
            boxed,
            |never: std::convert::Infallible| -> BoxError { match never {} },
        );
        let mut service = LayeredService::new(boxed);
        for layer in layers {
            service = layer(service);
        }
        Served::Layered(service)
    }

    /// The router, to mount in another web framework instead of serving.
    pub fn into_router(self) -> Router {
        self.router
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn serve(self) -> Result<(), Error> {
        self.serve_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_with_shutdown(
        self,
        signal: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        let listener = TcpListener::bind(self.addr)
            .await
            .map_err(|e| Error::Bind(self.addr, e))?;
        self.serve_on(listener, signal).await
    }

    /// Serves on a listener the caller bound (port 0 in tests), until
    /// `signal` completes.
    pub async fn serve_on(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        let acceptor = match &self.tls {
            Some(tls) => Some(tokio_rustls::TlsAcceptor::from(
                tls.server_config().map_err(Error::Tls)?,
            )),
            None => None,
        };
        let mut builder = auto::Builder::new(TokioExecutor::new());
        let settings = self.settings;
        // The watchdog bounds a request head (`http1_header_read_timeout`):
        // hyper's own timer would cost an allocation and two timer-wheel
        // updates per request.
        builder.http1().header_read_timeout(None);
        // hyper's own bound is 100 headers, parsed into a stack array; an
        // explicit bound, even the same, makes it fill a heap vector of that
        // size on every request (a few percent of a small call's CPU).
        if settings.max_http1_headers != HYPER_MAX_HEADERS {
            builder.http1().max_headers(settings.max_http1_headers);
        }
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(settings.max_concurrent_streams)
            .max_header_list_size(settings.max_header_list_size)
            .keep_alive_interval(settings.keep_alive_interval)
            .keep_alive_timeout(settings.keep_alive_timeout)
            .initial_stream_window_size(settings.stream_window)
            .initial_connection_window_size(settings.stream_window.saturating_mul(2));
        // Connections hold a permit each: at the limit the loop stops
        // accepting, and shutdown waits for every permit to come back.
        let max_connections = settings.max_connections.clamp(1, MAX_PERMITS);
        let permits = Arc::new(Semaphore::new(max_connections));
        let (stop_connections, shutdown) = tokio::sync::watch::channel(false);
        let call_limit = settings.max_calls_in_flight.map(CallLimit::new);
        let mut router = self
            .router
            .request_body_timeout(settings.request_body_timeout);
        // Stops the admin port once the main port has drained.
        let (stop_admin, admin_stopped) = tokio::sync::watch::channel(false);
        if let Some(admin) = self.admin {
            let listener = match admin {
                Admin::Addr(addr) => TcpListener::bind(addr)
                    .await
                    .map_err(|e| Error::Bind(addr, e))?,
                Admin::Listener(listener) => {
                    let addr = listener.local_addr().map_err(Error::Io)?;
                    listener.set_nonblocking(true).map_err(Error::Io)?;
                    TcpListener::from_std(listener).map_err(|e| Error::Bind(addr, e))?
                }
            };
            if let Ok(address) = listener.local_addr() {
                tracing::info!(target: LOG_TARGET, %address, "admin endpoints listening");
            }
            tokio::spawn(super::admin::serve(
                listener,
                router.clone(),
                settings,
                admin_stopped,
            ));
            router = router.endpoints_elsewhere();
        }
        let service = Server::service(router.clone(), self.layers);
        match listener.local_addr() {
            Ok(address) => tracing::info!(
                target: LOG_TARGET,
                %address,
                tls = acceptor.is_some(),
                "listening"
            ),
            Err(error) => {
                tracing::warn!(target: LOG_TARGET, %error, "listening on an unknown address")
            }
        }
        let mut signal = std::pin::pin!(signal);
        loop {
            let permit = match Arc::clone(&permits).try_acquire_owned() {
                Ok(permit) => permit,
                Err(_) => {
                    tracing::warn!(
                        target: LOG_TARGET,
                        max_connections,
                        "at the connection limit: not accepting until a connection closes"
                    );
                    tokio::select! {
                        permit = Arc::clone(&permits).acquire_owned() => match permit {
                            Ok(permit) => permit,
                            Err(_) => break,
                        },
                        () = &mut signal => break,
                    }
                }
            };
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        // Running out of descriptors or a reset before
                        // accept passes; back off instead of spinning.
                        Err(error) => {
                            tracing::warn!(target: LOG_TARGET, %error, "accepting a connection failed; trying again in 50 ms");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    crate::tcp::tune(&stream, settings.tcp_keepalive);
                    let connection = Connection {
                        builder: builder.clone(),
                        shutdown: shutdown.clone(),
                        settings,
                        service: service.clone(),
                        call_limit: call_limit.clone(),
                        peer,
                        _permit: permit,
                    };
                    match &acceptor {
                        None => {
                            tokio::spawn(connection.serve(stream, None));
                        }
                        Some(acceptor) => {
                            let acceptor = acceptor.clone();
                            tokio::spawn(async move {
                                // A client that never finishes its handshake
                                // must not hold a task forever.
                                let tls = match tokio::time::timeout(settings.tls_handshake_timeout, acceptor.accept(stream)).await {
                                    Ok(Ok(tls)) => tls,
                                    Ok(Err(error)) => {
                                        tracing::debug!(target: LOG_TARGET, %peer, %error, "TLS handshake failed");
                                        return;
                                    }
                                    Err(_) => {
                                        tracing::debug!(target: LOG_TARGET, %peer, "TLS handshake timed out");
                                        return;
                                    }
                                };
                                let certificates = tls.get_ref().1.peer_certificates().map(|chain| {
                                    PeerCertificates(chain.iter().map(|c| bytes::Bytes::copy_from_slice(c)).collect())
                                });
                                connection.serve(tls, certificates).await;
                            });
                        }
                    }
                }
                () = &mut signal => break,
            }
        }
        // Tell load balancers first (health checks and probes answer
        // NOT_SERVING, health watchers are told and let go), then stop
        // accepting.
        tracing::info!(
            target: LOG_TARGET,
            grace_period_ms = self.grace.as_millis() as u64,
            connections = max_connections - permits.available_permits(),
            "shutting down: health reports NOT_SERVING, calls in flight may finish"
        );
        router.shutting_down();
        drop(listener);
        // In-flight calls finish within the grace period; then the rest are dropped.
        let _ = stop_connections.send(true);
        let drained = permits.acquire_many(max_connections as u32);
        match tokio::time::timeout(self.grace, drained).await {
            Ok(_) => tracing::info!(target: LOG_TARGET, "stopped"),
            Err(_) => tracing::warn!(
                target: LOG_TARGET,
                "stopped: the grace period ended with calls still in flight; they were cut off"
            ),
        }
        let _ = stop_admin.send(true);
        Ok(())
    }
}

/// A place under the server's bound on calls in flight (`None` when it
/// has none), or the status of a call past it.
fn admit(limit: &Option<Arc<CallLimit>>) -> Result<Option<Admitted>, crate::Status> {
    match limit {
        None => Ok(None),
        Some(limit) => limit.try_admit().map(Some).ok_or_else(|| limit.refusal()),
    }
}

/// The answer to a call refused before it reached the router, in its
/// protocol.
fn refuse(
    request: http::Request<Incoming>,
    status: crate::Status,
) -> std::pin::Pin<Box<dyn Future<Output = http::Response<crate::protocol::RpcBody>> + Send>> {
    Box::pin(crate::protocol::pipeline::refused_outside(request, status))
}

/// What [`call_layered`] returns.
type LayeredFuture =
    std::pin::Pin<Box<dyn Future<Output = Result<http::Response<LayeredBody>, LayerError>> + Send>>;

/// Calls the layered service once it is ready; a layer's error becomes an
/// RPC error in the request's protocol. The future is boxed with its types
/// spelled out: left to inference, tower's generic `Oneshot` makes the
/// connection's future lose `Send`.
fn call_layered(mut service: LayeredService, request: http::Request<Incoming>) -> LayeredFuture {
    use http_body_util::BodyExt;
    // What the request speaks, to answer a layer's error in its protocol.
    let method = request.method().clone();
    let content_type = request.headers().get(http::header::CONTENT_TYPE).cloned();
    Box::pin(async move {
        let result =
            match std::future::poll_fn(|cx| tower_service::Service::poll_ready(&mut service, cx))
                .await
            {
                Ok(()) => tower_service::Service::call(&mut service, request).await,
                Err(error) => Err(error),
            };
        result.or_else(|error| {
            // A layer failed the call (tower's timeout, a load shedder):
            // the client gets a status, not a reset stream.
            let status = crate::Status::from_error(&*error);
            let response =
                crate::protocol::pipeline::failed_outside(&method, content_type.as_ref(), status);
            Ok(response.map(|body| body.map_err(|never| match never {}).boxed_unsync()))
        })
    })
}

/// The target of the server's logs (as of its calls' spans).
const LOG_TARGET: &str = crate::service::telemetry::SERVER_TARGET;

/// hyper's default bound on HTTP/1.1 request headers.
const HYPER_MAX_HEADERS: usize = 100;

/// The most connections [`ConnectionSettings::max_connections`] can
/// allow: shutdown waits for all of their permits at once.
const MAX_PERMITS: usize = u32::MAX as usize;

/// What one accepted connection needs to be served.
struct Connection {
    builder: auto::Builder<TokioExecutor>,
    /// Changes when the server shuts down.
    shutdown: tokio::sync::watch::Receiver<bool>,
    settings: ConnectionSettings,
    service: Served,
    /// The server's bound on calls in flight, if it has one.
    call_limit: Option<Arc<CallLimit>>,
    peer: SocketAddr,
    /// The connection's place under the connection limit.
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Connection {
    async fn serve<IO>(self, io: IO, certificates: Option<PeerCertificates>)
    where
        IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let Connection {
            builder,
            shutdown,
            settings,
            service,
            call_limit,
            peer,
            _permit,
        } = self;
        let caller = Caller {
            addr: Some(peer),
            certificates,
        };
        let activity = Activity::new();
        let io = TokioIo::new(watchdog::Sniffed::new(
            io,
            Arc::clone(&activity),
            &settings,
            peer,
        ));
        let calls = Arc::clone(&activity);
        // A connection error (a client that vanished) ends only that connection.
        let result = match service {
            Served::Router(router) => {
                // The router is told the caller directly: nothing but the
                // router sees these requests.
                let service = hyper::service::service_fn(move |request| {
                    let call = calls.call();
                    let (response, admitted) = match admit(&call_limit) {
                        Ok(admitted) => (router.answer(request, caller.clone()), admitted),
                        Err(status) => (refuse(request, status), None),
                    };
                    async move {
                        let response = response.await;
                        Ok::<_, std::convert::Infallible>(
                            response.map(|body| Counted::new(body, call, admitted)),
                        )
                    }
                });
                let connection = builder.serve_connection(io, service).into_owned();
                watchdog::watch(
                    connection,
                    |connection| connection.graceful_shutdown(),
                    &activity,
                    &settings,
                    shutdown,
                    peer,
                )
                .await
            }
            Served::Layered(layered) => {
                // Layers may read the caller: it goes in the extensions.
                let service = hyper::service::service_fn(move |mut request| {
                    caller.clone().insert_into(request.extensions_mut());
                    let call = calls.call();
                    // Layers such as a concurrency limit must be ready
                    // before each call.
                    let (response, admitted) = match admit(&call_limit) {
                        Ok(admitted) => (call_layered(layered.clone(), request), admitted),
                        Err(status) => {
                            let response = refuse(request, status);
                            let response: LayeredFuture = Box::pin(async move {
                                let response = response.await;
                                Ok(response.map(|body| {
                                    http_body_util::BodyExt::boxed_unsync(
                                        http_body_util::BodyExt::map_err(
                                            body,
                                            |never| match never {},
                                        ),
                                    )
                                }))
                            });
                            (response, None)
                        }
                    };
                    async move {
                        let response = response.await?;
                        Ok::<_, LayerError>(response.map(|body| Counted::new(body, call, admitted)))
                    }
                });
                let connection = builder.serve_connection(io, service).into_owned();
                watchdog::watch(
                    connection,
                    |connection| connection.graceful_shutdown(),
                    &activity,
                    &settings,
                    shutdown,
                    peer,
                )
                .await
            }
        };
        if let Err(error) = result {
            connection_error(peer, &*error);
        }
    }
}

/// A connection ended in error (a client that vanished, a protocol
/// violation): only that connection ends, and it is logged at `DEBUG`,
/// since clients cause most of them.
fn connection_error(peer: SocketAddr, error: &(dyn std::error::Error + 'static)) {
    tracing::debug!(target: LOG_TARGET, %peer, %error, "connection ended with an error");
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
