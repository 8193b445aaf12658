//! The `.proto` files committed under `proto/` at the repository root
//! must be what the services' code renders. Run with
//! `TYPERPC_UPDATE_PROTO=1` to rewrite them after changing the types.

use hybrid::run::{Doors, Settings};

#[test]
fn committed_proto_matches_the_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let doors = Doors::new(&Settings::default());
    let router = doors.services();
    typerpc::schema::check_proto_files(&router.schema().expect("schema"), &root)
        .unwrap_or_else(|e| panic!("{e}"));
}
