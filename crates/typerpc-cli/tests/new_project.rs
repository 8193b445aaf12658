//! `typerpc new demo && cd demo && cargo test`: the project the command
//! writes builds and passes its own tests as generated. It depends on this
//! checkout of typerpc by path and uses the workspace's `Cargo.lock`, so it
//! builds offline, from crates already downloaded for the workspace.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::temp_dir;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A target folder of its own (inside the workspace's, so it persists
/// between runs and is cleaned with it), never locked by the cargo that
/// runs this test.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
        .join("typerpc-new")
}

fn new_project(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_typerpc"))
        .arg("new")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

#[test]
fn typerpc_new_demo_then_cargo_test_passes() {
    let dir = temp_dir("new");
    let typerpc_crate = workspace().join("crates/typerpc");
    let created = new_project(
        &dir,
        &["demo", "--typerpc-path", typerpc_crate.to_str().unwrap()],
    );
    assert!(created.status.success(), "{created:?}");
    let demo = dir.join("demo");
    for file in [
        "Cargo.toml",
        "README.md",
        "src/lib.rs",
        "src/main.rs",
        "tests/service.rs",
        "tests/proto_up_to_date.rs",
        "proto/demo/v1/demo.proto",
    ] {
        assert!(demo.join(file).is_file(), "{file} was not written");
    }
    let readme = std::fs::read_to_string(demo.join("README.md")).unwrap();
    assert!(readme.contains("`cargo test`"), "{readme}");
    assert!(
        readme.contains("`cargo run -- --addr 127.0.0.1:50051`"),
        "{readme}"
    );

    // An existing folder is never overwritten.
    let again = new_project(&dir, &["demo"]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{again:?}"
    );

    std::fs::copy(workspace().join("Cargo.lock"), demo.join("Cargo.lock")).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let test = Command::new(cargo)
        .args(["test", "--offline"])
        .current_dir(&demo)
        .env("CARGO_TARGET_DIR", target_dir())
        // A second build of every dependency: without debug info it is a
        // fraction of the disk.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env_remove("TYPERPC_UPDATE_PROTO")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&test.stdout);
    assert!(
        test.status.success(),
        "cargo test in the new project failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    for passed in [
        "test says_hello ... ok",
        "test an_empty_name_is_invalid ... ok",
        "test committed_proto_matches_the_code ... ok",
    ] {
        assert!(stdout.contains(passed), "{passed:?} not in:\n{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_name_is_refused() {
    let dir = temp_dir("new-bad");
    let refused = new_project(&dir, &["My Service"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot name a project"),
        "{refused:?}"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
