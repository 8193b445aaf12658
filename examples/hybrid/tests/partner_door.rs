//! The partner door, Connect JSON at `/partner` as partners call it with
//! curl: the API key interceptor (`unauthenticated`, `permission_denied`),
//! validation, and the per-partner rate limit (`resource_exhausted` with a
//! `google.rpc.RetryInfo` detail), each in the Connect protocol's terms.

mod support;

use base64::Engine;
use support::*;

const PATH: &str = "/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner";
const BODY: &str = r#"{"data": {"content": "{\"message\": \"Hello from Connect RPC\"}", "metadata": "test"}, "priority": "normal"}"#;

#[test]
fn api_keys_and_the_partner_rate_limit_answer_in_connects_terms() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start(
        "partner",
        &[
            "--partner-rate",
            "3/60s",
            "--api-key",
            "key-a=acme",
            "--api-key",
            "key-b=globex",
        ],
    );
    let url = hybrid.url(PATH);
    let call = |extra: &[&str], body: &str| {
        let mut args = vec![
            "-X",
            "POST",
            url.as_str(),
            "-H",
            "Content-Type: application/json",
            "-d",
            body,
        ];
        args.extend_from_slice(extra);
        curl(&curl_path, &args)
    };

    let missing = call(&[], BODY);
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert_eq!(missing.json()["code"], "unauthenticated");
    let wrong = call(&["-H", "X-API-Key: nope"], BODY);
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    assert_eq!(wrong.json()["code"], "permission_denied");

    let invalid = call(&["-H", "X-API-Key: key-a"], r#"{"data": {"content": 5}}"#);
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert_eq!(invalid.json()["code"], "invalid_argument");

    // The invalid call above took one of acme's three.
    for _ in 0..2 {
        let ok = call(&["-H", "X-API-Key: key-a"], BODY);
        assert_eq!(ok.status, 200, "{}", ok.body);
    }
    let limited = call(&["-H", "X-API-Key: key-a"], BODY);
    assert_eq!(limited.status, 429, "{}", limited.body);
    let error = limited.json();
    assert_eq!(error["code"], "resource_exhausted");
    assert!(
        error["message"].as_str().unwrap().contains("acme"),
        "{error}"
    );
    let detail = &error["details"][0];
    assert_eq!(detail["type"], "google.rpc.RetryInfo");
    // RetryInfo { retry_delay: Duration { seconds: 1..=60 } }, in proto.
    let value = detail["value"].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(value.trim_end_matches('='))
        .unwrap();
    assert_eq!(
        &bytes[..3],
        [0x0a, bytes.len() as u8 - 2, 0x08],
        "{bytes:?}"
    );
    assert!((1..=60).contains(&bytes[3]), "retry in {} s", bytes[3]);
    // Another partner is not held back.
    assert_eq!(call(&["-H", "X-API-Key: key-b"], BODY).status, 200);

    let stats = curl(&curl_path, &[&hybrid.url("/api/v1/stats")]).json();
    assert_eq!(stats["connect_requests"], 3);
    assert_eq!(stats["rate_limited"], 1);
}

#[test]
fn the_partner_door_checks_the_key_for_grpc_web_too() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start("partner-web", &[]);
    // gRPC-Web with an empty request: the key is checked before the
    // message is read, and the status comes in the body's trailer frame.
    let reply = curl(
        &curl_path,
        &[
            "-X",
            "POST",
            &hybrid.url(PATH),
            "-H",
            "Content-Type: application/grpc-web+proto",
            "--data-binary",
            "@-",
        ],
    );
    assert_eq!(reply.status, 200);
    // Trailers-only (in the headers) or a trailer frame in the body.
    let in_headers = reply.header("grpc-status") == Some("16");
    assert!(
        in_headers || reply.body.contains("grpc-status:16"),
        "{reply:?}"
    );
}
