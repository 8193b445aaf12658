//! `.proto` text from descriptors: turns the `FileDescriptorProto`s a
//! server describes by reflection back into source that compiles to the
//! same descriptors.
//!
//! Types are written fully qualified (`.shop.v1.Item`), as descriptors
//! hold them, so no name resolution is needed. Options outside
//! `descriptor.proto`'s own (custom options) do not survive decoding and
//! are lost; known options this printer does not write are noted in a
//! comment. Groups and editions are not supported.

mod comments;
mod messages;
mod options;
mod services;

use std::fmt::Write as _;

use prost_types::FileDescriptorProto;

pub use comments::Comments;
pub use messages::{write_enum, write_message, Context};
pub use services::{write_method, write_service};

/// The `.proto` source of `file`, with the comments its source code info
/// holds.
pub fn file_to_proto(file: &FileDescriptorProto) -> String {
    let comments = Comments::new(file.source_code_info.as_ref());
    let mut out = String::new();
    let syntax = match file.syntax() {
        "" => "proto2",
        other => other,
    };
    if syntax == "editions" {
        let _ = writeln!(out, "// editions are not supported: printed as proto3");
        let _ = writeln!(out, "syntax = \"proto3\";");
    } else {
        let _ = writeln!(out, "syntax = {};", quote(syntax));
    }
    let proto3 = syntax != "proto2";
    if !file.package().is_empty() {
        let _ = writeln!(out, "\npackage {};", file.package());
    }
    if !file.dependency.is_empty() {
        out.push('\n');
    }
    for (index, import) in file.dependency.iter().enumerate() {
        let index = i32::try_from(index).unwrap_or(i32::MAX);
        let kind = if file.public_dependency.contains(&index) {
            "public "
        } else if file.weak_dependency.contains(&index) {
            "weak "
        } else {
            ""
        };
        let _ = writeln!(out, "import {kind}{};", quote(import));
    }
    if let Some(file_options) = &file.options {
        let lines = options::file_options(file_options);
        if !lines.is_empty() {
            out.push('\n');
        }
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    let context = messages::Context {
        proto3,
        comments: &comments,
    };
    // FileDescriptorProto: message_type = 4, enum_type = 5, service = 6,
    // extension = 7.
    for (index, message) in file.message_type.iter().enumerate() {
        out.push('\n');
        write_message(
            &mut out,
            message,
            &comments::child(&[], 4, index),
            0,
            context,
        );
    }
    for (index, enumeration) in file.enum_type.iter().enumerate() {
        out.push('\n');
        write_enum(
            &mut out,
            enumeration,
            &comments::child(&[], 5, index),
            0,
            context,
        );
    }
    messages::write_extensions(&mut out, &file.extension, &[7], 0, context);
    for (index, service) in file.service.iter().enumerate() {
        out.push('\n');
        write_service(
            &mut out,
            service,
            &comments::child(&[], 6, index),
            0,
            &comments,
        );
    }
    out
}

/// A `.proto` string literal: quoted, with quotes, backslashes and every
/// byte outside printable ASCII escaped.
pub fn quote(text: &str) -> String {
    quote_bytes(text.as_bytes())
}

fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out.push('"');
    out
}

/// Two spaces per level.
fn indent(level: usize) -> String {
    "  ".repeat(level)
}

#[cfg(test)]
mod tests;
