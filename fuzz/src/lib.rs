//! Messages the fuzz targets decode, like `crates/typerpc/tests/common`:
//! every kind of field (each integer encoding, packed and unpacked repeated
//! fields, maps with scalar and message values, enums with and without a
//! catch-all, a oneof with an explicitly numbered member, declared
//! defaults, recursion, well-known types).

use std::collections::{BTreeMap, HashMap};

use typerpc::{Any, Duration, Empty, ListValue, Message, Struct, Timestamp, Value};

/// An enum that keeps numbers it does not declare.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "fuzz.v1")]
pub enum Color {
    Unspecified,
    Red,
    Green = 5,
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
#[rpc(package = "fuzz.v1", reserved = [30, "gone"])]
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

/// Compares by encoding: NaN never equals itself, its bytes do (and a map's
/// encoding follows its iteration order, so maps are compared as values
/// when the bytes differ).
pub fn same(a: &Node, b: &Node) -> bool {
    a.encode_to_vec() == b.encode_to_vec() || a == b
}
