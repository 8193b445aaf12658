//! The schema model: what each message, enum and service looks like, and the
//! renderers that turn it into `.proto` text and descriptors.
//!
//! [`model`] is the static data `#[derive(Message)]` records;
//! [`SchemaBuilder`] resolves a set of types into files; each file renders
//! to `.proto` text (`proto_text.rs`) and to a `FileDescriptorProto`
//! (`descriptor.rs`) from the same resolved model.

mod builder;
mod descriptor;
mod export;
pub mod model;
pub mod naming;
mod proto_text;

pub use builder::{ProtoFile, SchemaBuilder, SchemaError, SchemaSet};
pub use export::{
    check_proto_files, write_proto_files, write_service_proto_files, ExportError, UPDATE_ENV,
};
pub use proto_text::HEADER;
