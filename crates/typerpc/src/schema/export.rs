//! Writing `.proto` files to a folder, laid out by package
//! (`recommendation/v1/recommendation.proto`), and checking that committed
//! files still match the code.

use std::path::{Path, PathBuf};

use super::SchemaSet;

/// The environment variable that makes [`check_proto_files`] rewrite the
/// files instead of failing.
pub const UPDATE_ENV: &str = "TYPERPC_UPDATE_PROTO";

/// Writes every file of `set` except the well-known ones (which protoc
/// and buf already have) under `dir`. Returns the paths written.
pub fn write_proto_files(set: &SchemaSet, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in set.files().iter().filter(|f| !f.is_well_known()) {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, set.proto_text(file))?;
        written.push(path);
    }
    Ok(written)
}

/// Checks that the files under `dir` equal what `set` renders; with
/// `TYPERPC_UPDATE_PROTO=1` in the environment, rewrites them instead.
/// The error lists each stale or missing file and how to update them.
pub fn check_proto_files(set: &SchemaSet, dir: &Path) -> Result<(), String> {
    if std::env::var_os(UPDATE_ENV).is_some_and(|v| v == "1") {
        return write_proto_files(set, dir)
            .map(|_| ())
            .map_err(|e| format!("writing .proto files: {e}"));
    }
    let mut stale = Vec::new();
    for file in set.files().iter().filter(|f| !f.is_well_known()) {
        let path = dir.join(&file.path);
        match std::fs::read_to_string(&path) {
            Ok(text) if text == set.proto_text(file) => {}
            Ok(_) => stale.push(format!("{} differs from the code", path.display())),
            Err(e) => stale.push(format!("{} cannot be read: {e}", path.display())),
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the committed .proto files are out of date:\n  {}\nrun the tests with {UPDATE_ENV}=1 to rewrite them, and review the change: renumbered fields break old clients",
            stale.join("\n  ")
        ))
    }
}
