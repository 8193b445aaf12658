//! How the gateway reaches its backends: one typerpc client per backend,
//! each with the features a gateway needs from its client, all in
//! typerpc's client rather than here:
//!
//! - the deadline of the request being served bounds every backend call
//!   (see [`crate::deadline`]);
//! - a connect timeout and a timeout per call;
//! - retries with backoff and jitter for idempotent methods that fail
//!   with `unavailable`, within the deadline;
//! - load balancing over several addresses of one backend (a list), or
//!   over what a DNS name resolves to, re-resolved every 10 s.

use std::net::SocketAddr;
use std::time::Duration;

use recommendation::RecommendationServiceClient;
use typerpc::client::{Balance, Codec, HttpVersion, Protocol, Retry};
use typerpc::Client;

use crate::backends::order::OrderServiceClient;
use crate::backends::payment::PaymentServiceClient;
use crate::backends::product::ProductServiceClient;
use crate::backends::user::UserServiceClient;
use crate::inventory_client::InventoryClient;

/// Where each backend listens: `HOST:PORT`, several separated by commas
/// (load balanced), or a DNS name and port (every address it resolves to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backends {
    /// The user service (gRPC).
    pub user: String,
    /// The product service (Connect JSON).
    pub product: String,
    /// The inventory service (REST); one address.
    pub inventory: String,
    /// The recommendation service (Connect JSON).
    pub recommendation: String,
    /// The payment service (gRPC).
    pub payment: String,
    /// The order service (gRPC).
    pub order: String,
}

/// The clients of every backend.
#[derive(Clone, Debug)]
pub struct ServiceClients {
    /// User service, over gRPC.
    pub user: UserServiceClient,
    /// Product service, over Connect with JSON, as the seed's httpx call.
    pub product: ProductServiceClient,
    /// Inventory, over REST.
    pub inventory: InventoryClient,
    /// Recommendation service, over Connect with JSON.
    pub recommendation: RecommendationServiceClient,
    /// Payment service, over gRPC.
    pub payment: PaymentServiceClient,
    /// Order service, over gRPC.
    pub order: OrderServiceClient,
    /// Each backend's client, named as `/health` reports it, for health
    /// checks.
    pub health: Vec<(&'static str, Client)>,
}

/// The longest a backend call may take when the request gives less time.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(2);

impl ServiceClients {
    /// Clients for `backends`; an address that cannot be used is an
    /// error naming the backend.
    pub fn new(backends: &Backends) -> Result<ServiceClients, String> {
        let grpc = |name: &str, target: &str| client(name, target, Protocol::Grpc);
        let connect = |name: &str, target: &str| client(name, target, Protocol::Connect);
        let user = grpc("user", &backends.user)?;
        let product = connect("product", &backends.product)?;
        let recommendation = connect("recommendation", &backends.recommendation)?;
        let payment = grpc("payment", &backends.payment)?;
        let order = grpc("order", &backends.order)?;
        let inventory_health = grpc("inventory", &backends.inventory)?;
        let inventory_url = format!("http://{}", first_address(&backends.inventory));
        Ok(ServiceClients {
            user: UserServiceClient::new(user.clone()),
            product: ProductServiceClient::new(product.clone()),
            inventory: InventoryClient::new(&inventory_url, CALL_TIMEOUT),
            recommendation: RecommendationServiceClient::new(recommendation.clone()),
            payment: PaymentServiceClient::new(payment.clone()),
            order: OrderServiceClient::new(order.clone()),
            health: vec![
                ("user_service", user),
                ("product_service", product),
                ("inventory_service", inventory_health),
                ("recommendation_service", recommendation),
                ("payment_service", payment),
                ("order_service", order),
            ],
        })
    }
}

fn first_address(target: &str) -> &str {
    target.split(',').next().unwrap_or(target).trim()
}

/// A client of one backend at `target`, speaking `protocol`.
fn client(name: &str, target: &str, protocol: Protocol) -> Result<Client, String> {
    let addrs: Result<Vec<SocketAddr>, _> = target.split(',').map(|a| a.trim().parse()).collect();
    let (url, balance) = match addrs {
        Ok(addrs) if !addrs.is_empty() => {
            (format!("http://{}", addrs[0]), Balance::addresses(addrs))
        }
        // A name: every address it resolves to.
        _ => (
            format!("http://{}", target.trim()),
            Balance::dns().refresh_every(Duration::from_secs(10)),
        ),
    };
    let mut builder = Client::builder(&url)
        .protocol(protocol)
        .timeout(CALL_TIMEOUT)
        .connect_timeout(Duration::from_millis(500))
        .balance(balance.skip_failed_for(Duration::from_millis(500)))
        .intercept(
            Retry::new()
                .max_attempts(6)
                .initial_backoff(Duration::from_millis(50))
                .max_backoff(Duration::from_millis(400)),
        );
    if protocol == Protocol::Connect {
        // As the seed's httpx calls: JSON over HTTP/1.1.
        builder = builder.codec(Codec::Json).http_version(HttpVersion::Http1);
    }
    builder
        .build()
        .map_err(|e| format!("the {name} service at {target:?}: {e}"))
}
