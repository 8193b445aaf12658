//! The gateway and its backends as separate processes on loopback
//! ports, driven as the mobile app and curl would.

mod support;

use std::time::Duration;

use support::*;

#[test]
fn the_quick_start_serves_home_checkout_and_health() {
    let port = free_port();
    let _all = Process::start(
        &["all".into(), "--addr".into(), format!("127.0.0.1:{port}")],
        port,
    );

    let home = get(port, "/mobile/home/123");
    assert_eq!(home.status, 200, "{}", home.body);
    let json = home.json();
    assert_eq!(json["user"]["name"], "Ada Lovelace");
    assert_eq!(json["user"]["membership_level"], "gold");
    let products = json["trending_products"].as_array().unwrap();
    assert_eq!(products.len(), 3);
    assert!(products
        .iter()
        .all(|p| p["in_stock"].is_boolean() && p["id"].is_string()));
    assert!(json.get("missing").is_none());

    let order = r#"{"user_id": "123", "product_ids": ["e-1", "e-3"], "payment_info": {"card_token": "tok_visa"}}"#;
    let checkout = post_json(port, "/mobile/checkout", order);
    assert_eq!(checkout.status, 200, "{}", checkout.body);
    let json = checkout.json();
    assert_eq!(json["status"], "confirmed");
    assert!(json["order_id"].as_str().unwrap().starts_with("ord-"));
    assert!(json["estimated_delivery"].as_str().unwrap().ends_with('Z'));

    let sold_out = r#"{"user_id": "123", "product_ids": ["e-1", "e-2"], "payment_info": {"card_token": "tok_visa"}}"#;
    let refused = post_json(port, "/mobile/checkout", sold_out);
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["detail"], "Product e-2 out of stock");

    let declined = r#"{"user_id": "123", "product_ids": ["e-3"], "payment_info": {"card_token": "tok_declined"}}"#;
    assert_eq!(post_json(port, "/mobile/checkout", declined).status, 402);

    let health = get(port, "/health");
    assert_eq!(health.status, 200);
    let json = health.json();
    assert_eq!(json["status"], "healthy", "{json}");
    assert_eq!(json["services"].as_object().unwrap().len(), 7);

    // The activity log was written in the background.
    let mut entries = Vec::new();
    for _ in 0..100 {
        entries = get(port, "/activity").json()["entries"]
            .as_array()
            .unwrap()
            .clone();
        if entries.len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Written by two background tasks: in either order.
    let mut actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort();
    assert_eq!(actions, ["checkout", "home_view"]);
}

#[test]
fn home_fans_out_in_parallel_and_takes_about_the_slowest_backend() {
    let delay = 400;
    let stack = Stack::start(&[("user", delay), ("recommendation", delay)]);
    let _ = get(stack.port, "/mobile/home/1"); // connections up
    let fastest = (0..3)
        .map(|_| {
            let home = get(stack.port, "/mobile/home/1");
            assert_eq!(home.status, 200, "{}", home.body);
            home.took
        })
        .min()
        .unwrap();
    let slowest = Duration::from_millis(delay);
    let sum = Duration::from_millis(2 * delay);
    assert!(
        fastest >= slowest,
        "{fastest:?}: faster than the slowest backend?"
    );
    assert!(
        fastest < sum.mul_f64(0.8),
        "{fastest:?}: the calls ran one after the other"
    );
}

#[test]
fn an_incoming_deadline_of_50_ms_cuts_slow_backend_calls() {
    let mut stack = Stack::start(&[("user", 5_000), ("inventory", 5_000)]);
    let timeout = [("X-Request-Timeout-Ms", "50")];

    // The user service is essential: 504 naming it, in time.
    let home = http(stack.port, "GET", "/mobile/home/1", &timeout, b"");
    assert_eq!(home.status, 504, "{}", home.body);
    assert_eq!(home.json()["service"], "user_service");
    assert!(
        home.took < Duration::from_millis(50 + 950),
        "{:?}",
        home.took
    );

    // With a fast user service, only the inventory is slow: it is not
    // essential, so the answer comes in time without it.
    stack.backend("user").process.kill();
    let user = stack.backend("user");
    user.delay_ms = 0;
    user.restart();
    let _ = get(stack.port, "/health"); // reconnect
    let home = http(
        stack.port,
        "GET",
        "/mobile/home/1",
        &[("X-Request-Timeout-Ms", "300")],
        b"",
    );
    assert_eq!(home.status, 200, "{}", home.body);
    assert_eq!(
        home.json()["missing"],
        serde_json::json!(["inventory_service"])
    );
    assert!(
        home.took < Duration::from_millis(300 + 950),
        "{:?}",
        home.took
    );

    let bad = http(
        stack.port,
        "GET",
        "/mobile/home/1",
        &[("X-Request-Timeout-Ms", "soon")],
        b"",
    );
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.json()["detail"][0]["loc"],
        serde_json::json!(["header", "x-request-timeout-ms"])
    );
}

#[test]
fn retries_recover_from_a_backend_restarted_mid_request() {
    let mut stack = Stack::start(&[]);
    assert_eq!(get(stack.port, "/mobile/home/123").status, 200);

    stack.backend("user").process.kill();
    let port = stack.port;
    let request = std::thread::spawn(move || get(port, "/mobile/home/123"));
    std::thread::sleep(Duration::from_millis(150));
    stack.backend("user").restart();
    let home = request.join().unwrap();
    assert_eq!(home.status, 200, "{}", home.body);
    assert_eq!(home.json()["user"]["name"], "Ada Lovelace");
    assert!(
        home.took >= Duration::from_millis(150),
        "the request did not wait for the restart"
    );
}

#[test]
fn partial_failure_answers_with_what_it_has_or_names_the_essential_backend() {
    let mut stack = Stack::start(&[]);
    stack.backend("inventory").process.kill();

    let home = get(stack.port, "/mobile/home/123");
    assert_eq!(home.status, 200, "{}", home.body);
    let json = home.json();
    assert_eq!(json["missing"], serde_json::json!(["inventory_service"]));
    assert!(json["trending_products"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["in_stock"].is_null()));
    assert_eq!(json["user"]["name"], "Ada Lovelace");

    let health = get(stack.port, "/health").json();
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["services"]["inventory_service"], "unhealthy");
    assert_eq!(health["services"]["user_service"], "healthy");

    let order = r#"{"user_id": "1", "product_ids": ["e-1"], "payment_info": {"card_token": "t"}}"#;
    let checkout = post_json(stack.port, "/mobile/checkout", order);
    assert_eq!(checkout.status, 503);
    assert_eq!(checkout.json()["service"], "inventory_service");

    stack.backend("user").process.kill();
    let home = get(stack.port, "/mobile/home/123");
    assert_eq!(home.status, 503, "{}", home.body);
    assert_eq!(home.json()["service"], "user_service");
}

#[test]
fn bad_input_is_answered_with_the_field_before_any_backend_is_called() {
    let mut stack = Stack::start(&[]);
    // With every backend down, only answers that need none can come back.
    for backend in &mut stack.backends {
        backend.process.kill();
    }
    let port = stack.port;
    let loc = |answer: &Answer| answer.json()["detail"][0]["loc"].clone();

    let malformed = post_json(port, "/mobile/checkout", r#"{"user_id": "1", "#);
    assert_eq!(malformed.status, 422);
    assert_eq!(malformed.json()["detail"][0]["type"], "json_invalid");

    let missing = post_json(
        port,
        "/mobile/checkout",
        r#"{"user_id": "1", "product_ids": ["e-1"]}"#,
    );
    assert_eq!(missing.status, 422);
    assert_eq!(loc(&missing), serde_json::json!(["body", "payment_info"]));
    assert_eq!(missing.json()["detail"][0]["type"], "missing");

    let wrong = r#"{"user_id": 7, "product_ids": ["e-1"], "payment_info": {"card_token": "t"}}"#;
    let wrong = post_json(port, "/mobile/checkout", wrong);
    assert_eq!(wrong.status, 422);
    assert_eq!(loc(&wrong), serde_json::json!(["body", "user_id"]));
    assert_eq!(wrong.json()["detail"][0]["type"], "string_type");

    let nested =
        r#"{"user_id": "1", "product_ids": ["e-1", 3], "payment_info": {"card_token": false}}"#;
    let nested = post_json(port, "/mobile/checkout", nested);
    assert_eq!(nested.status, 422);
    let locs: Vec<_> = nested.json()["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["loc"].clone())
        .collect();
    assert_eq!(
        locs,
        [
            serde_json::json!(["body", "product_ids", "1"]),
            serde_json::json!(["body", "payment_info", "card_token"])
        ]
    );

    let huge = format!(r#"{{"user_id": "{}"}}"#, "x".repeat(100_000));
    let huge = post_json(port, "/mobile/checkout", &huge);
    assert_eq!(huge.status, 400);
    assert_eq!(loc(&huge), serde_json::json!(["body"]));

    let long_id = format!("/mobile/home/{}", "x".repeat(100));
    let long_id = get(port, &long_id);
    assert_eq!(long_id.status, 422, "{}", long_id.body);
    assert_eq!(loc(&long_id), serde_json::json!(["path", "user_id"]));
}
