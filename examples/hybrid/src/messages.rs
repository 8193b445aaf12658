//! The seed's models, as typerpc messages: what the partner and internal
//! services take and return. The public REST API speaks the same shapes
//! in plain JSON.

use typerpc::Message;

/// Wrapper for data payload.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "partnerconnect.v1")]
pub struct DataPayload {
    /// The data, as a JSON string.
    #[rpc(max_len = 65536)]
    pub content: String,
    /// Free-form metadata.
    pub metadata: Option<String>,
}

/// What to process.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "partnerconnect.v1")]
pub struct ProcessRequest {
    /// The payload.
    pub data: Option<DataPayload>,
    /// `low`, `normal` (when absent) or `high`.
    pub priority: Option<String>,
}

/// Result wrapper.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "partnerconnect.v1")]
pub struct ProcessResult {
    /// `Processed: ` and the content.
    pub processed_content: String,
    /// When it was processed (RFC 3339).
    pub timestamp: String,
    /// The processor's count of requests, this one included.
    pub request_number: u32,
}

/// The answer of every front door.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "partnerconnect.v1")]
pub struct ProcessResponse {
    /// What the processor made of the data.
    pub result: Option<ProcessResult>,
    /// How long processing took, in milliseconds.
    pub processing_time_ms: f64,
    /// `REST`, `Connect-RPC` or `gRPC`.
    pub protocol: String,
}

/// The processor's counters.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "internal.v1")]
pub struct Stats {
    /// Requests processed, through every door.
    pub total_requests: u32,
    /// Of which through the public REST API.
    pub rest_requests: u32,
    /// Of which through the partner Connect service.
    pub connect_requests: u32,
    /// Of which through the internal gRPC service.
    pub grpc_requests: u32,
    /// Calls refused by a rate limit, on any door.
    pub rate_limited: u32,
    /// Seconds since the process started.
    pub uptime_seconds: f64,
}

/// How long to wait before trying again (`google.rpc.RetryInfo`), sent as
/// a detail of a `resource_exhausted` error.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc")]
pub struct RetryInfo {
    /// The time to wait.
    pub retry_delay: Option<typerpc::Duration>,
}
