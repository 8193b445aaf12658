//! Services and methods.

use std::fmt::Write as _;

use prost_types::{MethodDescriptorProto, ServiceDescriptorProto};

use super::indent;
use super::options::{method_options, service_options};

/// Writes `service Name { ... }` at `level`.
pub fn write_service(out: &mut String, service: &ServiceDescriptorProto, level: usize) {
    let pad = indent(level);
    let _ = writeln!(out, "{pad}service {} {{", service.name());
    if let Some(options) = &service.options {
        for line in service_options(options) {
            let _ = writeln!(out, "{pad}  {line}");
        }
    }
    for method in &service.method {
        write_method(out, method, level + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

/// Writes `rpc Name ( .Request ) returns ( .Response );` at `level`, with
/// a body when the method has options.
pub fn write_method(out: &mut String, method: &MethodDescriptorProto, level: usize) {
    let pad = indent(level);
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
        out.push_str(";\n");
        return;
    }
    out.push_str(" {\n");
    for line in lines {
        let _ = writeln!(out, "{pad}  {line}");
    }
    let _ = writeln!(out, "{pad}}}");
}
