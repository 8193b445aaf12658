//! typerpc: an RPC framework in which your Rust types are the schema.
//!
//! Derive [`Message`] on plain structs and enums; typerpc gives them the
//! protobuf binary format, proto3 JSON and a schema that renders to `.proto`
//! text and descriptors, with no `.proto` input, no `protoc` and no build
//! script.
//!
//! # Layers
//!
//! The modules form layers; each uses only those below it (a test,
//! `tests/layers.rs`, fails on an import from above). Bottom to top:
//!
//! | layer | modules | what it knows |
//! |---|---|---|
//! | schema | [`schema`] | services, messages and fields as data; `.proto` text and descriptors |
//! | message | [`message`] | the binary and JSON wire formats, well-known types, the constraint vocabulary |
//! | status | [`status`] | [`Status`] and [`Code`] |
//! | validate | [`validate`] | request checks and `google.rpc.BadRequest` |
//! | service | [`service`](mod@service) | type-erased methods, the [`Context`], interceptors, the call's facts |
//! | protocol | [`protocol`] | gRPC, gRPC-Web and Connect: one server pipeline, the wire described once |
//! | client | [`client`] | calls over any `tower::Service` transport |
//! | router | [`Router`] | the method table, interceptor scopes, CORS, companions |
//! | health | [`health`] | `grpc.health.v1`, attached to a router as a companion |
//! | reflection | [`reflection`] | `grpc.reflection`, likewise |
//! | serve | [`Server`] | hyper, TLS, layers, graceful shutdown, health and reflection on by default |
//! | testing | [`testing`] | servers on loopback ports for tests |
//!
//! A protocol never sees a user type, the router never sees a wire
//! format, and health and reflection are services like any other: the
//! router learns of them only as companions that follow its services.
#![warn(missing_docs)]

// Lets the derive's `::typerpc::...` paths work inside this crate too.
extern crate self as typerpc;

pub mod client;
pub mod health;
pub mod message;
pub mod protocol;
pub mod reflection;
pub mod schema;
pub mod server;
pub mod service;
pub mod status;
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
