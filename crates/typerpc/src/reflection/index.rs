//! What reflection can serve: every file of a schema as an encoded
//! `FileDescriptorProto`, and which file declares each symbol.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use prost::Message as _;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto, FileDescriptorSet};

use crate::schema::SchemaSet;

/// The well-known type files typerpc's own types live in, exactly as protoc
/// compiles them (`--descriptor_set_out`, no source info), so that clients
/// see the same descriptors as from any other server. The schema model
/// renders only the types typerpc maps, without the files' options; a test
/// checks this set against protox and, where installed, protoc.
const WELL_KNOWN: &[u8] = include_bytes!("well_known.binpb");

/// The official descriptors of the well-known files typerpc uses, by path.
pub fn well_known_files() -> &'static HashMap<String, FileDescriptorProto> {
    static FILES: OnceLock<HashMap<String, FileDescriptorProto>> = OnceLock::new();
    FILES.get_or_init(|| {
        // The bytes are compiled in and checked by tests: decoding them
        // cannot fail at run time unless the build itself is corrupt.
        let set = FileDescriptorSet::decode(WELL_KNOWN).unwrap_or_default();
        set.file
            .into_iter()
            .map(|file| (file.name().to_string(), file))
            .collect()
    })
}

/// One file reflection can serve.
#[derive(Clone, Debug)]
struct IndexedFile {
    /// The encoded `FileDescriptorProto`.
    encoded: Vec<u8>,
    /// The paths of the files it imports.
    dependencies: Vec<String>,
}

/// The files, symbols and services of a schema, ready to answer
/// reflection requests. Build it once per server and share it between
/// reflection streams.
#[derive(Clone, Debug, Default)]
pub struct ReflectionIndex {
    files: HashMap<String, IndexedFile>,
    /// Every fully-qualified symbol (no leading dot) and its file's path.
    symbols: HashMap<String, String>,
    /// The fully-qualified names of the message types.
    messages: HashSet<String>,
    /// The fully-qualified service names, sorted.
    services: Vec<String>,
}

impl ReflectionIndex {
    /// Indexes every file of `set`, listing every service it declares.
    ///
    /// Well-known files (`google/protobuf/...`) are served as protoc
    /// compiles them, with every type they declare, rather than as rendered
    /// from the types the schema uses.
    pub fn new(set: &SchemaSet) -> ReflectionIndex {
        let mut index = ReflectionIndex::default();
        for file in set.files() {
            let descriptor = match well_known_files().get(&file.path) {
                Some(official) => official.clone(),
                None => set.file_descriptor(file),
            };
            index.add_file(descriptor);
        }
        index.services.sort();
        index.services.dedup();
        index
    }

    fn add_file(&mut self, file: FileDescriptorProto) {
        let path = file.name().to_string();
        if self.files.contains_key(&path) {
            return;
        }
        let package = file.package();
        for message in &file.message_type {
            self.add_message(&path, package, message);
        }
        for enum_ in &file.enum_type {
            self.add_enum(&path, package, enum_);
        }
        for service in &file.service {
            let name = join(package, service.name());
            for method in &service.method {
                self.add_symbol(&path, join(&name, method.name()));
            }
            self.services.push(name.clone());
            self.add_symbol(&path, name);
        }
        self.files.insert(
            path,
            IndexedFile {
                encoded: file.encode_to_vec(),
                dependencies: file.dependency,
            },
        );
    }

    fn add_message(&mut self, path: &str, scope: &str, message: &DescriptorProto) {
        let name = join(scope, message.name());
        for field in &message.field {
            self.add_symbol(path, join(&name, field.name()));
        }
        for oneof in &message.oneof_decl {
            self.add_symbol(path, join(&name, oneof.name()));
        }
        for nested in &message.nested_type {
            self.add_message(path, &name, nested);
        }
        for enum_ in &message.enum_type {
            self.add_enum(path, &name, enum_);
        }
        self.messages.insert(name.clone());
        self.add_symbol(path, name);
    }

    fn add_enum(&mut self, path: &str, scope: &str, enum_: &EnumDescriptorProto) {
        // Enum values are scoped beside their enum, not inside it, as in
        // protobuf's name resolution (`pkg.COLOR_RED`, not `pkg.Color.COLOR_RED`).
        for value in &enum_.value {
            self.add_symbol(path, join(scope, value.name()));
        }
        self.add_symbol(path, join(scope, enum_.name()));
    }

    fn add_symbol(&mut self, path: &str, symbol: String) {
        self.symbols
            .entry(symbol)
            .or_insert_with(|| path.to_string());
    }

    /// The fully-qualified names of the services, sorted.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The encoded descriptor of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|f| f.encoded.as_slice())
    }

    /// The path of the file declaring `symbol` (a message, field, oneof,
    /// enum, enum value, service or method; with or without a leading dot).
    pub fn file_containing(&self, symbol: &str) -> Option<&str> {
        let symbol = symbol.strip_prefix('.').unwrap_or(symbol);
        self.symbols.get(symbol).map(String::as_str)
    }

    /// Whether `name` is a message type of the index.
    pub fn is_message(&self, name: &str) -> bool {
        self.messages
            .contains(name.strip_prefix('.').unwrap_or(name))
    }

    /// The paths of the files `path` imports.
    pub(super) fn dependencies(&self, path: &str) -> &[String] {
        self.files
            .get(path)
            .map_or(&[], |f| f.dependencies.as_slice())
    }
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}
