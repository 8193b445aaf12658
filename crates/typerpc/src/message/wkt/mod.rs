//! The protobuf well-known types that typerpc maps Rust types to.
//!
//! | Rust | proto |
//! |---|---|
//! | [`Timestamp`] | `google.protobuf.Timestamp` (RFC 3339 in JSON) |
//! | [`Duration`] | `google.protobuf.Duration` (`"1.5s"` in JSON) |
//! | [`Struct`], [`Value`], [`ListValue`] | free-form JSON |
//! | [`Any`] | `google.protobuf.Any` (`@type` in JSON, through a [`TypeRegistry`]) |
//! | [`Empty`] and `()` | `google.protobuf.Empty` |

mod any;
mod duration;
mod empty;
mod registry;
mod structs;
mod time_json;
mod timestamp;

pub use any::{Any, AnyError, TYPE_URL_PREFIX};
pub use duration::{Duration, DurationError};
pub use empty::Empty;
pub use registry::TypeRegistry;
pub use structs::{ListValue, NullValue, Struct, Value};
pub use timestamp::{Timestamp, TimestampError};

use crate::message::json::{JsonError, JsonParser, JsonWriter};

/// A message whose proto3 JSON form is not an object of its fields (the
/// well-known types). `#[rpc(custom_json)]` makes the derive call this.
#[doc(hidden)]
pub trait CustomJson {
    /// Writes the JSON form.
    fn write_custom_json(&self, w: &mut JsonWriter<'_>);
    /// Reads the JSON form.
    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError>;
}
