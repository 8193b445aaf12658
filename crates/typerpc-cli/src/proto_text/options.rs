//! Options from `descriptor.proto`, as `option name = value;` statements
//! or `[name = value]` lists. Each function clears what it wrote from a
//! copy of the options; anything left means options it cannot write, and
//! a comment says so.

use prost_types::{
    EnumOptions, EnumValueOptions, FieldOptions, FileOptions, MessageOptions, MethodOptions,
    ServiceOptions,
};

use super::quote;

/// The comment for options that are set but not printed.
const UNPRINTED: &str = "// (some options are not printed)";

/// `option ...;` lines for a file.
pub fn file_options(options: &FileOptions) -> Vec<String> {
    let mut rest = options.clone();
    let mut out = Vec::new();
    let mut string = |name: &str, value: &mut Option<String>| {
        if let Some(value) = value.take() {
            out.push(format!("option {name} = {};", quote(&value)));
        }
    };
    string("java_package", &mut rest.java_package);
    string("java_outer_classname", &mut rest.java_outer_classname);
    string("go_package", &mut rest.go_package);
    string("objc_class_prefix", &mut rest.objc_class_prefix);
    string("csharp_namespace", &mut rest.csharp_namespace);
    string("swift_prefix", &mut rest.swift_prefix);
    string("php_class_prefix", &mut rest.php_class_prefix);
    string("php_namespace", &mut rest.php_namespace);
    string("php_metadata_namespace", &mut rest.php_metadata_namespace);
    string("ruby_package", &mut rest.ruby_package);
    let mut boolean = |name: &str, value: &mut Option<bool>| {
        if let Some(value) = value.take() {
            out.push(format!("option {name} = {value};"));
        }
    };
    boolean("java_multiple_files", &mut rest.java_multiple_files);
    boolean("java_string_check_utf8", &mut rest.java_string_check_utf8);
    boolean("cc_generic_services", &mut rest.cc_generic_services);
    boolean("java_generic_services", &mut rest.java_generic_services);
    boolean("py_generic_services", &mut rest.py_generic_services);
    boolean("deprecated", &mut rest.deprecated);
    boolean("cc_enable_arenas", &mut rest.cc_enable_arenas);
    if rest.optimize_for.is_some() {
        let name = rest.optimize_for().as_str_name();
        out.push(format!("option optimize_for = {name};"));
        rest.optimize_for = None;
    }
    note_rest(rest != FileOptions::default(), &mut out);
    out
}

/// `option ...;` lines for a message.
pub fn message_options(options: &MessageOptions) -> Vec<String> {
    let mut rest = options.clone();
    let mut out = Vec::new();
    if let Some(deprecated) = rest.deprecated.take() {
        out.push(format!("option deprecated = {deprecated};"));
    }
    if let Some(value) = rest.message_set_wire_format.take() {
        out.push(format!("option message_set_wire_format = {value};"));
    }
    // Written as `map<K, V>` fields instead.
    rest.map_entry = None;
    note_rest(rest != MessageOptions::default(), &mut out);
    out
}

/// `option ...;` lines for an enum.
pub fn enum_options(options: &EnumOptions) -> Vec<String> {
    let mut rest = options.clone();
    let mut out = Vec::new();
    if let Some(value) = rest.allow_alias.take() {
        out.push(format!("option allow_alias = {value};"));
    }
    if let Some(value) = rest.deprecated.take() {
        out.push(format!("option deprecated = {value};"));
    }
    note_rest(rest != EnumOptions::default(), &mut out);
    out
}

/// `option ...;` lines for a service.
pub fn service_options(options: &ServiceOptions) -> Vec<String> {
    let mut rest = options.clone();
    let mut out = Vec::new();
    if let Some(value) = rest.deprecated.take() {
        out.push(format!("option deprecated = {value};"));
    }
    note_rest(rest != ServiceOptions::default(), &mut out);
    out
}

/// `option ...;` lines for a method.
pub fn method_options(options: &MethodOptions) -> Vec<String> {
    let mut rest = options.clone();
    let mut out = Vec::new();
    if let Some(value) = rest.deprecated.take() {
        out.push(format!("option deprecated = {value};"));
    }
    if rest.idempotency_level.is_some() {
        let name = rest.idempotency_level().as_str_name();
        out.push(format!("option idempotency_level = {name};"));
        rest.idempotency_level = None;
    }
    note_rest(rest != MethodOptions::default(), &mut out);
    out
}

/// `name = value` entries of a field's `[...]`, and whether some options
/// were left out.
pub fn field_options(options: &FieldOptions) -> (Vec<String>, bool) {
    let mut rest = options.clone();
    let mut out = Vec::new();
    let mut boolean = |name: &str, value: &mut Option<bool>| {
        if let Some(value) = value.take() {
            out.push(format!("{name} = {value}"));
        }
    };
    boolean("packed", &mut rest.packed);
    boolean("lazy", &mut rest.lazy);
    boolean("deprecated", &mut rest.deprecated);
    if rest.jstype.is_some() {
        out.push(format!("jstype = {}", rest.jstype().as_str_name()));
        rest.jstype = None;
    }
    if rest.ctype.is_some() {
        out.push(format!("ctype = {}", rest.ctype().as_str_name()));
        rest.ctype = None;
    }
    (out, rest != FieldOptions::default())
}

/// `name = value` entries of an enum value's `[...]`, and whether some
/// options were left out.
pub fn enum_value_options(options: &EnumValueOptions) -> (Vec<String>, bool) {
    let mut rest = options.clone();
    let mut out = Vec::new();
    if let Some(value) = rest.deprecated.take() {
        out.push(format!("deprecated = {value}"));
    }
    (out, rest != EnumValueOptions::default())
}

fn note_rest(left: bool, out: &mut Vec<String>) {
    if left {
        out.push(UNPRINTED.to_string());
    }
}

/// ` [a = b, c = d]` (with its leading space), or nothing.
pub fn bracketed(entries: &[String]) -> String {
    if entries.is_empty() {
        String::new()
    } else {
        format!(" [{}]", entries.join(", "))
    }
}

/// The comment ending a line whose options were not all written.
pub fn unprinted_suffix(left: bool) -> &'static str {
    if left {
        " // (some options are not printed)"
    } else {
        ""
    }
}
