//! Settings shared by the JSON writer and parser.

use std::sync::Arc;

use crate::message::wkt::TypeRegistry;

/// The nesting limit used when [`JsonOptions::max_depth`] is left at 0.
///
/// 100 matches the protobuf reference implementations' default recursion
/// limit, so messages that one of them accepts are accepted here too.
const DEFAULT_MAX_DEPTH: u32 = 100;

/// Options for writing and parsing proto3 JSON.
///
/// The default is the canonical form: fields holding their default value
/// are left out on output, and unknown fields are an error on input.
#[derive(Clone, Debug, Default)]
pub struct JsonOptions {
    /// Write fields that hold their default value (0, `""`, `false`, empty
    /// lists and maps) instead of leaving them out.
    pub emit_defaults: bool,
    /// Skip members whose name matches no field when parsing, instead of
    /// failing; useful when talking to peers with a newer schema.
    pub ignore_unknown_fields: bool,
    /// How deeply objects and arrays may nest when parsing; 0 means
    /// the default of 100. The limit keeps hostile input from exhausting
    /// the stack of the recursive code that generated messages run.
    pub max_depth: u32,
    /// The message types `google.protobuf.Any` may hold in JSON; `None`
    /// means the well-known types only.
    pub registry: Option<Arc<TypeRegistry>>,
}

impl JsonOptions {
    /// Sets [`emit_defaults`](Self::emit_defaults).
    #[must_use]
    pub fn with_emit_defaults(mut self, emit_defaults: bool) -> Self {
        self.emit_defaults = emit_defaults;
        self
    }

    /// Sets [`ignore_unknown_fields`](Self::ignore_unknown_fields).
    #[must_use]
    pub fn with_ignore_unknown_fields(mut self, ignore_unknown_fields: bool) -> Self {
        self.ignore_unknown_fields = ignore_unknown_fields;
        self
    }

    /// Sets the [`registry`](Self::registry) used for `google.protobuf.Any`.
    #[must_use]
    pub fn with_registry(mut self, registry: TypeRegistry) -> Self {
        self.registry = Some(Arc::new(registry));
        self
    }

    /// The nesting limit in force: [`max_depth`](Self::max_depth), or 100
    /// when that is 0.
    pub fn max_depth(&self) -> u32 {
        if self.max_depth == 0 {
            DEFAULT_MAX_DEPTH
        } else {
            self.max_depth
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_canonical() {
        let options = JsonOptions::default();
        assert!(!options.emit_defaults);
        assert!(!options.ignore_unknown_fields);
        assert_eq!(options.max_depth(), DEFAULT_MAX_DEPTH);
    }

    #[test]
    fn builders_set_fields() {
        let options = JsonOptions::default()
            .with_emit_defaults(true)
            .with_ignore_unknown_fields(true);
        assert!(options.emit_defaults);
        assert!(options.ignore_unknown_fields);
        let options = options
            .with_emit_defaults(false)
            .with_ignore_unknown_fields(false);
        assert!(!options.emit_defaults);
        assert!(!options.ignore_unknown_fields);
    }

    #[test]
    fn explicit_max_depth_wins() {
        let options = JsonOptions {
            max_depth: 7,
            ..JsonOptions::default()
        };
        assert_eq!(options.max_depth(), 7);
    }
}
