//! Compiling every `.proto` file of a folder with protox.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use prost_types::FileDescriptorSet;

/// Compiles every `.proto` file under `dir`, with `dir` as the import root
/// (the well-known types are built in). The set holds the folder's own
/// files only, not the well-known ones they import.
///
/// # Errors
///
/// A message naming the folder, or the file and line that do not compile.
pub fn compile_dir(dir: &Path) -> Result<FileDescriptorSet, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    let mut files = Vec::new();
    find_protos(dir, &mut files).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if files.is_empty() {
        return Err(format!("{} holds no .proto files", dir.display()));
    }
    files.sort();
    let relative: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    let mut compiler = protox::Compiler::new([dir]).map_err(|e| describe(dir, &e))?;
    for file in &relative {
        compiler.open_file(file).map_err(|e| describe(dir, &e))?;
    }
    Ok(compiler.file_descriptor_set())
}

fn find_protos(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_protos(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

/// `dir/file.proto:line:column: message` when protox knows where the error
/// is, otherwise the message with the file it names.
fn describe(dir: &Path, error: &protox::Error) -> String {
    let located = locate(error).or_else(|| {
        error
            .related()
            .and_then(|mut related| related.find_map(locate))
    });
    match (located, error.file()) {
        (Some((file, line, column)), _) => {
            format!("{}:{line}:{column}: {error}", dir.join(file).display())
        }
        (None, Some(file)) => format!("{}: {error}", dir.join(file).display()),
        (None, None) => format!("in {}: {error}", dir.display()),
    }
}

/// The file, line and column (1-based) of a diagnostic's first label.
fn locate(diagnostic: &dyn Diagnostic) -> Option<(String, usize, usize)> {
    let label = diagnostic.labels()?.next()?;
    let contents = diagnostic
        .source_code()?
        .read_span(label.inner(), 0, 0)
        .ok()?;
    Some((
        contents.name()?.to_string(),
        contents.line() + 1,
        contents.column() + 1,
    ))
}
