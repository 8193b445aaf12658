//! The backends the gateway aggregates, each a service of its own that
//! runs in its own process (`gateway user --addr ...`) or, for the quick
//! start, all in the gateway's process.
//!
//! | backend | protocol the gateway speaks to it | methods |
//! |---|---|---|
//! | user | gRPC | `user.v1.UserService/GetUser` |
//! | product | Connect JSON | `product.v1.ProductService/GetBulkProducts` |
//! | inventory | plain REST | `GET /inventory?ids=a,b`, `POST /inventory/reserve` |
//! | recommendation | Connect JSON | Pattern 1's `GetTrending` |
//! | payment | gRPC | `payment.v1.PaymentService/ProcessPayment` |
//! | order | gRPC | `order.v1.OrderService/CreateOrder` |
//!
//! Every backend also answers `grpc.health.v1.Health`, which the
//! gateway's `/health` asks. Each takes a delay (`--delay-ms`) added to
//! every call, to show what a slow backend does to the gateway.

pub mod inventory;
pub mod order;
pub mod payment;
pub mod product;
pub mod user;

use std::time::Duration;

/// Waits `delay`, the artificial latency of a backend (none by default).
pub(crate) async fn simulate_latency(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}
