//! A service whose request uses every kind of constraint, with one request
//! that breaks them all and the exact violations it must get.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use typerpc::validate::Checker;
use typerpc::{service, Message, Status};

pub const PACKAGE: &str = "validation.v1";

/// A customer tier; unknown numbers are kept.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "validation.v1")]
pub enum Tier {
    Unspecified,
    Gold,
    #[rpc(unknown)]
    Other(i32),
}

/// One line of an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "validation.v1")]
pub struct Item {
    #[rpc(min_len = 1)]
    pub sku: String,
    #[rpc(gt = 0.0, finite)]
    pub price: f64,
}

/// How to reach the customer.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum Contact {
    #[rpc(email)]
    Mail(String),
    #[rpc(min_len = 7, pattern = "^[0-9+ ]+$")]
    Phone(String),
    Seller(Item),
}

fn check_even(value: &i32) -> Result<(), &'static str> {
    if value % 2 == 0 {
        Ok(())
    } else {
        Err("must be even")
    }
}

/// An order with a constraint of every kind.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "validation.v1", validate_with = Self::check_range)]
pub struct Order {
    #[rpc(min_len = 1, max_len = 8)]
    pub name: String,
    #[rpc(len = 3)]
    pub code: String,
    #[rpc(pattern = "^[a-z]+$")]
    pub slug: String,
    #[rpc(email)]
    pub email: String,
    #[rpc(uri)]
    pub website: String,
    #[rpc(uuid)]
    pub id: String,
    #[rpc(hostname)]
    pub host: String,
    #[rpc(ip)]
    pub addr: String,
    #[rpc(max_len = 4)]
    pub blob: Vec<u8>,
    #[rpc(ge = 1, le = 100)]
    pub limit: i32,
    #[rpc(gt = 0, lt = 10)]
    pub small: i64,
    #[rpc(in = [1, 2, 3])]
    pub choice: u32,
    #[rpc(not_in = ["admin", "root"])]
    pub user: String,
    #[rpc(finite)]
    pub ratio: f32,
    #[rpc(min_items = 1, max_items = 3, items(max_len = 3))]
    pub tags: Vec<String>,
    #[rpc(unique)]
    pub ids: Vec<i64>,
    pub products: Vec<Item>,
    #[rpc(keys(min_len = 2), values(ge = 0))]
    pub stock: BTreeMap<String, i32>,
    pub by_id: BTreeMap<u32, Item>,
    #[rpc(required)]
    pub primary: Option<Item>,
    #[rpc(required)]
    pub contact: Option<Contact>,
    #[rpc(defined_only)]
    pub tier: Tier,
    #[rpc(validate_with = check_even)]
    pub even: i32,
    #[rpc(max_len = 3)]
    pub nick: Option<String>,
    pub start: i64,
    pub end: i64,
}

impl Order {
    fn check_range(&self, c: &mut Checker<'_>) {
        if self.end < self.start {
            c.field_violation("end", "range_order", "must not be before start");
        }
    }
}

fn item(sku: &str, price: f64) -> Item {
    Item {
        sku: sku.into(),
        price,
    }
}

/// An order that meets every constraint.
pub fn valid_order() -> Order {
    Order {
        name: "ada".into(),
        code: "abc".into(),
        slug: "books".into(),
        email: "ada@example.com".into(),
        website: "https://example.com/x".into(),
        id: "123e4567-e89b-12d3-a456-426614174000".into(),
        host: "example.com".into(),
        addr: "::1".into(),
        blob: vec![1, 2],
        limit: 10,
        small: 5,
        choice: 2,
        user: "ada".into(),
        ratio: 0.5,
        tags: vec!["a".into()],
        ids: vec![1, 2],
        products: vec![item("p", 1.0)],
        stock: BTreeMap::from([("ab".into(), 1)]),
        by_id: BTreeMap::from([(1, item("q", 2.0))]),
        primary: Some(item("r", 3.0)),
        contact: Some(Contact::Mail("ada@example.com".into())),
        tier: Tier::Gold,
        even: 2,
        nick: Some("ad".into()),
        start: 1,
        end: 2,
    }
}

/// An order that breaks every constraint (except the oneof member's).
pub fn invalid_order() -> Order {
    Order {
        name: String::new(),
        code: "ab".into(),
        slug: "Abc".into(),
        email: "nope".into(),
        website: "not a uri".into(),
        id: "123".into(),
        host: "-bad-".into(),
        addr: "300.1.1.1".into(),
        blob: vec![0; 5],
        limit: 0,
        small: 10,
        choice: 4,
        user: "root".into(),
        ratio: f32::INFINITY,
        tags: vec!["abcd".into(), "b".into(), "c".into(), "d".into()],
        ids: vec![1, 2, 1],
        products: vec![item("a", 1.0), item("b", 1.0), item("", -1.0)],
        stock: BTreeMap::from([("a".into(), -1)]),
        by_id: BTreeMap::from([(7, item("", 1.0))]),
        primary: None,
        contact: None,
        tier: Tier::Other(9),
        even: 3,
        nick: Some("abcd".into()),
        start: 5,
        end: 1,
    }
}

/// What `invalid_order` must get: (field, rule, description).
pub const EXPECTED: &[(&str, &str, &str)] = &[
    ("name", "min_len", "must be at least 1 character long"),
    ("code", "len", "must be exactly 3 characters long"),
    ("slug", "pattern", "must match the pattern `^[a-z]+$`"),
    ("email", "email", "must be a valid email address"),
    ("website", "uri", "must be a valid absolute URI"),
    ("id", "uuid", "must be a valid UUID"),
    ("host", "hostname", "must be a valid host name"),
    ("addr", "ip", "must be a valid IP address"),
    ("blob", "max_len", "must be at most 4 bytes long"),
    ("limit", "ge", "must be greater than or equal to 1"),
    ("small", "lt", "must be less than 10"),
    ("choice", "in", "must be one of [1, 2, 3]"),
    ("user", "not_in", "must not be one of [\"admin\", \"root\"]"),
    (
        "ratio",
        "finite",
        "must be a finite number (not NaN or infinite)",
    ),
    ("tags", "max_items", "must contain at most 3 items"),
    ("tags[0]", "max_len", "must be at most 3 characters long"),
    ("ids", "unique", "must not contain repeated items"),
    (
        "products[2].sku",
        "min_len",
        "must be at least 1 character long",
    ),
    ("products[2].price", "gt", "must be greater than 0"),
    (
        "stock[\"a\"]",
        "min_len",
        "must be at least 2 characters long",
    ),
    ("stock[\"a\"]", "ge", "must be greater than or equal to 0"),
    (
        "by_id[7].sku",
        "min_len",
        "must be at least 1 character long",
    ),
    ("primary", "required", "is required"),
    ("contact", "required", "is required"),
    (
        "tier",
        "defined_only",
        "must be one of the values the enum defines",
    ),
    ("even", "check_even", "must be even"),
    ("nick", "max_len", "must be at most 3 characters long"),
    ("end", "range_order", "must not be before start"),
];

/// `EXPECTED` as `google.rpc.BadRequest` field violations: (field,
/// description, reason).
pub fn expected_field_violations() -> Vec<(String, String, String)> {
    EXPECTED
        .iter()
        .map(|(f, rule, d)| (f.to_string(), d.to_string(), rule.to_ascii_uppercase()))
        .collect()
}

/// The answer.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "validation.v1")]
pub struct Receipt {
    pub accepted: bool,
}

/// Takes orders; counts the calls that reach it.
#[derive(Default)]
pub struct OrderService {
    pub calls: Arc<AtomicUsize>,
}

#[service(package = "validation.v1")]
impl OrderService {
    /// Places an order.
    async fn place(&self, _order: Order) -> Result<Receipt, Status> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Receipt { accepted: true })
    }
}
