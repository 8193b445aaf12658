//! The `.proto` files committed under `proto/` at the repository root
//! must be what the code renders. Run with `TYPERPC_UPDATE_PROTO=1` to
//! rewrite them after changing the types.

use std::sync::Arc;

use orders::log::EmbeddedLog;
use orders::read_model::MemoryReadModel;
use orders::{OrderCommandService, OrderQueryService, ProjectorService, QueryOptions};

#[test]
fn committed_proto_matches_the_code() {
    let dir = std::env::temp_dir().join(format!("orders-proto-{}", std::process::id()));
    let log = Arc::new(EmbeddedLog::open(&dir.join("events.redb")).unwrap());
    let model = Arc::new(MemoryReadModel::new());
    let router = typerpc::Router::new()
        .add(OrderCommandService::new(log.clone()))
        .add(OrderQueryService::new(
            model.clone(),
            QueryOptions::default(),
        ))
        .add(ProjectorService::new(log, model));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let checked = typerpc::schema::check_proto_files(&router.schema().expect("schema"), &root);
    let _ = std::fs::remove_dir_all(&dir);
    checked.unwrap_or_else(|e| panic!("{e}"));
}
