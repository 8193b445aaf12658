//! proto3 JSON: a streaming writer and a pull parser.
//!
//! Generated code (`#[derive(Message)]`) and the well-known types drive
//! these directly, field by field, so JSON goes to and from Rust values
//! without an intermediate tree. The writer emits protobuf's canonical
//! form (64-bit integers quoted, `bytes` as base64, NaN and the infinities
//! as strings); the parser accepts everything the proto3 JSON mapping
//! allows, such as numbers given as strings and unpadded or URL-safe
//! base64.

mod decimal;
mod error;
mod lexer;
mod numbers;
mod options;
mod parser;
mod path;
mod path_stack;
mod skip;
mod writer;

#[cfg(test)]
mod roundtrip_tests;

pub use error::JsonError;
pub use options::JsonOptions;
pub use parser::{JsonKind, JsonParser};
pub use writer::JsonWriter;
