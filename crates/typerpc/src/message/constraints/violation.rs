//! What a failed check reports: one [`Violation`] per problem, collected
//! into [`Violations`].

use std::fmt;

/// The most violations one check collects; further ones are only counted
/// ([`Violations::omitted`]). A request is bounded by the message size limit,
/// but one of a few MiB could otherwise hold millions of invalid items, and
/// every violation travels back in the error's metadata.
pub const MAX_VIOLATIONS: usize = 64;

/// One broken constraint: where, which rule, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    field: String,
    rule: &'static str,
    description: String,
}

impl Violation {
    /// A violation of `rule` at `field` (a path such as `products[2].price`;
    /// empty for the message itself).
    pub fn new(
        field: impl Into<String>,
        rule: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Violation {
            field: field.into(),
            rule,
            description: description.into(),
        }
    }

    /// The path of the offending value in proto JSON style, with proto field
    /// names: `user_id`, `products[2].price`, `labels["key"]`. Empty for a
    /// message-level rule about the message as a whole.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule's identifier: the constraint's name as written in
    /// `#[rpc(...)]` (`min_len`, `ge`, `email`, `required`, ...), the name
    /// of a `validate_with` function, or what a message-level check chose.
    pub fn rule(&self) -> &'static str {
        self.rule
    }

    /// What is wrong, for people: `must be at most 100`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The rule as a `google.rpc.BadRequest.FieldViolation` reason:
    /// upper snake case (`min_len` becomes `MIN_LEN`).
    pub fn reason(&self) -> String {
        self.rule
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.description)
        } else {
            write!(f, "{}: {}", self.field, self.description)
        }
    }
}

/// Every constraint a message breaks: the error of
/// [`Message::validate`](crate::Message::validate).
///
/// Converts into the [`Status`](crate::Status) a server sends
/// (`invalid_argument` with a `google.rpc.BadRequest` detail) with
/// [`into_status`](Self::into_status) or `?`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    list: Vec<Violation>,
    omitted: usize,
}

impl Violations {
    /// The violations, in the order of the fields (a message's own fields
    /// first in declaration order, each followed by what is inside it; the
    /// message-level check last).
    pub fn violations(&self) -> &[Violation] {
        &self.list
    }

    /// Iterates over the violations.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.list.iter()
    }

    /// How many violations were collected.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether nothing was violated.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.omitted == 0
    }

    /// How many further violations were found after [`MAX_VIOLATIONS`] and
    /// not collected.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// Takes the violations.
    pub fn into_vec(self) -> Vec<Violation> {
        self.list
    }

    pub(crate) fn push(&mut self, violation: Violation) {
        self.list.push(violation);
    }

    pub(crate) fn is_full(&self) -> bool {
        self.list.len() >= MAX_VIOLATIONS
    }

    pub(crate) fn count_omitted(&mut self) {
        self.omitted += 1;
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl fmt::Display for Violations {
    /// `user_id: must be at least 1 character long; limit: must be at most 100`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        if self.omitted > 0 {
            write!(f, "; and {} more", self.omitted)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_reason() {
        let mut v = Violations::default();
        v.push(Violation::new(
            "user_id",
            "min_len",
            "must be at least 1 character long",
        ));
        v.push(Violation::new("", "custom.rule", "bad"));
        assert_eq!(
            v.to_string(),
            "user_id: must be at least 1 character long; bad"
        );
        assert_eq!(v.violations()[1].reason(), "CUSTOM_RULE");
        v.count_omitted();
        assert!(v.to_string().ends_with("; and 1 more"));
    }
}
