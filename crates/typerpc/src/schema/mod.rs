//! The schema model: what each message, enum and service looks like, and the
//! renderers that turn it into `.proto` text and descriptors.
//!
//! [`model`] is the static data `#[derive(Message)]` records;
//! [`SchemaBuilder`] resolves a set of types into files; each file renders
//! to `.proto` text ([`proto_text`]) and to a `FileDescriptorProto`
//! ([`descriptor`]) from the same resolved model.

mod builder;
mod descriptor;
pub mod model;
pub mod naming;
mod proto_text;

pub use builder::{ProtoFile, SchemaBuilder, SchemaError, SchemaSet};
pub use proto_text::HEADER;
