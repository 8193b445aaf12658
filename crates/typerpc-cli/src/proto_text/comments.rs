//! The comments of a file, from its source code info: a server that keeps
//! it (typerpc does, as protoc does) describes its definitions with the
//! documentation their `.proto` file has.

use std::collections::HashMap;
use std::fmt::Write as _;

use prost_types::SourceCodeInfo;

use super::indent;

/// The comments around each definition of one file, by descriptor path
/// (`[4, 0, 2, 1]`: the second field of the first message).
#[derive(Debug, Default)]
pub struct Comments {
    by_path: HashMap<Vec<i32>, Around>,
}

#[derive(Debug, Default)]
struct Around {
    detached: Vec<String>,
    leading: Option<String>,
    trailing: Option<String>,
}

impl Comments {
    /// The comments `info` records; none without it.
    pub fn new(info: Option<&SourceCodeInfo>) -> Self {
        let mut by_path = HashMap::new();
        for location in info.map(|i| i.location.as_slice()).unwrap_or_default() {
            let around = Around {
                detached: location.leading_detached_comments.clone(),
                leading: location.leading_comments.clone(),
                trailing: location.trailing_comments.clone(),
            };
            if !around.detached.is_empty() || around.leading.is_some() || around.trailing.is_some()
            {
                by_path.insert(location.path.clone(), around);
            }
        }
        Self { by_path }
    }

    /// Writes the comments before the definition at `path`: detached ones,
    /// each followed by a blank line, then the leading one. A documented
    /// definition stands apart from the one before it, as in the `.proto`
    /// files typerpc writes.
    pub fn leading(&self, out: &mut String, path: &[i32], level: usize) {
        let Some(around) = self.by_path.get(path) else {
            return;
        };
        if around.leading.is_none() && around.detached.is_empty() {
            return;
        }
        // Not after an opening brace, a blank line, or the heading line
        // `typerpc describe` prints.
        let starts_block = out.is_empty() || out.ends_with("{\n") || out.ends_with(":\n");
        if !starts_block && !out.ends_with("\n\n") {
            out.push('\n');
        }
        for detached in &around.detached {
            write_lines(out, detached, level);
            out.push('\n');
        }
        if let Some(leading) = &around.leading {
            write_lines(out, leading, level);
        }
    }

    /// Ends the line of the one-line definition at `path`, with its
    /// trailing comment when it has one: on the same line if it is one
    /// line, else on the lines after.
    pub fn trailing_line(&self, out: &mut String, path: &[i32], level: usize) {
        match self.by_path.get(path).and_then(|a| a.trailing.as_deref()) {
            Some(trailing) if trailing.trim_end_matches('\n').lines().count() <= 1 => {
                let _ = writeln!(out, " //{}", trailing.trim_end_matches('\n'));
            }
            Some(trailing) => {
                out.push('\n');
                write_lines(out, trailing, level);
            }
            None => out.push('\n'),
        }
    }

    /// Writes the trailing comment of the block definition at `path`
    /// (a message, enum, oneof or service), which protoc takes from just
    /// after its opening brace: inside the block, then a blank line so
    /// that it does not read as the first member's comment.
    pub fn trailing_block(&self, out: &mut String, path: &[i32], level: usize) {
        if let Some(trailing) = self.by_path.get(path).and_then(|a| a.trailing.as_deref()) {
            write_lines(out, trailing, level + 1);
            out.push('\n');
        }
    }
}

/// A comment as source code info holds it (each line without its `//`,
/// newline-terminated) written back as `//` lines at `level`.
fn write_lines(out: &mut String, comment: &str, level: usize) {
    let pad = indent(level);
    for line in comment.strip_suffix('\n').unwrap_or(comment).split('\n') {
        let _ = writeln!(out, "{pad}//{}", line.trim_end());
    }
}

/// `parent` followed by `field` and `index`: the path of one element of a
/// repeated field of the definition at `parent`.
pub fn child(parent: &[i32], field: i32, index: usize) -> Vec<i32> {
    let mut path = Vec::with_capacity(parent.len() + 2);
    path.extend_from_slice(parent);
    path.push(field);
    path.push(i32::try_from(index).unwrap_or(i32::MAX));
    path
}

#[cfg(test)]
mod tests {
    use prost_types::source_code_info::Location;

    use super::*;

    fn comments() -> Comments {
        Comments::new(Some(&SourceCodeInfo {
            location: vec![
                Location {
                    path: vec![4, 0],
                    span: vec![1, 0, 3, 1],
                    leading_comments: Some(" An order.\n\n Second paragraph.\n".into()),
                    trailing_comments: None,
                    leading_detached_comments: vec![" Licence.\n".into()],
                },
                Location {
                    path: vec![4, 0, 2, 0],
                    span: vec![2, 2, 20],
                    leading_comments: None,
                    trailing_comments: Some(" default: 10\n".into()),
                    leading_detached_comments: Vec::new(),
                },
            ],
        }))
    }

    #[test]
    fn leading_comments_keep_their_lines_and_detached_ones_stand_apart() {
        let mut out = String::new();
        comments().leading(&mut out, &[4, 0], 1);
        assert_eq!(
            out,
            "  // Licence.\n\n  // An order.\n  //\n  // Second paragraph.\n"
        );
    }

    #[test]
    fn a_documented_definition_stands_apart_from_the_one_before() {
        let mut out = String::from("message A {\n  int32 x = 1;\n");
        comments().leading(&mut out, &[4, 0], 1);
        assert!(
            out.starts_with("message A {\n  int32 x = 1;\n\n  // Licence."),
            "{out}"
        );
        let mut out = String::from("message A {\n");
        comments().leading(&mut out, &[4, 0], 1);
        assert!(out.starts_with("message A {\n  // Licence."), "{out}");
    }

    #[test]
    fn a_one_line_trailing_comment_stays_on_its_line() {
        let mut out = String::from("  int32 limit = 1;");
        comments().trailing_line(&mut out, &[4, 0, 2, 0], 1);
        assert_eq!(out, "  int32 limit = 1; // default: 10\n");
        let mut out = String::from("x;");
        comments().trailing_line(&mut out, &[4, 9], 0);
        assert_eq!(out, "x;\n");
    }
}
