//! Hostile and unusual input, binary and JSON.
//!
//! - Broken input is an error, never a panic, never an allocation of a size
//!   the input merely claims, and the error says where: binary errors name
//!   the field, JSON errors carry the path of the value at fault.
//! - Everything a conforming encoder may send is accepted: unknown fields of
//!   every wire type, unpacked runs of packed fields, repeated occurrences,
//!   map entries without key or value, several members of one oneof.
//! - Random bytes and random mutations of valid encodings never panic.
//!
//! A counting global allocator records, per thread, the largest single
//! allocation, so "never allocates the claimed length" is checked exactly
//! rather than by timing.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use common::*;
use proptest::prelude::*;
use typerpc::{JsonError, JsonOptions, Message, Struct, Value};

// ---------------------------------------------------------------------------
// The largest allocation made by the current thread.

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    // `try_with`: the slot may be gone while the thread shuts down.
    let _ = LARGEST.try_with(|largest| {
        if size > largest.get() {
            largest.set(size);
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its result and the largest allocation it made.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|largest| largest.set(0));
    let out = f();
    (out, LARGEST.with(Cell::get))
}

/// Decoding `bytes` as `M` fails, quickly, without allocating more than a
/// few times the input; returns the error text.
fn rejects<M: Message + std::fmt::Debug>(what: &str, bytes: &[u8]) -> String {
    let started = Instant::now();
    let (result, largest) = largest_allocation(|| M::decode(bytes));
    let elapsed = started.elapsed();
    let err = match result {
        Ok(value) => panic!("{what}: decoded {value:?} from {bytes:02x?}"),
        Err(err) => err,
    };
    assert!(
        largest <= 4096 + 4 * bytes.len(),
        "{what}: allocated {largest} bytes for {} bytes of input",
        bytes.len()
    );
    assert!(elapsed < Duration::from_secs(1), "{what}: took {elapsed:?}");
    err.to_string()
}

// ---------------------------------------------------------------------------
// Wire-format builders.

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const START_GROUP: u8 = 3;
const END_GROUP: u8 = 4;
const FIXED32: u8 = 5;

fn key(tag: u32, wire: u8) -> Vec<u8> {
    varint(u64::from(tag) << 3 | u64::from(wire))
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

fn field_varint(tag: u32, v: u64) -> Vec<u8> {
    [key(tag, VARINT), varint(v)].concat()
}

fn delimited(tag: u32, body: &[u8]) -> Vec<u8> {
    [key(tag, LEN), varint(body.len() as u64), body.to_vec()].concat()
}

/// A key and a length prefix claiming `claimed` bytes, followed by `body`.
fn claims(tag: u32, claimed: u64, body: &[u8]) -> Vec<u8> {
    [key(tag, LEN), varint(claimed), body.to_vec()].concat()
}

// ---------------------------------------------------------------------------
// Binary: broken input.

#[test]
fn truncated_and_overlong_varints_are_errors() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("value varint cut short", vec![0x18, 0x80]),
        (
            "value varint cut after 9 bytes",
            [vec![0x18], vec![0xff; 9]].concat(),
        ),
        ("key varint cut short", vec![0x80]),
        (
            "key varint cut short after a field",
            [field_varint(3, 1), vec![0xff]].concat(),
        ),
        (
            "length varint cut short",
            [key(14, LEN), vec![0x80, 0x80]].concat(),
        ),
        (
            "varint longer than ten bytes",
            [vec![0x18], vec![0xff; 11], vec![0x01]].concat(),
        ),
        (
            "ten-byte varint overflowing 64 bits",
            [vec![0x18], vec![0xff; 9], vec![0x7f]].concat(),
        ),
        (
            "key varint longer than ten bytes",
            [vec![0xff; 11], vec![0x01]].concat(),
        ),
        ("fixed64 cut short", [key(1, FIXED64), vec![0; 7]].concat()),
        ("fixed32 cut short", [key(2, FIXED32), vec![0; 3]].concat()),
        ("field number zero", vec![0x00, 0x01]),
        (
            "field number above the maximum",
            [key(1 << 29, VARINT), varint(1)].concat(),
        ),
    ];
    for (what, bytes) in cases {
        rejects::<Scalars>(what, &bytes);
        rejects::<Everything>(what, &bytes);
    }
}

#[test]
fn wire_types_6_and_7_are_errors() {
    for wire in [6u8, 7] {
        // On a known field, on an unknown field, inside a nested message.
        for tag in [3u32, 99] {
            let bytes = [key(tag, wire), vec![0; 8]].concat();
            rejects::<Scalars>(&format!("wire type {wire} on field {tag}"), &bytes);
        }
        let nested = delimited(1, &[key(3, wire), vec![0; 8]].concat());
        rejects::<Everything>(&format!("nested wire type {wire}"), &nested);
    }
}

#[test]
fn group_wire_types_are_errors_where_they_do_not_belong() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // proto3 has no groups: a known field sent as a group is an error.
        (
            "start group on an int32 field",
            [key(3, START_GROUP), key(3, END_GROUP)].concat(),
            "f_int32",
        ),
        (
            "start group on a string field",
            [key(14, START_GROUP), key(14, END_GROUP)].concat(),
            "f_string",
        ),
        // An end without a start, and an end that closes another group.
        ("end group without start", key(5, END_GROUP), ""),
        (
            "end group of another number",
            [key(100, START_GROUP), key(101, END_GROUP)].concat(),
            "",
        ),
        // A group never closed.
        (
            "unterminated group",
            [key(100, START_GROUP), field_varint(1, 1)].concat(),
            "",
        ),
    ];
    for (what, bytes, field) in cases {
        let text = rejects::<Scalars>(what, &bytes);
        assert!(text.contains(field), "{what}: {text}");
    }
    // A message field sent as a group.
    let as_group = [key(9, START_GROUP), key(9, END_GROUP)].concat();
    let text = rejects::<Optionals>("start group on a message field", &as_group);
    assert!(text.contains("o_child"), "{text}");
}

#[test]
fn wrong_wire_type_for_a_known_field_names_the_field() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("varint for a string", field_varint(14, 1), "f_string"),
        ("length for a double", delimited(1, &[0; 8]), "f_double"),
        (
            "fixed32 for a double",
            [key(1, FIXED32), vec![0; 4]].concat(),
            "f_double",
        ),
        (
            "fixed64 for an int32",
            [key(3, FIXED64), vec![0; 8]].concat(),
            "f_int32",
        ),
        ("varint for a fixed32", field_varint(9, 1), "f_fixed32"),
        ("varint for bytes", field_varint(15, 1), "f_bytes"),
    ];
    for (what, bytes, field) in cases {
        let text = rejects::<Scalars>(what, &bytes);
        assert!(text.contains(field), "{what}: {text}");
    }
    let text = rejects::<Optionals>("varint for a message", &field_varint(9, 1));
    assert!(text.contains("o_child"), "{text}");
    let text = rejects::<Maps>("varint for a map", &field_varint(1, 1));
    assert!(text.contains("by_name"), "{text}");
    // A oneof member with the wrong wire type.
    let text = rejects::<WithOneof>("varint for a oneof string", &field_varint(3, 1));
    assert!(text.contains("shape"), "{text}");
}

#[test]
fn lengths_past_the_end_are_errors_without_allocating_them() {
    const HUGE: u64 = 1 << 62;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("string of 2^62 bytes", claims(14, HUGE, b"abc")),
        ("bytes of 2^62 bytes", claims(15, HUGE, b"abc")),
        ("string of u64::MAX bytes", claims(14, u64::MAX, b"abc")),
        ("string 10 bytes, 2 present", claims(14, 10, b"ab")),
        ("bytes 1 past the end", claims(15, 4, b"abc")),
        ("unknown field of 2^62 bytes", claims(99, HUGE, b"abc")),
        ("unknown field past the end", claims(99, 5, b"abc")),
    ];
    for (what, bytes) in &cases {
        rejects::<Scalars>(what, bytes);
    }
    let nested: Vec<(&str, Vec<u8>)> = vec![
        ("message of 2^62 bytes", claims(1, HUGE, &[])),
        (
            "message past the end",
            claims(1, 3, &field_varint(3, 1)[..1]),
        ),
        // The inner length is inside the outer message but past its end.
        (
            "inner string past the end of its message",
            [delimited(1, &claims(14, 5, b"ab")), vec![0; 8]].concat(),
        ),
        (
            "inner string of 2^62 bytes",
            delimited(1, &claims(14, HUGE, b"ab")),
        ),
        ("tree of 2^62 bytes", delimited(6, &claims(3, HUGE, &[]))),
    ];
    for (what, bytes) in &nested {
        rejects::<Everything>(what, bytes);
    }
    // Packed runs, repeated strings and map entries.
    let repeats: Vec<(&str, Vec<u8>)> = vec![
        ("packed run past the end", claims(1, 100, &[1, 2, 3])),
        ("packed run of 2^62 bytes", claims(1, HUGE, &[1, 2, 3])),
        ("packed fixed32 run of 2^62 bytes", claims(3, HUGE, &[0; 8])),
        ("packed double run of 2^62 bytes", claims(4, HUGE, &[0; 8])),
        (
            "packed run ending inside a varint",
            delimited(1, &[1, 0x80]),
        ),
        ("packed fixed32 run of 7 bytes", delimited(3, &[0; 7])),
        ("packed double run of 12 bytes", delimited(4, &[0; 12])),
        ("repeated string of 2^62 bytes", claims(6, HUGE, b"a")),
        ("repeated message of 2^62 bytes", claims(9, HUGE, b"a")),
    ];
    for (what, bytes) in &repeats {
        rejects::<Repeats>(what, bytes);
    }
    let maps: Vec<(&str, Vec<u8>)> = vec![
        ("map entry of 2^62 bytes", claims(1, HUGE, b"a")),
        (
            "map key of 2^62 bytes",
            delimited(1, &claims(1, HUGE, b"k")),
        ),
        (
            "map value of 2^62 bytes",
            delimited(3, &claims(2, HUGE, b"")),
        ),
        ("map entry past the end", claims(2, 9, &field_varint(1, 1))),
    ];
    for (what, bytes) in &maps {
        rejects::<Maps>(what, bytes);
    }
}

#[test]
fn invalid_utf8_is_an_error_naming_the_field() {
    let bad = [0xff, 0xfe, b'a'];
    let overlong = [0xc0, 0xaf]; // an overlong '/'
    let surrogate = [0xed, 0xa0, 0x80]; // U+D800 in UTF-8 form
    for text in [&bad[..], &overlong, &surrogate] {
        let err = rejects::<Scalars>("string", &delimited(14, text));
        assert!(err.contains("f_string"), "{err}");
        let err = rejects::<Repeats>("repeated string", &delimited(6, text));
        assert!(err.contains("r_string"), "{err}");
        let err = rejects::<Maps>("map key", &delimited(1, &delimited(1, text)));
        assert!(err.contains("by_name"), "{err}");
        let err = rejects::<Maps>("map value", &delimited(2, &delimited(2, text)));
        assert!(err.contains("by_id"), "{err}");
        let leaf = delimited(9, &delimited(1, text));
        let err = rejects::<Optionals>("nested string", &leaf);
        assert!(err.contains("o_child") && err.contains("name"), "{err}");
        let err = rejects::<WithOneof>("oneof string", &delimited(3, text));
        assert!(err.contains("shape"), "{err}");
    }
    // Bytes fields take anything.
    assert_eq!(
        Scalars::decode(&delimited(15, &bad)[..]).unwrap().f_bytes,
        bad.to_vec()
    );
}

#[test]
fn unknown_enum_numbers_are_errors_naming_the_field() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("bare enum", field_varint(16, 99), "f_color"),
        ("negative number", field_varint(16, -3i64 as u64), "f_color"),
        // Enum numbers are int32 on the wire: the varint is truncated to 32
        // bits, as protoc's and prost's decoders do, so this is 99.
        (
            "number above i32",
            field_varint(16, (1 << 40) + 99),
            "f_color",
        ),
    ];
    for (what, bytes, field) in cases {
        let text = rejects::<Scalars>(what, &bytes);
        assert!(text.contains(field), "{what}: {text}");
        assert!(text.contains("Color"), "{what}: {text}");
    }
    let text = rejects::<Optionals>("optional enum", &field_varint(8, 99));
    assert!(text.contains("o_color") && text.contains("99"), "{text}");
    let text = rejects::<Repeats>("unpacked repeated enum", &field_varint(8, 99));
    assert!(text.contains("r_color"), "{text}");
    let text = rejects::<Repeats>("packed repeated enum", &delimited(8, &[1, 99]));
    assert!(text.contains("r_color"), "{text}");
    let entry = delimited(4, &[field_varint(1, 1), field_varint(2, 99)].concat());
    let text = rejects::<Maps>("map value enum", &entry);
    assert!(text.contains("flags"), "{text}");
    let text = rejects::<WithOneof>("oneof enum member", &field_varint(6, 99));
    assert!(text.contains("shape"), "{text}");
    // Deep inside: every level is named.
    let deep = delimited(1, &field_varint(16, 99));
    let text = rejects::<Everything>("nested enum", &deep);
    assert!(
        text.contains("scalars") && text.contains("f_color"),
        "{text}"
    );
}

#[test]
fn nesting_deeper_than_the_recursion_limit_is_an_error() {
    // 200 levels of Tree.left, built inside out.
    let mut bytes = Vec::new();
    for _ in 0..200 {
        bytes = delimited(3, &bytes);
    }
    let text = rejects::<Tree>("200 levels of left", &bytes);
    assert!(text.contains("recursion"), "{text}");
    // Through repeated children as well.
    let mut children = Vec::new();
    for _ in 0..200 {
        children = delimited(2, &children);
    }
    let text = rejects::<Tree>("200 levels of children", &children);
    assert!(text.contains("recursion"), "{text}");
    // Well within the limit is fine.
    let mut ok = Vec::new();
    for _ in 0..50 {
        ok = delimited(3, &ok);
    }
    let mut tree = Tree::decode(&ok[..]).unwrap();
    let mut depth = 0;
    while let Some(left) = tree.left {
        tree = *left;
        depth += 1;
    }
    assert_eq!(depth, 50);
}

/// `levels` of `google.protobuf.Any` each holding the next, as bytes,
/// written outside in (building it inside out would copy quadratically).
fn nested_any(levels: usize) -> Vec<u8> {
    const URL: &[u8] = b"type.googleapis.com/google.protobuf.Any";
    let url_field = [key(1, LEN), varint(URL.len() as u64), URL.to_vec()].concat();
    // sizes[k]: the encoded length of the Any k levels above the empty one.
    let mut sizes = vec![0u64];
    for k in 1..=levels {
        let inner = sizes[k - 1];
        let value = if inner == 0 {
            0
        } else {
            key(2, LEN).len() as u64 + varint(inner).len() as u64 + inner
        };
        sizes.push(url_field.len() as u64 + value);
    }
    let mut bytes = Vec::with_capacity(sizes[levels] as usize);
    for k in (1..=levels).rev() {
        bytes.extend_from_slice(&url_field);
        if sizes[k - 1] > 0 {
            bytes.extend(key(2, LEN));
            bytes.extend(varint(sizes[k - 1]));
        }
    }
    bytes
}

#[test]
fn any_nested_in_any_is_bounded_when_written_as_json() {
    // Each Any decodes its content afresh, so the binary recursion limit
    // does not see this nesting; writing JSON must stop it (this used to
    // overflow the stack at 10_000 levels, 450 KB of input).
    let bytes = nested_any(10_000);
    let packed = typerpc::Any::decode(&bytes[..]).unwrap();
    let (result, largest) = largest_allocation(|| packed.to_json());
    let err = result.unwrap_err();
    assert!(
        err.message().contains("nest deeper than the limit"),
        "{err}"
    );
    assert!(largest <= 2 * bytes.len(), "allocated {largest} bytes");
    // Inside a message too.
    let outer = delimited(6, &bytes);
    let well_known = WellKnown::decode(&outer[..]).unwrap();
    assert!(well_known.to_json().is_err());
    // A reasonable depth is fine, and reads back.
    let shallow = typerpc::Any::decode(&nested_any(20)[..]).unwrap();
    let json = shallow.to_json().unwrap();
    assert_eq!(typerpc::Any::from_json(&json).unwrap(), shallow);
    // The same nesting in JSON meets the parser's limit.
    let mut text = String::from("{}");
    for _ in 0..10_000 {
        text = format!(r#"{{"@type":"type.googleapis.com/google.protobuf.Any","value":{text}}}"#);
    }
    // (The look-ahead for `@type` skips the whole value and meets the limit
    // there, so the path is where the too-deep value starts.)
    json_rejects::<typerpc::Any>(&text, "value*");
}

// ---------------------------------------------------------------------------
// Binary: what a conforming encoder may send.

#[test]
fn unknown_fields_of_every_wire_type_are_skipped() {
    let unknown = [
        field_varint(100, 5),
        field_varint(101, u64::MAX),
        [key(102, FIXED64), vec![0xff; 8]].concat(),
        delimited(103, b"anything \xff\xfe"),
        delimited(104, &[]),
        [key(105, FIXED32), vec![0; 4]].concat(),
        // A group holding fields of every kind and a nested group.
        [
            key(106, START_GROUP),
            field_varint(1, 1),
            delimited(2, b"x"),
            key(3, START_GROUP),
            key(3, END_GROUP),
            key(106, END_GROUP),
        ]
        .concat(),
        field_varint((1 << 29) - 1, 1),
        // Reserved numbers are unknown fields too.
        field_varint(19_500, 1),
    ]
    .concat();
    let known = field_varint(3, 42);
    let bytes = [unknown.clone(), known.clone(), unknown.clone()].concat();
    assert_eq!(Scalars::decode(&bytes[..]).unwrap().f_int32, 42);
    // Inside a nested message, and in a message of a different kind.
    let nested = delimited(1, &bytes);
    assert_eq!(
        Everything::decode(&nested[..])
            .unwrap()
            .scalars
            .unwrap()
            .f_int32,
        42
    );
    let renamed = [unknown.clone(), field_varint(4, 1), field_varint(9, 2)].concat();
    let decoded = RenamedMessage::decode(&renamed[..]).unwrap();
    assert_eq!((decoded.limit, decoded.language.as_str()), (10, "en"));
    // Inside a map entry: skipped too.
    let entry = delimited(
        1,
        &[unknown, delimited(1, b"k"), field_varint(2, 7)].concat(),
    );
    assert_eq!(Maps::decode(&entry[..]).unwrap().by_name.get("k"), Some(&7));
}

#[test]
fn packed_fields_accept_unpacked_and_mixed_runs() {
    let mixed = [
        field_varint(1, 1),
        delimited(1, &[2, 3]),
        delimited(1, &[]),
        field_varint(1, 4),
    ]
    .concat();
    assert_eq!(
        Repeats::decode(&mixed[..]).unwrap().r_int32,
        vec![1, 2, 3, 4]
    );
    let doubles = [
        [key(4, FIXED64), 1.5f64.to_le_bytes().to_vec()].concat(),
        delimited(4, &[2.5f64.to_le_bytes(), 3.5f64.to_le_bytes()].concat()),
    ]
    .concat();
    assert_eq!(
        Repeats::decode(&doubles[..]).unwrap().r_double,
        vec![1.5, 2.5, 3.5]
    );
    let colors = [
        field_varint(8, 1),
        delimited(8, &[5, 6]),
        field_varint(8, 0),
    ]
    .concat();
    assert_eq!(
        Repeats::decode(&colors[..]).unwrap().r_color,
        vec![Color::Red, Color::Green, Color::Blue, Color::Unspecified]
    );
    let fixed = [
        [key(3, FIXED32), vec![1, 0, 0, 0]].concat(),
        delimited(3, &[2, 0, 0, 0]),
    ]
    .concat();
    assert_eq!(Repeats::decode(&fixed[..]).unwrap().r_fixed32, vec![1, 2]);
    // sint64 zig-zag, unpacked.
    let sints = [field_varint(2, 1), field_varint(2, 2)].concat();
    assert_eq!(Repeats::decode(&sints[..]).unwrap().r_sint64, vec![-1, 1]);
}

#[test]
fn repeated_occurrences_merge_messages_and_replace_scalars() {
    // Scalars: the last value wins.
    let twice = [field_varint(3, 1), field_varint(3, 2)].concat();
    assert_eq!(Scalars::decode(&twice[..]).unwrap().f_int32, 2);
    let strings = [delimited(14, b"first"), delimited(14, b"second")].concat();
    assert_eq!(Scalars::decode(&strings[..]).unwrap().f_string, "second");
    let colors = [field_varint(16, 1), field_varint(16, 5)].concat();
    assert_eq!(Scalars::decode(&colors[..]).unwrap().f_color, Color::Green);
    let optional = [field_varint(1, 7), field_varint(1, 0)].concat();
    assert_eq!(Optionals::decode(&optional[..]).unwrap().o_int32, Some(0));
    // Messages: occurrences merge, field by field.
    let merged = [
        delimited(9, &delimited(1, b"a")),
        delimited(9, &field_varint(2, 9)),
    ]
    .concat();
    let child = Optionals::decode(&merged[..]).unwrap().o_child.unwrap();
    assert_eq!((child.name.as_str(), child.weight), ("a", 9));
    let deep = [
        delimited(1, &field_varint(3, 5)),
        delimited(1, &delimited(14, b"s")),
    ]
    .concat();
    let scalars = Everything::decode(&deep[..]).unwrap().scalars.unwrap();
    assert_eq!((scalars.f_int32, scalars.f_string.as_str()), (5, "s"));
    // Repeated messages: each occurrence is an element.
    let leaves = [delimited(9, &delimited(1, b"a")), delimited(9, &[])].concat();
    assert_eq!(Repeats::decode(&leaves[..]).unwrap().r_leaf.len(), 2);
}

#[test]
fn map_entries_missing_key_or_value_take_defaults() {
    let no_key = delimited(1, &field_varint(2, 5));
    let no_value = delimited(1, &delimited(1, b"k"));
    let empty = delimited(2, &[]);
    let maps = Maps::decode(&[no_key, no_value, empty].concat()[..]).unwrap();
    assert_eq!(maps.by_name.get(""), Some(&5));
    assert_eq!(maps.by_name.get("k"), Some(&0));
    assert_eq!(maps.by_id.get(&0).map(String::as_str), Some(""));
    // Value before key, and a repeated key: the last entry wins.
    let reversed = delimited(1, &[field_varint(2, 3), delimited(1, b"x")].concat());
    let again = delimited(1, &[delimited(1, b"x"), field_varint(2, 4)].concat());
    let maps = Maps::decode(&[reversed, again].concat()[..]).unwrap();
    assert_eq!(maps.by_name.get("x"), Some(&4));
    // A message value missing: an empty message.
    let leaf = delimited(3, &field_varint(1, 8));
    let maps = Maps::decode(&leaf[..]).unwrap();
    assert_eq!(maps.by_u64.get(&8), Some(&Leaf::default()));
}

#[test]
fn a_later_oneof_member_replaces_an_earlier_one() {
    let both = [
        [key(2, FIXED64), 1.5f64.to_le_bytes().to_vec()].concat(),
        delimited(3, b"label"),
    ]
    .concat();
    assert_eq!(
        WithOneof::decode(&both[..]).unwrap().shape,
        Some(Shape::Label("label".into()))
    );
    // Back to the first, with the explicit-numbered member in between.
    let three = [
        both.clone(),
        field_varint(20, 7),
        [key(2, FIXED64), 2.5f64.to_le_bytes().to_vec()].concat(),
    ]
    .concat();
    assert_eq!(
        WithOneof::decode(&three[..]).unwrap().shape,
        Some(Shape::Radius(2.5))
    );
    // The same message member twice: merged, as for any message field.
    let leaf_twice = [
        delimited(4, &delimited(1, b"n")),
        delimited(4, &field_varint(2, 3)),
    ]
    .concat();
    assert_eq!(
        WithOneof::decode(&leaf_twice[..]).unwrap().shape,
        Some(Shape::Leaf(Leaf {
            name: "n".into(),
            weight: 3
        }))
    );
    // A different member in between: the message starts afresh.
    let reset = [
        delimited(4, &delimited(1, b"n")),
        field_varint(20, 1),
        delimited(4, &field_varint(2, 3)),
    ]
    .concat();
    assert_eq!(
        WithOneof::decode(&reset[..]).unwrap().shape,
        Some(Shape::Leaf(Leaf {
            name: String::new(),
            weight: 3
        }))
    );
    // The fields around the oneof keep their numbers.
    let around = [field_varint(7, 4), delimited(30, b"e"), delimited(1, b"i")].concat();
    let decoded = WithOneof::decode(&around[..]).unwrap();
    assert_eq!(
        (
            decoded.after,
            decoded.explicit.as_str(),
            decoded.id.as_str()
        ),
        (4, "e", "i")
    );
}

// ---------------------------------------------------------------------------
// JSON: broken input is an error with a path.

/// The start of a long input, for assertion messages.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    short
}

/// Parsing `json` as `M` fails with an error whose path starts with `path`
/// (equals it, unless `path` ends in `*`), without allocating much more
/// than the input.
#[track_caller]
fn json_rejects<M: Message + std::fmt::Debug>(json: &str, path: &str) -> JsonError {
    let (result, largest) = largest_allocation(|| M::from_json(json));
    let err = match result {
        Ok(value) => panic!("accepted {:?} as {value:?}", shorten(json)),
        Err(err) => err,
    };
    let matches = match path.strip_suffix('*') {
        Some(prefix) => err.path().starts_with(prefix),
        None => err.path() == path,
    };
    assert!(
        matches,
        "{:?}: expected the path {path:?}, got {}",
        shorten(json),
        shorten(&err.to_string())
    );
    assert!(
        largest <= 4096 + 8 * json.len(),
        "{:?}: allocated {largest} bytes",
        shorten(json)
    );
    err
}

#[test]
fn json_deep_nesting_is_an_error() {
    let brackets = "[".repeat(100_000);
    let err = json_rejects::<Value>(&brackets, "[0][0][0]*");
    assert!(err.message().contains("deeper than the limit"), "{err}");
    let braces = "{\"a\":".repeat(100_000);
    json_rejects::<Struct>(&braces, "a.a.a*");
    // Inside a message, under a Struct field.
    let json = format!(
        r#"{{"wellKnown": {{"meta": {{"a": {}}}}}}}"#,
        "[".repeat(100_000)
    );
    let err = json_rejects::<Everything>(&json, "wellKnown.meta.a[0][0]*");
    assert!(err.message().contains("deeper than the limit"), "{err}");
    // Message recursion.
    let left = format!("{}{}", "{\"left\":".repeat(10_000), "}".repeat(10_000));
    json_rejects::<Tree>(&left, "left.left.left*");
    // Unknown fields are skipped iteratively, but still within the limit.
    let ignoring = JsonOptions::default().with_ignore_unknown_fields(true);
    let unknown = format!(r#"{{"nope": {}}}"#, "[".repeat(100_000));
    let err = Scalars::from_json_with(unknown.as_bytes(), &ignoring).unwrap_err();
    assert!(err.message().contains("deeper than the limit"), "{err}");
}

#[test]
fn json_huge_numbers_are_errors() {
    let cases = [
        (r#"{"fInt32": 2147483648}"#, "fInt32"),
        (r#"{"fInt32": -2147483649}"#, "fInt32"),
        (r#"{"fInt32": 1e10}"#, "fInt32"),
        (r#"{"fInt32": 1e400}"#, "fInt32"),
        (r#"{"fInt32": 1e999999999999}"#, "fInt32"),
        (r#"{"fInt32": 0.5}"#, "fInt32"),
        (r#"{"fUint32": -1}"#, "fUint32"),
        (r#"{"fInt64": "9223372036854775808"}"#, "fInt64"),
        (r#"{"fInt64": 9223372036854775808}"#, "fInt64"),
        (r#"{"fUint64": "18446744073709551616"}"#, "fUint64"),
        (r#"{"fUint64": 1e20}"#, "fUint64"),
        (r#"{"fSint64": "-9223372036854775809"}"#, "fSint64"),
        (r#"{"fFixed32": 4294967296}"#, "fFixed32"),
        (r#"{"fFloat": 3.5e38}"#, "fFloat"),
        (r#"{"fFloat": 1e400}"#, "fFloat"),
        (r#"{"fDouble": 1e400}"#, "fDouble"),
        (r#"{"fDouble": -1e400}"#, "fDouble"),
        (r#"{"fColor": 2147483648}"#, "fColor"),
    ];
    for (json, path) in cases {
        json_rejects::<Scalars>(json, path);
    }
    // A number with a hundred thousand digits: rejected, not parsed slowly.
    let long = format!(r#"{{"fInt64": {}}}"#, "9".repeat(100_000));
    let started = Instant::now();
    json_rejects::<Scalars>(&long, "fInt64");
    let long = format!(r#"{{"fInt64": "1{}"}}"#, "0".repeat(100_000));
    json_rejects::<Scalars>(&long, "fInt64");
    let long = format!(r#"{{"fDouble": 1{}}}"#, "0".repeat(100_000));
    json_rejects::<Scalars>(&long, "fDouble");
    assert!(started.elapsed() < Duration::from_secs(2));
    // In repeated fields and maps the path has the index or key.
    json_rejects::<Repeats>(r#"{"rInt32": [1, 2, 2147483648]}"#, "rInt32[2]");
    json_rejects::<Maps>(r#"{"byId": {"2147483648": "x"}}"#, "byId.2147483648");
    json_rejects::<Maps>(r#"{"byName": {"k": 1e300}}"#, "byName.k");
}

#[test]
fn json_lone_surrogates_are_errors() {
    for escaped in [
        r"\ud800",
        r"\udc00",
        r"\ud800\u0041",
        r"\ud800x",
        r"\udbff\udbff",
        r"\u12",
        r"\uzzzz",
    ] {
        let json = format!(r#"{{"fString": "a{escaped}b"}}"#);
        json_rejects::<Scalars>(&json, "fString");
        let key = format!(r#"{{"byName": {{"{escaped}": 1}}}}"#);
        json_rejects::<Maps>(&key, "byName");
    }
    // A correct pair is fine.
    let ok = Scalars::from_json(r#"{"fString": "\ud83d\ude00"}"#).unwrap();
    assert_eq!(ok.f_string, "\u{1f600}");
}

#[test]
fn json_duplicate_oneof_members_are_errors() {
    let err = json_rejects::<WithOneof>(r#"{"radius": 1, "label": "x"}"#, "label");
    assert!(err.message().contains("oneof"), "{err}");
    json_rejects::<WithOneof>(r#"{"label": "x", "code": "5"}"#, "code");
    json_rejects::<WithOneof>(r#"{"leaf": {}, "tint": "COLOR_RED"}"#, "tint");
    // The proto name and the JSON name of two members.
    json_rejects::<WithOneof>(r#"{"radius": 1, "code": 2}"#, "code");
    // A null member does not count as set.
    let ok = WithOneof::from_json(r#"{"radius": null, "label": "x"}"#).unwrap();
    assert_eq!(ok.shape, Some(Shape::Label("x".into())));
}

#[test]
fn json_wrong_types_are_errors_for_every_kind_of_field() {
    let scalars = [
        (r#"{"fInt32": "abc"}"#, "fInt32"),
        (r#"{"fInt32": true}"#, "fInt32"),
        (r#"{"fInt32": {}}"#, "fInt32"),
        (r#"{"fInt32": []}"#, "fInt32"),
        (r#"{"fInt64": "1.5"}"#, "fInt64"),
        (r#"{"fUint64": "-1"}"#, "fUint64"),
        (r#"{"fDouble": "abc"}"#, "fDouble"),
        (r#"{"fDouble": true}"#, "fDouble"),
        (r#"{"fFloat": "Inf"}"#, "fFloat"),
        (r#"{"fBool": "true"}"#, "fBool"),
        (r#"{"fBool": 1}"#, "fBool"),
        (r#"{"fString": 5}"#, "fString"),
        (r#"{"fString": ["a"]}"#, "fString"),
        (r#"{"fBytes": "***"}"#, "fBytes"),
        (r#"{"fBytes": 5}"#, "fBytes"),
        (r#"{"fColor": "COLOR_PURPLE"}"#, "fColor"),
        (r#"{"fColor": 99}"#, "fColor"),
        (r#"{"fColor": true}"#, "fColor"),
        (r#"{"fColor": 1.5}"#, "fColor"),
    ];
    for (json, path) in scalars {
        json_rejects::<Scalars>(json, path);
    }
    let others: Vec<(&str, &str)> = vec![
        // Messages.
        (r#"{"scalars": 5}"#, "scalars"),
        (r#"{"scalars": []}"#, "scalars"),
        (r#"{"scalars": "x"}"#, "scalars"),
        (r#"{"scalars": {"fInt32": "x"}}"#, "scalars.fInt32"),
        // Repeated.
        (r#"{"repeats": {"rInt32": 5}}"#, "repeats.rInt32"),
        (r#"{"repeats": {"rInt32": {}}}"#, "repeats.rInt32"),
        (r#"{"repeats": {"rString": [1]}}"#, "repeats.rString[0]"),
        (r#"{"repeats": {"rLeaf": [{}, 5]}}"#, "repeats.rLeaf[1]"),
        (r#"{"repeats": {"rInt32": [null]}}"#, "repeats.rInt32[0]"),
        // Maps.
        (r#"{"maps": {"byName": []}}"#, "maps.byName"),
        (r#"{"maps": {"byName": {"k": "v"}}}"#, "maps.byName.k"),
        (r#"{"maps": {"byId": {"x": "v"}}}"#, "maps.byId.x"),
        (
            r#"{"maps": {"flags": {"yes": "COLOR_RED"}}}"#,
            "maps.flags.yes",
        ),
        (r#"{"maps": {"byU64": {"1": 5}}}"#, "maps.byU64.1"),
        // Optionals.
        (r#"{"optionals": {"oInt32": "x"}}"#, "optionals.oInt32"),
        (r#"{"optionals": {"oChild": 1}}"#, "optionals.oChild"),
        // Oneofs.
        (r#"{"oneof": {"radius": "x"}}"#, "oneof.radius"),
        (r#"{"oneof": {"leaf": []}}"#, "oneof.leaf"),
        (r#"{"oneof": {"shape": {}}}"#, "oneof.shape"),
        // Well-known types.
        (r#"{"wellKnown": {"at": 5}}"#, "wellKnown.at"),
        (r#"{"wellKnown": {"at": "yesterday"}}"#, "wellKnown.at"),
        (
            r#"{"wellKnown": {"at": "10000-01-01T00:00:00Z"}}"#,
            "wellKnown.at",
        ),
        (r#"{"wellKnown": {"took": "5"}}"#, "wellKnown.took"),
        (r#"{"wellKnown": {"took": "1e400s"}}"#, "wellKnown.took"),
        (
            r#"{"wellKnown": {"took": "315576000001s"}}"#,
            "wellKnown.took",
        ),
        (r#"{"wellKnown": {"meta": []}}"#, "wellKnown.meta"),
        (r#"{"wellKnown": {"list": {}}}"#, "wellKnown.list"),
        // (`{}` is an empty Any, as protobuf-java reads it.)
        (
            r#"{"wellKnown": {"packed": {"value": 1}}}"#,
            "wellKnown.packed*",
        ),
        (
            r#"{"wellKnown": {"packed": {"@type": "nope"}}}"#,
            "wellKnown.packed*",
        ),
        (
            r#"{"wellKnown": {"packed": {"@type": 5}}}"#,
            "wellKnown.packed*",
        ),
        (
            r#"{"wellKnown": {"nothing": {"a": 1}}}"#,
            "wellKnown.nothing.a",
        ),
        (r#"{"wellKnown": {"times": [5]}}"#, "wellKnown.times[0]"),
        // Unknown fields.
        (r#"{"nope": 1}"#, "nope"),
        (r#"{"scalars": {"nope": 1}}"#, "scalars.nope"),
    ];
    for (json, path) in others {
        json_rejects::<Everything>(json, path);
    }
    // Not an object at all.
    for json in ["null", "5", "\"x\"", "[]", "true", ""] {
        json_rejects::<Everything>(json, "");
    }
}

#[test]
fn json_syntax_errors_and_trailing_garbage_are_errors() {
    let cases = [
        ("{} x", ""),
        ("{}}", ""),
        ("{},", ""),
        ("{} {}", ""),
        ("{", ""),
        (r#"{"fInt32": 1,}"#, ""),
        (r#"{"fInt32" 1}"#, ""),
        (r#"{"fInt32": 1 "fInt64": 2}"#, ""),
        (r#"{fInt32: 1}"#, ""),
        (r#"{"fInt32": 01}"#, "fInt32"),
        (r#"{"fInt32": +1}"#, "fInt32"),
        (r#"{"fInt32": 1."#, "fInt32"),
        (r#"{"fString": "abc"#, "fString"),
        ("{\"fString\": \"a\u{1}b\"}", "fString"),
        (r#"{"fString": "\x"}"#, "fString"),
        (r#"{"fString": 'a'}"#, "fString"),
        (r#"{"fBool": tru}"#, "fBool"),
        (r#"{"fDouble": NaN}"#, "fDouble"),
    ];
    for (json, path) in cases {
        json_rejects::<Scalars>(json, path);
    }
    // Invalid UTF-8 around and inside strings.
    for bytes in [
        &b"{\"fString\": \"\xff\"}"[..],
        &b"\xef\xbb\xbf{}"[..],
        &b"{\"\xc0\xaf\": 1}"[..],
        &b"{} \xff"[..],
    ] {
        assert!(
            Scalars::from_json_with(bytes, &JsonOptions::default()).is_err(),
            "{bytes:02x?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Random input.

/// Valid messages of several shapes, to mutate.
fn samples() -> Vec<Everything> {
    let leaf = Leaf {
        name: "leaf".into(),
        weight: -3,
    };
    let tree = Tree {
        value: 1,
        children: vec![Tree {
            value: 2,
            children: vec![],
            left: None,
        }],
        left: Some(Box::new(Tree {
            value: 3,
            children: vec![],
            left: None,
        })),
    };
    vec![
        Everything::default(),
        Everything {
            scalars: Some(Scalars {
                f_double: 1.5,
                f_float: -2.5,
                f_int32: -5,
                f_int64: i64::MIN,
                f_uint32: u32::MAX,
                f_uint64: u64::MAX,
                f_sint32: -7,
                f_sint64: 7,
                f_fixed32: 9,
                f_fixed64: 10,
                f_sfixed32: -11,
                f_sfixed64: -12,
                f_bool: true,
                f_string: "héllo".into(),
                f_bytes: vec![0, 0xff, 7],
                f_color: Color::Blue,
            }),
            optionals: Some(Optionals {
                o_int32: Some(0),
                o_string: Some(String::new()),
                o_color: Some(Color::Red),
                o_child: Some(leaf.clone()),
                ..Optionals::default()
            }),
            ..Everything::default()
        },
        Everything {
            repeats: Some(Repeats {
                r_int32: vec![1, -2, 300],
                r_sint64: vec![-1, 1],
                r_fixed32: vec![4, 5],
                r_double: vec![0.5],
                r_bool: vec![true, false],
                r_string: vec!["a".into(), String::new()],
                r_bytes: vec![vec![1]],
                r_color: vec![Color::Green, Color::Unspecified],
                r_leaf: vec![leaf.clone(), Leaf::default()],
            }),
            maps: Some(Maps {
                by_name: [("a".to_string(), 1i64)].into(),
                by_id: [(-4, "x".to_string())].into(),
                by_u64: [(9u64, leaf.clone())].into(),
                flags: [(true, Color::Red)].into(),
                blobs: [("b".to_string(), vec![1u8, 2])].into(),
            }),
            ..Everything::default()
        },
        Everything {
            oneof: Some(WithOneof {
                id: "id".into(),
                shape: Some(Shape::Leaf(leaf)),
                after: 3,
                explicit: "e".into(),
            }),
            tree: Some(tree),
            renamed: Some(RenamedMessage {
                name: "n".into(),
                limit: 0,
                language: "fr".into(),
            }),
            ..Everything::default()
        },
    ]
}

/// One edit of a byte string.
#[derive(Clone, Debug)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Truncate(prop::sample::Index),
    Duplicate(prop::sample::Index, prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        2 => any::<prop::sample::Index>().prop_map(Edit::Remove),
        1 => any::<prop::sample::Index>().prop_map(Edit::Truncate),
        1 => (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Edit::Duplicate(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        if let Edit::Insert(_, b) | Edit::Set(_, b) = edit {
            bytes.push(*b);
        }
        return;
    }
    match edit {
        Edit::Set(i, b) => {
            let i = i.index(bytes.len());
            bytes[i] = *b;
        }
        Edit::Insert(i, b) => {
            let i = i.index(bytes.len() + 1);
            bytes.insert(i, *b);
        }
        Edit::Remove(i) => {
            let i = i.index(bytes.len());
            bytes.remove(i);
        }
        Edit::Truncate(i) => {
            let i = i.index(bytes.len());
            bytes.truncate(i);
        }
        Edit::Duplicate(a, b) => {
            let (a, b) = (a.index(bytes.len()), b.index(bytes.len()));
            let (from, to) = (a.min(b), a.max(b));
            let copy = bytes[from..=to].to_vec();
            bytes.splice(to + 1..to + 1, copy);
        }
    }
}

/// Whatever decodes re-encodes to bytes that decode to the same encoding.
fn binary_round_trip(bytes: &[u8]) {
    if let Ok(decoded) = Everything::decode(bytes) {
        let again =
            Everything::decode(&decoded.encode_to_vec()[..]).expect("our own encoding decodes");
        assert_eq!(again.encode_to_vec(), decoded.encode_to_vec());
    }
}

/// Whatever parses writes back as JSON that parses to the same value.
fn json_round_trip(json: &[u8]) {
    for options in [
        JsonOptions::default(),
        JsonOptions::default().with_ignore_unknown_fields(true),
    ] {
        if let Ok(parsed) = Everything::from_json_with(json, &options) {
            if let Ok(text) = parsed.to_json() {
                let again = Everything::from_json(&text).expect("our own JSON parses");
                assert_eq!(again.encode_to_vec(), parsed.encode_to_vec(), "{text}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        binary_round_trip(&bytes);
        let _ = Tree::decode(&bytes[..]);
        let _ = Maps::decode(&bytes[..]);
        let _ = WithOneof::decode(&bytes[..]);
        json_round_trip(&bytes);
        let _ = Value::from_json_with(&bytes, &JsonOptions::default());
    }

    #[test]
    fn random_json_like_text_never_panics(
        text in r#"[\[\]{}:,"\\ 0-9a-zA-Z.eE+\-_@]{0,200}"#
    ) {
        json_round_trip(text.as_bytes());
        let _ = Value::from_json(&text);
    }

    #[test]
    fn mutated_encodings_never_panic(
        sample in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let samples = samples();
        let value = &samples[sample.index(samples.len())];
        let mut bytes = value.encode_to_vec();
        let mut json = value.to_json().unwrap().into_bytes();
        for edit in &edits {
            apply(&mut bytes, edit);
            apply(&mut json, edit);
        }
        binary_round_trip(&bytes);
        json_round_trip(&json);
    }
}
