//! Rules on files' packages, services and methods.

use std::collections::BTreeMap;

use prost_types::{MethodDescriptorProto, ServiceDescriptorProto};

use super::{join, trim, Finding, Index};

/// A file present in both sets whose package changed moves every
/// definition in it to new full names (and every method to a new path).
pub(super) fn compare_packages(old: &Index, new: &Index, findings: &mut Vec<Finding>) {
    for old_file in &old.set.file {
        let Some(new_file) = new.set.file.iter().find(|f| f.name() == old_file.name()) else {
            continue;
        };
        if old_file.package() != new_file.package() {
            findings.push(Finding {
                file: old_file.name().to_string(),
                symbol: old_file.package().to_string(),
                change: format!(
                    "package changed from {:?} to {:?}",
                    old_file.package(),
                    new_file.package()
                ),
            });
        }
    }
}

/// Every service by full name, with its file.
fn services<'a>(index: &Index<'a>) -> BTreeMap<String, (&'a str, &'a ServiceDescriptorProto)> {
    index
        .set
        .file
        .iter()
        .flat_map(|file| {
            file.service
                .iter()
                .map(move |s| (join(file.package(), s.name()), (file.name(), s)))
        })
        .collect()
}

pub(super) fn compare_services(old: &Index, new: &Index, findings: &mut Vec<Finding>) {
    let new_services = services(new);
    for (name, (old_file, old_service)) in services(old) {
        let Some(&(new_file, new_service)) = new_services.get(&name) else {
            findings.push(Finding {
                file: old_file.to_string(),
                symbol: name,
                change: "service removed or renamed: its methods' paths no longer exist"
                    .to_string(),
            });
            continue;
        };
        for old_method in &old_service.method {
            let symbol = join(&name, old_method.name());
            let found = new_service
                .method
                .iter()
                .find(|m| m.name() == old_method.name());
            let Some(new_method) = found else {
                findings.push(Finding {
                    file: new_file.to_string(),
                    symbol,
                    change: "method removed or renamed: its path no longer exists".to_string(),
                });
                continue;
            };
            for change in method_changes(old_method, new_method) {
                findings.push(Finding {
                    file: new_file.to_string(),
                    symbol: symbol.clone(),
                    change,
                });
            }
        }
    }
}

fn method_changes(old: &MethodDescriptorProto, new: &MethodDescriptorProto) -> Vec<String> {
    let mut changes = Vec::new();
    if old.input_type() != new.input_type() {
        changes.push(format!(
            "request type changed from {} to {}",
            trim(old.input_type()),
            trim(new.input_type())
        ));
    }
    if old.output_type() != new.output_type() {
        changes.push(format!(
            "response type changed from {} to {}",
            trim(old.output_type()),
            trim(new.output_type())
        ));
    }
    if shape(old) != shape(new) {
        changes.push(format!(
            "streaming changed from {} to {}",
            shape(old),
            shape(new)
        ));
    }
    changes
}

fn shape(method: &MethodDescriptorProto) -> &'static str {
    match (method.client_streaming(), method.server_streaming()) {
        (false, false) => "unary",
        (false, true) => "server streaming",
        (true, false) => "client streaming",
        (true, true) => "bidirectional streaming",
    }
}
