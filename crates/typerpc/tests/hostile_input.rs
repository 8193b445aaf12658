//! Hostile and unusual binary input: broken bytes are errors naming the
//! field (never panics, never unbounded allocation); everything a
//! conforming encoder may send is accepted.

mod common;

use std::time::{Duration, Instant};

use common::*;
use proptest::prelude::*;
use typerpc::Message;

fn key(tag: u32, wire: u8) -> Vec<u8> {
    varint(u64::from(tag << 3 | u32::from(wire)))
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn delimited(tag: u32, body: &[u8]) -> Vec<u8> {
    let mut out = key(tag, 2);
    out.extend(varint(body.len() as u64));
    out.extend_from_slice(body);
    out
}

#[test]
fn broken_bytes_are_errors() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated varint", vec![0x18, 0x80]),
        (
            "varint longer than ten bytes",
            [vec![0x18], vec![0xff; 11], vec![0x01]].concat(),
        ),
        ("wire type 6", vec![(3 << 3) | 6]),
        ("wire type 7", vec![(3 << 3) | 7]),
        (
            "length past the end",
            [key(14, 2), varint(10), vec![1, 2]].concat(),
        ),
        ("length of 2^62", [key(14, 2), varint(1 << 62)].concat()),
        ("field number zero", vec![0x00, 0x01]),
        ("invalid UTF-8 in a string", delimited(14, &[0xff, 0xfe])),
        ("unknown enum number", [key(16, 0), varint(99)].concat()),
        ("end group without start", vec![(5 << 3) | 4]),
        ("fixed64 cut short", [key(1, 1), vec![0, 0, 0]].concat()),
    ];
    for (what, bytes) in cases {
        let started = Instant::now();
        let err = Scalars::decode(&bytes[..]).expect_err(what);
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "{what} took too long"
        );
        let text = err.to_string();
        assert!(!text.is_empty(), "{what}");
        if what == "invalid UTF-8 in a string" {
            assert!(text.contains("f_string"), "{what}: {text}");
        }
        if what == "unknown enum number" {
            assert!(
                text.contains("f_color") && text.contains("99"),
                "{what}: {text}"
            );
        }
    }
    // A packed run whose length runs past the buffer.
    let packed = [key(1, 2), varint(100), vec![1, 2, 3]].concat();
    assert!(Repeats::decode(&packed[..]).is_err());
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error() {
    // 200 levels of Tree.left, built inside out.
    let mut bytes = Vec::new();
    for _ in 0..200 {
        bytes = delimited(3, &bytes);
    }
    let err = Tree::decode(&bytes[..]).unwrap_err();
    assert!(err.to_string().contains("recursion"), "{err}");
    // 50 levels are fine.
    let mut ok = Vec::new();
    for _ in 0..50 {
        ok = delimited(3, &ok);
    }
    Tree::decode(&ok[..]).unwrap();
    // JSON nesting is bounded too.
    let deep = format!("{}{}", "{\"left\":".repeat(10_000), "}".repeat(10_000));
    assert!(Tree::from_json(&deep).is_err());
    let wide = "[".repeat(100_000);
    assert!(Value::from_json(&wide).is_err());
}

use typerpc::Value;

#[test]
fn everything_a_conforming_encoder_may_send_is_accepted() {
    // Unknown fields of every wire type are skipped.
    let unknown = [
        key(100, 0),
        varint(5),
        key(101, 1),
        vec![0; 8],
        key(102, 2),
        varint(2),
        vec![7, 7],
        key(103, 5),
        vec![0; 4],
        key(104, 3),
        key(1, 0),
        varint(1),
        key(104, 4),
    ]
    .concat();
    let mut bytes = unknown.clone();
    bytes.extend([key(3, 0), varint(42)].concat());
    assert_eq!(Scalars::decode(&bytes[..]).unwrap().f_int32, 42);

    // Unpacked encoding of a packed field, mixed with packed runs.
    let mixed = [
        key(1, 0),
        varint(1),
        delimited(1, &[2, 3]),
        key(1, 0),
        varint(4),
    ]
    .concat();
    assert_eq!(
        Repeats::decode(&mixed[..]).unwrap().r_int32,
        vec![1, 2, 3, 4]
    );

    // Scalars: last value wins. Messages: occurrences merge.
    let twice = [key(3, 0), varint(1), key(3, 0), varint(2)].concat();
    assert_eq!(Scalars::decode(&twice[..]).unwrap().f_int32, 2);
    let leaf_a = delimited(1, b"a");
    let leaf_b = [key(2, 0), varint(9)].concat();
    let merged = [delimited(9, &leaf_a), delimited(9, &leaf_b)].concat();
    let child = Optionals::decode(&merged[..]).unwrap().o_child.unwrap();
    assert_eq!((child.name.as_str(), child.weight), ("a", 9));

    // Map entries with the key or the value missing take the defaults.
    let no_key = delimited(1, &[key(2, 0), varint(5)].concat());
    let no_value = delimited(1, &delimited(1, b"k"));
    let maps = Maps::decode(&[no_key, no_value].concat()[..]).unwrap();
    assert_eq!(maps.by_name.get(""), Some(&5));
    assert_eq!(maps.by_name.get("k"), Some(&0));

    // A later oneof member replaces an earlier one.
    let both = [
        key(2, 1),
        1.5f64.to_le_bytes().to_vec(),
        delimited(3, b"label"),
    ]
    .concat();
    assert_eq!(
        WithOneof::decode(&both[..]).unwrap().shape,
        Some(Shape::Label("label".into()))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Everything::decode(&bytes[..]);
        let _ = Everything::from_json_with(&bytes, &typerpc::JsonOptions::default());
    }

    #[test]
    fn mutated_encodings_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let value = Everything {
            scalars: Some(Scalars { f_string: "hello".into(), f_int64: -5, f_color: Color::Red, ..Scalars::default() }),
            repeats: Some(Repeats { r_int32: vec![1, 2, 300], r_leaf: vec![Leaf { name: "x".into(), weight: 1 }], ..Repeats::default() }),
            tree: Some(Tree { value: 1, children: vec![], left: Some(Box::new(Tree { value: 2, children: vec![], left: None })) }),
            ..Everything::default()
        };
        let mut bytes = value.encode_to_vec();
        let mut json = value.to_json().unwrap().into_bytes();
        for (index, byte) in flips {
            let i = index.index(bytes.len());
            bytes[i] = byte;
            let j = index.index(json.len());
            json[j] = byte;
        }
        if let Ok(decoded) = Everything::decode(&bytes[..]) {
            // Whatever decodes re-encodes to something that decodes again.
            Everything::decode(&decoded.encode_to_vec()[..]).unwrap();
        }
        let _ = Everything::from_json_with(&json, &typerpc::JsonOptions::default());
    }
}
