//! The parser's record of where it is, rendered as `a.b[2].c` for errors.

use std::fmt::Write as _;

use super::lexer::string_at;

/// One step from a container to a value inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Segment {
    /// An object member, recorded as the offset of its name's opening
    /// quote. Keeping only the offset makes entering a member free; the
    /// name is decoded again only when an error needs it.
    Key(usize),
    /// An array element, by index.
    Index(usize),
}

/// Renders `segments` as a path such as `products[2].price`.
///
/// Names that would make the path ambiguous (empty, or holding `.`, `[`,
/// `]`, quotes, whitespace or control characters) are written as
/// `["a.b"]`, so every path reads back to one location.
pub(super) fn render(input: &[u8], segments: &[Segment]) -> String {
    let mut path = String::new();
    for segment in segments {
        match *segment {
            Segment::Index(i) => {
                // Writing to a String cannot fail.
                let _ = write!(path, "[{i}]");
            }
            Segment::Key(open) => {
                // The name was read successfully when it was entered, so
                // it reads again; the fallback only guards the invariant.
                let name = string_at(input, open)
                    .map(|(name, _)| name)
                    .unwrap_or_default();
                if is_plain(&name) {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&name);
                } else {
                    let _ = write!(path, "[{name:?}]");
                }
            }
        }
    }
    path
}

/// Whether a member name can be written after a `.` without quoting.
fn is_plain(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            matches!(c, '.' | '[' | ']' | '"' | '\'' | '\\') || c.is_whitespace() || c.is_control()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indices() {
        let input = br#"{"products":[{"price":1}]} "a.b" "" "x\u0041""#;
        let products = Segment::Key(1);
        let price = Segment::Key(14);
        assert_eq!(render(input, &[]), "");
        assert_eq!(render(input, &[products]), "products");
        assert_eq!(
            render(input, &[products, Segment::Index(2), price]),
            "products[2].price"
        );
        assert_eq!(
            render(input, &[Segment::Index(0), Segment::Index(3)]),
            "[0][3]"
        );
        assert_eq!(render(input, &[Segment::Index(0), price]), "[0].price");
    }

    #[test]
    fn quotes_ambiguous_names() {
        let input = br#""a.b" "" "x\u0041" "@type""#;
        assert_eq!(render(input, &[Segment::Key(0)]), r#"["a.b"]"#);
        assert_eq!(
            render(input, &[Segment::Key(6), Segment::Key(0)]),
            r#"[""]["a.b"]"#
        );
        // Escapes in names are decoded.
        assert_eq!(render(input, &[Segment::Key(9)]), "xA");
        assert_eq!(
            render(input, &[Segment::Key(9), Segment::Key(19)]),
            "xA.@type"
        );
    }

    #[test]
    fn bad_offsets_do_not_panic() {
        assert_eq!(render(b"{}", &[Segment::Key(7)]), r#"[""]"#);
    }
}
