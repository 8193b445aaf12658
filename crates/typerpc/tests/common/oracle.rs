//! protox and prost-reflect as oracles: compile the `.proto` text typerpc
//! rendered, and read our bytes and JSON with an implementation we did not
//! write.
#![allow(dead_code)]

use std::collections::HashMap;

use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use typerpc::schema::SchemaSet;

struct Sources(HashMap<String, String>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(source) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Compiles every non-google file of `set` from its rendered text with
/// protox, panicking with protox's message and the text on failure.
pub fn compile(set: &SchemaSet) -> prost_types::FileDescriptorSet {
    let sources: HashMap<String, String> = set
        .files()
        .iter()
        .filter(|f| !f.is_well_known())
        .map(|f| (f.path.clone(), set.proto_text(f)))
        .collect();
    compile_sources(sources)
}

/// Compiles in-memory `.proto` sources (path -> text) with protox.
pub fn compile_sources(sources: HashMap<String, String>) -> prost_types::FileDescriptorSet {
    let mut paths: Vec<String> = sources.keys().cloned().collect();
    paths.sort();
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources.clone()));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    for path in &paths {
        if let Err(err) = compiler.open_file(path) {
            panic!("protox rejected {path}: {err:?}\n{}", sources[path]);
        }
    }
    compiler.file_descriptor_set()
}

/// A prost-reflect pool of `set`'s files, compiled by protox from our text.
pub fn pool(set: &SchemaSet) -> prost_reflect::DescriptorPool {
    prost_reflect::DescriptorPool::from_file_descriptor_set(compile(set)).expect("pool")
}

/// Numbers compared by value: `1` and `1.0` are the same JSON number.
pub fn normalize_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => serde_json::Number::from_f64(n.as_f64().unwrap_or(f64::NAN))
            .map_or(Value::Null, Value::Number),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize_numbers).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, normalize_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}
