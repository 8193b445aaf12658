//! Prometheus metrics for every call, with the `prometheus` feature: call
//! counts by method and code, a duration histogram, calls in flight,
//! messages and their sizes, and the `/metrics` endpoint Prometheus
//! scrapes, on the server's port or on an admin port.
//!
//! ```no_run
//! # use typerpc::{service, Message, Status};
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
//! # pub struct EchoService;
//! # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
//! # async fn run() -> Result<(), typerpc::Error> {
//! use typerpc::metrics::Prometheus;
//!
//! let metrics = Prometheus::new();
//! typerpc::Server::new()
//!     .add(EchoService)
//!     .metrics(&metrics) // GET /metrics on the same port
//!     .serve()
//!     .await
//! # }
//! ```
//!
//! The series, labelled `rpc_system` (`grpc` or `connect_rpc`),
//! `rpc_service` and `rpc_method` (and `code` on the first):
//!
//! | series | kind | what |
//! |---|---|---|
//! | `rpc_server_requests_total` | counter | calls handled, by `code` (`ok`, `not_found`, ...) |
//! | `rpc_server_duration_seconds` | histogram | from routing to the last byte handed to the connection |
//! | `rpc_server_in_flight` | gauge | calls started and not yet over |
//! | `rpc_server_request_messages_total`, `rpc_server_response_messages_total` | counter | messages each way |
//! | `rpc_server_request_size_bytes`, `rpc_server_response_size_bytes` | histogram | bytes of messages per call, uncompressed |
//!
//! The metrics are kept by `prometheus-client`, which also writes the
//! exposition: OpenMetrics text for scrapers that ask for it (Prometheus
//! does), the classic text format 0.0.4 for the others. Add your own through
//! [`Prometheus::registry`].

mod exposition;
mod prometheus;

pub use self::prometheus::Prometheus;
