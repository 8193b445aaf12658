//! The `.proto` files committed under `proto/` at the repository root
//! must be what the code renders. Run with `TYPERPC_UPDATE_PROTO=1` to
//! rewrite them after changing the types.

use mesh::{CheckoutService, PaymentService, PaymentServiceClient};

#[test]
fn committed_proto_matches_the_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let client = typerpc::Client::new("http://127.0.0.1:1").unwrap();
    let router = typerpc::Router::new()
        .add(PaymentService::new())
        .add(CheckoutService::new(PaymentServiceClient::new(client)));
    typerpc::schema::check_proto_files(&router.schema().expect("schema"), &root)
        .unwrap_or_else(|e| panic!("{e}"));
}
