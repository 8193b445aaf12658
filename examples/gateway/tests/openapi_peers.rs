//! The OpenAPI documents of the gateway's RPC backends (user, product,
//! payment, order; the recommendation backend is Pattern 1's server,
//! checked in its own example), checked by tools we did not write:
//! `openapi-spec-validator` finds each valid, and schemathesis, calling
//! each running backend with requests generated from its document (valid
//! ones and ones the document forbids), finds no server error, no response
//! that breaks its schema, and no request accepted that the document
//! forbids. With `CI=true` a missing peer fails.

#[path = "../../../crates/typerpc/tests/common/peers.rs"]
mod peers;

use std::time::Duration;

use gateway::run::{backend_server, Backend};
use typerpc::testing::TestServer;

const DOCUMENTED: [Backend; 4] = [
    Backend::User,
    Backend::Product,
    Backend::Payment,
    Backend::Order,
];

#[test]
fn every_backends_document_is_valid_openapi() {
    let Some(validator) = peers::peer("openapi-spec-validator") else {
        return;
    };
    for backend in DOCUMENTED {
        let router = backend_server(backend, Duration::ZERO)
            .expect("an RPC backend")
            .into_router();
        let doc = router.openapi().expect("document");
        let file = std::env::temp_dir().join(format!(
            "gateway-{}-openapi-{}.json",
            backend.name(),
            std::process::id()
        ));
        std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        let out = std::process::Command::new(&validator)
            .arg(&file)
            .output()
            .expect("openapi-spec-validator runs");
        let _ = std::fs::remove_file(&file);
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {report}", backend.name());
        assert!(report.contains("OK"), "{}: {report}", backend.name());
    }
}

/// Every check that applies to APIs without authentication or resources,
/// except `positive_data_acceptance` (see [`peers::schemathesis`]). What
/// the document forbids is always rejected (`negative_data_rejection`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_wrong_with_any_backend() {
    let Some(st) = peers::peer("st") else {
        return;
    };
    for backend in DOCUMENTED {
        let server =
            TestServer::start_server(backend_server(backend, Duration::ZERO).unwrap()).await;
        let url = format!("{}/openapi.json", server.url());
        let dir = std::env::temp_dir().join(format!(
            "gateway-schemathesis-{}-{}",
            backend.name(),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (run_dir, st) = (dir.clone(), st.clone());
        let out = tokio::task::spawn_blocking(move || {
            peers::schemathesis(&st, &url, 100, &run_dir)
                .output()
                .expect("schemathesis runs")
        })
        .await
        .unwrap();
        server.shutdown().await;
        let _ = std::fs::remove_dir_all(&dir);
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {report}", backend.name());
        assert!(!report.contains("FAILURES"), "{}: {report}", backend.name());
        assert!(
            !report.contains("Tested: 0"),
            "{}: {report}",
            backend.name()
        );
    }
}
