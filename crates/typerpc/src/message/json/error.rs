//! The error type of proto3 JSON parsing and writing.

use std::fmt;

/// Why proto3 JSON could not be parsed (or, rarely, written), and where.
///
/// The [`path`](Self::path) names the value at fault the way a person would
/// write it in code (`products[2].price`), so the message makes sense
/// without counting bytes; the [`offset`](Self::offset) is there for tools.
///
/// It displays as
/// ``invalid JSON at `products[2].price`: expected a number, found "abc"``.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    path: String,
    message: String,
    offset: usize,
}

impl JsonError {
    /// An error about the value at `path` (empty for the top-level value),
    /// found at byte `offset` of the input.
    pub fn new(path: impl Into<String>, message: impl Into<String>, offset: usize) -> Self {
        JsonError {
            path: path.into(),
            message: message.into(),
            offset,
        }
    }

    /// Where in the document the error is, as `a.b[2].c`; empty when it is
    /// about the top-level value.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the location, e.g. `expected int32, found
    /// "abc"`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset into the input at which the error was found. For
    /// errors raised while writing it is the length of the output so far.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid JSON at the top level: {}", self.message)
        } else {
            write!(f, "invalid JSON at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_path_and_message() {
        let e = JsonError::new("products[2].price", "expected a number, found \"abc\"", 17);
        assert_eq!(
            e.to_string(),
            "invalid JSON at `products[2].price`: expected a number, found \"abc\""
        );
        assert_eq!(e.path(), "products[2].price");
        assert_eq!(e.message(), "expected a number, found \"abc\"");
        assert_eq!(e.offset(), 17);
    }

    #[test]
    fn empty_path_reads_as_top_level() {
        let e = JsonError::new("", "trailing characters", 3);
        assert_eq!(
            e.to_string(),
            "invalid JSON at the top level: trailing characters"
        );
    }

    #[test]
    fn is_a_std_error_and_comparable() {
        let e = JsonError::new(String::from("a"), String::from("b"), 1);
        let boxed: Box<dyn std::error::Error> = Box::new(e.clone());
        assert_eq!(boxed.to_string(), "invalid JSON at `a`: b");
        assert_eq!(e, JsonError::new("a", "b", 1));
        assert_ne!(e, JsonError::new("a", "b", 2));
    }
}
