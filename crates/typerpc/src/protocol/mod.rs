//! The protocol layer: one handler speaks Connect, gRPC and gRPC-Web.
//!
//! `dispatch` picks the protocol from the HTTP method and content type;
//! `connect` and `grpc` (gRPC and gRPC-Web in one file, with a `web`
//! switch) serve the call. The pieces they share have a file each:
//! envelopes, compression, timeouts, and the error mappings
//! ([`connect_error`], [`grpc_status`]). The protocol layer never sees
//! user types: it hands bytes to a type-erased method.

pub mod compression;
pub(crate) mod connect;
pub mod connect_error;
pub(crate) mod dispatch;
pub mod envelope;
pub(crate) mod grpc;
pub mod grpc_status;
pub mod timeout;
