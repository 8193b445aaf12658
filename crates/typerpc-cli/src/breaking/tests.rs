//! One test per rule, on small in-memory files.

use std::collections::HashMap;

use prost_types::FileDescriptorSet;
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use super::compare;

struct Sources(HashMap<String, String>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(source) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Compiles `shop.proto` (package `shop.v1`) with the given body.
fn compile(body: &str) -> FileDescriptorSet {
    let source = format!(
        "syntax = \"proto3\";\npackage shop.v1;\nimport \"google/protobuf/empty.proto\";\n{body}"
    );
    compile_files(&[("shop.proto", &source)])
}

fn compile_files(files: &[(&str, &str)]) -> FileDescriptorSet {
    let sources = files
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    for (name, source) in files {
        if let Err(e) = compiler.open_file(name) {
            panic!("{e:?}\n{source}");
        }
    }
    compiler.file_descriptor_set()
}

/// The findings from `old` to `new`, as printed.
fn findings(old: &str, new: &str) -> Vec<String> {
    compare(&compile(old), &compile(new))
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_one(old: &str, new: &str, expected: &str) {
    assert_eq!(findings(old, new), [expected]);
}

fn assert_compatible(old: &str, new: &str) {
    assert_eq!(findings(old, new), Vec::<String>::new());
}

const ORDER: &str = "message Order { string id = 1; int64 total = 2; }";

#[test]
fn unchanged_and_added_definitions_are_compatible() {
    assert_compatible(ORDER, ORDER);
    assert_compatible(
        ORDER,
        "message Order { string id = 1; int64 total = 2; repeated string tags = 3; }
         message Extra {}
         enum Kind { KIND_UNSPECIFIED = 0; }
         service Shop { rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty); }",
    );
}

#[test]
fn a_number_given_to_another_name_is_caught() {
    assert_one(
        ORDER,
        "message Order { string id = 1; int64 amount = 2; }",
        "shop.proto:shop.v1.Order.total: field number 2 now belongs to \"amount\"",
    );
}

#[test]
fn renumbered_fields_are_caught() {
    let found = findings(ORDER, "message Order { int64 total = 1; string id = 2; }");
    assert!(
        found.contains(&"shop.proto:shop.v1.Order.id: field renumbered from 1 to 2".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(
            &"shop.proto:shop.v1.Order.id: field 1 changed type from string to int64".to_string()
        ),
        "{found:?}"
    );
}

#[test]
fn changed_types_and_cardinality_are_caught() {
    assert_one(
        ORDER,
        "message Order { string id = 1; int32 total = 2; }",
        "shop.proto:shop.v1.Order.total: field 2 changed type from int64 to int32",
    );
    assert_one(
        ORDER,
        "message Order { string id = 1; repeated int64 total = 2; }",
        "shop.proto:shop.v1.Order.total: field 2 changed type from int64 to repeated int64",
    );
    assert_one(
        "message Order { map<string, int64> totals = 1; }",
        "message Order { map<string, int32> totals = 1; }",
        "shop.proto:shop.v1.Order.totals: field 1 changed type from map<string, int64> to map<string, int32>",
    );
    assert_one(
        "message A {} message B {} message Order { A part = 1; }",
        "message A {} message B {} message Order { B part = 1; }",
        "shop.proto:shop.v1.Order.part: field 1 changed type from shop.v1.A to shop.v1.B",
    );
}

#[test]
fn oneof_membership_changes_are_caught_but_optional_is_not() {
    assert_one(
        ORDER,
        "message Order { string id = 1; oneof amount { int64 total = 2; } }",
        "shop.proto:shop.v1.Order.total: field 2 moved into oneof amount",
    );
    assert_compatible(
        ORDER,
        "message Order { string id = 1; optional int64 total = 2; }",
    );
}

#[test]
fn removed_fields_must_reserve_number_and_name() {
    let removed = "message Order { string id = 1; }";
    assert_one(
        ORDER,
        removed,
        "shop.proto:shop.v1.Order.total: field removed without reserving its number 2 and name \"total\"",
    );
    assert_one(
        ORDER,
        "message Order { string id = 1; reserved 2; }",
        "shop.proto:shop.v1.Order.total: field removed without reserving its name \"total\" (JSON clients use it)",
    );
    assert_compatible(
        ORDER,
        "message Order { string id = 1; reserved 2; reserved \"total\"; }",
    );
}

#[test]
fn reserved_numbers_and_names_taken_again_are_caught() {
    let old = "message Order { string id = 1; reserved 2 to 4; reserved \"old\"; }";
    assert_eq!(
        findings(old, "message Order { string id = 1; int32 old = 3; }"),
        [
            "shop.proto:shop.v1.Order.old: field takes reserved number 3",
            "shop.proto:shop.v1.Order.old: field takes reserved name \"old\"",
        ]
    );
}

#[test]
fn removed_messages_and_enums_in_use_are_caught() {
    assert_compatible("message Unused {}", "");
    let old = "message Line {} enum Kind { KIND_UNSPECIFIED = 0; }
               message Order { Line line = 1; Kind kind = 2; }";
    let new = "message Order { reserved 1, 2; reserved \"line\", \"kind\"; }";
    assert_eq!(
        findings(old, new),
        [
            "shop.proto:shop.v1.Line: message removed or renamed while fields or methods used it",
            "shop.proto:shop.v1.Kind: enum removed or renamed while fields used it",
        ]
    );
}

#[test]
fn enum_values_removed_or_renamed_are_caught() {
    let old = "enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; KIND_B = 2; }";
    assert_one(
        old,
        "enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }",
        "shop.proto:shop.v1.Kind: value KIND_B = 2 removed without reserving its number",
    );
    assert_compatible(
        old,
        "enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; reserved 2; }",
    );
    assert_one(
        old,
        "enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; KIND_C = 2; }",
        "shop.proto:shop.v1.Kind: value 2 renamed from KIND_B to KIND_C (JSON uses the name)",
    );
    assert_one(
        "enum Kind { KIND_UNSPECIFIED = 0; reserved 5; }",
        "enum Kind { KIND_UNSPECIFIED = 0; KIND_E = 5; }",
        "shop.proto:shop.v1.Kind: value KIND_E takes reserved number 5",
    );
}

const SHOP: &str = "message Order {}
    service Shop {
      rpc Get(Order) returns (Order);
      rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty);
    }";

#[test]
fn removed_or_renamed_services_and_methods_are_caught() {
    assert_one(
        SHOP,
        &SHOP.replace("rpc Get(", "rpc Fetch("),
        "shop.proto:shop.v1.Shop.Get: method removed or renamed: its path no longer exists",
    );
    assert_one(
        SHOP,
        &SHOP.replace("service Shop", "service Store"),
        "shop.proto:shop.v1.Shop: service removed or renamed: its methods' paths no longer exist",
    );
}

#[test]
fn changed_method_types_and_streaming_are_caught() {
    assert_eq!(
        findings(
            SHOP,
            &SHOP.replace("rpc Get(Order) returns (Order)", "rpc Get(google.protobuf.Empty) returns (stream Order)"),
        ),
        [
            "shop.proto:shop.v1.Shop.Get: request type changed from shop.v1.Order to google.protobuf.Empty",
            "shop.proto:shop.v1.Shop.Get: streaming changed from unary to server streaming",
        ]
    );
}

#[test]
fn a_changed_package_is_caught() {
    let old = compile_files(&[("a.proto", "syntax = \"proto3\"; package a.v1; message M {}")]);
    let new = compile_files(&[("a.proto", "syntax = \"proto3\"; package a.v2; message M {}")]);
    let found: Vec<String> = compare(&old, &new)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        ["a.proto:a.v1: package changed from \"a.v1\" to \"a.v2\""]
    );
}

#[test]
fn moving_a_message_to_another_file_is_compatible() {
    let old = compile_files(&[(
        "a.proto",
        "syntax = \"proto3\"; package a.v1; message M { int32 x = 1; } message N { M m = 1; }",
    )]);
    let new = compile_files(&[
        (
            "a.proto",
            "syntax = \"proto3\"; package a.v1; import \"b.proto\"; message N { M m = 1; }",
        ),
        (
            "b.proto",
            "syntax = \"proto3\"; package a.v1; message M { int32 x = 1; }",
        ),
    ]);
    assert!(compare(&old, &new).is_empty());
}
