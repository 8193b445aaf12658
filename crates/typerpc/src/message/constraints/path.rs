//! Where a violation is: the field path, built on the stack while the
//! checks walk a message and written out only when a check fails.

use std::fmt::Write as _;

use super::violation::{Violation, Violations};

/// One step of a field path.
#[derive(Clone, Copy, Debug)]
pub enum Segment<'a> {
    /// A field, by its proto name: `.price`.
    Field(&'a str),
    /// An element of a repeated field: `[2]`.
    Index(usize),
    /// A map entry with a string key: `["key"]`.
    StrKey(&'a str),
    /// A map entry with a signed integer key: `[-3]`.
    IntKey(i64),
    /// A map entry with an unsigned integer key: `[7]`.
    UintKey(u64),
    /// A map entry with a bool key: `[true]`.
    BoolKey(bool),
}

/// A map key type, as it appears in a field path.
pub trait PathKey {
    /// The path segment for this key.
    fn segment(&self) -> Segment<'_>;
}

impl PathKey for String {
    fn segment(&self) -> Segment<'_> {
        Segment::StrKey(self)
    }
}

impl PathKey for bool {
    fn segment(&self) -> Segment<'_> {
        Segment::BoolKey(*self)
    }
}

macro_rules! int_keys {
    ($variant:ident, $wide:ty: $($ty:ty),*) => {$(
        impl PathKey for $ty {
            fn segment(&self) -> Segment<'_> {
                Segment::$variant(<$wide>::from(*self))
            }
        }
    )*};
}
int_keys!(IntKey, i64: i32, i64);
int_keys!(UintKey, u64: u32, u64);

/// A node of the path: a segment and the node it hangs from.
struct Node<'a> {
    segment: Segment<'a>,
    parent: Option<&'a Node<'a>>,
}

/// Collects violations while the checks walk a message.
///
/// A checker knows the path of the value being checked; scoping it to a
/// field ([`field`](Self::field)), an element ([`index`](Self::index)) or a
/// map entry ([`key`](Self::key)) costs a few words on the stack, and the
/// path is written out only when a check records a violation. A
/// message-level check (`#[rpc(validate_with = Self::check)]` on the
/// struct) receives one scoped to its message:
///
/// ```
/// use typerpc::validate::Checker;
/// use typerpc::Message;
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// #[rpc(validate_with = Self::check)]
/// pub struct Range {
///     pub start: i64,
///     pub end: i64,
/// }
///
/// impl Range {
///     fn check(&self, c: &mut Checker<'_>) {
///         if self.end < self.start {
///             c.field_violation("end", "range_order", "must not be before start");
///         }
///     }
/// }
///
/// let error = Range { start: 5, end: 1 }.validate().unwrap_err();
/// assert_eq!(error.violations()[0].field(), "end");
/// assert_eq!(error.violations()[0].rule(), "range_order");
/// ```
pub struct Checker<'a> {
    path: Option<&'a Node<'a>>,
    out: &'a mut Violations,
}

impl<'a> Checker<'a> {
    /// Runs `f` with a checker at the root of `out`.
    pub(crate) fn root<R>(out: &mut Violations, f: impl FnOnce(&mut Checker<'_>) -> R) -> R {
        f(&mut Checker { path: None, out })
    }

    /// Runs `f` with the checker scoped one segment deeper.
    #[inline]
    pub fn at<R>(&mut self, segment: Segment<'_>, f: impl FnOnce(&mut Checker<'_>) -> R) -> R {
        let node = Node {
            segment,
            parent: self.path,
        };
        f(&mut Checker {
            path: Some(&node),
            out: &mut *self.out,
        })
    }

    /// Runs `f` scoped to the field named `name` (its proto name).
    #[inline]
    pub fn field<R>(&mut self, name: &str, f: impl FnOnce(&mut Checker<'_>) -> R) -> R {
        self.at(Segment::Field(name), f)
    }

    /// Runs `f` scoped to element `index` of a repeated field.
    #[inline]
    pub fn index<R>(&mut self, index: usize, f: impl FnOnce(&mut Checker<'_>) -> R) -> R {
        self.at(Segment::Index(index), f)
    }

    /// Runs `f` scoped to the map entry with key `key`.
    #[inline]
    pub fn key<R, K: PathKey + ?Sized>(
        &mut self,
        key: &K,
        f: impl FnOnce(&mut Checker<'_>) -> R,
    ) -> R {
        self.at(key.segment(), f)
    }

    /// Records a violation of `rule` at the current path. `rule` is a short
    /// constant identifier (`min_len`, `range_order`); `description` says
    /// what is wrong, for people.
    pub fn violation(&mut self, rule: &'static str, description: impl Into<String>) {
        if self.out.is_full() {
            self.out.count_omitted();
            return;
        }
        let field = self.path();
        self.out
            .push(Violation::new(field, rule, description.into()));
    }

    /// Records a violation at the field `name` below the current path: the
    /// usual call of a message-level check.
    pub fn field_violation(
        &mut self,
        name: &str,
        rule: &'static str,
        description: impl Into<String>,
    ) {
        self.field(name, |c| c.violation(rule, description));
    }

    /// The current path in proto JSON style: `products[2].price`,
    /// `labels["key"]`; empty at the root.
    pub fn path(&self) -> String {
        let mut segments = Vec::new();
        let mut node = self.path;
        while let Some(n) = node {
            segments.push(n.segment);
            node = n.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            write_segment(&mut out, segment);
        }
        out
    }

    /// How many violations were recorded so far (under any path).
    pub fn count(&self) -> usize {
        self.out.len() + self.out.omitted()
    }
}

fn write_segment(out: &mut String, segment: &Segment<'_>) {
    match *segment {
        Segment::Field(name) => {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
        Segment::Index(i) => {
            let _ = write!(out, "[{i}]");
        }
        Segment::StrKey(key) => {
            out.push_str("[\"");
            for ch in key.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push_str("\"]");
        }
        Segment::IntKey(k) => {
            let _ = write!(out, "[{k}]");
        }
        Segment::UintKey(k) => {
            let _ = write!(out, "[{k}]");
        }
        Segment::BoolKey(k) => {
            let _ = write!(out, "[{k}]");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_proto_json_style() {
        let mut out = Violations::default();
        Checker::root(&mut out, |c| {
            c.violation("root", "at the root");
            c.field("products", |c| {
                c.index(2, |c| c.field("price", |c| c.violation("gt", "x")))
            });
            c.field("labels", |c| {
                c.key(&String::from("a\"b"), |c| c.violation("k", "x"));
                c.key(&-3i32, |c| c.violation("k", "x"));
                c.key(&true, |c| c.violation("k", "x"));
            });
            c.field_violation("end", "order", "x");
        });
        let fields: Vec<&str> = out.iter().map(Violation::field).collect();
        assert_eq!(
            fields,
            [
                "",
                "products[2].price",
                "labels[\"a\\\"b\"]",
                "labels[-3]",
                "labels[true]",
                "end"
            ]
        );
    }
}
