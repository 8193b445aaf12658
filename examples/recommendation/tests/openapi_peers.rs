//! The OpenAPI document the example serves, checked by tools we did not
//! write: `openapi-spec-validator` finds it valid, and schemathesis, calling
//! the running server with requests generated from it (valid ones and ones
//! the document forbids), finds no server error, no response that breaks
//! its schema, and no request accepted that the document forbids. With
//! `CI=true` a missing peer fails.

#[path = "../../../crates/typerpc/tests/common/peers.rs"]
mod peers;

use typerpc::testing::TestServer;

#[test]
fn the_document_is_valid_openapi() {
    let Some(validator) = peers::peer("openapi-spec-validator") else {
        return;
    };
    let router = recommendation::server().into_router();
    let doc = router.openapi().expect("document");
    let file = std::env::temp_dir().join(format!(
        "typerpc-recommendation-openapi-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = std::process::Command::new(validator)
        .arg(&file)
        .output()
        .expect("openapi-spec-validator runs");
    let _ = std::fs::remove_file(&file);
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("OK"), "{report}");
}

/// Every check schemathesis has that applies to an API without
/// authentication or resources, except `positive_data_acceptance`: the
/// document admits integers given as strings (the proto3 JSON reader takes
/// `"5"` for an `int32`), and JSON Schema's `minimum` and `maximum` do not
/// apply to strings, so `{"limit": "0"}` is valid under the document yet
/// rejected by `ge = 1`. The document errs on the side of admitting: what
/// it forbids is always rejected, which `negative_data_rejection` checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_wrong() {
    let Some(st) = peers::peer("st") else {
        return;
    };
    let server = TestServer::start_server(recommendation::server()).await;
    let url = format!("{}/openapi.json", server.url());
    let dir = std::env::temp_dir().join(format!("typerpc-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run_dir = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        peers::schemathesis(&st, &url, 150, &run_dir)
            .output()
            .expect("schemathesis runs")
    })
    .await
    .unwrap();
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    // It called all three operations (POST and GET of GetTrending too).
    assert!(report.contains("Tested: 3"), "{report}");
    assert!(!report.contains("FAILURES"), "{report}");
}
