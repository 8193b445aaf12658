//! Our client over TLS against our server: ALPN picks HTTP/2 (every
//! protocol) or HTTP/1.1, and mutual TLS presents a client certificate
//! the handler sees.

mod common;

use common::client_checks::req;
use common::shapes::{router, ShapesServiceClient};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use typerpc::client::{HttpVersion, Protocol};
use typerpc::server::TlsConfig;
use typerpc::testing::TestServer;
use typerpc::{Client, Code, Server};

struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn new_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "typerpc client test CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client.distinguished_name.push(DnType::CommonName, "client");
    let client = client.signed_by(&client_key, &ca, &ca_key).unwrap();
    Pki {
        ca: ca.pem(),
        server: (server.pem(), server_key.serialize_pem()),
        client: (client.pem(), client_key.serialize_pem()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protocol_over_tls_with_alpn() {
    let pki = new_pki();
    let tls = TlsConfig::from_pem(pki.server.0.as_bytes(), pki.server.1.as_bytes()).unwrap();
    let server = TestServer::start_server(Server::new().tls(tls).configure(|_| router())).await;
    let url = format!("https://localhost:{}", server.addr().port());
    for (protocol, http) in [
        (Protocol::Grpc, HttpVersion::Http2),
        (Protocol::GrpcWeb, HttpVersion::Http2),
        (Protocol::Connect, HttpVersion::Http2),
        (Protocol::GrpcWeb, HttpVersion::Http1),
        (Protocol::Connect, HttpVersion::Http1),
    ] {
        let client = Client::builder(&url)
            .protocol(protocol)
            .http_version(http)
            .tls_root_certificates_pem(pki.ca.as_bytes())
            .build()
            .unwrap();
        let shapes = ShapesServiceClient::new(client);
        let response = shapes.unary_with(req("tls"), Default::default()).await;
        let response = response.unwrap_or_else(|e| panic!("{protocol:?} {http:?}: {e:?}"));
        assert_eq!(response.message().text, "tls");
        let streamed = shapes
            .client_stream(typerpc::stream::iter([req("a"), req("b")]))
            .await
            .unwrap();
        assert_eq!(streamed.text, "a,b");
    }

    // No trusted roots: refused at build time; wrong roots: unavailable.
    assert!(Client::builder(&url).build().is_err());
    let other = new_pki();
    let client = Client::builder(&url)
        .tls_root_certificates_pem(other.ca.as_bytes())
        .build()
        .unwrap();
    let error = ShapesServiceClient::new(client)
        .unary(req("x"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls() {
    let pki = new_pki();
    let tls = TlsConfig::from_pem(pki.server.0.as_bytes(), pki.server.1.as_bytes())
        .unwrap()
        .require_client_certificates(pki.ca.as_bytes())
        .unwrap();
    let server = TestServer::start_server(Server::new().tls(tls).configure(|_| router())).await;
    let url = format!("https://localhost:{}", server.addr().port());
    let client = Client::builder(&url)
        .tls_root_certificates_pem(pki.ca.as_bytes())
        .tls_client_identity_pem(pki.client.0.as_bytes(), pki.client.1.as_bytes())
        .build()
        .unwrap();
    let response = ShapesServiceClient::new(client).unary(req("mtls")).await;
    assert_eq!(response.unwrap().text, "mtls");

    let anonymous = Client::builder(&url)
        .tls_root_certificates_pem(pki.ca.as_bytes())
        .build()
        .unwrap();
    let error = ShapesServiceClient::new(anonymous)
        .unary(req("who?"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");
}
