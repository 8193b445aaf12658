//! Who is calling: the peer's address and TLS identity, as whatever
//! accepted the connection puts them in the request's extensions.
//!
//! typerpc's server inserts both; a host framework that mounts the router
//! can insert them too (axum's `ConnectInfo` does not reach the router by
//! itself). [`Context`](super::Context) reads them for handlers and
//! interceptors.

use std::net::SocketAddr;
use std::sync::Arc;

/// The address of the client, put in request extensions by typerpc's
/// server (and by anything else that knows it) for
/// [`Context::peer_addr`](super::Context::peer_addr).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

/// The client's verified certificate chain (DER, leaf first), put in
/// request extensions for
/// [`Context::peer_certificates`](super::Context::peer_certificates).
#[derive(Clone, Debug)]
pub struct PeerCertificates(pub Arc<[bytes::Bytes]>);

/// Who is calling, as the server that accepted the connection knows it.
/// typerpc's own server hands it to the router with each request rather
/// than through the request's extensions: inserting into those allocates
/// a map per call. Requests from elsewhere (a host framework, a tower
/// layer) carry it in their extensions as [`PeerAddr`] and
/// [`PeerCertificates`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Caller {
    pub addr: Option<SocketAddr>,
    pub certificates: Option<PeerCertificates>,
}

impl Caller {
    /// The caller as a request's extensions name it.
    pub(crate) fn from_extensions(extensions: &http::Extensions) -> Caller {
        Caller {
            addr: extensions.get::<PeerAddr>().map(|p| p.0),
            certificates: extensions.get::<PeerCertificates>().cloned(),
        }
    }

    /// Puts the caller into a request's extensions, for what reads them
    /// there (a mounted endpoint).
    pub(crate) fn insert_into(self, extensions: &mut http::Extensions) {
        if let Some(addr) = self.addr {
            extensions.insert(PeerAddr(addr));
        }
        if let Some(certificates) = self.certificates {
            extensions.insert(certificates);
        }
    }
}
