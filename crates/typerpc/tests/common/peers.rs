//! Finding the independent peers (`scripts/peers` installs them). Outside
//! CI a missing peer skips the test with a message; with `CI=true` it
//! fails, so CI never passes by skipping.
#![allow(dead_code)]

use std::path::PathBuf;

/// The directory holding the peers' executables.
pub fn peers_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TYPERPC_PEERS_DIR") {
        return Some(PathBuf::from(dir));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/peers/venv/bin");
    dir.is_dir().then_some(dir)
}

/// The path of one peer executable, or `None` (after saying why) when it
/// is not installed and this is not CI.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = peers_dir().map(|d| d.join(name)).filter(|p| p.exists());
    if found.is_none() {
        let message =
            format!("peer `{name}` is not installed; run scripts/peers (scripts/test does)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

/// Writes the `.proto` files of a router's services into a fresh
/// temporary directory and returns it.
pub fn proto_dir(router: &typerpc::Router, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typerpc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    typerpc::schema::write_proto_files(&router.schema().unwrap(), &dir).unwrap();
    dir
}
