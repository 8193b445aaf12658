//! Serving: the [`Router`] (a `tower::Service`) and the [`Server`] that
//! runs it on a port.

mod admin;
mod cors;
mod docs;
mod index;
// Only the `mcp` feature mounts anything so far.
#[cfg_attr(not(feature = "mcp"), allow(dead_code))]
pub(crate) mod mount;
pub(crate) mod router;
mod serve;
mod settings;
mod tls;
mod watchdog;

pub use crate::protocol::{Limits, RpcBody};
pub use crate::service::{PeerAddr, PeerCertificates};
pub use cors::Cors;
pub use router::{Router, RouterFuture};
pub use serve::{
    shutdown_signal, ConnectionSettings, Error, LayerError, LayeredBody, LayeredService, Server,
    DEFAULT_ADDR,
};
pub use tls::{TlsConfig, TlsError};
