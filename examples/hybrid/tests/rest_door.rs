//! The public REST door: Bearer auth (401 without a token, 403 with a
//! wrong one), FastAPI's 422 naming the field of a bad body, 400 for an
//! oversized one, and a per-client rate limit answering 429 with
//! `Retry-After`. Nothing refused reaches the processor.

mod support;

use support::*;

const BODY: &str = r#"{"data": {"message": "hi"}, "priority": "high"}"#;

#[test]
fn missing_and_wrong_tokens_are_refused_before_anything_is_processed() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start("rest-auth", &[]);
    let url = hybrid.url("/api/v1/process");
    let post = |extra: &[&str]| {
        let mut args = vec![
            "-X",
            "POST",
            url.as_str(),
            "-H",
            "Content-Type: application/json",
            "-d",
            BODY,
        ];
        args.extend_from_slice(extra);
        curl(&curl_path, &args)
    };

    let missing = post(&[]);
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(missing.json()["detail"], "Not authenticated");
    let not_bearer = post(&["-H", "Authorization: Basic ZGVtbzpkZW1v"]);
    assert_eq!(not_bearer.status, 401);
    let wrong = post(&["-H", "Authorization: Bearer not-the-token"]);
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    assert_eq!(wrong.json()["detail"], "Invalid token");

    let stats = curl(&curl_path, &[&hybrid.url("/api/v1/stats")]).json();
    assert_eq!(stats["total_requests"], 0);
}

#[test]
fn bad_bodies_get_fastapis_field_errors() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start("rest-body", &[]);
    let url = hybrid.url("/api/v1/process");
    let post = |body: &str| {
        curl(
            &curl_path,
            &[
                "-X",
                "POST",
                &url,
                "-H",
                "Authorization: Bearer demo-token",
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                body,
            ],
        )
    };
    let field_errors = |body: &str| {
        let reply = post(body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        reply.json()["detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["type"].as_str().unwrap(), e["loc"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(field_errors("{\"data\": "), [r#"json_invalid ["body"]"#]);
    assert_eq!(field_errors("[1, 2]"), [r#"model_type ["body"]"#]);
    assert_eq!(
        field_errors(r#"{"priority": "high"}"#),
        [r#"missing ["body","data"]"#]
    );
    assert_eq!(
        field_errors(r#"{"data": "text", "priority": 3}"#),
        [
            r#"dict_type ["body","data"]"#,
            r#"string_type ["body","priority"]"#
        ]
    );
    let huge = format!(r#"{{"data": {{"blob": "{}"}}}}"#, "x".repeat(100_000));
    let oversized = post(&huge);
    assert_eq!(oversized.status, 400, "{}", oversized.body);
    assert_eq!(oversized.json()["detail"][0]["type"], "too_large");

    // Without a priority the seed's default applies.
    let ok = post(r#"{"data": {"n": 1}}"#);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let stats = curl(&curl_path, &[&hybrid.url("/api/v1/stats")]).json();
    assert_eq!(
        stats["total_requests"], 1,
        "only the valid request was processed"
    );
}

#[test]
fn each_client_is_rate_limited_on_its_own_with_retry_after() {
    let Some(curl_path) = peer("curl") else {
        return;
    };
    let hybrid = Hybrid::start(
        "rest-rate",
        &[
            "--rest-rate",
            "3/60s",
            "--token",
            "demo-token=demo-user",
            "--token",
            "other-token=other-user",
        ],
    );
    let url = hybrid.url("/api/v1/process");
    let post = |token: &str| {
        curl(
            &curl_path,
            &[
                "-X",
                "POST",
                &url,
                "-H",
                &format!("Authorization: Bearer {token}"),
                "-H",
                "Content-Type: application/json",
                "-d",
                BODY,
            ],
        )
    };
    for _ in 0..3 {
        assert_eq!(post("demo-token").status, 200);
    }
    let limited = post("demo-token");
    assert_eq!(limited.status, 429, "{}", limited.body);
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=20).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert!(limited.json()["detail"]
        .as_str()
        .unwrap()
        .contains("3 requests per 60 s"));
    // Another user has a bucket of their own.
    assert_eq!(post("other-token").status, 200);

    // The open stats endpoint is limited per address.
    let stats_url = hybrid.url("/api/v1/stats");
    let statuses: Vec<u16> = (0..4)
        .map(|_| curl(&curl_path, &[&stats_url]).status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    let internal = format!(
        "http://127.0.0.1:{}/internal.v1.InternalService/GetStats",
        hybrid.internal
    );
    let counters = curl(
        &curl_path,
        &[
            "-H",
            "Content-Type: application/json",
            "-d",
            "{}",
            &internal,
        ],
    )
    .json();
    assert_eq!(counters["totalRequests"], 4);
    assert_eq!(counters["rateLimited"], 2);
}
