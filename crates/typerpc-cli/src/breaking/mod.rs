//! Wire-breaking changes between two compiled sets of `.proto` files.
//!
//! Definitions are matched by full name across the whole set, so moving a
//! message to another file is not a change. What counts as breaking is
//! what makes a client built against the old files misread, lose or fail
//! on messages from the new ones, in binary or JSON:
//!
//! * fields: a number given to another name or type, a changed type or
//!   cardinality (repeated, map), moving into or out of a oneof, a field
//!   renumbered, a field removed without reserving its number and name, a
//!   reserved number or name taken again;
//! * enums: a value removed without reserving its number, a number given
//!   to another name;
//! * messages and enums that fields or methods used, removed or renamed;
//! * services and methods removed or renamed, a method's request or
//!   response type or its streaming shape changed;
//! * a file's package changed.
//!
//! Adding fields, values, messages, methods and services is compatible.

mod messages;
mod services;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet};

/// One wire-breaking change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file the definition is in (the new file when it still exists).
    pub file: String,
    /// The full name of what changed (`shop.v1.Order.total`).
    pub symbol: String,
    /// What changed, in words.
    pub change: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.symbol, self.change)
    }
}

/// The breaking changes from `old` to `new`, in the order of the old files.
pub fn compare(old: &FileDescriptorSet, new: &FileDescriptorSet) -> Vec<Finding> {
    let old = Index::of(old);
    let new = Index::of(new);
    let mut findings = Vec::new();
    services::compare_packages(&old, &new, &mut findings);
    messages::compare_messages(&old, &new, &mut findings);
    messages::compare_enums(&old, &new, &mut findings);
    services::compare_services(&old, &new, &mut findings);
    findings
}

/// A definition and the file it is declared in.
pub(super) struct Located<'a, T> {
    pub file: &'a str,
    pub def: &'a T,
}

/// Every definition of a set by full name (no leading dot).
pub(super) struct Index<'a> {
    pub set: &'a FileDescriptorSet,
    pub messages: BTreeMap<String, Located<'a, DescriptorProto>>,
    pub enums: BTreeMap<String, Located<'a, EnumDescriptorProto>>,
    /// Messages and enums some field or method refers to.
    pub used: BTreeSet<String>,
}

impl<'a> Index<'a> {
    fn of(set: &'a FileDescriptorSet) -> Index<'a> {
        let mut index = Index {
            set,
            messages: BTreeMap::new(),
            enums: BTreeMap::new(),
            used: BTreeSet::new(),
        };
        for file in &set.file {
            for message in &file.message_type {
                index.add_message(file.name(), file.package(), message);
            }
            for enum_ in &file.enum_type {
                index.add_enum(file.name(), file.package(), enum_);
            }
            for method in file.service.iter().flat_map(|s| &s.method) {
                index.used.insert(trim(method.input_type()).to_string());
                index.used.insert(trim(method.output_type()).to_string());
            }
        }
        index
    }

    fn add_message(&mut self, file: &'a str, scope: &str, message: &'a DescriptorProto) {
        let name = join(scope, message.name());
        for field in &message.field {
            if field.type_name.is_some() {
                self.used.insert(trim(field.type_name()).to_string());
            }
        }
        for nested in &message.nested_type {
            self.add_message(file, &name, nested);
        }
        for enum_ in &message.enum_type {
            self.add_enum(file, &name, enum_);
        }
        self.messages.insert(name, Located { file, def: message });
    }

    fn add_enum(&mut self, file: &'a str, scope: &str, enum_: &'a EnumDescriptorProto) {
        self.enums
            .insert(join(scope, enum_.name()), Located { file, def: enum_ });
    }

    /// Whether `name` is a map entry message.
    pub fn is_map_entry(&self, name: &str) -> bool {
        self.messages.get(name).is_some_and(|m| {
            m.def
                .options
                .as_ref()
                .and_then(|o| o.map_entry)
                .unwrap_or(false)
        })
    }
}

/// A type name without its leading dot.
pub(super) fn trim(name: &str) -> &str {
    name.strip_prefix('.').unwrap_or(name)
}

pub(super) fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}
