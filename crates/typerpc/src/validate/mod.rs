//! Validation: constraints declared on message fields, checked by the
//! server before a handler runs and callable from your own code.
//!
//! Constraints go in the field's `#[rpc(...)]` attribute:
//!
//! ```
//! use std::collections::BTreeMap;
//! use typerpc::Message;
//!
//! #[derive(Message, Clone, Debug, PartialEq)]
//! pub struct ProductRequest {
//!     #[rpc(min_len = 1, max_len = 64, pattern = "^[a-z0-9-]+$")]
//!     pub user_id: String,
//!     #[rpc(ge = 1, le = 100, default = 10)]
//!     pub limit: i32,
//!     #[rpc(max_items = 5, unique, items(min_len = 1))]
//!     pub categories: Vec<String>,
//!     #[rpc(keys(max_len = 16), values(email))]
//!     pub contacts: BTreeMap<String, String>,
//! }
//!
//! let request = ProductRequest {
//!     user_id: "Ada".into(),
//!     limit: 500,
//!     categories: vec!["books".into(), "".into()],
//!     contacts: BTreeMap::from([("work".into(), "not-an-email".into())]),
//! };
//! let error = request.validate().unwrap_err();
//! let found: Vec<(&str, &str)> = error.iter().map(|v| (v.field(), v.rule())).collect();
//! assert_eq!(found, [
//!     ("user_id", "pattern"),
//!     ("limit", "le"),
//!     ("categories[1]", "min_len"),
//!     ("contacts[\"work\"]", "email"),
//! ]);
//! ```
//!
//! | constraint | applies to | holds when |
//! |---|---|---|
//! | `min_len = n`, `max_len = n`, `len = n` | strings (characters), bytes | the length is in range |
//! | `pattern = "re"` | strings | the regular expression (Rust `regex` syntax) matches |
//! | `email`, `uri`, `uuid`, `hostname`, `ip`, `ipv4`, `ipv6` | strings | the string has the format ([`formats`]) |
//! | `prefix = "s"`, `suffix = "s"`, `contains = "s"` | strings | |
//! | `gt`, `ge`, `lt`, `le` | numbers | the value is above / at least / below / at most the bound |
//! | `in = [..]`, `not_in = [..]` | numbers, strings | the value is (not) in the list |
//! | `finite` | `f32`, `f64` | not NaN or infinite |
//! | `min_items = n`, `max_items = n` | repeated fields, maps | the count is in range |
//! | `unique` | repeated fields of hashable items | no two items are equal |
//! | `items(..)` | repeated fields | each item meets the inner constraints |
//! | `keys(..)`, `values(..)` | maps | each key / value meets the inner constraints |
//! | `required` | `Option<..>` fields: messages, oneofs, optional scalars | the field is set |
//! | `defined_only` | enums (and `Option`, `items(..)`, `values(..)` of them) | the value is declared (matters for enums with a catch-all variant) |
//! | `validate_with = path::to_fn` | any field | `fn(&FieldType) -> Result<(), E: Display>` returns `Ok` |
//!
//! On the struct, `#[rpc(validate_with = Self::check)]` names a
//! message-level check, `fn check(&self, c: &mut Checker<'_>)`, for rules
//! that span fields (see [`Checker`]). It runs after the field rules.
//!
//! Constraints on an `Option<T>` field apply when it is set. Nested
//! messages are checked wherever they sit (singular, `Option`, repeated,
//! map values, oneof members), so a message is valid only when everything
//! in it is. A oneof variant takes constraints on its own value, like a
//! field. All violations are collected (up to [`MAX_VIOLATIONS`]), each
//! with its path in proto JSON style (`products[2].price`,
//! `labels["key"]`, proto field names) and a rule identifier.
//!
//! Mistakes are compile errors where the compiler can see them: a
//! constraint on a field of the wrong type, an unknown constraint, a
//! `min_len` above `max_len`, a lower bound above the upper bound, a
//! pattern that does not compile.
//!
//! The server checks every request after decoding it, on every protocol;
//! a failure is `invalid_argument` with a `google.rpc.BadRequest` detail
//! ([`check_request`]). Clients call [`check_outgoing`] before sending.
//! The `.proto` typerpc writes documents each field's constraints in a
//! comment.

mod bad_request;

#[doc(hidden)]
pub use crate::message::constraints::rules;
pub use crate::message::constraints::{
    formats, Checker, Nested, PathKey, Segment, Violation, Violations, MAX_VIOLATIONS,
};
pub use bad_request::{BadRequest, FieldViolation, LocalizedMessage};

use crate::{Message, Status};

/// Checks a decoded request; the server calls it before every handler.
/// A failure is `invalid_argument` with a message listing the violations
/// and a `google.rpc.BadRequest` detail.
#[inline]
pub fn check_request<M: Message>(message: &M) -> Result<(), Status> {
    message.validate().map_err(Violations::into_status)
}

/// Checks a request before a client sends it, with the same result as the
/// server's check: a client can skip a call bound to fail.
///
/// ```
/// use typerpc::Message;
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct Search {
///     #[rpc(min_len = 1)]
///     pub query: String,
/// }
///
/// let status = typerpc::validate::check_outgoing(&Search::default()).unwrap_err();
/// assert_eq!(status.code(), typerpc::Code::InvalidArgument);
/// assert_eq!(status.message(), "invalid request: query: must be at least 1 character long");
/// ```
#[inline]
pub fn check_outgoing<M: Message>(message: &M) -> Result<(), Status> {
    check_request(message)
}
