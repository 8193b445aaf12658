//! The messages and service schema of `grpc.health.v1` (gRPC's
//! `grpc/health/v1/health.proto`), written as typerpc types.
//!
//! Names, numbers and nesting equal the official file; a test compiles
//! that file with protox and compares the descriptors field by field.

use std::collections::HashMap;

use crate::Message;

/// The `.proto` file the health types and service belong to.
pub const FILE: &str = "grpc/health/v1/health.proto";

/// The package of the health types and service.
pub const PACKAGE: &str = "grpc.health.v1";

/// The full name of the health service.
pub const SERVICE_NAME: &str = "grpc.health.v1.Health";

/// Asks for the status of one service; the empty name asks for the
/// server as a whole.
#[derive(Message, Clone, Debug, PartialEq, Eq)]
#[rpc(package = "grpc.health.v1", file = "grpc/health/v1/health.proto")]
pub struct HealthCheckRequest {
    /// The full service name (`package.Service`), or `""` for the server.
    pub service: String,
}

/// The status of the service asked about.
#[derive(Message, Clone, Debug, PartialEq, Eq)]
#[rpc(package = "grpc.health.v1", file = "grpc/health/v1/health.proto")]
pub struct HealthCheckResponse {
    /// The current status.
    pub status: ServingStatus,
}

/// Whether a service is serving (`HealthCheckResponse.ServingStatus`).
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(
    package = "grpc.health.v1",
    file = "grpc/health/v1/health.proto",
    name = "HealthCheckResponse.ServingStatus"
)]
pub enum ServingStatus {
    /// Not known (the zero value; never set by a server on purpose).
    #[rpc(name = "UNKNOWN")]
    Unknown,
    /// Serving requests.
    #[rpc(name = "SERVING")]
    Serving,
    /// Not serving requests (starting, overloaded or shutting down).
    #[rpc(name = "NOT_SERVING")]
    NotServing,
    /// Used only by `Watch`: the server does not know the service.
    #[rpc(name = "SERVICE_UNKNOWN")]
    ServiceUnknown,
}

/// Asks for the status of every known service (`List`).
#[derive(Message, Clone, Debug, PartialEq, Eq)]
#[rpc(package = "grpc.health.v1", file = "grpc/health/v1/health.proto")]
pub struct HealthListRequest {}

/// The status of every known service, by name (`""` for the server).
#[derive(Message, Clone, Debug, PartialEq, Eq)]
#[rpc(package = "grpc.health.v1", file = "grpc/health/v1/health.proto")]
pub struct HealthListResponse {
    /// The statuses by service name.
    pub statuses: HashMap<String, HealthCheckResponse>,
}
