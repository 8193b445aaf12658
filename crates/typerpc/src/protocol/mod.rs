//! The protocol layer: one pipeline speaks Connect, gRPC and gRPC-Web.
//!
//! It owns the call from the moment the router found a method until the
//! last byte of the response: the body type, reading bodies within the
//! limits, and a small `Config` (limits and JSON options),
//! not the router's state. It knows services only as type-erased
//! [`Method`](crate::service::Method)s that decode and encode their own
//! messages, so the same pipeline serves methods known at compile time and
//! methods described at run time.
//!
//! - `wire`: each protocol described once, for server and client: content
//!   types, the timeout and compression headers, recognising a request;
//! - `pipeline`: the server's one pipeline for every protocol and shape,
//!   with the interceptors around the handler (`observe` counts for them);
//! - `grpc`, `connect`: what differs between the protocols on the server;
//! - `unary_read`: the one message of a unary request, out of its body;
//! - `request_reader`, `response_writer`: enveloped messages in and out;
//! - `refusals`: the HTTP answers to requests no protocol accepts.
//!
//! The pieces they share are pure functions with a file each, and know
//! nothing of HTTP servers or user types:
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

pub mod body;
pub(crate) mod body_timer;
#[doc(hidden)]
pub mod compression;
pub(crate) mod config;
pub(crate) mod connect;
#[doc(hidden)]
pub mod connect_error;
#[doc(hidden)]
pub mod envelope;
pub(crate) mod grpc;
#[doc(hidden)]
pub mod grpc_status;
pub(crate) mod observe;
pub(crate) mod pipeline;
pub(crate) mod refusals;
pub(crate) mod request_reader;
pub(crate) mod response_writer;
#[doc(hidden)]
pub mod timeout;
pub(crate) mod unary_read;
pub(crate) mod web_text;
pub(crate) mod wire;
mod zstd_contexts;

pub use body::RpcBody;
pub use config::Limits;
