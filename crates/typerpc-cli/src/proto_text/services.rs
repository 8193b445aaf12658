//! Services and methods.

use std::fmt::Write as _;

use prost_types::{MethodDescriptorProto, ServiceDescriptorProto};

use super::comments::{child, Comments};
use super::indent;
use super::options::{method_options, service_options};

/// Writes `service Name { ... }` at `level`; `path` is the service's
/// descriptor path in its file, for its comments.
pub fn write_service(
    out: &mut String,
    service: &ServiceDescriptorProto,
    path: &[i32],
    level: usize,
    comments: &Comments,
) {
    let pad = indent(level);
    comments.leading(out, path, level);
    let _ = writeln!(out, "{pad}service {} {{", service.name());
    comments.trailing_block(out, path, level);
    if let Some(options) = &service.options {
        for line in service_options(options) {
            let _ = writeln!(out, "{pad}  {line}");
        }
    }
    for (index, method) in service.method.iter().enumerate() {
        // ServiceDescriptorProto: method = 2.
        write_method(out, method, &child(path, 2, index), level + 1, comments);
    }
    let _ = writeln!(out, "{pad}}}");
}

/// Writes `rpc Name ( .Request ) returns ( .Response );` at `level`, with
/// a body when the method has options; `path` is the method's descriptor
/// path in its file, for its comments.
pub fn write_method(
    out: &mut String,
    method: &MethodDescriptorProto,
    path: &[i32],
    level: usize,
    comments: &Comments,
) {
    let pad = indent(level);
    comments.leading(out, path, level);
    let stream = |streaming: bool| if streaming { "stream " } else { "" };
    let _ = write!(
        out,
        "{pad}rpc {} ( {}{} ) returns ( {}{} )",
        method.name(),
        stream(method.client_streaming()),
        method.input_type(),
        stream(method.server_streaming()),
        method.output_type()
    );
    let lines = method
        .options
        .as_ref()
        .map(method_options)
        .unwrap_or_default();
    if lines.is_empty() {
        out.push(';');
        comments.trailing_line(out, path, level);
        return;
    }
    out.push_str(" {\n");
    for line in lines {
        let _ = writeln!(out, "{pad}  {line}");
    }
    let _ = writeln!(out, "{pad}}}");
}
