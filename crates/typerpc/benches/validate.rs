//! What validation adds to a call: decoding a request with many
//! constrained fields, with and without `validate()`, in one criterion
//! group so the ratio comes from one run. A twin message with the same
//! fields and no constraints shows what an unconstrained message pays.
//!
//! The request (~700 bytes) has 12 constrained scalar fields (lengths, a
//! pattern, an email, a UUID, bounds, `in`, `finite`), a repeated field
//! with per-item constraints, a map with key and value constraints, and
//! 8 nested line items with constraints of their own.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use typerpc::Message;

/// One line of an order.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Line {
    #[rpc(min_len = 1, max_len = 32)]
    pub sku: String,
    #[rpc(ge = 1, le = 1000)]
    pub quantity: u32,
    #[rpc(gt = 0.0, finite)]
    pub price: f64,
}

/// An order with many constrained fields.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Order {
    #[rpc(min_len = 1, max_len = 64)]
    pub customer: String,
    #[rpc(email)]
    pub email: String,
    #[rpc(uuid)]
    pub request_id: String,
    #[rpc(pattern = "^[a-z0-9-]+$")]
    pub slug: String,
    #[rpc(max_len = 280)]
    pub note: String,
    #[rpc(ge = 1, le = 100)]
    pub limit: i32,
    #[rpc(gt = 0)]
    pub user_id: i64,
    #[rpc(in = [1, 2, 3])]
    pub priority: u32,
    #[rpc(finite, ge = 0.0, le = 1.0)]
    pub discount: f64,
    #[rpc(not_in = ["admin"])]
    pub channel: String,
    #[rpc(max_items = 10, unique, items(min_len = 1, max_len = 16))]
    pub tags: Vec<String>,
    #[rpc(max_items = 8, keys(min_len = 1), values(ge = 0))]
    pub stock: BTreeMap<String, i32>,
    #[rpc(min_items = 1, max_items = 50)]
    pub lines: Vec<Line>,
}

/// The same fields without constraints.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct PlainLine {
    pub sku: String,
    pub quantity: u32,
    pub price: f64,
}

/// The same fields without constraints.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct PlainOrder {
    pub customer: String,
    pub email: String,
    pub request_id: String,
    pub slug: String,
    pub note: String,
    pub limit: i32,
    pub user_id: i64,
    pub priority: u32,
    pub discount: f64,
    pub channel: String,
    pub tags: Vec<String>,
    pub stock: BTreeMap<String, i32>,
    pub lines: Vec<PlainLine>,
}

fn order() -> Order {
    Order {
        customer: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        request_id: "123e4567-e89b-12d3-a456-426614174000".into(),
        slug: "spring-sale-2026".into(),
        note: "Leave the parcel at the door, please; the bell does not work.".into(),
        limit: 20,
        user_id: 42,
        priority: 2,
        discount: 0.15,
        channel: "web".into(),
        tags: ["gift", "express", "fragile", "books"]
            .map(String::from)
            .to_vec(),
        stock: BTreeMap::from([
            ("berlin".into(), 3),
            ("paris".into(), 0),
            ("oslo".into(), 12),
        ]),
        lines: (0..8)
            .map(|i| Line {
                sku: format!("SKU-{i:05}"),
                quantity: i + 1,
                price: 9.99 + f64::from(i),
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let bytes = order().encode_to_vec();
    assert!(Order::decode(&bytes[..]).unwrap().validate().is_ok());
    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| Order::decode(black_box(&bytes[..])).unwrap())
    });
    group.bench_function("decode_and_validate", |b| {
        b.iter(|| {
            let order = Order::decode(black_box(&bytes[..])).unwrap();
            order.validate().unwrap();
            order
        })
    });
    let decoded = Order::decode(&bytes[..]).unwrap();
    group.bench_function("validate_only", |b| {
        b.iter(|| black_box(&decoded).validate().unwrap())
    });
    group.bench_function("plain_decode", |b| {
        b.iter(|| PlainOrder::decode(black_box(&bytes[..])).unwrap())
    });
    group.bench_function("plain_decode_and_validate", |b| {
        b.iter(|| {
            let order = PlainOrder::decode(black_box(&bytes[..])).unwrap();
            order.validate().unwrap();
            order
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
