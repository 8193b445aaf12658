//! Running the pieces: each backend on a listener, the gateway on
//! another, and everything in one process for the quick start.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use typerpc::service::{Before, Interceptor};
use typerpc::{Context, Server};

use crate::activity::ActivityLog;
use crate::app::{app, Gateway};
use crate::backends::inventory::{self, Inventory};
use crate::backends::order::OrderService;
use crate::backends::payment::PaymentService;
use crate::backends::product::ProductService;
use crate::backends::user::UserService;
use crate::clients::{Backends, ServiceClients};

/// The backends, by the name their subcommand has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `user.v1.UserService`, gRPC.
    User,
    /// `product.v1.ProductService`, Connect.
    Product,
    /// The inventory REST API.
    Inventory,
    /// Pattern 1's recommendation service.
    Recommendation,
    /// `payment.v1.PaymentService`, gRPC.
    Payment,
    /// `order.v1.OrderService`, gRPC.
    Order,
}

impl Backend {
    /// Every backend.
    pub const ALL: [Backend; 6] = [
        Backend::User,
        Backend::Product,
        Backend::Inventory,
        Backend::Recommendation,
        Backend::Payment,
        Backend::Order,
    ];

    /// Its name on the command line and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::User => "user",
            Backend::Product => "product",
            Backend::Inventory => "inventory",
            Backend::Recommendation => "recommendation",
            Backend::Payment => "payment",
            Backend::Order => "order",
        }
    }
}

/// Adds `delay` before every call: a slow backend, on demand.
struct Latency(Duration);

impl Interceptor for Latency {
    fn before<'a>(&'a self, _ctx: &'a Context) -> Before<'a> {
        let delay = self.0;
        Before::wait(async move {
            tokio::time::sleep(delay).await;
            Ok(())
        })
    }
}

/// The server of an RPC backend (every one but the inventory, which is
/// REST), each call delayed by `delay`; each serves its OpenAPI document
/// at `/openapi.json` and a docs page at `/docs`.
pub fn backend_server(backend: Backend, delay: Duration) -> Option<Server> {
    let server = match backend {
        Backend::User => Server::new().add(UserService::new(delay)),
        Backend::Product => Server::new().add(ProductService::new(delay)),
        Backend::Payment => Server::new().add(PaymentService::new(delay)),
        Backend::Order => Server::new().add(OrderService::new(delay)),
        // Pattern 1's own server, documents included.
        Backend::Recommendation if delay.is_zero() => return Some(recommendation::server()),
        Backend::Recommendation => {
            let server = recommendation::server();
            return Some(server.configure(|router| router.intercept(Latency(delay))));
        }
        Backend::Inventory => return None,
    };
    Some(server.configure(|router| router.with_openapi("/openapi.json").with_docs("/docs")))
}

/// Serves `backend` on `listener` until `shutdown`, each call delayed by
/// `delay`.
pub async fn serve_backend(
    backend: Backend,
    listener: TcpListener,
    delay: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let Some(server) = backend_server(backend, delay) else {
        let app = inventory::app(Arc::new(Inventory::new(delay)));
        return axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| e.to_string());
    };
    server
        .serve_on(listener, shutdown)
        .await
        .map_err(|e| e.to_string())
}

/// Serves the gateway over `backends` on `listener` until `shutdown`.
pub async fn serve_gateway(
    listener: TcpListener,
    backends: &Backends,
    default_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let gateway = Arc::new(Gateway {
        clients: ServiceClients::new(backends)?,
        activity: ActivityLog::new(Duration::from_millis(20)),
    });
    axum::serve(listener, app(gateway, default_timeout))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| e.to_string())
}

/// Starts every backend in this process on free loopback ports; where
/// they listen.
pub async fn spawn_backends() -> Result<Backends, String> {
    let mut addrs = Vec::new();
    for backend in Backend::ALL {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen for the {} backend: {e}", backend.name()))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        eprintln!("gateway: {} backend on {addr}", backend.name());
        addrs.push(addr.to_string());
        tokio::spawn(async move {
            let forever = std::future::pending::<()>();
            if let Err(e) = serve_backend(backend, listener, Duration::ZERO, forever).await {
                eprintln!("gateway: the {} backend stopped: {e}", backend.name());
            }
        });
    }
    let mut addrs = addrs.into_iter();
    let mut next = || addrs.next().unwrap_or_default();
    Ok(Backends {
        user: next(),
        product: next(),
        inventory: next(),
        recommendation: next(),
        payment: next(),
        order: next(),
    })
}
