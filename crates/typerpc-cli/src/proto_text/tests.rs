//! The printer's output compiles back to the descriptors it came from.

use prost_types::FileDescriptorSet;

use super::file_to_proto;

/// Compiles `files` (name, source) with protox and returns their set,
/// without source locations.
fn compile(files: &[(&str, &str)]) -> FileDescriptorSet {
    let dir = std::env::temp_dir().join(format!(
        "typerpc-proto-text-{}-{}",
        std::process::id(),
        files[0].0.replace('/', "_")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, source) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, source).unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    let mut set = protox::compile(&names, [&dir]).unwrap_or_else(|e| panic!("{e:?}"));
    let _ = std::fs::remove_dir_all(&dir);
    set.file
        .retain(|f| !f.name().starts_with("google/protobuf/"));
    for file in &mut set.file {
        file.source_code_info = None;
    }
    set
}

/// Prints every file of `files`, compiles the printed text and checks
/// both sets are equal.
fn assert_round_trips(files: &[(&str, &str)]) {
    let original = compile(files);
    let printed: Vec<(String, String)> = original
        .file
        .iter()
        .map(|f| (f.name().to_string(), file_to_proto(f)))
        .collect();
    let borrowed: Vec<(&str, &str)> = printed
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let again = compile(&borrowed);
    for (before, after) in original.file.iter().zip(&again.file) {
        let text = &printed.iter().find(|(n, _)| n == before.name()).unwrap().1;
        assert_eq!(before, after, "printed as:\n{text}");
    }
    assert_eq!(original.file.len(), again.file.len());
}

const PROTO3: &str = r#"
syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
import public "shop/v1/common.proto";
option go_package = "example.com/shop;shop";
option java_multiple_files = true;
option optimize_for = CODE_SIZE;

message Item {
  message Dimensions { double width = 1; double height = 2; }
  string id = 1;
  map<string, int64> counts = 2;
  message Between {}
  optional int32 stock = 3;
  oneof price {
    int64 cents = 4;
    string text = 5 [deprecated = true];
  }
  repeated Dimensions sizes = 6 [packed = false];
  map<int32, Dimensions> by_number = 7;
  Kind kind = 8;
  google.protobuf.Timestamp created = 9;
  string renamed = 10 [json_name = "other"];
  shop.v1.Money money = 11;
  enum Kind { KIND_UNSPECIFIED = 0; KIND_BOOK = 1; }
  reserved 12, 15 to 20, 100 to max;
  reserved "old", "older";
}

enum Status {
  option allow_alias = true;
  STATUS_UNSPECIFIED = 0;
  STATUS_ACTIVE = 1;
  STATUS_LIVE = 1 [deprecated = true];
  reserved 5 to 9;
  reserved "GONE";
}

service Shop {
  rpc Get ( Item ) returns ( Item );
  rpc Watch ( Item ) returns ( stream Item ) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Upload ( stream Item ) returns ( Item ) { option deprecated = true; }
  rpc Chat ( stream Item ) returns ( stream Item );
}
"#;

const COMMON: &str = r#"
syntax = "proto3";
package shop.v1;
message Money { string currency = 1; int64 units = 2; }
"#;

const PROTO2: &str = r#"
syntax = "proto2";
package legacy;
message Old {
  required string name = 1 [default = "a \"quoted\"\n name"];
  optional int32 count = 2 [default = -3];
  optional bytes raw = 3 [default = "\001\377x"];
  optional double ratio = 4 [default = inf];
  optional Color color = 5 [default = GREEN];
  repeated int32 packed = 6 [packed = true];
  extensions 100 to 199;
  extensions 1000 to max;
}
enum Color { RED = 1; GREEN = 2; }
extend Old { optional string note = 100; }
message Outer { extend Old { repeated int64 marks = 101; } }
"#;

#[test]
fn proto3_files_round_trip() {
    assert_round_trips(&[
        ("shop/v1/common.proto", COMMON),
        ("shop/v1/shop.proto", PROTO3),
    ]);
}

#[test]
fn proto2_files_round_trip() {
    assert_round_trips(&[("legacy/old.proto", PROTO2)]);
}

#[test]
fn strings_are_escaped() {
    assert_eq!(
        super::quote("a\"b\\c\n\u{1}é"),
        "\"a\\\"b\\\\c\\n\\001\\303\\251\""
    );
}
