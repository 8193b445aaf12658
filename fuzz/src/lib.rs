//! Messages the fuzz targets decode: every kind of field, nesting,
//! recursion, oneofs and well-known types.

use std::collections::HashMap;

use typerpc::{Any, Duration, Message, Struct, Timestamp, Value};

#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "fuzz.v1")]
pub enum Color {
    Unspecified,
    Red,
    #[rpc(unknown)]
    Other(i32),
}

#[derive(Message, Clone, Debug, PartialEq)]
pub enum Choice {
    Number(f64),
    Text(String),
    Node(Box<Node>),
}

#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "fuzz.v1")]
pub struct Node {
    pub id: i64,
    #[rpc(sint)]
    pub delta: i32,
    #[rpc(fixed)]
    pub mask: u64,
    pub name: String,
    pub data: Vec<u8>,
    pub color: Color,
    pub maybe: Option<u32>,
    pub children: Vec<Node>,
    pub next: Option<Box<Node>>,
    pub tags: HashMap<String, i64>,
    pub choice: Option<Choice>,
    pub at: Option<Timestamp>,
    pub took: Option<Duration>,
    pub meta: Option<Struct>,
    pub value: Option<Value>,
    pub any: Option<Any>,
    #[rpc(default = 7)]
    pub limit: i32,
}

/// Compares by encoding: NaN never equals itself, its bytes do.
pub fn same(a: &Node, b: &Node) -> bool {
    a.encode_to_vec() == b.encode_to_vec() || a == b
}
