//! The `.proto` files committed under `proto/` must be what the code
//! renders, so clients in other languages stay in step. Run with
//! `TYPERPC_UPDATE_PROTO=1` to rewrite them after changing the types.

#[test]
fn committed_proto_matches_the_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let schema = testing::router().schema().expect("schema");
    typerpc::schema::check_proto_files(&schema, &dir).unwrap_or_else(|e| panic!("{e}"));
}
