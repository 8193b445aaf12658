//! What the protocol layer needs to know of the router that calls it: the
//! size limits and the JSON options. Nothing else of the router's state
//! reaches a protocol.

use std::sync::Arc;

use crate::message::json::JsonOptions;
use crate::service::Format;

/// Size limits applied to every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest message accepted, before and after decompression
    /// (default 4 MiB, as gRPC's default).
    pub max_message_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 4 * 1024 * 1024,
        }
    }
}

/// The protocol settings of a router.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    pub limits: Limits,
    /// JSON options (the `Any` registry of every type the router knows).
    pub json: Arc<JsonOptions>,
    /// How long a request body may stall (see
    /// [`Router::request_body_timeout`](crate::Router::request_body_timeout)).
    pub body_timeout: Option<std::time::Duration>,
}

impl Config {
    /// How the method layer encodes messages for `codec`.
    pub(crate) fn format(&self, codec: crate::service::Codec) -> Format {
        match codec {
            crate::service::Codec::Proto => Format::Proto,
            crate::service::Codec::Json => Format::Json(Arc::clone(&self.json)),
        }
    }
}
