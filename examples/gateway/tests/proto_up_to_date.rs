//! The `.proto` files committed under `proto/` at the repository root
//! must be what the backends' code renders. Run with
//! `TYPERPC_UPDATE_PROTO=1` to rewrite them after changing the types.

use gateway::backends::{
    order::OrderService, payment::PaymentService, product::ProductService, user::UserService,
};

#[test]
fn committed_proto_matches_the_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let router = typerpc::Router::new()
        .add(UserService::default())
        .add(ProductService::default())
        .add(PaymentService::default())
        .add(OrderService::default());
    typerpc::schema::check_proto_files(&router.schema().expect("schema"), &root)
        .unwrap_or_else(|e| panic!("{e}"));
}
