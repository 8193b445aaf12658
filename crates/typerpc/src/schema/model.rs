//! The static schema model: what `#[derive(Message)]` records about each type.
//!
//! Every derived message, enum and oneof owns one `static` value of the types
//! below. They are plain data (names, numbers, types, docs) built at compile
//! time, with function pointers where one type refers to another so that
//! recursive messages need no allocation and no initialisation order.
//!
//! The renderers in this module's siblings turn a set of these into `.proto`
//! text (`proto_text.rs`) and `FileDescriptorProto`s
//! (`descriptor.rs`); both read the same model, so what reflection
//! serves is what the `.proto` says.

/// The scalar value types of protobuf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `double`
    Double,
    /// `float`
    Float,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `uint32`
    Uint32,
    /// `uint64`
    Uint64,
    /// `sint32`
    Sint32,
    /// `sint64`
    Sint64,
    /// `fixed32`
    Fixed32,
    /// `fixed64`
    Fixed64,
    /// `sfixed32`
    Sfixed32,
    /// `sfixed64`
    Sfixed64,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `bytes`
    Bytes,
}

impl Scalar {
    /// The keyword used for this type in `.proto` text.
    pub const fn proto_name(self) -> &'static str {
        match self {
            Scalar::Double => "double",
            Scalar::Float => "float",
            Scalar::Int32 => "int32",
            Scalar::Int64 => "int64",
            Scalar::Uint32 => "uint32",
            Scalar::Uint64 => "uint64",
            Scalar::Sint32 => "sint32",
            Scalar::Sint64 => "sint64",
            Scalar::Fixed32 => "fixed32",
            Scalar::Fixed64 => "fixed64",
            Scalar::Sfixed32 => "sfixed32",
            Scalar::Sfixed64 => "sfixed64",
            Scalar::Bool => "bool",
            Scalar::String => "string",
            Scalar::Bytes => "bytes",
        }
    }
}

/// The type of one value: a scalar, or a reference to a message or enum.
///
/// References are function pointers so that a message may refer to itself.
#[derive(Clone, Copy, Debug)]
pub enum TypeRef {
    /// A scalar type.
    Scalar(Scalar),
    /// A message type.
    Message(fn() -> &'static MessageSchema),
    /// An enum type.
    Enum(fn() -> &'static EnumSchema),
}

/// How a field holds its values.
#[derive(Clone, Copy, Debug)]
pub enum FieldShape {
    /// One value without presence (proto3 implicit presence), or a message
    /// (messages always have presence).
    Singular(TypeRef),
    /// One value with explicit presence (`optional` in proto3): an `Option<T>`
    /// of a scalar or enum, or a field with a declared default.
    Optional(TypeRef),
    /// `repeated T`.
    Repeated(TypeRef),
    /// `map<K, V>`; the key is always a scalar.
    Map(Scalar, TypeRef),
    /// A oneof group; its members are described by the oneof's own schema.
    Oneof(fn() -> &'static OneofSchema),
}

/// One field of a message as declared in Rust.
///
/// A oneof field (`FieldShape::Oneof`) stands for all of the oneof's members;
/// `number` is then the number of its first member, and the members take the
/// numbers that [`OneofSchema::number`] gives.
#[derive(Clone, Copy, Debug)]
pub struct FieldSchema {
    /// The proto field name (for a oneof: the oneof's name).
    pub name: &'static str,
    /// The JSON name (lowerCamelCase of `name` unless overridden).
    pub json_name: &'static str,
    /// The field number (for a oneof: the base number, see above).
    pub number: u32,
    /// The shape and the value type.
    pub shape: FieldShape,
    /// The `///` doc comment, with the leading space of each line removed.
    pub doc: &'static str,
    /// The Rust source text of a declared default (`#[rpc(default = ...)]`),
    /// shown in a `.proto` comment.
    pub default: Option<&'static str>,
    /// The validation constraints as written in `#[rpc(...)]`
    /// (`min_len = 1, max_len = 64`), shown in a `.proto` comment; empty
    /// when there are none.
    pub rules: &'static str,
}

/// A message type.
#[derive(Clone, Copy, Debug)]
pub struct MessageSchema {
    /// The proto name inside its package. A dotted name (`Outer.Inner`)
    /// declares a nested message; its parent must be a message of the same
    /// package.
    pub name: &'static str,
    /// The proto package. `None` means "not declared": the schema builder
    /// places the message in the package of the first service or message
    /// that refers to it.
    pub package: Option<&'static str>,
    /// The `.proto` file the type belongs to, when fixed (the well-known
    /// types say `google/protobuf/timestamp.proto` and so on). `None` lets the
    /// schema builder choose from the package.
    pub file: Option<&'static str>,
    /// The `///` doc comment.
    pub doc: &'static str,
    /// The fields in declaration order.
    pub fields: &'static [FieldSchema],
    /// Reserved number ranges, inclusive on both ends.
    pub reserved_numbers: &'static [(u32, u32)],
    /// Reserved field names.
    pub reserved_names: &'static [&'static str],
}

/// One value of an enum.
#[derive(Clone, Copy, Debug)]
pub struct EnumValueSchema {
    /// The proto name, already prefixed (`COLOR_RED`).
    pub name: &'static str,
    /// The number.
    pub number: i32,
    /// The `///` doc comment.
    pub doc: &'static str,
}

/// An enum type.
#[derive(Clone, Copy, Debug)]
pub struct EnumSchema {
    /// The proto name inside its package (dotted when nested in a message).
    pub name: &'static str,
    /// The proto package; `None` as for [`MessageSchema::package`].
    pub package: Option<&'static str>,
    /// The fixed `.proto` file, as for [`MessageSchema::file`].
    pub file: Option<&'static str>,
    /// The `///` doc comment.
    pub doc: &'static str,
    /// The values in declaration order; the first has number 0.
    pub values: &'static [EnumValueSchema],
}

/// One member of a oneof.
#[derive(Clone, Copy, Debug)]
pub struct OneofVariantSchema {
    /// The proto field name of this member.
    pub name: &'static str,
    /// The JSON name.
    pub json_name: &'static str,
    /// The number, when the variant declares one (`#[rpc(tag = N)]`);
    /// otherwise the member takes the base number plus its position.
    pub number: Option<u32>,
    /// The member's value type (members are never repeated or maps).
    pub ty: TypeRef,
    /// The `///` doc comment.
    pub doc: &'static str,
}

/// A oneof: a Rust enum whose variants each hold one value.
#[derive(Clone, Copy, Debug)]
pub struct OneofSchema {
    /// The Rust type name, for messages.
    pub rust_name: &'static str,
    /// The `///` doc comment of the enum.
    pub doc: &'static str,
    /// The members in declaration order.
    pub variants: &'static [OneofVariantSchema],
}

impl OneofSchema {
    /// The field number of the member at `index` when the oneof field sits
    /// at `base`.
    pub const fn number(&self, base: u32, index: usize) -> u32 {
        match self.variants[index].number {
            Some(n) => n,
            None => base + index as u32,
        }
    }
}

impl MessageSchema {
    /// The full proto name once the package is known (`pkg.Name`).
    pub fn full_name_in(&self, package: &str) -> String {
        if package.is_empty() {
            self.name.to_string()
        } else {
            format!("{package}.{}", self.name)
        }
    }
}

/// One RPC method of a service.
#[derive(Clone, Copy, Debug)]
pub struct MethodSchema {
    /// The proto method name (PascalCase).
    pub name: &'static str,
    /// The request message.
    pub input: fn() -> &'static MessageSchema,
    /// The response message.
    pub output: fn() -> &'static MessageSchema,
    /// The client sends a stream of requests.
    pub client_streaming: bool,
    /// The server sends a stream of responses.
    pub server_streaming: bool,
    /// Marked free of side effects (`idempotency_level = NO_SIDE_EFFECTS`).
    pub idempotent: bool,
    /// The `///` doc comment.
    pub doc: &'static str,
}

/// A service.
#[derive(Clone, Copy, Debug)]
pub struct ServiceSchema {
    /// The proto service name.
    pub name: &'static str,
    /// The proto package (always known for services).
    pub package: &'static str,
    /// The `///` doc comment.
    pub doc: &'static str,
    /// The methods in declaration order.
    pub methods: &'static [MethodSchema],
}
