//! `typerpc breaking` run as a program on folders of `.proto` files.

use std::path::{Path, PathBuf};
use std::process::Command;

use recommendation::RecommendationService;

/// A fresh temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typerpc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn breaking(old: &Path, new: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_typerpc"))
        .arg("breaking")
        .arg(old)
        .arg(new)
        .output()
        .expect("the typerpc binary runs");
    Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

const OLD: &str = r#"syntax = "proto3";
package shop.v1;

message Order {
  string id = 1;
  int64 total = 2;
}

service ShopService {
  rpc GetOrder(Order) returns (Order);
}
"#;

/// Runs `breaking` from [`OLD`] to `new` (both as `shop/v1/shop.proto`).
fn check(name: &str, new: &str) -> Run {
    let (old_dir, new_dir) = (
        temp_dir(&format!("{name}-old")),
        temp_dir(&format!("{name}-new")),
    );
    write(&old_dir, "shop/v1/shop.proto", OLD);
    write(&new_dir, "shop/v1/shop.proto", new);
    let run = breaking(&old_dir, &new_dir);
    let _ = std::fs::remove_dir_all(old_dir);
    let _ = std::fs::remove_dir_all(new_dir);
    run
}

fn assert_breaks(run: &Run, expected_line: &str) {
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.lines().any(|l| l == expected_line),
        "expected {expected_line:?} in:\n{}",
        run.stdout
    );
}

fn assert_passes(run: &Run) {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn catches_a_renumbered_field() {
    let run = check(
        "renumbered",
        &OLD.replace(
            "string id = 1;\n  int64 total = 2;",
            "int64 total = 1;\n  string id = 2;",
        ),
    );
    assert_breaks(
        &run,
        "shop/v1/shop.proto:shop.v1.Order.id: field renumbered from 1 to 2",
    );
}

#[test]
fn passes_an_added_field() {
    assert_passes(&check(
        "added",
        &OLD.replace("int64 total = 2;", "int64 total = 2;\n  string note = 3;"),
    ));
}

#[test]
fn catches_a_removed_unreserved_field() {
    let run = check("removed", &OLD.replace("  int64 total = 2;\n", ""));
    assert_breaks(
        &run,
        "shop/v1/shop.proto:shop.v1.Order.total: field removed without reserving its number 2 and name \"total\"",
    );
}

#[test]
fn passes_a_removed_reserved_field() {
    let run = check(
        "reserved",
        &OLD.replace(
            "  int64 total = 2;\n",
            "  reserved 2;\n  reserved \"total\";\n",
        ),
    );
    assert_passes(&run);
}

#[test]
fn catches_a_changed_type() {
    let run = check("type", &OLD.replace("int64 total", "string total"));
    assert_breaks(
        &run,
        "shop/v1/shop.proto:shop.v1.Order.total: field 2 changed type from int64 to string",
    );
}

#[test]
fn catches_a_renamed_method() {
    let run = check("method", &OLD.replace("rpc GetOrder(", "rpc FetchOrder("));
    assert_breaks(
        &run,
        "shop/v1/shop.proto:shop.v1.ShopService.GetOrder: method removed or renamed: its path no longer exists",
    );
}

#[test]
fn a_file_that_does_not_compile_is_a_usage_error_naming_file_and_line() {
    let run = check(
        "syntax",
        &OLD.replace("int64 total = 2;", "int64 total = ;"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("shop/v1/shop.proto:6:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_folder_or_argument_is_a_usage_error() {
    let dir = temp_dir("missing");
    let run = breaking(&dir.join("nope"), &dir);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);
    let output = Command::new(env!("CARGO_BIN_EXE_typerpc"))
        .arg("breaking")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn catches_swapped_fields_in_typerpc_generated_proto() {
    let router = typerpc::Router::new().add(RecommendationService::new());
    let set = router.schema().expect("schema");
    let old_dir = temp_dir("recommendation-old");
    let new_dir = temp_dir("recommendation-new");
    typerpc::schema::write_proto_files(&set, &old_dir).unwrap();
    let path = "recommendation/v1/recommendation.proto";
    let text = std::fs::read_to_string(old_dir.join(path)).unwrap();
    // What reordering two fields of `ProductRequest` in Rust does to the
    // rendered file: the numbers follow the declaration order.
    assert!(
        text.contains("  string user_id = 1;\n") && text.contains("  string category = 2;\n"),
        "{text}"
    );
    let swapped = text
        .replace("  string user_id = 1;\n", "  string user_id = 2;\n")
        .replace("  string category = 2;\n", "  string category = 1;\n");
    write(&new_dir, path, &swapped);
    let run = breaking(&old_dir, &new_dir);
    assert_breaks(
        &run,
        "recommendation/v1/recommendation.proto:recommendation.v1.ProductRequest.user_id: field renumbered from 1 to 2",
    );
    // And the unchanged export is compatible with itself.
    assert_passes(&breaking(&old_dir, &old_dir));
    let _ = std::fs::remove_dir_all(old_dir);
    let _ = std::fs::remove_dir_all(new_dir);
}
