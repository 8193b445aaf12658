//! The vocabulary of declared constraints: the [`Checker`] a message's
//! `check_constraints` records into, the [`Violations`] it collects, the
//! rules the derive calls and the formats they know. It belongs to the
//! message layer because the [`Message`](crate::Message) trait carries the
//! check; turning violations into a status, and checking requests on the
//! server and client, is [`crate::validate`], a layer above.

pub mod formats;
mod nested;
mod path;
pub mod rules;
mod violation;

pub use nested::Nested;
pub use path::{Checker, PathKey, Segment};
pub use violation::{Violation, Violations, MAX_VIOLATIONS};

/// Runs the checks of `message` into a fresh collection.
pub(crate) fn collect<M: crate::Message>(message: &M) -> Violations {
    let mut out = Violations::default();
    Checker::root(&mut out, |c| message.check_constraints(c));
    out
}
