//! Messages the fuzz targets decode, like `crates/typerpc/tests/common`:
//! every kind of field (each integer encoding, packed and unpacked repeated
//! fields, maps with scalar and message values, enums with and without a
//! catch-all, a oneof with an explicitly numbered member, declared
//! defaults, recursion, well-known types).
//!
//! [`service`] is what the targets that send whole requests call: a small
//! echoing service in every call shape behind the in-memory router.

pub mod service;

use std::collections::{BTreeMap, HashMap};

use typerpc::{Any, Duration, Empty, ListValue, Message, Struct, Timestamp, Value};

/// An enum that keeps numbers it does not declare.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "fuzz.v1")]
pub enum Color {
    Unspecified,
    Red,
    #[rpc(value = 5)]
    Green,
    #[rpc(unknown)]
    Other(i32),
}

/// An enum that rejects numbers it does not declare.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "fuzz.v1")]
pub enum Strict {
    Unspecified,
    One,
    Two,
}

#[derive(Message, Clone, Debug, PartialEq)]
pub enum Choice {
    Number(f64),
    Text(String),
    Node(Box<Node>),
    #[rpc(tag = 40)]
    Level(Strict),
    Blob(Vec<u8>),
}

#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "fuzz.v1", reserved = [60..=62, "gone"])]
pub struct Node {
    pub id: i64,
    #[rpc(sint)]
    pub delta: i32,
    #[rpc(fixed)]
    pub mask: u64,
    pub name: String,
    pub data: Vec<u8>,
    pub color: Color,
    pub strict: Strict,
    pub maybe: Option<u32>,
    pub ratio: f32,
    pub children: Vec<Node>,
    pub next: Option<Box<Node>>,
    pub tags: HashMap<String, i64>,
    pub names: BTreeMap<String, String>,
    pub by_id: BTreeMap<u32, Node>,
    pub flags: BTreeMap<bool, Strict>,
    pub colors: Vec<Color>,
    #[rpc(fixed)]
    pub stamps: Vec<i64>,
    #[rpc(sint)]
    pub deltas: Vec<i64>,
    pub words: Vec<String>,
    pub choice: Option<Choice>,
    pub at: Option<Timestamp>,
    pub took: Option<Duration>,
    pub meta: Option<Struct>,
    pub value: Option<Value>,
    pub list: Option<ListValue>,
    pub any: Option<Any>,
    pub nothing: Option<Empty>,
    #[rpc(default = 7)]
    pub limit: i32,
    #[rpc(default = "en", tag = 100)]
    pub language: String,
}

/// Whether two messages are the same. NaN never equals itself but its bytes
/// do, so the encodings are compared first; a `HashMap`'s entries are
/// encoded in its iteration order, so then the values; and when both differ
/// (NaN and a reordered map), the encodings as multisets of bytes.
pub fn same(a: &Node, b: &Node) -> bool {
    let (x, y) = (a.encode_to_vec(), b.encode_to_vec());
    x == y || a == b || sorted(&x) == sorted(&y)
}

fn sorted(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes.sort_unstable();
    bytes
}

/// JSON written for `node` reads back as a message that writes the same
/// JSON. The texts are compared, which holds for NaN, unlike `==`; where a
/// `HashMap` has several entries its members may come out in another order
/// (its iteration order), so then only the bytes are compared as multisets.
pub fn check_json_round_trip(node: &Node) {
    // JSON fails only for values it cannot express (an Any of an unknown
    // type, a Timestamp out of range, a NaN in a Value).
    let Ok(text) = node.to_json() else {
        return;
    };
    let parsed = Node::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let again = parsed.to_json().unwrap_or_else(|e| panic!("{e}\n{text}"));
    if has_no_hash_map_order(node) {
        assert_eq!(text, again);
    } else {
        assert!(
            sorted(text.as_bytes()) == sorted(again.as_bytes()),
            "{text}\n{again}"
        );
    }
}

fn has_no_hash_map_order(node: &Node) -> bool {
    node.tags.len() <= 1
        && node.children.iter().all(has_no_hash_map_order)
        && node.next.as_deref().is_none_or(has_no_hash_map_order)
        && node.by_id.values().all(has_no_hash_map_order)
        && match &node.choice {
            Some(Choice::Node(inner)) => has_no_hash_map_order(inner),
            _ => true,
        }
}
