//! OpenTelemetry, with the `otel` feature: traces and RPC metrics exported
//! over OTLP, configured by the standard `OTEL_*` environment variables,
//! and W3C trace context carried across calls.
//!
//! ```no_run
//! use tracing_subscriber::layer::SubscriberExt;
//! use tracing_subscriber::util::SubscriberInitExt;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES...
//! let otel = typerpc::otel::Otel::from_env("payment-service")?;
//! tracing_subscriber::registry()
//!     .with(tracing_subscriber::EnvFilter::new("info"))
//!     .with(tracing_subscriber::fmt::layer())
//!     .with(otel.layer())
//!     .init();
//! // ... serve, with `.configure(|r| r.intercept(typerpc::otel::RpcMetrics::server()))`
//! // for rpc.server.duration and friends ...
//! otel.shutdown(); // flushes what is left
//! # Ok(())
//! # }
//! ```
//!
//! What is built on what:
//!
//! - **Spans** are typerpc's `tracing` spans (see
//!   [`telemetry`](crate::service::telemetry)), turned into OpenTelemetry
//!   spans by `tracing-opentelemetry`'s layer ([`Otel::layer`]): the names,
//!   kinds, statuses and attributes of the RPC semantic conventions, and
//!   the application's own spans as children.
//! - **Propagation**: the server continues the trace of an incoming
//!   `traceparent` (with `tracestate` and `baggage`); the client writes the
//!   current one on every call. A malformed `traceparent` is ignored: the
//!   call is served as the root of a new trace.
//! - **Export** over OTLP/HTTP with protobuf (`opentelemetry-otlp`), to
//!   `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`), in
//!   batches from a thread of its own (`OTEL_BSP_*`). A collector that is
//!   down or slow never slows or fails a call: spans wait in a bounded
//!   queue and are dropped when it is full; spans whose export failed are
//!   counted ([`Otel::spans_dropped`]) and the first failure is logged as a
//!   warning once, not per call.
//! - **Metrics**: [`RpcMetrics`] records the conventions' `rpc.server.*`
//!   (or, on a client, `rpc.client.*`) instruments through the
//!   OpenTelemetry metrics API, exported every
//!   `OTEL_METRIC_EXPORT_INTERVAL` milliseconds.
//!
//! `OTEL_SDK_DISABLED=true` turns export off (propagation stays).

mod export;
mod metrics;
mod setup;

pub use export::ExportHealth;
pub use metrics::{ClientRpcMetrics, RpcMetrics};
pub use setup::{Otel, OtelError};
