//! TLS and mutual TLS over real sockets: ALPN picks HTTP/2 or HTTP/1.1,
//! and a handler sees the verified client certificate chain.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::server::*;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use typerpc::server::TlsConfig;
use typerpc::Server;

struct Pki {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_pem: String,
    server_key: String,
    client_chain: Vec<CertificateDer<'static>>,
    client_key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "typerpc test CA");
    let ca = ca.self_signed(&ca_key).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client
        .distinguished_name
        .push(DnType::CommonName, "partner-42");
    let client = client.signed_by(&client_key, &ca, &ca_key).unwrap();

    Pki {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        server_pem: server.pem(),
        server_key: server_key.serialize_pem(),
        client_chain: vec![client.der().clone()],
        client_key: PrivateKeyDer::try_from(client_key.serialize_der()).unwrap(),
    }
}

fn client_config(pki: &Pki, with_cert: bool, alpn: &[u8]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let mut config = if with_cert {
        builder
            .with_client_auth_cert(pki.client_chain.clone(), pki.client_key.clone_key())
            .unwrap()
    } else {
        builder.with_no_client_auth()
    };
    config.alpn_protocols = vec![alpn.to_vec()];
    Arc::new(config)
}

/// Calls `Whoami` with Connect JSON over TLS; `Err` when the connection fails.
async fn whoami(
    server: &TestServer,
    config: Arc<rustls::ClientConfig>,
) -> Result<serde_json::Value, String> {
    let tcp = tokio::net::TcpStream::connect(server.addr)
        .await
        .map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(config.clone())
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    let request = Request::post(format!(
        "https://localhost:{}/echo.v1.EchoService/Whoami",
        server.addr.port()
    ))
    .header("content-type", "application/json")
    .body(Full::new(Bytes::from_static(b"{}")))
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
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    serde_json::from_slice(&body).map_err(|e| e.to_string())
}

#[tokio::test]
async fn tls_serves_http2_and_http1_by_alpn() {
    let pki = pki();
    let tls = TlsConfig::from_pem(pki.server_pem.as_bytes(), pki.server_key.as_bytes()).unwrap();
    let server = TestServer::start_with(Server::new().add(EchoService).tls(tls)).await;
    for alpn in [&b"h2"[..], &b"http/1.1"[..]] {
        let body = whoami(&server, client_config(&pki, false, alpn))
            .await
            .unwrap();
        assert_eq!(body["text"], "certs:0", "{}", String::from_utf8_lossy(alpn));
        assert_eq!(body["header"], "127.0.0.1");
    }
}

#[tokio::test]
async fn mutual_tls_requires_and_exposes_the_client_certificate() {
    let pki = pki();
    let tls = TlsConfig::from_pem(pki.server_pem.as_bytes(), pki.server_key.as_bytes())
        .unwrap()
        .require_client_certificates(pki.ca_pem.as_bytes())
        .unwrap();
    let server = TestServer::start_with(Server::new().add(EchoService).tls(tls)).await;
    let body = whoami(&server, client_config(&pki, true, b"h2"))
        .await
        .unwrap();
    assert_eq!(body["text"], "certs:1");
    // Without a certificate the handshake (or the first request) fails.
    assert!(whoami(&server, client_config(&pki, false, b"h2"))
        .await
        .is_err());
    // The server still serves after refusing a client.
    assert_eq!(
        whoami(&server, client_config(&pki, true, b"http/1.1"))
            .await
            .unwrap()["text"],
        "certs:1"
    );
}

#[test]
fn bad_tls_material_is_a_clear_error() {
    let err = TlsConfig::from_pem(b"not pem", b"nope").unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
    let pki = pki();
    let err = TlsConfig::from_pem(pki.server_pem.as_bytes(), pki.server_key.as_bytes())
        .unwrap()
        .require_client_certificates(b"")
        .unwrap_err();
    assert!(err.to_string().contains("client CA"), "{err}");
}

/// An interceptor sees the TLS identity of the caller: here it lets in
/// only the partner whose certificate names it, and tells the handler
/// who called.
#[tokio::test]
async fn an_interceptor_admits_callers_by_their_client_certificate() {
    let pki = pki();
    let tls = TlsConfig::from_pem(pki.server_pem.as_bytes(), pki.server_key.as_bytes())
        .unwrap()
        .accept_client_certificates(pki.ca_pem.as_bytes())
        .unwrap();
    let partners = typerpc::service::interceptor_fn(|ctx: &typerpc::Context| {
        let leaf = ctx.peer_certificates().and_then(|chain| chain.first());
        let named = leaf.is_some_and(|der| der.windows(10).any(|w| w == b"partner-42"));
        if named {
            ctx.append_response_header("x-partner".parse().unwrap(), "partner-42".parse().unwrap());
            Ok(())
        } else {
            Err(typerpc::Status::permission_denied(
                "partners only: present your certificate",
            ))
        }
    });
    let server = Server::new()
        .add(EchoService)
        .tls(tls)
        .configure(|router| router.intercept(partners));
    let server = TestServer::start_with(server).await;
    // With the certificate: through, on either HTTP version.
    for alpn in [&b"h2"[..], &b"http/1.1"[..]] {
        let body = whoami(&server, client_config(&pki, true, alpn))
            .await
            .unwrap();
        assert_eq!(body["text"], "certs:1");
    }
    // Without one: the handshake works (certificates are optional), the
    // interceptor refuses the call.
    let body = whoami(&server, client_config(&pki, false, b"h2"))
        .await
        .unwrap();
    assert_eq!(body["code"], "permission_denied", "{body}");
    assert_eq!(body["message"], "partners only: present your certificate");
}
