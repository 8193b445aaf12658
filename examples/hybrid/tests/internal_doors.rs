//! The internal gRPC services, driven by grpcurl as another internal
//! service would: reachable on the internal listener, and on the TLS port
//! only with a client certificate the platform's CA signed. The public
//! side cannot reach them: not on the public port (no route, no
//! reflection), not on the TLS port without a certificate, not with a
//! certificate from another CA.

mod support;

use std::path::Path;

use support::*;

const PROCESS: &str = r#"{"data": {"content": "{\"job\": 7}"}, "priority": "high"}"#;

fn proto_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../proto")
        .display()
        .to_string()
}

#[test]
fn the_internal_listener_serves_grpc_with_reflection() {
    let Some(grpcurl_path) = peer("grpcurl") else {
        return;
    };
    let hybrid = Hybrid::start("internal", &[]);
    let target = format!("127.0.0.1:{}", hybrid.internal);
    let list = grpcurl(&grpcurl_path, &["-plaintext", &target, "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).contains("internal.v1.InternalService"),
        "{}",
        stdout(&list)
    );
    let call = grpcurl(
        &grpcurl_path,
        &[
            "-plaintext",
            "-d",
            PROCESS,
            &target,
            "internal.v1.InternalService/ProcessInternal",
        ],
    );
    assert!(call.status.success(), "{}", stderr(&call));
    let response: serde_json::Value = serde_json::from_str(&stdout(&call)).unwrap();
    assert_eq!(response["protocol"], "gRPC");
    assert_eq!(
        response["result"]["processedContent"],
        r#"Processed: {"job":7}"#
    );
    let stats = grpcurl(
        &grpcurl_path,
        &[
            "-plaintext",
            &target,
            "internal.v1.InternalService/GetStats",
        ],
    );
    let stats: serde_json::Value = serde_json::from_str(&stdout(&stats)).unwrap();
    assert_eq!(stats["grpcRequests"], 1);
}

#[test]
fn the_public_port_does_not_reach_the_internal_services() {
    let (Some(grpcurl_path), Some(curl_path)) = (peer("grpcurl"), peer("curl")) else {
        return;
    };
    let hybrid = Hybrid::start("public-no-internal", &[]);
    let target = format!("127.0.0.1:{}", hybrid.public);
    // No reflection to discover them...
    let list = grpcurl(&grpcurl_path, &["-plaintext", &target, "list"]);
    assert!(!list.status.success());
    assert!(
        stderr(&list).contains("Unimplemented")
            || stderr(&list).contains("does not support the reflection API"),
        "{}",
        stderr(&list)
    );
    // ...and knowing the schema does not help.
    let call = grpcurl(
        &grpcurl_path,
        &[
            "-plaintext",
            "-import-path",
            &proto_dir(),
            "-proto",
            "internal/v1/internal.proto",
            "-d",
            PROCESS,
            &target,
            "internal.v1.InternalService/ProcessInternal",
        ],
    );
    assert!(!call.status.success());
    assert!(stderr(&call).contains("Unimplemented"), "{}", stderr(&call));
    let connect = curl(
        &curl_path,
        &[
            "-H",
            "Content-Type: application/json",
            "-d",
            "{}",
            &hybrid.url("/internal.v1.InternalService/GetStats"),
        ],
    );
    assert_eq!(connect.status, 404);
    let stats = curl(&curl_path, &[&hybrid.url("/api/v1/stats")]).json();
    assert_eq!(stats["total_requests"], 0);
}

#[test]
fn on_the_tls_port_internal_services_need_a_client_certificate() {
    let (Some(grpcurl_path), Some(curl_path)) = (peer("grpcurl"), peer("curl")) else {
        return;
    };
    let hybrid = Hybrid::start("tls", &[]);
    let target = format!("127.0.0.1:{}", hybrid.tls);
    let (ca, cert, key) = (
        hybrid.cert("ca.pem"),
        hybrid.cert("client.pem"),
        hybrid.cert("client.key"),
    );

    // An internal caller with its certificate: reflection and calls.
    let with_cert = |args: &[&str]| {
        let mut all = vec![
            "-cacert",
            ca.as_str(),
            "-cert",
            cert.as_str(),
            "-key",
            key.as_str(),
        ];
        all.extend_from_slice(args);
        grpcurl(&grpcurl_path, &all)
    };
    let list = with_cert(&[&target, "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(stdout(&list).contains("internal.v1.InternalService"));
    let call = with_cert(&[
        "-d",
        PROCESS,
        &target,
        "internal.v1.InternalService/ProcessInternal",
    ]);
    assert!(call.status.success(), "{}", stderr(&call));
    assert!(
        stdout(&call).contains(r#""protocol": "gRPC""#),
        "{}",
        stdout(&call)
    );

    // TLS without a client certificate: the call is refused, and so is
    // reflection.
    let call = grpcurl(
        &grpcurl_path,
        &[
            "-cacert",
            &ca,
            "-import-path",
            &proto_dir(),
            "-proto",
            "internal/v1/internal.proto",
            "-d",
            PROCESS,
            &target,
            "internal.v1.InternalService/ProcessInternal",
        ],
    );
    assert!(!call.status.success());
    assert!(
        stderr(&call).contains("Unauthenticated"),
        "{}",
        stderr(&call)
    );
    assert!(
        stderr(&call).contains("client certificate"),
        "{}",
        stderr(&call)
    );
    let list = grpcurl(&grpcurl_path, &["-cacert", &ca, &target, "list"]);
    assert!(!list.status.success(), "{}", stdout(&list));

    // A certificate from another CA fails the handshake: neither curl nor
    // grpcurl gets an answer.
    let other = temp_dir("other-ca");
    make_certs(&other);
    let (other_cert, other_key) = (
        other.join("client.pem").display().to_string(),
        other.join("client.key").display().to_string(),
    );
    let foreign = grpcurl(
        &grpcurl_path,
        &[
            "-connect-timeout",
            "2",
            "-cacert",
            &ca,
            "-cert",
            &other_cert,
            "-key",
            &other_key,
            &target,
            "list",
        ],
    );
    assert!(!foreign.status.success(), "{}", stdout(&foreign));
    let output = std::process::Command::new(&curl_path)
        .args([
            "-sS",
            "--cacert",
            &ca,
            "--cert",
            &other_cert,
            "--key",
            &other_key,
        ])
        .arg(hybrid.tls_url("/api/v1/stats"))
        .output()
        .unwrap();
    // TLS 1.3 refuses a client certificate after the client's handshake
    // is done: curl sees the server's alert, or the connection closed.
    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let _ = std::fs::remove_dir_all(&other);

    // The public routes share the port with anyone.
    let rest = curl(
        &curl_path,
        &[
            "--cacert",
            &ca,
            "-X",
            "POST",
            &hybrid.tls_url("/api/v1/process"),
            "-H",
            "Authorization: Bearer demo-token",
            "-H",
            "Content-Type: application/json",
            "-d",
            r#"{"data": {"message": "over TLS"}}"#,
        ],
    );
    assert_eq!(rest.status, 200, "{}", rest.body);
    let partner = curl(
        &curl_path,
        &[
            "--cacert",
            &ca,
            "-X",
            "POST",
            &hybrid.tls_url("/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner"),
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-API-Key: partner-demo-key",
            "-d",
            r#"{"data": {"content": "x"}}"#,
        ],
    );
    assert_eq!(partner.status, 200, "{}", partner.body);
    let stats = curl(
        &curl_path,
        &["--cacert", &ca, &hybrid.tls_url("/api/v1/stats")],
    )
    .json();
    assert_eq!(stats["grpc_requests"], 1);
    assert_eq!(stats["rest_requests"], 1);
    assert_eq!(stats["connect_requests"], 1);
}
