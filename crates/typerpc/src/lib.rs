#![doc = include_str!("../docs/tour/00-intro.md")]
#![doc = include_str!("../docs/tour/01-messages.md")]
#![doc = include_str!("../docs/tour/02-services.md")]
#![doc = include_str!("../docs/tour/03-serving.md")]
#![doc = include_str!("../docs/tour/04-clients.md")]
#![doc = include_str!("../docs/tour/05-errors.md")]
#![doc = include_str!("../docs/tour/06-streaming.md")]
#![doc = include_str!("../docs/tour/07-validation.md")]
#![doc = include_str!("../docs/tour/08-testing.md")]
#![doc = include_str!("../docs/tour/09-deployment.md")]
#![doc = include_str!("../docs/tour/10-interceptors.md")]
#![doc = include_str!("../docs/tour/11-layers.md")]
#![warn(missing_docs)]

// Lets the derive's `::typerpc::...` paths work inside this crate too.
extern crate self as typerpc;

pub mod client;
pub mod health;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod message;
#[cfg(feature = "prometheus")]
pub mod metrics;
pub mod openapi;
#[cfg(feature = "otel")]
pub mod otel;
pub mod protocol;
pub mod reflection;
pub mod schema;
pub mod server;
pub mod service;
pub mod status;
mod tcp;
pub mod testing;
pub mod validate;

pub use client::Client;
pub use futures_util::stream;
pub use futures_util::Stream;
/// The `http` crate, whose header, method and status types typerpc's API
/// uses: no separate dependency needed to set a header.
pub use http;
pub use message::json::{JsonError, JsonOptions};
pub use message::traits::{Enumeration, Message, Oneof};
pub use message::wkt::{
    Any, Duration, Empty, ListValue, NullValue, Struct, Timestamp, TypeRegistry, Value,
};
pub use prost::DecodeError;
pub use server::{Error, Router, Server};
pub use service::{Context, RequestStream, ResponseStream};
pub use status::{Code, Status};
pub use typerpc_macros::{service, Message};

/// What the derive macros expand to. Not a public API: it may change in any
/// release.
#[doc(hidden)]
pub mod __private {
    pub use crate::message::derive_support::{
        check_numbers, decode_enum, decode_error, field_order, merge_message, number_problem,
        numbers_ascending, parse_enum_json, write_enum_json, FieldNumbers,
        NUMBER_PROTOBUF_RESERVED, NUMBER_RESERVED, NUMBER_TAKEN, NUMBER_TOO_LARGE, NUMBER_ZERO,
    };
    pub use crate::message::field::{
        delimited_len, encode_key, key_len, Field, MapKey, OptionalField, ProtoValue,
    };
    pub use crate::validate::rules;
    pub use crate::validate::{Checker, Nested};
    pub use bytes::{Buf, BufMut};
    pub use prost;
    pub use prost::encoding::{
        encode_varint, encoded_len_varint, skip_field, DecodeContext, WireType,
    };
    pub use regex::Regex;
    pub use std::sync::OnceLock;
}
