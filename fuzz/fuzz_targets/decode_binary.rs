//! Any bytes: decoding returns a value or an error, never panics; a value
//! re-encodes to bytes that decode to the same value, and (when JSON can
//! express it) writes JSON that reads back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::Message;
use typerpc_fuzz::{check_json_round_trip, same, Node};

fuzz_target!(|data: &[u8]| {
    let Ok(node) = Node::decode(data) else {
        return;
    };
    let bytes = node.encode_to_vec();
    assert_eq!(bytes.len(), node.encoded_len());
    let again = Node::decode(&bytes[..]).expect("our own encoding decodes");
    assert!(same(&node, &again), "{node:?}\n{again:?}");
    check_json_round_trip(&node);
});
