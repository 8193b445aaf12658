//! proto3 JSON: our derive against prost-reflect's serde support on a
//! `DynamicMessage` of the same descriptor (protox compiles the `.proto` we
//! render, as the oracle tests do), side by side in one criterion group per
//! message.
//!
//! Each group measures, for `typerpc` and `prost-reflect`:
//! - `to_json`: to a new `String` (`serde_json::to_string` for prost-reflect);
//! - `write_json_into`: into a reused buffer, cleared each time;
//! - `from_json`: parse a `&str` (`DynamicMessage::deserialize` with a
//!   `serde_json::Deserializer` for prost-reflect).
//!
//! The messages and values are `binary.rs`'s. Run with
//! `scripts/bench-messages`, which prints the ratios.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use typerpc::schema::SchemaBuilder;
use typerpc::{JsonOptions, Message};

// The same messages and values as the binary benchmarks (its benchmark
// functions and `main` come along unused).
#[allow(dead_code)]
#[path = "binary.rs"]
mod binary;

#[path = "../tests/common/oracle.rs"]
mod oracle;

use binary::{medium, small, SearchRequest, SearchResponse};

/// A pool of our messages' descriptors, compiled by protox from the `.proto`
/// text typerpc renders.
fn pool() -> DescriptorPool {
    let mut builder = SchemaBuilder::new();
    builder
        .add_message(SearchRequest::schema())
        .add_message(SearchResponse::schema());
    oracle::pool(&builder.build().expect("schema"))
}

/// One group: ours next to prost-reflect's, on the same value.
fn compare<M: Message + PartialEq + std::fmt::Debug>(
    c: &mut Criterion,
    pool: &DescriptorPool,
    group: &str,
    name: &str,
    ours: &M,
) {
    let descriptor = pool.get_message_by_name(name).expect("descriptor");
    let dynamic = DynamicMessage::decode(descriptor.clone(), &ours.encode_to_vec()[..]).unwrap();
    let options = JsonOptions::default();
    let serialize_options = SerializeOptions::new();

    // Both write the same JSON (up to member order in maps and number
    // spelling), and each reads the other's.
    let text = ours.to_json().unwrap();
    let their_text = serde_json::to_string(&dynamic).unwrap();
    let parse = |s: &str| oracle::normalize_numbers(serde_json::from_str(s).unwrap());
    assert_eq!(
        parse(&text),
        parse(&their_text),
        "the two JSON texts differ"
    );
    assert_eq!(&M::from_json(&their_text).unwrap(), ours);
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    assert_eq!(
        DynamicMessage::deserialize(descriptor.clone(), &mut deserializer).unwrap(),
        dynamic
    );

    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(text.len() as u64));

    group.bench_function(BenchmarkId::new("to_json", "typerpc"), |b| {
        b.iter(|| black_box(ours).to_json().unwrap())
    });
    group.bench_function(BenchmarkId::new("to_json", "prost-reflect"), |b| {
        b.iter(|| serde_json::to_string(black_box(&dynamic)).unwrap())
    });

    let mut out = Vec::with_capacity(4 * text.len());
    group.bench_function(BenchmarkId::new("write_json_into", "typerpc"), |b| {
        b.iter(|| {
            out.clear();
            black_box(ours).write_json_into(&mut out, &options).unwrap();
            black_box(out.len())
        })
    });
    group.bench_function(BenchmarkId::new("write_json_into", "prost-reflect"), |b| {
        b.iter(|| {
            out.clear();
            let mut serializer = serde_json::Serializer::new(&mut out);
            black_box(&dynamic)
                .serialize_with_options(&mut serializer, &serialize_options)
                .unwrap();
            black_box(out.len())
        })
    });

    group.bench_function(BenchmarkId::new("from_json", "typerpc"), |b| {
        b.iter(|| M::from_json(black_box(&text)).unwrap())
    });
    group.bench_function(BenchmarkId::new("from_json", "prost-reflect"), |b| {
        b.iter(|| {
            let mut deserializer = serde_json::Deserializer::from_str(black_box(&text));
            DynamicMessage::deserialize(descriptor.clone(), &mut deserializer).unwrap()
        })
    });
    group.finish();
}

fn json(c: &mut Criterion) {
    let pool = pool();
    compare(c, &pool, "json_small", "bench.v1.SearchRequest", &small());
    compare(
        c,
        &pool,
        "json_medium",
        "bench.v1.SearchResponse",
        &medium(),
    );
}

criterion_group!(benches, json);
criterion_main!(benches);
