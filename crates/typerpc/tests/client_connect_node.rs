//! Our client against connect-node's server (`@connectrpc/connect-node`),
//! built from the descriptors typerpc renders: Connect (proto and JSON),
//! gRPC and gRPC-Web, over HTTP/1.1 and HTTP/2, every call shape, errors
//! with details, deadlines, metadata. Skipped when the peer is missing,
//! except in CI, where that fails.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::client_checks::{check_all, Bidi};
use common::peers::{peer, peers_dir};
use common::shapes::router;
use typerpc::client::{Codec, HttpVersion, Protocol};
use typerpc::Client;

/// The server process, killed on drop.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protocol_and_shape_against_connect_node() {
    let Some(node_dir) = peers_dir()
        .map(|bin| bin.join("../../node"))
        .filter(|d| d.join("node_modules/@connectrpc/connect-node").exists())
    else {
        let _ = peer("connect-node (npm)");
        return;
    };
    // A scratch directory with the script and a link to the installed
    // node_modules, so that its imports resolve without writing into the
    // peers' directory.
    let work = std::env::temp_dir().join(format!("typerpc-connect-node-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    link(&node_dir.join("node_modules"), &work.join("node_modules"));
    let set = router().schema().unwrap().file_descriptor_set();
    let fds = work.join("shapes.binpb");
    std::fs::write(&fds, prost::Message::encode_to_vec(&set)).unwrap();
    let script = work.join("connect_server.mjs");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/connect_server.mjs"
        ),
        &script,
    )
    .unwrap();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&fds)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Node(child);
    let ports: serde_json::Value = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("no ports: {line:?}"))
    })
    .await
    .unwrap();
    let url = |key: &str| format!("http://127.0.0.1:{}", ports[key]);

    for codec in [Codec::Proto, Codec::Json] {
        for protocol in [Protocol::Connect, Protocol::Grpc, Protocol::GrpcWeb] {
            let client = Client::builder(&url("h2"))
                .protocol(protocol)
                .codec(codec)
                .build()
                .unwrap();
            check_all(client, Bidi::FullDuplex).await;
        }
        for protocol in [Protocol::Connect, Protocol::GrpcWeb] {
            let client = Client::builder(&url("h1"))
                .protocol(protocol)
                .codec(codec)
                .http_version(HttpVersion::Http1)
                .build()
                .unwrap();
            // connect-node refuses bidi over HTTP/1.1 (505).
            check_all(client, Bidi::Refused).await;
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(work);
}

#[cfg(unix)]
fn link(original: &std::path::Path, link: &std::path::Path) {
    std::os::unix::fs::symlink(original, link).unwrap();
}

#[cfg(not(unix))]
fn link(original: &std::path::Path, link: &std::path::Path) {
    std::os::windows::fs::symlink_dir(original, link).unwrap();
}
