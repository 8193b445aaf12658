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
