//! Writing `.proto` files to a folder, laid out by package
//! (`recommendation/v1/recommendation.proto`), and checking that committed
//! files still match the code.

use std::path::{Path, PathBuf};

use super::model::ServiceSchema;
use super::{SchemaBuilder, SchemaError, SchemaSet};

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

/// Writes the `.proto` files of `services` and every type they use under
/// `dir`, laid out by package, ready for `protoc` and `buf` users. Returns
/// the paths written.
///
/// ```no_run
/// # use typerpc::service::Service;
/// # fn export<S: Service>(dir: &std::path::Path) -> Result<(), typerpc::schema::ExportError> {
/// typerpc::schema::write_service_proto_files([S::schema()], dir)?;
/// # Ok(()) }
/// ```
///
/// With a [`Router`](crate::Router) at hand,
/// `write_proto_files(&router.schema()?, dir)` does the same for its
/// services.
///
/// # Errors
///
/// The services do not form a valid schema, or a file cannot be written.
pub fn write_service_proto_files(
    services: impl IntoIterator<Item = &'static ServiceSchema>,
    dir: &Path,
) -> Result<Vec<PathBuf>, ExportError> {
    let mut builder = SchemaBuilder::new();
    for service in services {
        builder.add_service(service);
    }
    let set = builder.build().map_err(ExportError::Schema)?;
    write_proto_files(&set, dir).map_err(ExportError::Io)
}

/// Why [`write_service_proto_files`] failed.
#[derive(Debug)]
pub enum ExportError {
    /// The services do not form a valid schema.
    Schema(SchemaError),
    /// A folder or file could not be written.
    Io(std::io::Error),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Schema(e) => write!(f, "invalid schema: {e}"),
            ExportError::Io(e) => write!(f, "writing .proto files: {e}"),
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Schema(e) => Some(e),
            ExportError::Io(e) => Some(e),
        }
    }
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
