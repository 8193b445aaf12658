//! Any text: JSON parsing returns a value or an error, never panics; a
//! value written back as JSON reads back to the same value, and its binary
//! encoding decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::{JsonOptions, Message};
use typerpc_fuzz::{check_json_round_trip, same, Node};

fuzz_target!(|data: &[u8]| {
    for options in [
        JsonOptions::default(),
        JsonOptions::default().with_ignore_unknown_fields(true),
    ] {
        let Ok(node) = Node::from_json_with(data, &options) else {
            continue;
        };
        check_json_round_trip(&node);
        let decoded = Node::decode(&node.encode_to_vec()[..]).expect("our own encoding decodes");
        assert!(same(&node, &decoded), "{node:?}\n{decoded:?}");
    }
});
