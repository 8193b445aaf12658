//! Configuring a [`Client`]: protocol, codec, HTTP version, TLS, defaults
//! for every call.

use std::sync::Arc;
use std::time::Duration;

use http::Uri;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::balance::{Balance, Balancer};
use super::dial::Dial;
use super::interceptor::Interceptors;
use super::transport::{HttpService, Transport};
use super::{Client, ClientInterceptor, Codec, HttpVersion, Inner, Protocol};
use crate::protocol::compression::Compression;
use crate::protocol::response_writer::COMPRESS_MIN_BYTES;
use crate::JsonOptions;

/// Why a client could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError(String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "typerpc client: {}", self.0)
    }
}

impl std::error::Error for BuildError {}

/// Builds a [`Client`]; start with [`Client::builder`].
///
/// Defaults: gRPC, protobuf, HTTP/2, no timeout, requests uncompressed,
/// gzip and zstd responses accepted, 4 MiB message limit.
pub struct ClientBuilder {
    interceptors: Vec<Arc<dyn ClientInterceptor>>,
    layers: Vec<Box<dyn FnOnce(HttpService) -> HttpService + Send>>,
    target: Target,
    protocol: Protocol,
    codec: Codec,
    http: HttpVersion,
    timeout: Option<Duration>,
    compression: Compression,
    compress_min_bytes: usize,
    accept_compression: bool,
    connect_get: bool,
    max_message_size: usize,
    validate: bool,
    /// Types that may appear inside `google.protobuf.Any`, for JSON.
    registry: crate::TypeRegistry,
    tls: Tls,
    connect_timeout: Option<Duration>,
    balance: Option<Balance>,
    error: Option<BuildError>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("target", &self.target)
            .field("protocol", &self.protocol)
            .field("codec", &self.codec)
            .field("http", &self.http)
            .field("interceptors", &self.interceptors.len())
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

enum Target {
    Url(String),
    InMemory(HttpService),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Url(url) => f.debug_tuple("Url").field(url).finish(),
            Target::InMemory(_) => f.write_str("InMemory"),
        }
    }
}

#[derive(Debug, Default)]
struct Tls {
    config: Option<Arc<rustls::ClientConfig>>,
    roots: Vec<CertificateDer<'static>>,
    identity: Option<(Vec<CertificateDer<'static>>, Arc<PrivateKeyDer<'static>>)>,
}

impl ClientBuilder {
    pub(super) fn new(url: &str) -> ClientBuilder {
        ClientBuilder::with_target(Target::Url(url.to_string()))
    }

    pub(super) fn in_memory(service: HttpService) -> ClientBuilder {
        ClientBuilder::with_target(Target::InMemory(service))
    }

    fn with_target(target: Target) -> ClientBuilder {
        ClientBuilder {
            interceptors: Vec::new(),
            layers: Vec::new(),
            target,
            protocol: Protocol::Grpc,
            codec: Codec::Proto,
            http: HttpVersion::Http2,
            timeout: None,
            compression: Compression::Identity,
            compress_min_bytes: COMPRESS_MIN_BYTES,
            accept_compression: true,
            connect_get: false,
            max_message_size: 4 * 1024 * 1024,
            validate: true,
            registry: crate::TypeRegistry::new(),
            tls: Tls::default(),
            connect_timeout: None,
            balance: None,
            error: None,
        }
    }

    fn fail(mut self, message: String) -> ClientBuilder {
        self.error.get_or_insert(BuildError(message));
        self
    }

    /// Adds an interceptor around every call (see
    /// [`ClientInterceptor`]): `before` runs in the order interceptors
    /// were added, `after` in the reverse order.
    pub fn intercept(mut self, interceptor: impl ClientInterceptor) -> ClientBuilder {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Wraps the transport (the HTTP client, or the in-memory service) in
    /// a tower layer: tower's `ConcurrencyLimitLayer`, `TimeoutLayer`,
    /// tower-http's `TraceLayer`, or your own. The first layer added is
    /// the innermost. An error from a layer fails the call: a
    /// [`Status`](crate::Status) as it is, a timeout as
    /// `deadline_exceeded`, anything else as `unavailable`.
    ///
    /// ```
    /// use typerpc::Client;
    /// let client = Client::builder("http://127.0.0.1:50051")
    ///     .layer(tower::limit::ConcurrencyLimitLayer::new(64))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn layer<L>(mut self, layer: L) -> ClientBuilder
    where
        L: tower_layer::Layer<HttpService> + Send + 'static,
        L::Service: tower_service::Service<
                http::Request<super::Body>,
                Response = http::Response<super::Body>,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower_service::Service<http::Request<super::Body>>>::Error:
            Into<super::BoxError>,
        <L::Service as tower_service::Service<http::Request<super::Body>>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |inner| {
            super::transport::boxed_service(layer.layer(inner))
        }));
        self
    }

    /// The protocol every call speaks (default [`Protocol::Grpc`]).
    pub fn protocol(mut self, protocol: Protocol) -> ClientBuilder {
        self.protocol = protocol;
        self
    }

    /// How messages are encoded (default [`Codec::Proto`]).
    pub fn codec(mut self, codec: Codec) -> ClientBuilder {
        self.codec = codec;
        self
    }

    /// The HTTP version (default [`HttpVersion::Http2`]). gRPC needs
    /// HTTP/2; bidirectional streaming too, whatever the protocol.
    pub fn http_version(mut self, version: HttpVersion) -> ClientBuilder {
        self.http = version;
        self
    }

    /// A deadline for every call that sets none of its own.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// How long opening a connection may take, TCP and TLS handshake
    /// together (default: as long as the system allows, which can be
    /// minutes for an address that does not answer). A call that cannot
    /// connect in time fails with `unavailable`, naming the address.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Spreads calls over several addresses of the server (see
    /// [`Balance`]): a static list, or what the URL's host resolves to
    /// in DNS, skipping addresses that fail. Not for in-memory clients.
    pub fn balance(mut self, balance: Balance) -> ClientBuilder {
        if let Err(message) = balance.check() {
            return self.fail(message);
        }
        self.balance = Some(balance);
        self
    }

    /// Compresses request messages of 1 KiB or more (default: none; see
    /// [`compress_min_bytes`](Self::compress_min_bytes) for the size).
    pub fn compression(mut self, compression: Compression) -> ClientBuilder {
        self.compression = compression;
        self
    }

    /// With [`compression`](Self::compression) set, request messages of
    /// at least this many bytes are compressed, smaller ones sent as they
    /// are (default 1 KiB: below it compression costs more than it saves).
    /// `0` compresses every message, as servers that check a client's
    /// compression expect.
    pub fn compress_min_bytes(mut self, bytes: usize) -> ClientBuilder {
        self.compress_min_bytes = bytes;
        self
    }

    /// Whether to ask for compressed responses (zstd, else gzip; default yes).
    pub fn accept_compression(mut self, accept: bool) -> ClientBuilder {
        self.accept_compression = accept;
        self
    }

    /// Connect only: call idempotent unary methods with GET (default
    /// POST). [`CallOptions::connect_get`](super::CallOptions::connect_get)
    /// overrides it per call.
    pub fn connect_get(mut self, get: bool) -> ClientBuilder {
        self.connect_get = get;
        self
    }

    /// Registers a message type that may arrive inside
    /// `google.protobuf.Any` (an error detail, say), so that the JSON codec
    /// can read and write it; the binary codec needs nothing.
    pub fn register_type<M: crate::Message>(mut self) -> ClientBuilder {
        self.registry.register::<M>();
        self
    }

    /// Whether requests are checked against their declared constraints
    /// before they are sent (default: yes). A request that breaks them
    /// fails at once with the `invalid_argument` status the server would
    /// answer; turn this off to let the server decide, say when testing
    /// the server's own checks.
    pub fn validate_requests(mut self, validate: bool) -> ClientBuilder {
        self.validate = validate;
        self
    }

    /// The largest response message accepted, before and after
    /// decompression (default 4 MiB); larger is `resource_exhausted`.
    pub fn max_message_size(mut self, bytes: usize) -> ClientBuilder {
        self.max_message_size = bytes;
        self
    }

    /// Trusts the CA certificates in this PEM for `https` URLs (no roots
    /// are trusted by default).
    pub fn tls_root_certificates_pem(mut self, pem: &[u8]) -> ClientBuilder {
        let before = self.tls.roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            match cert {
                Ok(cert) => self.tls.roots.push(cert),
                Err(e) => return self.fail(format!("the root certificate is not valid PEM: {e}")),
            }
        }
        if self.tls.roots.len() == before {
            return self.fail("the root certificate PEM holds no certificate".into());
        }
        self
    }

    /// Presents this certificate chain and key (PEM) to servers that ask
    /// for client certificates (mutual TLS).
    pub fn tls_client_identity_pem(mut self, chain: &[u8], key: &[u8]) -> ClientBuilder {
        let chain = match CertificateDer::pem_slice_iter(chain).collect::<Result<Vec<_>, _>>() {
            Ok(chain) if !chain.is_empty() => chain,
            Ok(_) => return self.fail("the client certificate PEM holds no certificate".into()),
            Err(e) => return self.fail(format!("the client certificate is not valid PEM: {e}")),
        };
        match PrivateKeyDer::from_pem_slice(key) {
            Ok(key) => self.tls.identity = Some((chain, Arc::new(key))),
            Err(e) => return self.fail(format!("the client key is not valid PEM: {e}")),
        }
        self
    }

    /// Uses this rustls configuration as it is (its ALPN list is replaced
    /// by the one the HTTP version needs).
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> ClientBuilder {
        self.tls.config = Some(Arc::new(config));
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.protocol == Protocol::Grpc && self.http == HttpVersion::Http1 {
            return Err(BuildError(
                "gRPC needs HTTP/2; use gRPC-Web or Connect over HTTP/1.1".into(),
            ));
        }
        let http2 = self.http == HttpVersion::Http2;
        let dial = Dial {
            connect_timeout: self.connect_timeout,
            pinned: None,
        };
        let (base, transport) = match self.target {
            Target::InMemory(_) if self.balance.is_some() => {
                return Err(BuildError(
                    "an in-memory client has no addresses to balance over".into(),
                ))
            }
            Target::InMemory(service) => (
                Uri::from_static("http://in-memory"),
                Transport::Service(service),
            ),
            Target::Url(url) => {
                let base: Uri = url
                    .parse()
                    .map_err(|e| BuildError(format!("invalid URL {url:?}: {e}")))?;
                let tls = match base.scheme_str() {
                    Some("http") => None,
                    Some("https") => Some(tls_config(self.tls, http2)?),
                    _ => {
                        return Err(BuildError(format!(
                            "the URL {url:?} must start with http:// or https://"
                        )))
                    }
                };
                let Some(host) = base.host() else {
                    return Err(BuildError(format!("the URL {url:?} has no host")));
                };
                let transport = match self.balance {
                    None => Transport::http(http2, tls, dial),
                    Some(balance) => {
                        let https = base.scheme_str() == Some("https");
                        let port = base.port_u16().unwrap_or(if https { 443 } else { 80 });
                        let host = host.trim_start_matches('[').trim_end_matches(']');
                        let balancer = Balancer::new(host, port, http2, tls, dial, balance);
                        Transport::Service(HttpService::new(balancer))
                    }
                };
                (base, transport)
            }
        };
        let prefix = base.path().trim_end_matches('/').to_string();
        let transport = if self.layers.is_empty() {
            transport
        } else {
            let mut service = transport.into_service();
            for layer in self.layers {
                service = layer(service);
            }
            Transport::Service(service)
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                prefix,
                transport,
                interceptors: Interceptors(self.interceptors.into()),
                protocol: self.protocol,
                codec: self.codec,
                http2,
                timeout: self.timeout,
                compression: self.compression,
                compress_min_bytes: self.compress_min_bytes,
                accept_compression: self.accept_compression,
                connect_get: self.connect_get,
                max_message_size: self.max_message_size,
                validate: self.validate,
                json: Arc::new(JsonOptions::default().with_registry(self.registry)),
            }),
        })
    }
}

/// The rustls configuration, with ALPN for the HTTP version.
fn tls_config(tls: Tls, http2: bool) -> Result<Arc<rustls::ClientConfig>, BuildError> {
    let mut config = match tls.config {
        Some(config) => (*config).clone(),
        None => {
            if tls.roots.is_empty() {
                return Err(BuildError(
                    "an https URL needs trust roots: call tls_root_certificates_pem or tls_config"
                        .into(),
                ));
            }
            let mut roots = rustls::RootCertStore::empty();
            for cert in tls.roots {
                roots
                    .add(cert)
                    .map_err(|e| BuildError(format!("the root certificate is not usable: {e}")))?;
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let builder = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| BuildError(e.to_string()))?
                .with_root_certificates(roots);
            match tls.identity {
                Some((chain, key)) => builder
                    .with_client_auth_cert(chain, key.clone_key())
                    .map_err(|e| BuildError(format!("the client certificate and key: {e}")))?,
                None => builder.with_no_client_auth(),
            }
        }
    };
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}
