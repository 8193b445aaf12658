//! The type registry that gives `google.protobuf.Any` its JSON form.
//!
//! Any's JSON inlines the packed message's fields next to `@type`, so the
//! writer and the parser must know the packed type. The registry maps a
//! full type name to the functions that convert that type between its
//! binary encoding and JSON.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use super::{Any, Duration, Empty, ListValue, Struct, Timestamp, Value};
use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::Message;

/// Converts binary to JSON, for one type.
type WriteFn = fn(&[u8], &mut JsonWriter<'_>) -> Result<(), String>;
/// Reads JSON (the members after `@type`, or the `value` member) to binary.
type ReadFn = fn(&mut JsonParser<'_>, bool) -> Result<Vec<u8>, JsonError>;

#[derive(Clone, Copy)]
pub(crate) struct RegistryEntry {
    pub(crate) write: WriteFn,
    pub(crate) read: ReadFn,
    /// Well-known types with a non-object JSON form sit under `"value"`.
    pub(crate) custom_json: bool,
}

/// Message types that may appear inside `google.protobuf.Any` in JSON.
///
/// The well-known types are always known. Register your own with
/// [`with`](Self::with) and pass the registry in
/// [`JsonOptions::with_registry`](crate::JsonOptions::with_registry).
///
/// ```
/// use typerpc::{message::wkt::{Any, TypeRegistry}, JsonOptions, Message};
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// #[rpc(package = "shop.v1")]
/// pub struct Product { pub name: String }
///
/// let registry = TypeRegistry::new().with::<Product>();
/// let options = JsonOptions::default().with_registry(registry);
/// let any = Any::pack(&Product { name: "pen".into() });
/// assert_eq!(
///     any.to_json_with(&options).unwrap(),
///     r#"{"@type":"type.googleapis.com/shop.v1.Product","name":"pen"}"#
/// );
/// ```
#[derive(Clone, Default)]
pub struct TypeRegistry {
    types: HashMap<String, RegistryEntry>,
}

impl std::fmt::Debug for TypeRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.types.keys().collect();
        names.sort();
        f.debug_struct("TypeRegistry")
            .field("types", &names)
            .finish()
    }
}

fn write_entry<M: Message>(bytes: &[u8], w: &mut JsonWriter<'_>) -> Result<(), String> {
    let message = M::decode(bytes).map_err(|e| e.to_string())?;
    message.write_json(w);
    Ok(())
}

fn read_entry<M: Message>(
    p: &mut JsonParser<'_>,
    skip_type_key: bool,
) -> Result<Vec<u8>, JsonError> {
    let mut message = M::default();
    if skip_type_key {
        p.object(|p, key| {
            if key == "@type" {
                p.skip_value()
            } else {
                message.merge_json_key(key, p)
            }
        })?;
    } else {
        message.merge_json(p)?;
    }
    Ok(message.encode_to_vec())
}

impl TypeRegistry {
    /// A registry that knows the well-known types.
    pub fn new() -> Self {
        let mut registry = TypeRegistry::default();
        registry.register_custom::<Timestamp>();
        registry.register_custom::<Duration>();
        registry.register_custom::<Struct>();
        registry.register_custom::<Value>();
        registry.register_custom::<ListValue>();
        registry.register_custom::<Any>();
        registry.register::<Empty>();
        registry
    }

    /// Adds a message type (and returns the registry, for chaining).
    pub fn with<M: Message>(mut self) -> Self {
        self.register::<M>();
        self
    }

    /// Adds a message type.
    pub fn register<M: Message>(&mut self) -> &mut Self {
        self.insert::<M>(false)
    }

    fn register_custom<M: Message>(&mut self) -> &mut Self {
        self.insert::<M>(true)
    }

    fn insert<M: Message>(&mut self, custom_json: bool) -> &mut Self {
        let entry = RegistryEntry {
            write: write_entry::<M>,
            read: read_entry::<M>,
            custom_json,
        };
        self.types.insert(super::any::full_name_of::<M>(), entry);
        self
    }

    /// Whether the registry knows a full type name (`shop.v1.Product`).
    pub fn contains(&self, full_name: &str) -> bool {
        self.types.contains_key(full_name)
    }

    pub(crate) fn get(&self, full_name: &str) -> Option<RegistryEntry> {
        self.types.get(full_name).copied()
    }

    /// The registry used when the JSON options name none.
    pub(crate) fn well_known() -> &'static Arc<TypeRegistry> {
        static WELL_KNOWN: LazyLock<Arc<TypeRegistry>> =
            LazyLock::new(|| Arc::new(TypeRegistry::new()));
        &WELL_KNOWN
    }
}
