//! A rich set of messages covering every mapping, shared by the oracle,
//! parity, hostile-input tests and the benchmarks.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use typerpc::{Any, Duration, Empty, ListValue, Message, Struct, Timestamp, Value};

pub const PACKAGE: &str = "typerpc.test.v1";

/// A color, to test enums.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "typerpc.test.v1")]
pub enum Color {
    /// Not set.
    Unspecified,
    Red,
    Green = 5,
    Blue,
}

/// Every scalar, with each integer encoding.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Scalars {
    pub f_double: f64,
    pub f_float: f32,
    pub f_int32: i32,
    pub f_int64: i64,
    pub f_uint32: u32,
    pub f_uint64: u64,
    #[rpc(sint)]
    pub f_sint32: i32,
    #[rpc(sint)]
    pub f_sint64: i64,
    #[rpc(fixed)]
    pub f_fixed32: u32,
    #[rpc(fixed)]
    pub f_fixed64: u64,
    #[rpc(fixed)]
    pub f_sfixed32: i32,
    #[rpc(fixed)]
    pub f_sfixed64: i64,
    pub f_bool: bool,
    pub f_string: String,
    pub f_bytes: Vec<u8>,
    pub f_color: Color,
}

/// proto3 `optional`: presence kept.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Optionals {
    pub o_int32: Option<i32>,
    pub o_int64: Option<i64>,
    #[rpc(sint)]
    pub o_sint64: Option<i64>,
    pub o_double: Option<f64>,
    pub o_bool: Option<bool>,
    pub o_string: Option<String>,
    pub o_bytes: Option<Vec<u8>>,
    pub o_color: Option<Color>,
    pub o_child: Option<Leaf>,
}

/// A small message used inside others.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Leaf {
    pub name: String,
    pub weight: i64,
}

/// Repeated fields of every kind.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Repeats {
    pub r_int32: Vec<i32>,
    #[rpc(sint)]
    pub r_sint64: Vec<i64>,
    #[rpc(fixed)]
    pub r_fixed32: Vec<u32>,
    pub r_double: Vec<f64>,
    pub r_bool: Vec<bool>,
    pub r_string: Vec<String>,
    pub r_bytes: Vec<Vec<u8>>,
    pub r_color: Vec<Color>,
    pub r_leaf: Vec<Leaf>,
}

/// Maps with several key and value types.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Maps {
    pub by_name: HashMap<String, i64>,
    pub by_id: BTreeMap<i32, String>,
    pub by_u64: HashMap<u64, Leaf>,
    pub flags: HashMap<bool, Color>,
    pub blobs: BTreeMap<String, Vec<u8>>,
}

/// What a shape is: a oneof.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum Shape {
    /// A circle's radius.
    Radius(f64),
    Label(String),
    Leaf(Leaf),
    #[rpc(tag = 20)]
    Code(i64),
    Tint(Color),
}

/// A oneof between plain fields; an explicit number after it.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct WithOneof {
    pub id: String,
    pub shape: Option<Shape>,
    pub after: i32,
    #[rpc(tag = 30)]
    pub explicit: String,
}

/// A recursive tree.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Tree {
    pub value: i32,
    pub children: Vec<Tree>,
    pub left: Option<Box<Tree>>,
}

/// The well-known types.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct WellKnown {
    pub at: Option<Timestamp>,
    pub took: Option<Duration>,
    pub meta: Option<Struct>,
    pub anything: Option<Value>,
    pub list: Option<ListValue>,
    pub packed: Option<Any>,
    pub nothing: Option<Empty>,
    pub times: Vec<Timestamp>,
}

/// Renamed things and a declared default.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1", name = "Renamed", reserved = [4, 8..=10, "old"])]
pub struct RenamedMessage {
    #[rpc(name = "first_name", json_name = "given")]
    pub name: String,
    /// How many to return.
    #[rpc(default = 10)]
    pub limit: i32,
    #[rpc(default = "en")]
    pub language: String,
}

/// All of the above in one message.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "typerpc.test.v1")]
pub struct Everything {
    pub scalars: Option<Scalars>,
    pub optionals: Option<Optionals>,
    pub repeats: Option<Repeats>,
    pub maps: Option<Maps>,
    pub oneof: Option<WithOneof>,
    pub tree: Option<Tree>,
    pub well_known: Option<WellKnown>,
    pub renamed: Option<RenamedMessage>,
}
pub mod client_checks;
pub mod oracle;
pub mod peers;
pub mod server;
pub mod shapes;
pub mod streaming;
