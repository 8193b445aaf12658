//! The crate's layers, bottom to top, and the check that no module
//! imports from a layer above its own (the order is written down in the
//! crate documentation, `docs/tour/11-layers.md`).
//!
//! Every `crate::` (or `typerpc::`) path in the code of a file, comments
//! left out, is resolved to the layer that defines it; a path into a
//! higher layer fails the test with the file, the line and the path.

use std::path::{Path, PathBuf};

/// Bottom to top.
const LAYERS: [&str; 17] = [
    "tcp",
    "schema",
    "message",
    "status",
    "openapi",
    "validate",
    "service",
    "protocol",
    "client",
    "router",
    "health",
    "reflection",
    "metrics",
    "otel",
    "mcp",
    "serve",
    "testing",
];

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .unwrap_or_else(|| panic!("no layer {layer}"))
}

/// The layer of a source file (relative to `src/`); `None` for `lib.rs`,
/// which sits above every layer and only re-exports.
fn layer_of_file(path: &str) -> Option<&'static str> {
    let path = path.replace('\\', "/");
    if path == "lib.rs" {
        return None;
    }
    if path == "testing.rs" {
        return Some("testing");
    }
    if path == "server/serve.rs" || path == "server/tls.rs" {
        return Some("serve");
    }
    let top = path.split('/').next().unwrap_or("");
    let top = top.trim_end_matches(".rs");
    Some(match top {
        "server" => "router",
        other => LAYERS
            .iter()
            .find(|l| **l == other)
            .unwrap_or_else(|| panic!("the file {path} is in no layer: add it to LAYERS")),
    })
}

/// The layer that defines the item a path (without `crate::`) names.
/// `None` for items from other crates that the root re-exports.
fn layer_of_path(segments: &[&str]) -> Option<&'static str> {
    let first = *segments.first()?;
    let second = segments.get(1).copied().unwrap_or("");
    Some(match first {
        "server" => match second {
            "serve" | "tls" | "Server" | "Error" | "TlsConfig" | "TlsError"
            | "ConnectionSettings" | "shutdown_signal" | "DEFAULT_ADDR" | "LayerError"
            | "LayeredBody" | "LayeredService" => "serve",
            // Re-exported from below.
            "Limits" | "RpcBody" => "protocol",
            "PeerAddr" | "PeerCertificates" => "service",
            _ => "router",
        },
        "validate" => match second {
            // The constraint vocabulary lives in the message layer.
            "Checker" | "Nested" | "PathKey" | "Segment" | "Violation" | "Violations"
            | "MAX_VIOLATIONS" | "rules" | "formats" => "message",
            _ => "validate",
        },
        "client" => match second {
            "CallShape" | "Codec" | "Protocol" => "service",
            "Compression" => "protocol",
            _ => "client",
        },
        "testing" => "testing",
        "Client" => "client",
        "Router" => "router",
        "Server" | "Error" => "serve",
        "Status" | "Code" => "status",
        "Context" | "RequestStream" | "ResponseStream" | "service" => "service",
        "Message" | "Enumeration" | "Oneof" | "Any" | "Duration" | "Empty" | "ListValue"
        | "NullValue" | "Struct" | "Timestamp" | "TypeRegistry" | "Value" | "JsonError"
        | "JsonOptions" => "message",
        "DecodeError" | "stream" | "Stream" | "self" => return None,
        // Exported macros and the derive's support live at the root.
        name if name.starts_with("__") => return None,
        module => LAYERS
            .iter()
            .find(|l| **l == module)
            .copied()
            .unwrap_or_else(|| panic!("crate::{module} is in no layer: add it to the check")),
    })
}

/// The paths a line of code names: `crate::a::b`, and each member of a
/// use tree such as `crate::a::{b, c::{d, e}}`, as segment lists.
fn paths_in(line: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for prefix in ["crate::", "typerpc::"] {
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            expand(&[], tree_at(rest), &mut found);
        }
    }
    found
}

/// The use tree at the start of `text`: a path, and a braced group after
/// it if any.
fn tree_at(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return &text[..i],
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') => return &text[..i],
            _ => {}
        }
    }
    text
}

/// Adds every full path of a use tree, after `prefix`, to `out`.
fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    let (path, group) = match tree.find('{') {
        Some(open) if tree.ends_with('}') => (&tree[..open], Some(&tree[open + 1..tree.len() - 1])),
        Some(open) => (&tree[..open], None),
        None => (tree, None),
    };
    let mut segments = prefix.to_vec();
    segments.extend(
        path.split("::")
            .map(|s| s.trim().trim_end_matches(':'))
            .filter(|s| !s.is_empty())
            .map(String::from),
    );
    let Some(group) = group else {
        if !segments.is_empty() {
            out.push(segments);
        }
        return;
    };
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&segments, &group[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !group[start..].trim().is_empty() {
        expand(&segments, &group[start..], out);
    }
}

/// A line with the contents of its string literals left out: a log
/// target such as `"typerpc::server"` names no module.
fn without_strings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = ' ';
    for c in line.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                out.push(c);
            }
        } else {
            // `'"'` is a character, not the start of a string.
            if c == '"' && previous != '\'' {
                in_string = true;
            }
            out.push(c);
        }
        previous = c;
    }
    out
}

#[test]
fn string_literals_name_no_module() {
    assert_eq!(
        without_strings(r#"const T: &str = "typerpc::server"; crate::a::b"#),
        r#"const T: &str = ""; crate::a::b"#
    );
    assert_eq!(
        without_strings(r#"f("a\"crate::x", crate::y)"#),
        r#"f("", crate::y)"#
    );
}

/// Every import from a higher layer in one file's text.
fn violations(file: &str, text: &str) -> Vec<String> {
    let Some(own) = layer_of_file(file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        for path in paths_in(&without_strings(line)) {
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            if let Some(target) = layer_of_path(&segments) {
                if rank(target) > rank(own) {
                    out.push(format!(
                        "{file}:{}: the {own} layer uses crate::{} of the {target} layer above it",
                        number + 1,
                        segments.join("::")
                    ));
                }
            }
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut found = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        found.extend(violations(&relative, &text));
    }
    assert!(
        found.is_empty(),
        "imports from a higher layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_an_upward_import() {
    let text = "use crate::server::router::Inner;\nuse crate::{Message, Router};\n// crate::server in a comment is fine\nlet x = typerpc::health::FILE;";
    let found = violations("protocol/grpc.rs", text);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].contains("protocol/grpc.rs:1"));
    assert!(found[1].contains("crate::Router of the router layer"));
    assert!(found[2].contains("health"));
    assert!(violations("server/serve.rs", "use crate::health::HealthReporter;").is_empty());
    assert!(violations(
        "message/traits.rs",
        "use crate::validate::{Checker, Violations};"
    )
    .is_empty());
    assert_eq!(
        violations("message/traits.rs", "crate::validate::check_request(m)").len(),
        1
    );
}
