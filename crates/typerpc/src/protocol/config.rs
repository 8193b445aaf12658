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
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub limits: Limits,
    /// How JSON calls encode: the JSON options (the `Any` registry of
    /// every type the router knows), held as the format calls borrow.
    json: Format,
    /// How long a request body may stall (see
    /// [`Router::request_body_timeout`](crate::Router::request_body_timeout)).
    pub body_timeout: Option<std::time::Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            json: Format::Json(Arc::new(JsonOptions::default())),
            body_timeout: None,
        }
    }
}

impl Config {
    /// How the method layer encodes messages for `codec`. Borrowed: a
    /// call's handler borrows it rather than sharing the JSON options.
    pub(crate) fn format(&self, codec: crate::service::Codec) -> &Format {
        const PROTO: &Format = &Format::Proto;
        match codec {
            crate::service::Codec::Proto => PROTO,
            crate::service::Codec::Json => &self.json,
        }
    }

    /// Sets the JSON options.
    pub(crate) fn set_json(&mut self, options: JsonOptions) {
        self.json = Format::Json(Arc::new(options));
    }
}
