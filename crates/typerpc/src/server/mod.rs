//! Serving: the [`Router`] (a `tower::Service`) and the [`Server`] that
//! runs it on a port.

pub(crate) mod body;
mod cors;
mod probe;
pub(crate) mod router;
mod serve;
mod tls;

pub use body::RpcBody;
pub use cors::Cors;
pub use router::{Limits, PeerAddr, Router, RouterFuture};
pub use serve::{shutdown_signal, ConnectionSettings, Error, Server, DEFAULT_ADDR};
pub use tls::{PeerCertificates, TlsConfig, TlsError};
