//! Per-call options: a deadline, request metadata and compression.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::protocol::compression::Compression;
use crate::protocol::grpc_status::encode_bin;

/// Options for one call, given to the `_with` methods of a generated
/// client (or to [`Client::unary`](super::Client::unary) and friends).
///
/// ```
/// use std::time::Duration;
/// use typerpc::client::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_millis(250))
///     .header("x-request-id", "42")
///     .binary_header("x-trace-bin", &[1, 2, 3]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) headers: HeaderMap,
    pub(crate) compression: Option<Compression>,
    pub(crate) get: Option<bool>,
}

impl CallOptions {
    /// No options: the client's defaults apply.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// The call's deadline, from when it starts. Sent to the server
    /// (`grpc-timeout`, `Connect-Timeout-Ms`) and enforced here too: when
    /// it passes the call fails with `deadline_exceeded` whether or not
    /// the server noticed. Replaces the client's default timeout.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Adds a request header (metadata). Invalid names or values are
    /// ignored; use [`headers_mut`](Self::headers_mut) to handle them.
    pub fn header(mut self, name: &str, value: &str) -> CallOptions {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(name, value);
        }
        self
    }

    /// Adds binary metadata: `name` must end in `-bin`; the value is sent
    /// in base64, as the protocols require.
    pub fn binary_header(mut self, name: &str, value: &[u8]) -> CallOptions {
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            self.headers.append(name, encode_bin(value));
        }
        self
    }

    /// The request headers, to add or remove any.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// Compresses this call's request messages (replacing the client's
    /// setting). Small messages are sent as they are.
    pub fn compression(mut self, compression: Compression) -> CallOptions {
        self.compression = Some(compression);
        self
    }

    /// Connect only: calls an idempotent unary method with HTTP GET (so
    /// caches and CDNs can serve it), or not (replacing the client's
    /// setting). Methods not marked `#[rpc(idempotent)]` always use POST.
    pub fn connect_get(mut self, get: bool) -> CallOptions {
        self.get = Some(get);
        self
    }
}
