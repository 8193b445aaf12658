//! The protocol layer: one handler speaks Connect, gRPC and gRPC-Web.
//!
//! `dispatch` picks the protocol from the HTTP method and content type;
//! `connect` and `grpc` (gRPC and gRPC-Web in one file, with a `web`
//! switch) serve the call. The pieces they share are pure functions with a
//! file each, and know nothing of HTTP servers or user types:
//!
//! - `envelope`: the 5-byte frame of gRPC, gRPC-Web and Connect streaming,
//!   and an incremental decoder that enforces the message size limit
//!   before it buffers a payload;
//! - `compression`: identity, gzip and zstd, header parsing and
//!   negotiation, and decompression bounded by the size limit;
//! - `timeout`: `grpc-timeout` and `Connect-Timeout-Ms`;
//! - `connect_error`: Connect's JSON error body and end-of-stream message;
//! - `grpc_status`: a status in `grpc-status` / `grpc-message` /
//!   `grpc-status-details-bin`, and `-bin` metadata.
//!
//! # Visibility
//!
//! Those five modules are public so that typerpc's clients, its black-box
//! tests and the conformance crate can speak the wire format exactly as
//! the server does, but they are hidden from the documentation and not
//! part of the stable API: what users rely on is [`Status`](crate::Status)
//! and [`Code`](crate::Code), which every protocol maps to and from. The
//! serving modules stay private to the crate.

#[doc(hidden)]
pub mod compression;
pub(crate) mod connect;
#[doc(hidden)]
pub mod connect_error;
pub(crate) mod connect_stream;
pub(crate) mod dispatch;
#[doc(hidden)]
pub mod envelope;
pub(crate) mod grpc;
#[doc(hidden)]
pub mod grpc_status;
pub(crate) mod request_reader;
pub(crate) mod response_writer;
#[doc(hidden)]
pub mod timeout;
pub(crate) mod web_text;
