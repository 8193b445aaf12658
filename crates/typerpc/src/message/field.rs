//! How one Rust field becomes one protobuf field.
//!
//! `#[derive(Message)]` does not look at field types itself (a type alias or a
//! path would fool it). It emits calls through three traits and lets the type
//! system pick the behaviour:
//!
//! - [`ProtoValue`]: one value of a proto type (a scalar, an enum, a message),
//!   as it appears as an element of a repeated field, a map value, a oneof
//!   member or the content of a singular field.
//! - [`Field`]: a whole field of a message: a bare value (implicit presence),
//!   `Option<T>` (explicit presence), `Vec<T>` (repeated), `HashMap` /
//!   `BTreeMap` (maps), `Box<T>`.
//! - [`OptionalField`]: what may stand inside `Option<T>` or carry a declared
//!   default: values that are always written when present, and oneofs.
//!
//! The integer encodings (`sint`, `fixed`) are a const parameter, not a type
//! parameter: with a type parameter, another crate could implement the traits
//! for its own marker type and the container impls below would overlap.

use bytes::{Buf, BufMut};
use prost::encoding::{self, DecodeContext, WireType};
use prost::DecodeError;

use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::schema::model::{FieldShape, Scalar, TypeRef};

/// The default encoding of a value: `int32`, `int64`, `uint32`, ...
pub const PLAIN: u8 = 0;
/// Zig-zag encoding for signed integers (`sint32`, `sint64`), chosen with `#[rpc(sint)]`.
pub const SINT: u8 = 1;
/// Fixed-width encoding (`fixed32`, `sfixed64`, ...), chosen with `#[rpc(fixed)]`.
pub const FIXED: u8 = 2;

/// One value of a protobuf type: a scalar, an enum or a message.
///
/// Implemented by typerpc for the scalar types and by `#[derive(Message)]`
/// for your messages and enums. `E` selects an integer encoding
/// ([`PLAIN`], [`SINT`], [`FIXED`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no protobuf mapping here",
    label = "no protobuf mapping",
    note = "use a scalar (String, bool, i32, i64, u32, u64, f32, f64, Vec<u8>, bytes::Bytes), a type that derives `typerpc::Message`, or a well-known type (typerpc::Timestamp, Duration, Struct, Value, Any, Empty)",
    note = "`#[rpc(sint)]` applies only to i32 and i64, `#[rpc(fixed)]` only to i32, i64, u32 and u64"
)]
pub trait ProtoValue<const E: u8 = PLAIN>: Sized {
    /// The wire type of one encoded value.
    const WIRE_TYPE: WireType;
    /// The schema type of the value.
    const TYPE: TypeRef;
    /// Numbers (varint and fixed types) may be packed in repeated fields.
    const PACKABLE: bool = false;
    /// `google.protobuf.Value` and `NullValue` read JSON `null` as a value;
    /// every other type reads it as "not set".
    const JSON_NULL_IS_VALUE: bool = false;

    /// The value the field has when the sender did not send it.
    fn default_value() -> Self;
    /// Whether this is the proto3 default (zero, empty) value.
    fn is_default_value(&self) -> bool;
    /// Writes the value without its field key.
    fn encode_value(&self, buf: &mut impl BufMut);
    /// The length of [`encode_value`](Self::encode_value)'s output.
    fn value_len(&self) -> usize;
    /// Reads one value (checking the wire type) and merges it into `self`.
    fn merge_value(
        &mut self,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError>;
    /// Writes the value in proto3 JSON.
    fn write_json(&self, w: &mut JsonWriter<'_>);
    /// Reads the value from proto3 JSON (not `null`, unless
    /// [`JSON_NULL_IS_VALUE`](Self::JSON_NULL_IS_VALUE)).
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError>;
}

/// A type that can be a map key: integers, `bool` and `String`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a protobuf map key",
    note = "map keys must be integers, bool or String"
)]
pub trait MapKey<const E: u8 = PLAIN>: ProtoValue<E> {
    /// The key's scalar type.
    const SCALAR: Scalar;
    /// Writes the key as a JSON object key (always a string).
    fn write_json_key(&self, w: &mut JsonWriter<'_>);
    /// Parses the key from a JSON object key.
    fn parse_json_key(key: &str, p: &JsonParser<'_>) -> Result<Self, JsonError>;
}

/// A whole field of a message.
///
/// `base` is the field's number; a oneof occupies [`NUMBERS`](Self::NUMBERS)
/// numbers starting at `base` (unless its members declare their own).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a typerpc message",
    label = "unsupported field type",
    note = "fields may be a scalar, a message, an enum, Option<T>, Vec<T>, HashMap<K, V>, BTreeMap<K, V> or Box<T> of those; a oneof enum must be wrapped in Option<...>",
    note = "`#[rpc(sint)]` applies only to i32 and i64, `#[rpc(fixed)]` only to i32, i64, u32 and u64 (and to Option, Vec and maps of them)"
)]
pub trait Field<const E: u8 = PLAIN> {
    /// How many field numbers the field takes (a oneof takes one per member).
    const NUMBERS: u32 = 1;
    /// Explicit member numbers of a oneof (`None` = base + position).
    const ONEOF_NUMBERS: &'static [Option<u32>] = &[];
    /// Whether the field is a oneof (its members are keyed by their own names).
    const IS_ONEOF: bool = false;
    /// The schema shape.
    const SHAPE: FieldShape;

    /// Writes the field (nothing when it holds an unset/default value that
    /// proto3 does not transmit).
    fn encode_field(&self, base: u32, buf: &mut impl BufMut);
    /// The length of [`encode_field`](Self::encode_field)'s output.
    fn field_len(&self, base: u32) -> usize;
    /// Whether a received `tag` belongs to this field.
    #[inline]
    fn owns(tag: u32, base: u32) -> bool {
        tag == base
    }
    /// Merges one received occurrence of the field.
    fn merge_field(
        &mut self,
        tag: u32,
        base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError>;
    /// Resets the field to its state after decoding an empty message.
    fn clear_field(&mut self);
    /// Writes `"key": value` unless proto3 JSON omits the field.
    fn write_json_member(&self, key: &str, w: &mut JsonWriter<'_>);
    /// Reads the JSON value of the field (the key has been read).
    fn merge_json_member(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError>;
    /// For oneofs: reads the member named `key`, returning `false` when no
    /// member has that name.
    #[inline]
    fn merge_json_oneof(&mut self, _key: &str, _p: &mut JsonParser<'_>) -> Result<bool, JsonError> {
        Ok(false)
    }
}

/// What may stand inside `Option<T>` or carry `#[rpc(default = ...)]`: a value
/// with explicit presence, written whenever it is present.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot stand inside `Option<...>` or take `#[rpc(default = ...)]` in a typerpc message",
    label = "cannot be optional",
    note = "`Option<T>` takes a scalar (String, bool, i32, i64, u32, u64, f32, f64, Vec<u8>, bytes::Bytes), an enum, a message or a oneof that derives `typerpc::Message`, or a well-known type; `#[rpc(default = ...)]` takes a scalar or an enum",
    note = "`Vec<T>` and maps are never absent: use them without `Option`",
    note = "`#[rpc(sint)]` applies only to i32 and i64, `#[rpc(fixed)]` only to i32, i64, u32 and u64"
)]
pub trait OptionalField<const E: u8 = PLAIN>: Sized {
    /// As [`Field::NUMBERS`].
    const NUMBERS: u32 = 1;
    /// As [`Field::ONEOF_NUMBERS`].
    const ONEOF_NUMBERS: &'static [Option<u32>] = &[];
    /// As [`Field::IS_ONEOF`].
    const IS_ONEOF: bool = false;
    /// The shape of `Option<Self>`.
    const OPTIONAL_SHAPE: FieldShape;

    /// A fresh value to merge a first occurrence into, or `None` when the
    /// tag does not start a value (only oneofs need the tag to choose).
    fn new_for_tag(tag: u32, base: u32) -> Option<Self>;
    /// Writes the value, whatever it is.
    fn encode_present(&self, base: u32, buf: &mut impl BufMut);
    /// The length of [`encode_present`](Self::encode_present)'s output.
    fn present_len(&self, base: u32) -> usize;
    /// As [`Field::owns`].
    #[inline]
    fn owns_tag(tag: u32, base: u32) -> bool {
        tag == base
    }
    /// Merges one received occurrence.
    fn merge_present(
        &mut self,
        tag: u32,
        base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError>;
    /// Writes `"key": value` (oneofs write their member's own key).
    fn write_json_present(&self, key: &str, w: &mut JsonWriter<'_>);
    /// Reads the value from JSON (not `null`).
    fn merge_json_present(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError>;
    /// Whether JSON `null` is a value of this type (see
    /// [`ProtoValue::JSON_NULL_IS_VALUE`]).
    const JSON_NULL_IS_VALUE: bool = false;
    /// For oneofs: reads member `key` into `slot`; `Ok(false)` when the
    /// oneof has no member of that name.
    #[inline]
    fn merge_json_oneof_member(
        _slot: &mut Option<Self>,
        _key: &str,
        _p: &mut JsonParser<'_>,
    ) -> Result<bool, JsonError> {
        Ok(false)
    }
}

/// Writes a varint.
///
/// Most varints a message writes are one byte: keys of fields numbered up
/// to 15, lengths of short strings, small numbers and enums. That case is
/// one inlined `put_u8`; longer values go to prost's encoder, which
/// otherwise is a function call with a loop for every key and length.
#[inline(always)]
pub fn encode_varint(value: u64, buf: &mut impl BufMut) {
    if value < 0x80 {
        buf.put_u8(value as u8);
    } else {
        encoding::encode_varint(value, buf);
    }
}

/// Writes a field key. The number is a constant in generated code, so a key
/// of a field numbered up to 15 compiles to writing one constant byte.
#[inline(always)]
pub fn encode_key(tag: u32, wire_type: WireType, buf: &mut impl BufMut) {
    debug_assert!((1..=crate::message::derive_support::MAX_FIELD_NUMBER).contains(&tag));
    encode_varint(u64::from((tag << 3) | wire_type as u32), buf);
}

/// Reads a varint: a one-byte value (most of them) inline, anything longer
/// with prost's decoder.
#[inline(always)]
pub fn decode_varint(buf: &mut impl Buf) -> Result<u64, DecodeError> {
    if let Some(&byte) = buf.chunk().first() {
        if byte < 0x80 {
            buf.advance(1);
            return Ok(u64::from(byte));
        }
    }
    encoding::decode_varint(buf)
}

/// Reads a field key: the one-byte key of a field numbered up to 15 inline,
/// anything else (longer keys, and every error) with prost's decoder.
#[inline(always)]
pub fn decode_key(buf: &mut impl Buf) -> Result<(u32, WireType), DecodeError> {
    if let Some(&byte) = buf.chunk().first() {
        let wire_type = match byte & 7 {
            0 => Some(WireType::Varint),
            1 => Some(WireType::SixtyFourBit),
            2 => Some(WireType::LengthDelimited),
            3 => Some(WireType::StartGroup),
            4 => Some(WireType::EndGroup),
            5 => Some(WireType::ThirtyTwoBit),
            _ => None,
        };
        let tag = u32::from(byte >> 3);
        if let (true, Some(wire_type)) = (byte < 0x80 && tag != 0, wire_type) {
            buf.advance(1);
            return Ok((tag, wire_type));
        }
    }
    encoding::decode_key(buf)
}

/// The length of a field key.
#[inline]
pub const fn key_len(tag: u32) -> usize {
    encoding::key_len(tag)
}

/// Length of a length-delimited payload of `len` bytes including its prefix.
#[inline]
pub fn delimited_len(len: usize) -> usize {
    encoding::encoded_len_varint(len as u64) + len
}

// ---------------------------------------------------------------------------
// Option<T>: explicit presence.

impl<const E: u8, T: OptionalField<E>> Field<E> for Option<T> {
    const NUMBERS: u32 = T::NUMBERS;
    const ONEOF_NUMBERS: &'static [Option<u32>] = T::ONEOF_NUMBERS;
    const IS_ONEOF: bool = T::IS_ONEOF;
    const SHAPE: FieldShape = T::OPTIONAL_SHAPE;

    #[inline]
    fn encode_field(&self, base: u32, buf: &mut impl BufMut) {
        if let Some(value) = self {
            value.encode_present(base, buf);
        }
    }

    #[inline]
    fn field_len(&self, base: u32) -> usize {
        self.as_ref().map_or(0, |value| value.present_len(base))
    }

    #[inline]
    fn owns(tag: u32, base: u32) -> bool {
        T::owns_tag(tag, base)
    }

    fn merge_field(
        &mut self,
        tag: u32,
        base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        match self {
            // A oneof switches members inside `merge_present` when the tag
            // belongs to another member.
            Some(value) => value.merge_present(tag, base, wire_type, buf, ctx),
            None => {
                let mut value = T::new_for_tag(tag, base).ok_or_else(|| {
                    crate::message::derive_support::decode_error(
                        "field number does not belong to this oneof",
                    )
                })?;
                value.merge_present(tag, base, wire_type, buf, ctx)?;
                *self = Some(value);
                Ok(())
            }
        }
    }

    #[inline]
    fn clear_field(&mut self) {
        *self = None;
    }

    #[inline]
    fn write_json_member(&self, key: &str, w: &mut JsonWriter<'_>) {
        // Fields with presence are written only when set, even when the
        // caller asked for defaults (as protobuf's canonical JSON does).
        if let Some(value) = self {
            value.write_json_present(key, w);
        }
    }

    fn merge_json_member(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        if !T::JSON_NULL_IS_VALUE && p.take_null()? {
            *self = None;
            return Ok(());
        }
        match self {
            Some(value) => value.merge_json_present(p),
            None => {
                let mut value = T::new_for_tag(0, 0)
                    .ok_or_else(|| p.error("a oneof has no JSON key of its own"))?;
                value.merge_json_present(p)?;
                *self = Some(value);
                Ok(())
            }
        }
    }

    #[inline]
    fn merge_json_oneof(&mut self, key: &str, p: &mut JsonParser<'_>) -> Result<bool, JsonError> {
        T::merge_json_oneof_member(self, key, p)
    }
}

// ---------------------------------------------------------------------------
// Box<T>: recursion.

impl<const E: u8, T: Field<E>> Field<E> for Box<T> {
    const NUMBERS: u32 = T::NUMBERS;
    const ONEOF_NUMBERS: &'static [Option<u32>] = T::ONEOF_NUMBERS;
    const IS_ONEOF: bool = T::IS_ONEOF;
    const SHAPE: FieldShape = T::SHAPE;

    #[inline]
    fn encode_field(&self, base: u32, buf: &mut impl BufMut) {
        (**self).encode_field(base, buf)
    }
    #[inline]
    fn field_len(&self, base: u32) -> usize {
        (**self).field_len(base)
    }
    #[inline]
    fn owns(tag: u32, base: u32) -> bool {
        T::owns(tag, base)
    }
    #[inline]
    fn merge_field(
        &mut self,
        tag: u32,
        base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        (**self).merge_field(tag, base, wire_type, buf, ctx)
    }
    #[inline]
    fn clear_field(&mut self) {
        (**self).clear_field()
    }
    #[inline]
    fn write_json_member(&self, key: &str, w: &mut JsonWriter<'_>) {
        (**self).write_json_member(key, w)
    }
    #[inline]
    fn merge_json_member(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        (**self).merge_json_member(p)
    }
    #[inline]
    fn merge_json_oneof(&mut self, key: &str, p: &mut JsonParser<'_>) -> Result<bool, JsonError> {
        (**self).merge_json_oneof(key, p)
    }
}

#[diagnostic::do_not_recommend]
impl<const E: u8, T: OptionalField<E>> OptionalField<E> for Box<T> {
    const NUMBERS: u32 = T::NUMBERS;
    const ONEOF_NUMBERS: &'static [Option<u32>] = T::ONEOF_NUMBERS;
    const IS_ONEOF: bool = T::IS_ONEOF;
    const OPTIONAL_SHAPE: FieldShape = T::OPTIONAL_SHAPE;
    const JSON_NULL_IS_VALUE: bool = T::JSON_NULL_IS_VALUE;

    #[inline]
    fn new_for_tag(tag: u32, base: u32) -> Option<Self> {
        T::new_for_tag(tag, base).map(Box::new)
    }
    #[inline]
    fn encode_present(&self, base: u32, buf: &mut impl BufMut) {
        (**self).encode_present(base, buf)
    }
    #[inline]
    fn present_len(&self, base: u32) -> usize {
        (**self).present_len(base)
    }
    #[inline]
    fn owns_tag(tag: u32, base: u32) -> bool {
        T::owns_tag(tag, base)
    }
    #[inline]
    fn merge_present(
        &mut self,
        tag: u32,
        base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        (**self).merge_present(tag, base, wire_type, buf, ctx)
    }
    #[inline]
    fn write_json_present(&self, key: &str, w: &mut JsonWriter<'_>) {
        (**self).write_json_present(key, w)
    }
    #[inline]
    fn merge_json_present(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        (**self).merge_json_present(p)
    }
    fn merge_json_oneof_member(
        slot: &mut Option<Self>,
        key: &str,
        p: &mut JsonParser<'_>,
    ) -> Result<bool, JsonError> {
        let mut inner = slot.take().map(|boxed| *boxed);
        let found = T::merge_json_oneof_member(&mut inner, key, p)?;
        *slot = inner.map(Box::new);
        Ok(found)
    }
}

/// `Box<M>` holds a message in a oneof member or a repeated field of a
/// recursive type.
#[diagnostic::do_not_recommend]
impl<const E: u8, T: ProtoValue<E>> ProtoValue<E> for Box<T> {
    const WIRE_TYPE: WireType = T::WIRE_TYPE;
    const TYPE: TypeRef = T::TYPE;
    const PACKABLE: bool = T::PACKABLE;
    const JSON_NULL_IS_VALUE: bool = T::JSON_NULL_IS_VALUE;

    #[inline]
    fn default_value() -> Self {
        Box::new(T::default_value())
    }
    #[inline]
    fn is_default_value(&self) -> bool {
        (**self).is_default_value()
    }
    #[inline]
    fn encode_value(&self, buf: &mut impl BufMut) {
        (**self).encode_value(buf)
    }
    #[inline]
    fn value_len(&self) -> usize {
        (**self).value_len()
    }
    #[inline]
    fn merge_value(
        &mut self,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        (**self).merge_value(wire_type, buf, ctx)
    }
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        (**self).write_json(w)
    }
    #[inline]
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        (**self).merge_json(p)
    }
}
