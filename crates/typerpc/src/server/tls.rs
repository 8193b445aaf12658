//! TLS with rustls: certificates from PEM, ALPN offering `h2` and
//! `http/1.1`, and optional client-certificate verification (mTLS) whose
//! verified chain reaches handlers through `Context::peer_certificates`.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;

/// Why a TLS configuration could not be built.
#[derive(Debug)]
pub struct TlsError(String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TLS configuration: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

/// Whether clients must present a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientAuth {
    Required,
    Optional,
}

/// The server's TLS settings.
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let tls = typerpc::server::TlsConfig::from_pem_files("server.pem", "server.key")?
///     .require_client_certificates_from_pem_file("clients-ca.pem")?;
/// let server = typerpc::Server::new().tls(tls);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TlsConfig {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
    client_roots: Option<(RootCertStore, ClientAuth)>,
}

impl TlsConfig {
    /// A certificate chain and its private key, in PEM.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<TlsConfig, TlsError> {
        let chain = CertificateDer::pem_slice_iter(chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError(format!("the certificate chain is not valid PEM: {e}")))?;
        if chain.is_empty() {
            return Err(TlsError("the certificate file holds no certificate".into()));
        }
        let key = PrivateKeyDer::from_pem_slice(key)
            .map_err(|e| TlsError(format!("the private key is not valid PEM: {e}")))?;
        Ok(TlsConfig {
            chain,
            key: Arc::new(key),
            client_roots: None,
        })
    }

    /// As [`from_pem`](Self::from_pem), reading the files.
    pub fn from_pem_files(
        chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<TlsConfig, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map_err(|e| TlsError(format!("cannot read {}: {e}", path.display())))
        };
        TlsConfig::from_pem(&read(chain.as_ref())?, &read(key.as_ref())?)
    }

    fn with_client_roots(mut self, pem: &[u8], auth: ClientAuth) -> Result<TlsConfig, TlsError> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| TlsError(format!("the client CA is not valid PEM: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| TlsError(format!("the client CA is not usable: {e}")))?;
        }
        if roots.is_empty() {
            return Err(TlsError("the client CA file holds no certificate".into()));
        }
        self.client_roots = Some((roots, auth));
        Ok(self)
    }

    /// Requires every client to present a certificate signed by one of
    /// these CAs (PEM): mutual TLS.
    pub fn require_client_certificates(self, ca_pem: &[u8]) -> Result<TlsConfig, TlsError> {
        self.with_client_roots(ca_pem, ClientAuth::Required)
    }

    /// As [`require_client_certificates`](Self::require_client_certificates), reading the file.
    pub fn require_client_certificates_from_pem_file(
        self,
        path: impl AsRef<Path>,
    ) -> Result<TlsConfig, TlsError> {
        let pem = std::fs::read(path.as_ref())
            .map_err(|e| TlsError(format!("cannot read {}: {e}", path.as_ref().display())))?;
        self.require_client_certificates(&pem)
    }

    /// Verifies client certificates against these CAs when presented, and
    /// lets clients without one connect too.
    pub fn accept_client_certificates(self, ca_pem: &[u8]) -> Result<TlsConfig, TlsError> {
        self.with_client_roots(ca_pem, ClientAuth::Optional)
    }

    /// The rustls configuration: ALPN `h2` then `http/1.1`.
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?;
        let builder = match &self.client_roots {
            None => builder.with_no_client_auth(),
            Some((roots, auth)) => {
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots.clone()), provider);
                let verifier = match auth {
                    ClientAuth::Required => verifier,
                    ClientAuth::Optional => verifier.allow_unauthenticated(),
                };
                builder.with_client_cert_verifier(
                    verifier.build().map_err(|e| TlsError(e.to_string()))?,
                )
            }
        };
        let mut config = builder
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| TlsError(format!("the certificate and key do not fit together: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}
