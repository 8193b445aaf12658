//! The scalar types: numbers, `bool`, `String`, `Vec<u8>` and `Bytes`.
//!
//! Each Rust integer type maps to exactly one proto type per encoding, so a
//! value is never narrowed: `i64` is `int64` (or `sint64` / `sfixed64`),
//! `f64` is `double`.

use bytes::{Buf, BufMut, Bytes};
use prost::encoding::{self, check_wire_type, DecodeContext, WireType};
use prost::DecodeError;

use super::field::{MapKey, ProtoValue, FIXED, PLAIN, SINT};
use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::schema::model::{Scalar, TypeRef};

/// Implements `ProtoValue`, the field traits and (for integers) `MapKey`
/// for one numeric type in one encoding.
macro_rules! numeric {
    (
        $ty:ty, $enc:expr, $scalar:ident, $wire:ident,
        encode = |$ev:ident, $buf:ident| $encode:expr,
        len = |$lv:ident| $len:expr,
        decode = |$dbuf:ident| $decode:expr,
        json_write = $jw:ident, json_read = $jr:ident
    ) => {
        #[diagnostic::do_not_recommend]
        impl ProtoValue<{ $enc }> for $ty {
            const WIRE_TYPE: WireType = WireType::$wire;
            const TYPE: TypeRef = TypeRef::Scalar(Scalar::$scalar);
            const PACKABLE: bool = true;

            #[inline]
            fn default_value() -> Self {
                0 as $ty
            }
            #[inline]
            #[allow(clippy::float_cmp)]
            fn is_default_value(&self) -> bool {
                *self == 0 as $ty
            }
            #[inline]
            fn encode_value(&self, $buf: &mut impl BufMut) {
                let $ev = *self;
                $encode
            }
            #[inline]
            fn value_len(&self) -> usize {
                let $lv = *self;
                $len
            }
            #[inline]
            fn merge_value(
                &mut self,
                wire_type: WireType,
                $dbuf: &mut impl Buf,
                _ctx: DecodeContext,
            ) -> Result<(), DecodeError> {
                check_wire_type(WireType::$wire, wire_type)?;
                *self = $decode;
                Ok(())
            }
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.$jw(*self);
            }
            #[inline]
            fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
                *self = p.$jr()?;
                Ok(())
            }
        }

        crate::__impl_value_fields!($ty, $enc, skip_default = true, optional_shape = Optional);
    };
}

/// Decodes a varint and keeps its low 32 bits, as protobuf does for 32-bit
/// varint types.
#[inline]
fn varint32(buf: &mut impl Buf) -> Result<u32, DecodeError> {
    Ok(super::field::decode_varint(buf)? as u32)
}

#[inline]
fn fixed32(buf: &mut impl Buf) -> Result<u32, DecodeError> {
    if buf.remaining() < 4 {
        return Err(crate::message::derive_support::decode_error(
            "buffer underflow",
        ));
    }
    Ok(buf.get_u32_le())
}

#[inline]
fn fixed64(buf: &mut impl Buf) -> Result<u64, DecodeError> {
    if buf.remaining() < 8 {
        return Err(crate::message::derive_support::decode_error(
            "buffer underflow",
        ));
    }
    Ok(buf.get_u64_le())
}

#[inline]
fn zigzag32(v: i32) -> u64 {
    u64::from(((v << 1) ^ (v >> 31)) as u32)
}

#[inline]
fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag32(n: u32) -> i32 {
    ((n >> 1) as i32) ^ (-((n & 1) as i32))
}

#[inline]
fn unzigzag64(n: u64) -> i64 {
    ((n >> 1) as i64) ^ (-((n & 1) as i64))
}

// int32 sign-extends negative values to ten bytes, as the wire format says.
numeric!(
    i32,
    PLAIN,
    Int32,
    Varint,
    encode = |v, buf| super::field::encode_varint(v as i64 as u64, buf),
    len = |v| encoding::encoded_len_varint(v as i64 as u64),
    decode = |buf| varint32(buf)? as i32,
    json_write = i32,
    json_read = i32
);
numeric!(
    i64,
    PLAIN,
    Int64,
    Varint,
    encode = |v, buf| super::field::encode_varint(v as u64, buf),
    len = |v| encoding::encoded_len_varint(v as u64),
    decode = |buf| super::field::decode_varint(buf)? as i64,
    json_write = i64,
    json_read = i64
);
numeric!(
    u32,
    PLAIN,
    Uint32,
    Varint,
    encode = |v, buf| super::field::encode_varint(u64::from(v), buf),
    len = |v| encoding::encoded_len_varint(u64::from(v)),
    decode = |buf| varint32(buf)?,
    json_write = u32,
    json_read = u32
);
numeric!(
    u64,
    PLAIN,
    Uint64,
    Varint,
    encode = |v, buf| super::field::encode_varint(v, buf),
    len = |v| encoding::encoded_len_varint(v),
    decode = |buf| super::field::decode_varint(buf)?,
    json_write = u64,
    json_read = u64
);
numeric!(
    i32,
    SINT,
    Sint32,
    Varint,
    encode = |v, buf| super::field::encode_varint(zigzag32(v), buf),
    len = |v| encoding::encoded_len_varint(zigzag32(v)),
    decode = |buf| unzigzag32(varint32(buf)?),
    json_write = i32,
    json_read = i32
);
numeric!(
    i64,
    SINT,
    Sint64,
    Varint,
    encode = |v, buf| super::field::encode_varint(zigzag64(v), buf),
    len = |v| encoding::encoded_len_varint(zigzag64(v)),
    decode = |buf| unzigzag64(super::field::decode_varint(buf)?),
    json_write = i64,
    json_read = i64
);
numeric!(
    i32,
    FIXED,
    Sfixed32,
    ThirtyTwoBit,
    encode = |v, buf| buf.put_i32_le(v),
    len = |_v| 4,
    decode = |buf| fixed32(buf)? as i32,
    json_write = i32,
    json_read = i32
);
numeric!(
    i64,
    FIXED,
    Sfixed64,
    SixtyFourBit,
    encode = |v, buf| buf.put_i64_le(v),
    len = |_v| 8,
    decode = |buf| fixed64(buf)? as i64,
    json_write = i64,
    json_read = i64
);
numeric!(
    u32,
    FIXED,
    Fixed32,
    ThirtyTwoBit,
    encode = |v, buf| buf.put_u32_le(v),
    len = |_v| 4,
    decode = |buf| fixed32(buf)?,
    json_write = u32,
    json_read = u32
);
numeric!(
    u64,
    FIXED,
    Fixed64,
    SixtyFourBit,
    encode = |v, buf| buf.put_u64_le(v),
    len = |_v| 8,
    decode = |buf| fixed64(buf)?,
    json_write = u64,
    json_read = u64
);
numeric!(
    f32,
    PLAIN,
    Float,
    ThirtyTwoBit,
    encode = |v, buf| buf.put_f32_le(v),
    len = |_v| 4,
    decode = |buf| f32::from_bits(fixed32(buf)?),
    json_write = f32,
    json_read = f32
);
numeric!(
    f64,
    PLAIN,
    Double,
    SixtyFourBit,
    encode = |v, buf| buf.put_f64_le(v),
    len = |_v| 8,
    decode = |buf| f64::from_bits(fixed64(buf)?),
    json_write = f64,
    json_read = f64
);

/// Integer map keys: written and read as decimal strings in JSON.
macro_rules! integer_map_key {
    ($ty:ty, $enc:expr, $scalar:ident) => {
        #[diagnostic::do_not_recommend]
        impl MapKey<{ $enc }> for $ty {
            const SCALAR: Scalar = Scalar::$scalar;
            #[inline]
            fn write_json_key(&self, w: &mut JsonWriter<'_>) {
                let mut text = itoa::Buffer::new();
                w.key(text.format(*self));
            }
            fn parse_json_key(key: &str, p: &JsonParser<'_>) -> Result<Self, JsonError> {
                key.parse::<$ty>().map_err(|_| {
                    p.error(format!(
                        "map key {key:?} is not a valid {}",
                        Scalar::$scalar.proto_name()
                    ))
                })
            }
        }
    };
}

integer_map_key!(i32, PLAIN, Int32);
integer_map_key!(i64, PLAIN, Int64);
integer_map_key!(u32, PLAIN, Uint32);
integer_map_key!(u64, PLAIN, Uint64);
integer_map_key!(i32, SINT, Sint32);
integer_map_key!(i64, SINT, Sint64);
integer_map_key!(i32, FIXED, Sfixed32);
integer_map_key!(i64, FIXED, Sfixed64);
integer_map_key!(u32, FIXED, Fixed32);
integer_map_key!(u64, FIXED, Fixed64);

#[diagnostic::do_not_recommend]
impl ProtoValue for bool {
    const WIRE_TYPE: WireType = WireType::Varint;
    const TYPE: TypeRef = TypeRef::Scalar(Scalar::Bool);
    const PACKABLE: bool = true;

    #[inline]
    fn default_value() -> Self {
        false
    }
    #[inline]
    fn is_default_value(&self) -> bool {
        !*self
    }
    #[inline]
    fn encode_value(&self, buf: &mut impl BufMut) {
        buf.put_u8(u8::from(*self));
    }
    #[inline]
    fn value_len(&self) -> usize {
        1
    }
    #[inline]
    fn merge_value(
        &mut self,
        wire_type: WireType,
        buf: &mut impl Buf,
        _ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        check_wire_type(WireType::Varint, wire_type)?;
        *self = super::field::decode_varint(buf)? != 0;
        Ok(())
    }
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.bool(*self);
    }
    #[inline]
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        *self = p.bool()?;
        Ok(())
    }
}
crate::__impl_value_fields!(bool, PLAIN, skip_default = true, optional_shape = Optional);

#[diagnostic::do_not_recommend]
impl MapKey for bool {
    const SCALAR: Scalar = Scalar::Bool;
    fn write_json_key(&self, w: &mut JsonWriter<'_>) {
        w.key(if *self { "true" } else { "false" });
    }
    fn parse_json_key(key: &str, p: &JsonParser<'_>) -> Result<Self, JsonError> {
        match key {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(p.error(format!("map key {key:?} is not a valid bool"))),
        }
    }
}

#[diagnostic::do_not_recommend]
impl ProtoValue for String {
    const WIRE_TYPE: WireType = WireType::LengthDelimited;
    const TYPE: TypeRef = TypeRef::Scalar(Scalar::String);

    #[inline]
    fn default_value() -> Self {
        String::new()
    }
    #[inline]
    fn is_default_value(&self) -> bool {
        self.is_empty()
    }
    #[inline]
    fn encode_value(&self, buf: &mut impl BufMut) {
        super::field::encode_varint(self.len() as u64, buf);
        buf.put_slice(self.as_bytes());
    }
    #[inline]
    fn value_len(&self) -> usize {
        super::field::delimited_len(self.len())
    }
    #[inline]
    fn merge_value(
        &mut self,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        encoding::string::merge(wire_type, self, buf, ctx)
    }
    #[inline]
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.string(self);
    }
    #[inline]
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        *self = p.string()?.into_owned();
        Ok(())
    }
}
crate::__impl_value_fields!(
    String,
    PLAIN,
    skip_default = true,
    optional_shape = Optional
);

#[diagnostic::do_not_recommend]
impl MapKey for String {
    const SCALAR: Scalar = Scalar::String;
    #[inline]
    fn write_json_key(&self, w: &mut JsonWriter<'_>) {
        w.key(self);
    }
    #[inline]
    fn parse_json_key(key: &str, _p: &JsonParser<'_>) -> Result<Self, JsonError> {
        Ok(key.to_owned())
    }
}

/// `bytes` for both byte containers users reach for.
macro_rules! bytes_value {
    ($ty:ty, $new:expr, merge = $merge:path) => {
        #[diagnostic::do_not_recommend]
        impl ProtoValue for $ty {
            const WIRE_TYPE: WireType = WireType::LengthDelimited;
            const TYPE: TypeRef = TypeRef::Scalar(Scalar::Bytes);

            #[inline]
            fn default_value() -> Self {
                $new
            }
            #[inline]
            fn is_default_value(&self) -> bool {
                self.is_empty()
            }
            #[inline]
            fn encode_value(&self, buf: &mut impl BufMut) {
                super::field::encode_varint(self.len() as u64, buf);
                buf.put_slice(self);
            }
            #[inline]
            fn value_len(&self) -> usize {
                super::field::delimited_len(self.len())
            }
            #[inline]
            fn merge_value(
                &mut self,
                wire_type: WireType,
                buf: &mut impl Buf,
                ctx: DecodeContext,
            ) -> Result<(), DecodeError> {
                $merge(wire_type, self, buf, ctx)
            }
            #[inline]
            fn write_json(&self, w: &mut JsonWriter<'_>) {
                w.bytes(self);
            }
            #[inline]
            fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
                *self = p.bytes()?.into();
                Ok(())
            }
        }
        crate::__impl_value_fields!($ty, PLAIN, skip_default = true, optional_shape = Optional);
    };
}

bytes_value!(Vec<u8>, Vec::new(), merge = merge_byte_vec);
// From a `Bytes` buffer, `copy_to_bytes` shares the buffer rather than copying.
bytes_value!(Bytes, Bytes::new(), merge = encoding::bytes::merge);

/// Reads a `bytes` value into a `Vec<u8>` with one allocation and one copy.
/// (prost's `bytes::merge` first copies into a `Bytes`, then into the vector.)
#[inline]
fn merge_byte_vec(
    wire_type: WireType,
    value: &mut Vec<u8>,
    buf: &mut impl Buf,
    _ctx: DecodeContext,
) -> Result<(), DecodeError> {
    check_wire_type(WireType::LengthDelimited, wire_type)?;
    let len = super::field::decode_varint(buf)?;
    if len > buf.remaining() as u64 {
        return Err(crate::message::derive_support::decode_error(
            "buffer underflow",
        ));
    }
    // Last one wins: a repeated occurrence replaces the value.
    value.clear();
    value.put(buf.take(len as usize));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_round_trips_extremes() {
        for v in [0, 1, -1, i32::MIN, i32::MAX] {
            assert_eq!(unzigzag32(zigzag32(v) as u32), v);
        }
        for v in [0, 1, -1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag64(zigzag64(v)), v);
        }
        assert_eq!(zigzag32(-1), 1);
        assert_eq!(zigzag32(1), 2);
    }

    #[test]
    fn truncated_fixed_values_are_errors_not_panics() {
        let mut short: &[u8] = &[1, 2, 3];
        assert!(fixed32(&mut short).is_err());
        let mut short: &[u8] = &[1, 2, 3, 4, 5, 6, 7];
        assert!(fixed64(&mut short).is_err());
    }
}
