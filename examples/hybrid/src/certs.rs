//! A demo PKI for the TLS port: a CA, a server certificate for
//! `localhost` and `127.0.0.1`, and a client certificate for an internal
//! service, written as PEM files. Real deployments bring their own (a
//! mesh's or the platform's CA); the file names are what `--tls-dir`
//! reads.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

/// The CA that signs both certificates; clients trust it, and the server
/// accepts client certificates it signed.
pub const CA: &str = "ca.pem";
/// The server's certificate chain and key.
pub const SERVER_CERT: &str = "server.pem";
/// The server's private key.
pub const SERVER_KEY: &str = "server.key";
/// An internal caller's certificate.
pub const CLIENT_CERT: &str = "client.pem";
/// An internal caller's private key.
pub const CLIENT_KEY: &str = "client.key";

/// Writes a fresh CA, server and client certificate into `dir` (created
/// if missing).
pub fn write_demo_pki(dir: &Path) -> Result<(), String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    std::fs::create_dir_all(dir)
        .map_err(|e| fail(&format!("cannot create {}", dir.display()), &e))?;
    let ca_key = KeyPair::generate().map_err(|e| fail("CA key", &e))?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(|e| fail("CA", &e))?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "hybrid example CA");
    let ca = ca.self_signed(&ca_key).map_err(|e| fail("CA", &e))?;
    let issue = |names: Vec<String>, common_name: &str| -> Result<(String, String), String> {
        let key = KeyPair::generate().map_err(|e| fail("key", &e))?;
        let mut params = CertificateParams::new(names).map_err(|e| fail(common_name, &e))?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        let cert = params
            .signed_by(&key, &ca, &ca_key)
            .map_err(|e| fail(common_name, &e))?;
        Ok((cert.pem(), key.serialize_pem()))
    };
    let (server, server_key) = issue(
        vec!["localhost".into(), "127.0.0.1".into()],
        "hybrid server",
    )?;
    let (client, client_key) = issue(vec!["orders.internal".into()], "orders.internal")?;
    for (name, pem) in [
        (CA, ca.pem()),
        (SERVER_CERT, server),
        (SERVER_KEY, server_key),
        (CLIENT_CERT, client),
        (CLIENT_KEY, client_key),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, pem)
            .map_err(|e| fail(&format!("cannot write {}", path.display()), &e))?;
    }
    Ok(())
}
