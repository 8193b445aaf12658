//! Any text: JSON parsing returns a value or an error, never panics; a
//! value written back as JSON parses to the same value, and its binary
//! encoding decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::{JsonOptions, Message};
use typerpc_fuzz::{same, Node};

fuzz_target!(|data: &[u8]| {
    for options in [
        JsonOptions::default(),
        JsonOptions::default().with_ignore_unknown_fields(true),
    ] {
        let Ok(node) = Node::from_json_with(data, &options) else {
            continue;
        };
        if let Ok(text) = node.to_json() {
            let again = Node::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert!(same(&node, &again), "{text}\n{node:?}\n{again:?}");
        }
        let decoded = Node::decode(&node.encode_to_vec()[..]).expect("our own encoding decodes");
        assert!(same(&node, &decoded), "{node:?}\n{decoded:?}");
    }
});
