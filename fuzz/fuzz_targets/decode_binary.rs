//! Any bytes: decoding returns a value or an error, never panics; a value
//! re-encodes to bytes that decode to the same value, and (when JSON can
//! express it) writes JSON that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::Message;
use typerpc_fuzz::{same, Node};

fuzz_target!(|data: &[u8]| {
    let Ok(node) = Node::decode(data) else {
        return;
    };
    let bytes = node.encode_to_vec();
    assert_eq!(bytes.len(), node.encoded_len());
    let again = Node::decode(&bytes[..]).expect("our own encoding decodes");
    assert!(same(&node, &again), "{node:?}\n{again:?}");
    // JSON fails only for values it cannot express (an Any of an unknown
    // type, a Timestamp out of range, a NaN in a Value); otherwise it must
    // read back as the same message.
    if let Ok(text) = node.to_json() {
        let parsed = Node::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(same(&node, &parsed), "{text}\n{node:?}\n{parsed:?}");
    }
});
