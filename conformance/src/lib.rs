//! The Connect conformance suite's protocol, `connectrpc.conformance.v1`,
//! written as typerpc types, and a server under test written with
//! typerpc.
//!
//! Every message and enum of the official `.proto` files (kept under
//! `proto/connectrpc/conformance/v1/` as the oracle) is a plain Rust type
//! here, one module per official file, all re-exported from [`types`] and
//! from the crate root. `tests/schema_matches_official.rs` checks that the
//! `.proto` typerpc renders from these types compiles to the same
//! descriptors as the official files: names, numbers, types, labels, oneofs,
//! JSON names, nesting and enum values.
//!
//! Nested proto types (`ConformancePayload.RequestInfo`) are Rust types
//! named by joining the path (`ConformancePayloadRequestInfo`); acronyms
//! follow Rust style (`HttpVersion` is the proto `HTTPVersion`). Oneofs are
//! Rust enums named after their message and oneof
//! (`UnaryResponseDefinitionResponse`).
//!
//! [`server`] holds `ConformanceService`, a `#[service]` impl over these
//! types that answers every RPC as the suite's response definitions say,
//! and the start-up the suite's runner expects (a size-delimited
//! `ServerCompatRequest` on stdin, a `ServerCompatResponse` on stdout).
//! The binary `typerpc-conformance-server` puts the two together; the
//! README beside this crate says how to run the official runner against
//! it.
//!
//! [`client`] is the client under test: each `ClientCompatRequest` the
//! runner sends becomes a call through typerpc's `Client`, reported back as
//! a `ClientCompatResponse`; the binary `typerpc-conformance-client` reads
//! the requests from stdin and writes the answers to stdout.

pub mod client;
pub mod server;
pub mod types;

pub use server::ConformanceService;

pub use types::*;
