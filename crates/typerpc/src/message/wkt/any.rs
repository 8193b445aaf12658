//! `google.protobuf.Any`: a message of any type, with its type's URL.

use super::registry::TypeRegistry;
use super::CustomJson;
use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::{DecodeError, Message};

/// The prefix protobuf uses for type URLs.
pub const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

/// `google.protobuf.Any`: a packed message and the URL naming its type.
///
/// ```
/// use typerpc::{message::wkt::Any, Message};
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// #[rpc(package = "shop.v1")]
/// pub struct Product { pub name: String }
///
/// let any = Any::pack(&Product { name: "pen".into() });
/// assert_eq!(any.type_url, "type.googleapis.com/shop.v1.Product");
/// assert_eq!(any.unpack::<Product>().unwrap(), Some(Product { name: "pen".into() }));
/// ```
#[derive(crate::Message, Clone, Debug, PartialEq, Eq, Hash)]
#[rpc(
    package = "google.protobuf",
    file = "google/protobuf/any.proto",
    custom_json
)]
pub struct Any {
    /// `type.googleapis.com/` followed by the full name of the packed type.
    pub type_url: String,
    /// The packed message's binary encoding.
    pub value: Vec<u8>,
}

/// Why an `Any` could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyError {
    /// The packed bytes are not a valid message of the asked-for type.
    Decode(DecodeError),
}

impl std::fmt::Display for AnyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnyError::Decode(e) => write!(f, "the packed message does not decode: {e}"),
        }
    }
}

impl std::error::Error for AnyError {}

/// The full proto name of a message type: `package.Name`, or just the name
/// for a message that declares no package.
pub(crate) fn full_name_of<M: Message>() -> String {
    let schema = M::schema();
    match schema.package {
        Some(package) if !package.is_empty() => format!("{package}.{}", schema.name),
        _ => schema.name.to_string(),
    }
}

impl Any {
    /// Packs a message. Types packed into `Any` should declare a package
    /// (`#[rpc(package = "...")]`), so that other languages can resolve the
    /// type URL.
    pub fn pack<M: Message>(message: &M) -> Any {
        Any {
            type_url: format!("{TYPE_URL_PREFIX}{}", full_name_of::<M>()),
            value: message.encode_to_vec(),
        }
    }

    /// The full type name in the URL (the part after the last `/`).
    pub fn type_name(&self) -> &str {
        self.type_url.rsplit('/').next().unwrap_or(&self.type_url)
    }

    /// Whether the packed message is of type `M`.
    pub fn is<M: Message>(&self) -> bool {
        self.type_name() == full_name_of::<M>()
    }

    /// Unpacks the message if it is of type `M` (`Ok(None)` if it is not).
    pub fn unpack<M: Message>(&self) -> Result<Option<M>, AnyError> {
        if !self.is::<M>() {
            return Ok(None);
        }
        M::decode(&self.value[..])
            .map(Some)
            .map_err(AnyError::Decode)
    }
}

fn registry_of(registry: Option<&TypeRegistry>) -> &TypeRegistry {
    registry.unwrap_or_else(|| TypeRegistry::well_known())
}

impl CustomJson for Any {
    fn write_custom_json(&self, w: &mut JsonWriter<'_>) {
        if self.type_url.is_empty() && self.value.is_empty() {
            // An unset Any is an empty object.
            w.begin_object();
            w.end_object();
            return;
        }
        let registry = registry_of(w.options().registry.as_deref());
        let Some(entry) = registry.get(self.type_name()) else {
            w.set_error(format!(
                "google.protobuf.Any holds {}, which the JSON type registry does not know; register it with TypeRegistry::with",
                self.type_url
            ));
            w.null();
            return;
        };
        // Each Any decodes its content afresh (with a fresh recursion
        // limit), so an Any holding an Any holding an Any... is bounded
        // only here: by the JSON nesting limit, counted across the levels.
        let limit = w.options().max_depth();
        if w.depth() >= limit {
            w.set_error(format!(
                "google.protobuf.Any values nest deeper than the limit of {limit} levels"
            ));
            w.null();
            return;
        }
        // The packed message is written into its own buffer, then its
        // members are spliced after `@type`.
        let options = w.options().clone();
        let mut inner = Vec::new();
        let mut inner_writer = w.nested(&mut inner, &options);
        if let Err(e) = (entry.write)(&self.value, &mut inner_writer) {
            w.set_error(format!(
                "google.protobuf.Any holds a broken {}: {e}",
                self.type_url
            ));
            w.null();
            return;
        }
        if let Some(e) = inner_writer.take_error() {
            w.set_error(e.message().to_string());
        }
        w.begin_object();
        w.key("@type");
        w.string(&self.type_url);
        if entry.custom_json {
            w.key("value");
            w.raw_value(std::str::from_utf8(&inner).unwrap_or("null"));
        } else {
            // `inner` is `{...}`; its members follow `@type`.
            let body = &inner[1..inner.len().saturating_sub(1)];
            if !body.is_empty() {
                w.raw_members(std::str::from_utf8(body).unwrap_or(""));
            }
        }
        w.end_object();
    }

    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        // `@type` may come after the fields, so look ahead for it first.
        let mut scan = p.clone();
        let mut type_url: Option<String> = None;
        scan.object(|s, key| {
            if key == "@type" {
                type_url = Some(s.string()?.into_owned());
                Ok(())
            } else {
                s.skip_value()
            }
        })?;
        let Some(type_url) = type_url else {
            // `{}` is an unset Any; anything else needs `@type`.
            let mut members = 0;
            p.object(|p, _| {
                members += 1;
                p.skip_value()
            })?;
            if members > 0 {
                return Err(p.error("google.protobuf.Any in JSON needs an \"@type\" member"));
            }
            *self = Any::default();
            return Ok(());
        };
        let name = type_url.rsplit('/').next().unwrap_or(&type_url).to_string();
        let registry = registry_of(p.options().registry.as_deref());
        let Some(entry) = registry.get(&name) else {
            return Err(p.error(format!(
                "unknown type {type_url:?} in google.protobuf.Any; register it with TypeRegistry::with"
            )));
        };
        let value = if entry.custom_json {
            let mut value = None;
            p.object(|p, key| match key {
                "@type" => p.skip_value(),
                "value" => {
                    value = Some((entry.read)(p, false)?);
                    Ok(())
                }
                other => p.unknown_field(other),
            })?;
            value.ok_or_else(|| {
                p.error(format!(
                    "google.protobuf.Any holding {name} needs a \"value\" member"
                ))
            })?
        } else {
            (entry.read)(p, true)?
        };
        self.type_url = type_url;
        self.value = value;
        Ok(())
    }
}
