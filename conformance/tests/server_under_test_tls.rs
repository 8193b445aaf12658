//! TLS as the suite's runner sets it up: it hands the server a
//! self-signed certificate for `localhost` and `127.0.0.1`, and for mutual
//! TLS the self-signed certificate its client will present (CA:FALSE,
//! client-auth usage): the server must echo the first back and trust only
//! the second.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use typerpc::Message;
use typerpc_conformance::*;

/// A client trusting the certificate the server reported, presenting
/// `identity` if given.
fn client_config(
    sut: &Sut,
    identity: Option<&(String, String)>,
    alpn: &[u8],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&sut.response.pem_cert) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![alpn.to_vec()];
    Arc::new(config)
}

/// A Connect unary call over TLS; `Err` when the connection is refused.
async fn call(sut: &Sut, config: Arc<rustls::ClientConfig>) -> Result<UnaryResponse, String> {
    let tcp =
        tokio::net::TcpStream::connect((sut.response.host.as_str(), sut.response.port as u16))
            .await
            .map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let sent = UnaryRequest {
        response_definition: Some(unary_data(b"secure")),
        request_data: Vec::new(),
    };
    let request = Request::post(format!("https://localhost{}", path("Unary")))
        .header("content-type", "application/proto")
        .body(Full::new(Bytes::from(sent.encode_to_vec())))
        .unwrap();
    let response = if h2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?
    };
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
    }
    UnaryResponse::decode(body).map_err(|e| e.to_string())
}

#[tokio::test]
async fn tls_echoes_the_runners_certificate_and_serves_both_http_versions() {
    let (sut, credentials) = start_tls(false);
    assert_eq!(sut.response.pem_cert, credentials.server.0.as_bytes());
    for alpn in [&b"h2"[..], &b"http/1.1"[..]] {
        let response = call(&sut, client_config(&sut, None, alpn)).await.unwrap();
        assert_eq!(response.payload.unwrap().data, b"secure");
    }
}

#[tokio::test]
async fn mutual_tls_requires_the_runners_client_certificate() {
    let (sut, credentials) = start_tls(true);
    let response = call(&sut, client_config(&sut, Some(&credentials.client), b"h2"))
        .await
        .unwrap();
    assert_eq!(response.payload.unwrap().data, b"secure");
    // No certificate, or one the runner did not name: refused.
    assert!(call(&sut, client_config(&sut, None, b"h2")).await.is_err());
    let stranger = self_signed(true);
    assert!(
        call(&sut, client_config(&sut, Some(&stranger), b"http/1.1"))
            .await
            .is_err()
    );
    // The server still serves after refusing clients.
    let response = call(
        &sut,
        client_config(&sut, Some(&credentials.client), b"http/1.1"),
    )
    .await
    .unwrap();
    assert!(response.payload.is_some());
}
