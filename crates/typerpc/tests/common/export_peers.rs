//! Compiling an exported folder of `.proto` files with tools we did not
//! write: protoc (from grpcio-tools) and `buf build`, plus `buf lint`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use super::peers::peer;

/// The `buf lint` (STANDARD) rules typerpc's output intentionally does not
/// follow: they are about the names users give their request and
/// response types, which typerpc keeps as written (pydantic-rpc's
/// `ProductRequest`, one response type shared by several methods).
pub const ACCEPTED_LINT_RULES: [&str; 3] = [
    "RPC_REQUEST_RESPONSE_UNIQUE",
    "RPC_REQUEST_STANDARD_NAME",
    "RPC_RESPONSE_STANDARD_NAME",
];

/// The `.proto` files under `dir`, relative to it.
fn proto_files(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            proto_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Compiles every file of `dir` with protoc, well-known imports from
/// grpcio-tools' bundled include folder. Returns false (after saying why)
/// when the peer is missing outside CI.
pub fn compiles_with_protoc(dir: &Path) -> bool {
    let Some(python) = peer("python") else {
        return false;
    };
    let (ok, include) = run(Command::new(&python).args([
        "-c",
        "import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), '_proto'))",
    ]));
    assert!(ok, "grpc_tools is not importable: {include}");
    let mut files = Vec::new();
    proto_files(dir, dir, &mut files);
    assert!(!files.is_empty(), "nothing exported to {}", dir.display());
    let out = dir.with_extension("binpb");
    let (ok, text) = run(Command::new(&python)
        .args(["-m", "grpc_tools.protoc"])
        .arg(format!("-I{}", dir.display()))
        .arg(format!("-I{}", include.trim()))
        .arg(format!("--descriptor_set_out={}", out.display()))
        .args(&files));
    let _ = std::fs::remove_file(out);
    assert!(ok, "protoc rejects the exported files: {text}");
    true
}

/// Runs `buf build` and `buf lint` in `dir` (with a minimal v2 `buf.yaml`)
/// and returns the rules `buf lint` reports, or `None` when buf is missing
/// outside CI.
pub fn buf_build_and_lint(dir: &Path) -> Option<Vec<String>> {
    let buf = peer("buf")?;
    // gRPC's own health and reflection files (`grpc/...`) are built but not
    // linted: their names (`Health`, `UNKNOWN = 0`) are fixed by gRPC.
    let lint_ignore = if dir.join("grpc").is_dir() {
        "  ignore:\n    - grpc\n"
    } else {
        ""
    };
    std::fs::write(
        dir.join("buf.yaml"),
        format!("version: v2\nlint:\n  use:\n    - STANDARD\n{lint_ignore}"),
    )
    .unwrap();
    let (ok, text) = run(Command::new(&buf).arg("build").current_dir(dir));
    assert!(ok, "buf build rejects the exported files: {text}");
    let (_, text) = run(Command::new(&buf)
        .args(["lint", "--error-format=json"])
        .current_dir(dir));
    let _ = std::fs::remove_file(dir.join("buf.yaml"));
    let mut rules: Vec<String> = text
        .lines()
        .map(|line| {
            let finding: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("unexpected buf lint output {line:?}: {e}"));
            finding["type"].as_str().unwrap_or("?").to_string()
        })
        .collect();
    rules.sort();
    rules.dedup();
    Some(rules)
}

/// Asserts that every lint finding is one typerpc accepts on purpose.
pub fn assert_only_accepted_lint(rules: &[String]) {
    let unexpected: Vec<_> = rules
        .iter()
        .filter(|r| !ACCEPTED_LINT_RULES.contains(&r.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "buf lint: {unexpected:?}");
}
