//! The Connect conformance suite's protocol, `connectrpc.conformance.v1`,
//! written as typerpc types.
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
//! (`UnaryResponseDefinitionResponse`). Services are not part of this crate
//! yet.

pub mod types;

pub use types::*;
