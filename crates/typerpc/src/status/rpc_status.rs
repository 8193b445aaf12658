//! `google.rpc.Status`: how a status with details travels in binary
//! (`grpc-status-details-bin`).

/// `google.rpc.Status`.
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/status.proto")]
pub struct RpcStatus {
    /// The gRPC code number.
    pub code: i32,
    /// The developer-facing message.
    pub message: String,
    /// Typed details.
    pub details: Vec<crate::Any>,
}
