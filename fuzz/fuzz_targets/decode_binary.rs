//! Any bytes: decoding returns a value or an error, never panics; a value
//! re-encodes to bytes that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::Message;
use typerpc_fuzz::{same, Node};

fuzz_target!(|data: &[u8]| {
    if let Ok(node) = Node::decode(data) {
        let again = Node::decode(&node.encode_to_vec()[..]).expect("our own encoding decodes");
        assert!(same(&node, &again));
        let _ = node.to_json();
    }
});
