//! Running the `typerpc` binary, and comparing compiled `.proto` folders.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use prost_types::{FileDescriptorProto, FileDescriptorSet};

/// What one run of the binary printed, and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the output unless the run succeeded.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "{self:#?}");
        self
    }

    /// The stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs `typerpc args...` with `stdin` as its input, off the async
/// runtime (the server under test runs on it).
pub async fn typerpc(args: &[&str], stdin: &str) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let stdin = stdin.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_typerpc"))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the typerpc binary runs");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().expect("exited"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    })
    .await
    .unwrap()
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("typerpc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every `.proto` file under `dir`, relative to it, sorted.
pub fn proto_files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "proto") {
                let relative = path.strip_prefix(root).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Compiles `files` of `dir` with protox: their descriptors without
/// source locations, well-known files left out.
pub fn compile(dir: &Path, files: &[String]) -> Vec<FileDescriptorProto> {
    let set: FileDescriptorSet = protox::compile(files, [dir])
        .unwrap_or_else(|e| panic!("{} does not compile: {e:?}", dir.display()));
    set.file
        .into_iter()
        .filter(|f| !f.name().starts_with("google/protobuf/"))
        .map(|mut f| {
            f.source_code_info = None;
            f
        })
        .collect()
}

/// Panics unless `expected` and `actual` hold the same descriptor for
/// every file named in `names`.
pub fn assert_same_files(
    expected: &[FileDescriptorProto],
    actual: &[FileDescriptorProto],
    names: &[&str],
) {
    for name in names {
        let find = |set: &[FileDescriptorProto]| set.iter().find(|f| f.name() == *name).cloned();
        let expected = find(expected).unwrap_or_else(|| panic!("{name} is not expected"));
        let actual = find(actual).unwrap_or_else(|| panic!("{name} was not written"));
        assert_eq!(expected, actual, "{name} differs");
    }
}
