//! `typerpc list`, `typerpc describe` and `typerpc proto --from`: a
//! server's schema, by reflection.

use std::path::Path;

use prost_reflect::{DescriptorPool, FileDescriptor, Syntax};

use crate::proto_text::{
    self, file_to_proto, write_enum, write_message, write_method, write_service, Comments,
};
use crate::remote;

/// The services of the server at `url`, or the methods of one of them,
/// one per line.
pub async fn list(url: &str, service: Option<&str>) -> Result<Vec<String>, String> {
    let mut reflection = remote::reflection(url)?;
    let Some(service) = service else {
        return reflection.list_services().await.map_err(|e| e.to_string());
    };
    let set = reflection
        .file_containing_symbol(service)
        .await
        .map_err(|e| e.to_string())?;
    let pool = remote::pool(set)?;
    let descriptor = pool
        .get_service_by_name(service)
        .ok_or_else(|| format!("{service} is not a service"))?;
    Ok(descriptor
        .methods()
        .map(|m| m.full_name().to_string())
        .collect())
}

/// `symbol` (a service, method, message or enum) in `.proto` syntax,
/// after a line saying what it is.
pub async fn describe(url: &str, symbol: &str) -> Result<String, String> {
    let symbol = symbol.trim_start_matches('.');
    let mut reflection = remote::reflection(url)?;
    let set = reflection
        .file_containing_symbol(symbol)
        .await
        .map_err(|e| e.to_string())?;
    let pool = remote::pool(set)?;
    describe_in(&pool, symbol)
        .ok_or_else(|| format!("{symbol} is not a service, method, message or enum"))
}

fn describe_in(pool: &DescriptorPool, symbol: &str) -> Option<String> {
    let package = if let Some(service) = pool.get_service_by_name(symbol) {
        service.package_name().to_string()
    } else if let Some(message) = pool.get_message_by_name(symbol) {
        message.package_name().to_string()
    } else if let Some(enumeration) = pool.get_enum_by_name(symbol) {
        enumeration.package_name().to_string()
    } else {
        let (service, _) = symbol.rsplit_once('.')?;
        pool.get_service_by_name(service)?
            .package_name()
            .to_string()
    };
    describe_qualified(pool, symbol).map(|text| relative_names(&text, &package))
}

/// Type names as a person writes them in `package`: `Tick` for
/// `.counter.v1.Tick`, `google.protobuf.Timestamp` for
/// `.google.protobuf.Timestamp` (descriptors hold them fully qualified).
fn relative_names(text: &str, package: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = '\n';
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts_name = c == '.'
            && matches!(previous, ' ' | '(' | '<' | ',' | '\n')
            && chars
                .peek()
                .is_some_and(|&(_, next)| next.is_ascii_alphabetic() || next == '_');
        if !starts_name {
            out.push(c);
            previous = c;
            continue;
        }
        let rest = &text[at + 1..];
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
            .unwrap_or(rest.len());
        let name = &rest[..len];
        let local = name
            .strip_prefix(package)
            .and_then(|n| n.strip_prefix('.'))
            .filter(|_| !package.is_empty());
        out.push_str(local.unwrap_or(name));
        for _ in 0..len {
            chars.next();
        }
        previous = name.chars().last().unwrap_or('.');
    }
    out
}

fn describe_qualified(pool: &DescriptorPool, symbol: &str) -> Option<String> {
    let mut out = String::new();
    if let Some(service) = pool.get_service_by_name(symbol) {
        out.push_str(&format!("{symbol} is a service:\n"));
        let comments = comments_of(&service.parent_file());
        write_service(
            &mut out,
            service.service_descriptor_proto(),
            service.path(),
            0,
            &comments,
        );
    } else if let Some(message) = pool.get_message_by_name(symbol) {
        out.push_str(&format!("{symbol} is a message:\n"));
        let comments = comments_of(&message.parent_file());
        let context = proto_text::Context {
            proto3: message.parent_file().syntax() != Syntax::Proto2,
            comments: &comments,
        };
        write_message(
            &mut out,
            message.descriptor_proto(),
            message.path(),
            0,
            context,
        );
    } else if let Some(enumeration) = pool.get_enum_by_name(symbol) {
        out.push_str(&format!("{symbol} is an enum:\n"));
        let comments = comments_of(&enumeration.parent_file());
        let context = proto_text::Context {
            proto3: enumeration.parent_file().syntax() != Syntax::Proto2,
            comments: &comments,
        };
        write_enum(
            &mut out,
            enumeration.enum_descriptor_proto(),
            enumeration.path(),
            0,
            context,
        );
    } else {
        let (service, method) = symbol.rsplit_once('.')?;
        let method = pool
            .get_service_by_name(service)?
            .methods()
            .find(|m| m.name() == method)?;
        out.push_str(&format!("{symbol} is a method:\n"));
        let comments = comments_of(&method.parent_file());
        write_method(
            &mut out,
            method.method_descriptor_proto(),
            method.path(),
            0,
            &comments,
        );
    }
    Some(out)
}

/// The comments the server keeps for `file` (none if it sends no source
/// code info).
fn comments_of(file: &FileDescriptor) -> Comments {
    Comments::new(file.file_descriptor_proto().source_code_info.as_ref())
}

/// Writes every file of every service of the server at `url` under
/// `out`, laid out by path, except the well-known `google/protobuf`
/// files (every compiler has them). Returns the paths written.
pub async fn write_protos(url: &str, out: &Path) -> Result<Vec<String>, String> {
    let mut reflection = remote::reflection(url)?;
    let set = reflection.all_files().await.map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    for file in &set.file {
        let name = file.name();
        if name.starts_with("google/protobuf/") {
            continue;
        }
        if Path::new(name)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(format!(
                "the server names a file {name:?}, outside the output folder"
            ));
        }
        let path = out.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, file_to_proto(file))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::relative_names;

    #[test]
    fn names_are_written_relative_to_the_package() {
        assert_eq!(
            relative_names(
                "rpc Count ( .counter.v1.CountRequest ) returns ( stream .counter.v1.Tick );\n",
                "counter.v1"
            ),
            "rpc Count ( CountRequest ) returns ( stream Tick );\n"
        );
        assert_eq!(
            relative_names(
                "  .google.protobuf.Timestamp at = 1;\n  map<string, .shop.v1.Item.Part> parts = 2;\n  double x = 3 [default = .5];\n",
                "shop.v1"
            ),
            "  google.protobuf.Timestamp at = 1;\n  map<string, Item.Part> parts = 2;\n  double x = 3 [default = .5];\n"
        );
        // A package that is only a prefix of another is not stripped.
        assert_eq!(
            relative_names("  .shop.v10.Item item = 1;\n", "shop.v1"),
            "  shop.v10.Item item = 1;\n"
        );
        assert_eq!(relative_names("  .Top top = 1;\n", ""), "  Top top = 1;\n");
    }
}
