//! Message encoding and decoding against the anchors, measured in one run:
//! binary against prost's own derive on the same struct, proto3 JSON
//! against prost-reflect's serde support on the descriptor protox compiles
//! from our `.proto`. Run with `scripts/bench-messages`.

use std::collections::HashMap;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};
use typerpc::schema::SchemaBuilder;
use typerpc::{JsonOptions, Message};

#[path = "../tests/common/oracle.rs"]
mod oracle;

#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Product {
    pub id: String,
    pub name: String,
    pub price_cents: i64,
    pub score: f64,
    pub tags: Vec<String>,
}

#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "bench.v1")]
pub struct Page {
    pub user_id: String,
    pub products: Vec<Product>,
    pub counts: HashMap<String, i64>,
    pub page: i32,
    pub total: u64,
}

mod prost_twin {
    use std::collections::HashMap;

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Product {
        #[prost(string, tag = "1")]
        pub id: String,
        #[prost(string, tag = "2")]
        pub name: String,
        #[prost(int64, tag = "3")]
        pub price_cents: i64,
        #[prost(double, tag = "4")]
        pub score: f64,
        #[prost(string, repeated, tag = "5")]
        pub tags: Vec<String>,
    }

    #[derive(Clone, PartialEq, prost_derive::Message)]
    pub struct Page {
        #[prost(string, tag = "1")]
        pub user_id: String,
        #[prost(message, repeated, tag = "2")]
        pub products: Vec<Product>,
        #[prost(map = "string, int64", tag = "3")]
        pub counts: HashMap<String, i64>,
        #[prost(int32, tag = "4")]
        pub page: i32,
        #[prost(uint64, tag = "5")]
        pub total: u64,
    }
}

fn product(i: usize) -> Product {
    Product {
        id: format!("p-{i}"),
        name: format!("Product number {i}"),
        price_cents: 1999 + i as i64,
        score: 0.5 + i as f64 / 100.0,
        tags: vec!["sale".into(), "new".into()],
    }
}

fn page() -> Page {
    Page {
        user_id: "user-123".into(),
        products: (0..10).map(product).collect(),
        counts: HashMap::from([("books".to_string(), 3), ("games".to_string(), 9)]),
        page: 2,
        total: 1234,
    }
}

fn twin(page: &Page) -> prost_twin::Page {
    let bytes = page.encode_to_vec();
    prost::Message::decode(&bytes[..]).unwrap()
}

fn binary(c: &mut Criterion) {
    let small = product(1);
    let small_twin: prost_twin::Product =
        prost::Message::decode(&small.encode_to_vec()[..]).unwrap();
    let medium = page();
    let medium_twin = twin(&medium);
    let small_bytes = small.encode_to_vec();
    let medium_bytes = medium.encode_to_vec();

    let mut group = c.benchmark_group("encode_small");
    let mut buf = Vec::with_capacity(4096);
    group.bench_function("typerpc", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&small).encode_into(&mut buf);
            black_box(buf.len())
        })
    });
    group.bench_function("prost", |b| {
        b.iter(|| {
            buf.clear();
            prost::Message::encode(black_box(&small_twin), &mut buf).unwrap();
            black_box(buf.len())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("encode_medium");
    group.bench_function("typerpc", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&medium).encode_into(&mut buf);
            black_box(buf.len())
        })
    });
    group.bench_function("prost", |b| {
        b.iter(|| {
            buf.clear();
            prost::Message::encode(black_box(&medium_twin), &mut buf).unwrap();
            black_box(buf.len())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decode_small");
    group.bench_function("typerpc", |b| {
        b.iter(|| Product::decode(black_box(&small_bytes[..])).unwrap())
    });
    group.bench_function("prost", |b| {
        b.iter(|| {
            <prost_twin::Product as prost::Message>::decode(black_box(&small_bytes[..])).unwrap()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decode_medium");
    group.bench_function("typerpc", |b| {
        b.iter(|| Page::decode(black_box(&medium_bytes[..])).unwrap())
    });
    group.bench_function("prost", |b| {
        b.iter(|| {
            <prost_twin::Page as prost::Message>::decode(black_box(&medium_bytes[..])).unwrap()
        })
    });
    group.finish();
}

fn json(c: &mut Criterion) {
    let mut builder = SchemaBuilder::new();
    builder.add_message(Page::schema());
    let pool = DescriptorPool::from_file_descriptor_set(oracle::compile(&builder.build().unwrap()))
        .unwrap();
    let descriptor = pool.get_message_by_name("bench.v1.Page").unwrap();
    let medium = page();
    let dynamic = DynamicMessage::decode(descriptor.clone(), &medium.encode_to_vec()[..]).unwrap();
    let options = JsonOptions::default();
    let text = medium.to_json().unwrap();

    let mut group = c.benchmark_group("json_write_medium");
    let mut out = Vec::with_capacity(8192);
    group.bench_function("typerpc", |b| {
        b.iter(|| {
            out.clear();
            black_box(&medium)
                .write_json_into(&mut out, &options)
                .unwrap();
            black_box(out.len())
        })
    });
    group.bench_function("prost-reflect", |b| {
        b.iter(|| {
            out.clear();
            let mut serializer = serde_json::Serializer::new(&mut out);
            black_box(&dynamic)
                .serialize_with_options(&mut serializer, &SerializeOptions::new())
                .unwrap();
            black_box(out.len())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("json_read_medium");
    group.bench_function("typerpc", |b| {
        b.iter(|| Page::from_json(black_box(&text)).unwrap())
    });
    group.bench_function("prost-reflect", |b| {
        b.iter(|| {
            let mut deserializer = serde_json::Deserializer::from_str(black_box(&text));
            DynamicMessage::deserialize(descriptor.clone(), &mut deserializer).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, binary, json);
criterion_main!(benches);
