//! The seed's three curl commands, with the seed's exact bodies, against
//! the example (host and port changed; the partner call adds its API key).

mod support;

use support::*;

#[test]
fn the_seeds_rest_connect_and_stats_commands_work() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start("seed", &[]);
    let curl = |args: &[&str]| curl(&curl_path, args);

    // Test REST endpoint with auth
    let rest = curl(&[
        "-X",
        "POST",
        &hybrid.url("/api/v1/process"),
        "-H",
        "Authorization: Bearer demo-token",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"data": {"message": "Hello from REST"}, "priority": "high"}"#,
    ]);
    assert_eq!(rest.status, 200, "{}", rest.body);
    let rest = rest.json();
    assert_eq!(rest["protocol"], "REST");
    assert_eq!(rest["user"], "demo-user");
    assert_eq!(
        rest["result"]["processed_content"],
        r#"Processed: {"message":"Hello from REST"}"#
    );
    assert_eq!(rest["result"]["request_number"], 1);
    assert!(rest["processing_time_ms"].as_f64().unwrap() >= 0.0);
    assert!(rest["result"]["timestamp"].as_str().unwrap().ends_with('Z'));

    // Test Connect RPC endpoint (note the package name in URL)
    let connect = curl(&[
        "-X",
        "POST",
        &hybrid.url("/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner"),
        "-H",
        "Content-Type: application/json",
        "-H",
        "X-API-Key: partner-demo-key",
        "-d",
        r#"{"data": {"content": "{\"message\": \"Hello from Connect RPC\"}", "metadata": "test"}, "priority": "normal"}"#,
    ]);
    assert_eq!(connect.status, 200, "{}", connect.body);
    let connect = connect.json();
    assert_eq!(connect["protocol"], "Connect-RPC");
    assert_eq!(
        connect["result"]["processedContent"],
        r#"Processed: {"message":"Hello from Connect RPC"}"#
    );
    assert_eq!(connect["result"]["requestNumber"], 2);

    // Get service stats
    let stats = curl(&[&hybrid.url("/api/v1/stats")]);
    assert_eq!(stats.status, 200, "{}", stats.body);
    let stats = stats.json();
    assert_eq!(stats["total_requests"], 2);
    assert_eq!(stats["rest_requests"], 1);
    assert_eq!(stats["connect_requests"], 1);
    assert_eq!(stats["rate_limited"], 0);
}
