//! Our client against a Python grpcio server whose stubs grpcio-tools
//! generated from the `.proto` typerpc wrote: every call shape, errors
//! with details, deadlines, metadata. Skipped when the peer is missing,
//! except in CI, where that fails.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::client_checks::{check_all, Bidi};
use common::peers::{peer, proto_dir};
use common::shapes::router;
use typerpc::client::{Codec, Protocol};
use typerpc::Client;

/// The minimal `google.rpc.Status` for Python to build error details.
const RPC_STATUS_PROTO: &str = r#"syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
"#;

/// The server process, killed on drop.
struct Python(Child);

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `.proto` files under `dir`, relative to it.
fn protos(dir: &Path, under: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(under).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            protos(dir, &path, out);
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shape_against_grpcio() {
    let Some(python) = peer("python") else { return };
    let schema = proto_dir(&router(), "grpcio-server");
    let mut files = Vec::new();
    protos(&schema, &schema, &mut files);
    let shapes = files
        .iter()
        .find(|f| f.starts_with("shapes/"))
        .expect("the shapes .proto")
        .clone();
    std::fs::create_dir_all(schema.join("google/rpc")).unwrap();
    std::fs::write(schema.join("google/rpc/status.proto"), RPC_STATUS_PROTO).unwrap();
    files.push("google/rpc/status.proto".into());
    let out = schema.join("py");
    std::fs::create_dir_all(&out).unwrap();
    let generate = Command::new(&python)
        .args(["-m", "grpc_tools.protoc", "-I"])
        .arg(&schema)
        .arg(format!("--python_out={}", out.display()))
        .arg(format!("--grpc_python_out={}", out.display()))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        generate.status.success(),
        "protoc: {}",
        String::from_utf8_lossy(&generate.stderr)
    );
    let module = shapes.trim_end_matches(".proto").replace('/', ".");
    let mut child = Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/grpcio_server.py"
        ))
        .arg(&out)
        .arg(module)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Python(child);
    let port = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line.trim()
            .parse::<u16>()
            .unwrap_or_else(|_| panic!("no port: {line:?}"))
    })
    .await
    .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let client = Client::builder(&url)
        .protocol(Protocol::Grpc)
        .codec(Codec::Proto)
        .build()
        .unwrap();
    check_all(client, Bidi::FullDuplex).await;
    drop(server);
}
