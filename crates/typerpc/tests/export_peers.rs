//! Exported `.proto` files over several packages, with imports between
//! them and of well-known types, compile with protoc and `buf build`, and
//! `buf lint` reports nothing beyond the rules typerpc departs from on
//! purpose (`common/export_peers.rs`). With `CI=true` a missing peer fails.

mod common {
    pub mod export_peers;
    pub mod peers;
}
#[path = "common/shop.rs"]
mod shop;

use typerpc::service::Service;

fn exported(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("typerpc-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = typerpc::schema::write_service_proto_files(
        std::iter::once(shop::ShopService::schema())
            .chain(typerpc::reflection::standard_services()),
        &dir,
    )
    .expect("exported");
    let relative: Vec<_> = written
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_owned())
        .collect();
    assert!(
        relative.contains(&"shop/v1/shop.proto".into()),
        "{relative:?}"
    );
    assert!(
        relative.contains(&"shop/common/v1/common.proto".into()),
        "{relative:?}"
    );
    assert!(
        !relative.iter().any(|p| p.starts_with("google")),
        "{relative:?}"
    );
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
    }
    let _ = std::fs::remove_dir_all(dir);
}
