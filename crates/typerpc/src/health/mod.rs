//! gRPC health checking (`grpc.health.v1`): the messages, the service
//! schema and the state the server reports.
//!
//! [`HealthReporter`] holds the statuses: one for the server as a whole
//! (the empty service name) and one per service, changed from code at any
//! time and followed by `Watch` calls through [`HealthWatch`]. The server
//! marks everything `NOT_SERVING` when graceful shutdown starts
//! ([`HealthReporter::shutdown`]) so load balancers drain it.

mod companion;
mod messages;
mod probe;
mod reporter;
mod service;

pub use messages::{
    HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse, ServingStatus,
    FILE, PACKAGE, SERVICE_NAME,
};
pub use reporter::{HealthReporter, HealthWatch};
pub(crate) use service::HealthService;

/// The schema of `grpc.health.v1.Health` (`Check`, `List`, `Watch`), for
/// reflection and `.proto` export.
pub fn service_schema() -> &'static crate::schema::model::ServiceSchema {
    <HealthService as crate::service::Service>::schema()
}
