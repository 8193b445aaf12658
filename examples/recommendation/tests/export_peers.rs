//! The example's exported `.proto` files compile with protoc (from
//! grpcio-tools) and `buf build`; `buf lint` reports only the rules typerpc
//! departs from on purpose. With `CI=true` a missing peer fails.

#[path = "../../../crates/typerpc/tests/common"]
mod common {
    pub mod export_peers;
    pub mod peers;
}

use recommendation::RecommendationService;
use typerpc::service::Service;

fn exported(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "typerpc-recommendation-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    typerpc::schema::write_service_proto_files([RecommendationService::schema()], &dir)
        .expect("exported");
    assert!(dir.join("recommendation/v1/recommendation.proto").is_file());
    dir
}

#[test]
fn exported_files_compile_with_protoc() {
    let dir = exported("protoc");
    common::export_peers::compiles_with_protoc(&dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn exported_files_build_with_buf_and_lint_clean_but_for_accepted_rules() {
    let dir = exported("buf");
    if let Some(rules) = common::export_peers::buf_build_and_lint(&dir) {
        common::export_peers::assert_only_accepted_lint(&rules);
        assert!(
            !rules.is_empty(),
            "the accepted rules are documented because they fire here"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
