//! Serving: the [`Router`] (a `tower::Service`) and the [`Server`] that
//! runs it on a port.

mod admin;
mod call_limit;
mod cors;
mod docs;
mod due_sleep;
pub(crate) mod endpoint;
mod fallback;
mod http2_frames;
mod index;
mod route_table;
pub(crate) mod router;
mod serve;
mod settings;
mod tls;
mod watchdog;

pub use crate::protocol::{Limits, RpcBody};
pub use crate::service::{PeerAddr, PeerCertificates};
pub use cors::Cors;
pub use fallback::{FallbackBody, FallbackService};
pub use router::{Router, RouterFuture};
pub use serve::{
    shutdown_signal, ConnectionSettings, Error, LayerError, LayeredBody, LayeredService, Server,
    DEFAULT_ADDR,
};
pub use tls::{TlsConfig, TlsError};
