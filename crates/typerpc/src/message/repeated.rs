//! `Vec<T>`: repeated fields.
//!
//! Numbers are written packed (proto3's default) and read both packed and
//! unpacked, as the wire format requires of every parser.

use bytes::{Buf, BufMut};
use prost::encoding::{self, DecodeContext, WireType};
use prost::DecodeError;

use super::field::{delimited_len, encode_key, key_len, Field, ProtoValue};
use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::schema::model::FieldShape;

impl<const E: u8, T: ProtoValue<E>> Field<E> for Vec<T> {
    const SHAPE: FieldShape = FieldShape::Repeated(T::TYPE);

    fn encode_field(&self, base: u32, buf: &mut impl BufMut) {
        if self.is_empty() {
            return;
        }
        if T::PACKABLE {
            encode_key(base, WireType::LengthDelimited, buf);
            let body: usize = self.iter().map(ProtoValue::value_len).sum();
            super::field::encode_varint(body as u64, buf);
            for value in self {
                value.encode_value(buf);
            }
        } else {
            for value in self {
                encode_key(base, T::WIRE_TYPE, buf);
                value.encode_value(buf);
            }
        }
    }

    fn field_len(&self, base: u32) -> usize {
        if self.is_empty() {
            return 0;
        }
        let values: usize = self.iter().map(ProtoValue::value_len).sum();
        if T::PACKABLE {
            key_len(base) + delimited_len(values)
        } else {
            key_len(base) * self.len() + values
        }
    }

    fn merge_field(
        &mut self,
        _tag: u32,
        _base: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        if T::PACKABLE && wire_type == WireType::LengthDelimited {
            // A packed run: the length was checked against the buffer by
            // `merge_loop`, and each element consumes at least one byte, so
            // the vector cannot grow past the input's size.
            encoding::merge_loop(self, buf, ctx, |values, buf, ctx| {
                let mut value = T::default_value();
                value.merge_value(T::WIRE_TYPE, buf, ctx)?;
                values.push(value);
                Ok(())
            })
        } else {
            let mut value = T::default_value();
            value.merge_value(wire_type, buf, ctx)?;
            self.push(value);
            Ok(())
        }
    }

    #[inline]
    fn clear_field(&mut self) {
        self.clear();
    }

    fn write_json_member(&self, key: &str, w: &mut JsonWriter<'_>) {
        if self.is_empty() && !w.options().emit_defaults {
            return;
        }
        w.key(key);
        w.begin_array();
        for value in self {
            value.write_json(w);
        }
        w.end_array();
    }

    fn merge_json_member(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        if p.take_null()? {
            self.clear();
            return Ok(());
        }
        p.array(|p| {
            if !T::JSON_NULL_IS_VALUE && p.take_null()? {
                return Err(p.error("null is not allowed as an element of a repeated field"));
            }
            let mut value = T::default_value();
            value.merge_json(p)?;
            self.push(value);
            Ok(())
        })
    }
}
