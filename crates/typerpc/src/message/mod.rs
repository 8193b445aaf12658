//! The message runtime: the protobuf binary wire format, proto3 JSON and the
//! well-known types, for types that derive [`Message`](crate::Message).

pub(crate) mod constraints;
pub mod field;
pub mod json;
pub mod traits;
pub mod wkt;

pub(crate) mod derive_support;
mod map;
mod repeated;
mod scalar;
mod value_field;
