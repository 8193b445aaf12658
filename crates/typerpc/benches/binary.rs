//! Binary encoding and decoding: our derive against prost's own derive on
//! equal structs, side by side in one criterion group per message so that
//! the ratio comes from one run on one (noisy) machine.
//!
//! - `binary_small`: an RPC request, a few scalars and a string (~45 bytes).
//! - `binary_medium`: a search response with nested messages, repeated
//!   fields (packed and not) and a map (~1 KB).
//!
//! Each group measures `encode_into` (a reused `Vec`, cleared each time),
//! `encode_to_vec` and `decode`, for `typerpc` and `prost`. Run with
//! `scripts/bench-messages`, which prints the ratios. The messages and values
//! are also used by `json.rs`.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use typerpc::Message;

// ---------------------------------------------------------------------------
// Our messages.

/// What a client asks for: a search request.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct SearchRequest {
    pub query: String,
    pub user_id: i64,
    pub page: i32,
    pub page_size: u32,
    pub min_score: f64,
    pub include_archived: bool,
}

/// Whether a product can be bought.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
#[rpc(package = "bench.v1")]
pub enum Availability {
    Unspecified,
    InStock,
    Backorder,
    Discontinued,
}

/// An amount of money.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Money {
    pub currency: String,
    pub units: i64,
    pub nanos: i32,
}

/// One product of a response.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Product {
    pub id: u64,
    pub sku: String,
    pub name: String,
    pub price: Option<Money>,
    pub rating: f32,
    pub tags: Vec<String>,
    pub availability: Availability,
    pub warehouse_ids: Vec<u32>,
}

/// A page of search results.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct SearchResponse {
    pub request_id: String,
    pub products: Vec<Product>,
    pub facets: HashMap<String, u32>,
    pub scores: Vec<f64>,
    pub next_page_token: Vec<u8>,
    pub total: u64,
}

// ---------------------------------------------------------------------------
// The same messages with prost's derive (enums as `int32`, which is the same
// on the wire).

pub mod theirs {
    use std::collections::HashMap;

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct SearchRequest {
        #[prost(string, tag = "1")]
        pub query: String,
        #[prost(int64, tag = "2")]
        pub user_id: i64,
        #[prost(int32, tag = "3")]
        pub page: i32,
        #[prost(uint32, tag = "4")]
        pub page_size: u32,
        #[prost(double, tag = "5")]
        pub min_score: f64,
        #[prost(bool, tag = "6")]
        pub include_archived: bool,
    }

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Money {
        #[prost(string, tag = "1")]
        pub currency: String,
        #[prost(int64, tag = "2")]
        pub units: i64,
        #[prost(int32, tag = "3")]
        pub nanos: i32,
    }

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Product {
        #[prost(uint64, tag = "1")]
        pub id: u64,
        #[prost(string, tag = "2")]
        pub sku: String,
        #[prost(string, tag = "3")]
        pub name: String,
        #[prost(message, optional, tag = "4")]
        pub price: Option<Money>,
        #[prost(float, tag = "5")]
        pub rating: f32,
        #[prost(string, repeated, tag = "6")]
        pub tags: Vec<String>,
        #[prost(int32, tag = "7")]
        pub availability: i32,
        #[prost(uint32, repeated, tag = "8")]
        pub warehouse_ids: Vec<u32>,
    }

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct SearchResponse {
        #[prost(string, tag = "1")]
        pub request_id: String,
        #[prost(message, repeated, tag = "2")]
        pub products: Vec<Product>,
        #[prost(map = "string, uint32", tag = "3")]
        pub facets: HashMap<String, u32>,
        #[prost(double, repeated, tag = "4")]
        pub scores: Vec<f64>,
        #[prost(bytes = "vec", tag = "5")]
        pub next_page_token: Vec<u8>,
        #[prost(uint64, tag = "6")]
        pub total: u64,
    }
}

// ---------------------------------------------------------------------------
// Equal values for both. Every float is exact in binary, so JSON output does
// not depend on the float formatter.

const FACETS: [&str; 6] = [
    "audio",
    "wireless",
    "noise-cancelling",
    "over-ear",
    "bluetooth",
    "refurbished",
];
const PRODUCTS: usize = 8;
/// An opaque cursor: page 4 of the results for seed 9, and a MAC.
const PAGE_TOKEN: &[u8] =
    b"\x08\x04\x10\x09\x1a\x10\x9c\x2e\x5b\x1d\x4e\x8f\x7f\x3a\x01\xc4\xd2\x66\x0b\xa9\x35\x77";

pub fn small() -> SearchRequest {
    SearchRequest {
        query: "wireless headphones".into(),
        user_id: 1_234_567,
        page: 3,
        page_size: 20,
        min_score: 0.75,
        include_archived: true,
    }
}

pub fn small_theirs() -> theirs::SearchRequest {
    theirs::SearchRequest {
        query: "wireless headphones".into(),
        user_id: 1_234_567,
        page: 3,
        page_size: 20,
        min_score: 0.75,
        include_archived: true,
    }
}

fn availability(i: usize) -> Availability {
    [
        Availability::InStock,
        Availability::Backorder,
        Availability::Discontinued,
    ][i % 3]
}

fn product(i: usize) -> Product {
    Product {
        id: 100_000 + i as u64,
        sku: format!("SKU-{:06}", 4200 + i),
        name: format!("Wireless headphones, model {i}"),
        price: Some(Money {
            currency: "EUR".into(),
            units: 129 + i as i64,
            nanos: 990_000_000,
        }),
        rating: 3.5 + (i % 4) as f32 * 0.25,
        tags: vec!["audio".into(), "bluetooth".into(), format!("series-{i}")],
        availability: availability(i),
        warehouse_ids: vec![3, 17, 140 + i as u32, 2048],
    }
}

fn product_theirs(i: usize) -> theirs::Product {
    theirs::Product {
        id: 100_000 + i as u64,
        sku: format!("SKU-{:06}", 4200 + i),
        name: format!("Wireless headphones, model {i}"),
        price: Some(theirs::Money {
            currency: "EUR".into(),
            units: 129 + i as i64,
            nanos: 990_000_000,
        }),
        rating: 3.5 + (i % 4) as f32 * 0.25,
        tags: vec!["audio".into(), "bluetooth".into(), format!("series-{i}")],
        availability: availability(i) as i32,
        warehouse_ids: vec![3, 17, 140 + i as u32, 2048],
    }
}

fn scores() -> Vec<f64> {
    (0..PRODUCTS).map(|i| 1.0 - i as f64 / 16.0).collect()
}

fn facets() -> HashMap<String, u32> {
    FACETS
        .iter()
        .enumerate()
        .map(|(i, name)| (name.to_string(), 10 + 7 * i as u32))
        .collect()
}

pub fn medium() -> SearchResponse {
    SearchResponse {
        request_id: "req-7f3a9c2e-5b1d-4e8f".into(),
        products: (0..PRODUCTS).map(product).collect(),
        facets: facets(),
        scores: scores(),
        next_page_token: PAGE_TOKEN.to_vec(),
        total: 1_532,
    }
}

pub fn medium_theirs() -> theirs::SearchResponse {
    theirs::SearchResponse {
        request_id: "req-7f3a9c2e-5b1d-4e8f".into(),
        products: (0..PRODUCTS).map(product_theirs).collect(),
        facets: facets(),
        scores: scores(),
        next_page_token: PAGE_TOKEN.to_vec(),
        total: 1_532,
    }
}

/// Both sides hold the same value: each reads the other's bytes back to an
/// equal value, and the lengths agree (map order may differ between two
/// `HashMap`s, so the bytes themselves are not compared).
fn check_twins<O, T>(ours: &O, theirs: &T)
where
    O: Message + PartialEq + std::fmt::Debug,
    T: prost::Message + Default + PartialEq,
{
    let our_bytes = ours.encode_to_vec();
    let their_bytes = prost::Message::encode_to_vec(theirs);
    assert_eq!(our_bytes.len(), their_bytes.len());
    assert!(T::decode(&our_bytes[..]).unwrap() == *theirs);
    assert_eq!(O::decode(&their_bytes[..]).unwrap(), *ours);
}

/// One group: encode into a reused buffer, encode to a new vector, decode;
/// ours next to prost's.
fn compare<O, T>(c: &mut Criterion, group: &str, ours: &O, theirs: &T)
where
    O: Message + PartialEq + std::fmt::Debug,
    T: prost::Message + Default + PartialEq,
{
    check_twins(ours, theirs);
    let bytes = ours.encode_to_vec();
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    let mut buf = Vec::with_capacity(4 * bytes.len());

    group.bench_function(BenchmarkId::new("encode_into", "typerpc"), |b| {
        b.iter(|| {
            buf.clear();
            black_box(ours).encode_into(&mut buf);
            black_box(buf.len())
        })
    });
    group.bench_function(BenchmarkId::new("encode_into", "prost"), |b| {
        b.iter(|| {
            buf.clear();
            prost::Message::encode(black_box(theirs), &mut buf).unwrap();
            black_box(buf.len())
        })
    });

    group.bench_function(BenchmarkId::new("encode_to_vec", "typerpc"), |b| {
        b.iter(|| black_box(ours).encode_to_vec())
    });
    group.bench_function(BenchmarkId::new("encode_to_vec", "prost"), |b| {
        b.iter(|| prost::Message::encode_to_vec(black_box(theirs)))
    });

    group.bench_function(BenchmarkId::new("decode", "typerpc"), |b| {
        b.iter(|| O::decode(black_box(&bytes[..])).unwrap())
    });
    group.bench_function(BenchmarkId::new("decode", "prost"), |b| {
        b.iter(|| T::decode(black_box(&bytes[..])).unwrap())
    });
    group.finish();
}

fn binary(c: &mut Criterion) {
    compare(c, "binary_small", &small(), &small_theirs());
    compare(c, "binary_medium", &medium(), &medium_theirs());
}

criterion_group!(benches, binary);
criterion_main!(benches);
