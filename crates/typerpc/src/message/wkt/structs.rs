//! `google.protobuf.Struct`, `Value`, `ListValue` and `NullValue`: free-form
//! JSON inside a typed message (what a pydantic `dict` field is).
//!
//! [`Value`] is a Rust enum rather than a message with a oneof inside, so a
//! handler matches on it directly; on the wire it is exactly protobuf's
//! `Value` message. Conversions to and from `serde_json::Value` are provided.

use std::collections::BTreeMap;

use bytes::{Buf, BufMut};
use prost::encoding::{self, DecodeContext, WireType};
use prost::DecodeError;

use super::CustomJson;
use crate::message::field::{encode_key, key_len, ProtoValue};
use crate::message::json::{JsonError, JsonKind, JsonParser, JsonWriter};
use crate::schema::model::{
    FieldSchema, FieldShape, MessageSchema, OneofSchema, OneofVariantSchema, Scalar, TypeRef,
};
use crate::{Enumeration, Message};

/// `google.protobuf.Struct`: a JSON object.
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "google.protobuf",
    file = "google/protobuf/struct.proto",
    custom_json
)]
pub struct Struct {
    /// The members, in key order.
    pub fields: BTreeMap<String, Value>,
}

/// `google.protobuf.ListValue`: a JSON array.
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "google.protobuf",
    file = "google/protobuf/struct.proto",
    custom_json
)]
pub struct ListValue {
    /// The elements.
    pub values: Vec<Value>,
}

/// `google.protobuf.NullValue`: the single value `null`.
#[derive(crate::Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "google.protobuf", file = "google/protobuf/struct.proto")]
pub enum NullValue {
    /// Null.
    #[rpc(name = "NULL_VALUE")]
    NullValue,
}

/// `google.protobuf.Value`: any JSON value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// `null` (also what an empty `Value` message decodes to).
    #[default]
    Null,
    /// A number (JSON numbers are doubles).
    Number(f64),
    /// A string.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// An object.
    Struct(Struct),
    /// An array.
    List(ListValue),
}

// Field numbers of `google.protobuf.Value`'s `kind` oneof.
const NULL_VALUE: u32 = 1;
const NUMBER_VALUE: u32 = 2;
const STRING_VALUE: u32 = 3;
const BOOL_VALUE: u32 = 4;
const STRUCT_VALUE: u32 = 5;
const LIST_VALUE: u32 = 6;

fn value_kind_schema() -> &'static OneofSchema {
    static SCHEMA: OneofSchema = OneofSchema {
        rust_name: "Value",
        doc: "The kind of value.",
        variants: &[
            OneofVariantSchema {
                name: "null_value",
                json_name: "nullValue",
                number: Some(NULL_VALUE),
                ty: TypeRef::Enum(<NullValue as Enumeration>::schema),
                doc: "",
            },
            OneofVariantSchema {
                name: "number_value",
                json_name: "numberValue",
                number: Some(NUMBER_VALUE),
                ty: TypeRef::Scalar(Scalar::Double),
                doc: "",
            },
            OneofVariantSchema {
                name: "string_value",
                json_name: "stringValue",
                number: Some(STRING_VALUE),
                ty: TypeRef::Scalar(Scalar::String),
                doc: "",
            },
            OneofVariantSchema {
                name: "bool_value",
                json_name: "boolValue",
                number: Some(BOOL_VALUE),
                ty: TypeRef::Scalar(Scalar::Bool),
                doc: "",
            },
            OneofVariantSchema {
                name: "struct_value",
                json_name: "structValue",
                number: Some(STRUCT_VALUE),
                ty: TypeRef::Message(<Struct as Message>::schema),
                doc: "",
            },
            OneofVariantSchema {
                name: "list_value",
                json_name: "listValue",
                number: Some(LIST_VALUE),
                ty: TypeRef::Message(<ListValue as Message>::schema),
                doc: "",
            },
        ],
    };
    &SCHEMA
}

crate::__impl_prost_message!(Value);

impl Message for Value {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        match self {
            Value::Null => {
                encode_key(NULL_VALUE, WireType::Varint, buf);
                buf.put_u8(0);
            }
            Value::Number(n) => {
                encode_key(NUMBER_VALUE, WireType::SixtyFourBit, buf);
                n.encode_value(buf);
            }
            Value::String(s) => {
                encode_key(STRING_VALUE, WireType::LengthDelimited, buf);
                s.encode_value(buf);
            }
            Value::Bool(b) => {
                encode_key(BOOL_VALUE, WireType::Varint, buf);
                b.encode_value(buf);
            }
            Value::Struct(s) => {
                encode_key(STRUCT_VALUE, WireType::LengthDelimited, buf);
                s.encode_value(buf);
            }
            Value::List(l) => {
                encode_key(LIST_VALUE, WireType::LengthDelimited, buf);
                l.encode_value(buf);
            }
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        let result = match tag {
            NULL_VALUE => {
                let mut n = 0i32;
                <i32 as ProtoValue>::merge_value(&mut n, wire_type, buf, ctx)
                    .map(|()| *self = Value::Null)
            }
            NUMBER_VALUE => {
                let mut n = 0f64;
                n.merge_value(wire_type, buf, ctx)
                    .map(|()| *self = Value::Number(n))
            }
            STRING_VALUE => {
                let mut s = String::new();
                s.merge_value(wire_type, buf, ctx)
                    .map(|()| *self = Value::String(s))
            }
            BOOL_VALUE => {
                let mut b = false;
                b.merge_value(wire_type, buf, ctx)
                    .map(|()| *self = Value::Bool(b))
            }
            STRUCT_VALUE => {
                // Repeated occurrences of a message member merge.
                let mut s = match std::mem::take(self) {
                    Value::Struct(s) => s,
                    _ => Struct::default(),
                };
                let r = s.merge_value(wire_type, buf, ctx);
                *self = Value::Struct(s);
                r
            }
            LIST_VALUE => {
                let mut l = match std::mem::take(self) {
                    Value::List(l) => l,
                    _ => ListValue::default(),
                };
                let r = l.merge_value(wire_type, buf, ctx);
                *self = Value::List(l);
                r
            }
            _ => encoding::skip_field(wire_type, tag, buf, ctx),
        };
        result.map_err(|mut e| {
            e.push("Value", "kind");
            e
        })
    }

    fn encoded_len(&self) -> usize {
        match self {
            Value::Null => key_len(NULL_VALUE) + 1,
            Value::Number(n) => key_len(NUMBER_VALUE) + n.value_len(),
            Value::String(s) => key_len(STRING_VALUE) + s.value_len(),
            Value::Bool(b) => key_len(BOOL_VALUE) + b.value_len(),
            Value::Struct(s) => key_len(STRUCT_VALUE) + s.value_len(),
            Value::List(l) => key_len(LIST_VALUE) + l.value_len(),
        }
    }

    fn clear(&mut self) {
        *self = Value::Null;
    }

    fn schema() -> &'static MessageSchema {
        static SCHEMA: MessageSchema = MessageSchema {
            name: "Value",
            package: Some("google.protobuf"),
            file: Some("google/protobuf/struct.proto"),
            doc: "A dynamically typed JSON value.",
            fields: &[FieldSchema {
                name: "kind",
                json_name: "kind",
                number: NULL_VALUE,
                shape: FieldShape::Oneof(value_kind_schema),
                doc: "",
                default: None,
                rules: "",
            }],
            reserved_numbers: &[],
            reserved_names: &[],
        };
        &SCHEMA
    }

    fn write_json(&self, w: &mut JsonWriter<'_>) {
        match self {
            Value::Null => w.null(),
            Value::Number(n) => {
                if n.is_finite() {
                    w.f64(*n)
                } else {
                    w.set_error("google.protobuf.Value cannot hold NaN or Infinity in JSON");
                    w.null()
                }
            }
            Value::String(s) => w.string(s),
            Value::Bool(b) => w.bool(*b),
            Value::Struct(s) => s.write_custom_json(w),
            Value::List(l) => l.write_custom_json(w),
        }
    }

    fn merge_json_key(&mut self, key: &str, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.unknown_field(key)
    }

    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        *self = match p.peek_kind()? {
            JsonKind::Null => {
                p.take_null()?;
                Value::Null
            }
            JsonKind::Bool => Value::Bool(p.bool()?),
            JsonKind::Number => Value::Number(p.f64()?),
            JsonKind::String => Value::String(p.string()?.into_owned()),
            JsonKind::Object => {
                let mut s = Struct::default();
                s.merge_custom_json(p)?;
                Value::Struct(s)
            }
            JsonKind::Array => {
                let mut l = ListValue::default();
                l.merge_custom_json(p)?;
                Value::List(l)
            }
        };
        Ok(())
    }
}

#[diagnostic::do_not_recommend]
impl ProtoValue for Value {
    const WIRE_TYPE: WireType = WireType::LengthDelimited;
    const TYPE: TypeRef = TypeRef::Message(<Value as Message>::schema);
    const JSON_NULL_IS_VALUE: bool = true;

    fn default_value() -> Self {
        Value::Null
    }
    fn is_default_value(&self) -> bool {
        // A `Value` always says what it holds, null included.
        false
    }
    fn encode_value(&self, buf: &mut impl BufMut) {
        crate::message::field::encode_varint(Message::encoded_len(self) as u64, buf);
        Message::encode_raw(self, buf);
    }
    fn value_len(&self) -> usize {
        crate::message::field::delimited_len(Message::encoded_len(self))
    }
    fn merge_value(
        &mut self,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        crate::message::derive_support::merge_message(wire_type, self, buf, ctx)
    }
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        Message::write_json(self, w)
    }
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        Message::merge_json(self, p)
    }
}
crate::__impl_value_fields!(Value, 0, skip_default = false, optional_shape = Singular);

impl CustomJson for Struct {
    fn write_custom_json(&self, w: &mut JsonWriter<'_>) {
        w.begin_object();
        for (key, value) in &self.fields {
            w.key(key);
            Message::write_json(value, w);
        }
        w.end_object();
    }
    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.object(|p, key| {
            let mut value = Value::Null;
            Message::merge_json(&mut value, p)?;
            self.fields.insert(key.to_owned(), value);
            Ok(())
        })
    }
}

impl CustomJson for ListValue {
    fn write_custom_json(&self, w: &mut JsonWriter<'_>) {
        w.begin_array();
        for value in &self.values {
            Message::write_json(value, w);
        }
        w.end_array();
    }
    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.array(|p| {
            let mut value = Value::Null;
            Message::merge_json(&mut value, p)?;
            self.values.push(value);
            Ok(())
        })
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            // JSON numbers are doubles in protobuf; integers beyond 2^53
            // lose precision, as in every protobuf implementation.
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::List(ListValue {
                values: a.into_iter().map(Value::from).collect(),
            }),
            serde_json::Value::Object(o) => Value::Struct(Struct::from(o)),
        }
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Struct {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Struct {
            fields: map.into_iter().map(|(k, v)| (k, Value::from(v))).collect(),
        }
    }
}

impl From<Value> for serde_json::Value {
    /// Non-finite numbers, which JSON cannot hold, become `null`.
    fn from(value: Value) -> Self {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Number(n) => serde_json::Number::from_f64(n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => serde_json::Value::String(s),
            Value::List(l) => {
                serde_json::Value::Array(l.values.into_iter().map(Into::into).collect())
            }
            Value::Struct(s) => serde_json::Value::Object(s.into()),
        }
    }
}

impl From<Struct> for serde_json::Map<String, serde_json::Value> {
    fn from(s: Struct) -> Self {
        s.fields.into_iter().map(|(k, v)| (k, v.into())).collect()
    }
}

impl From<Struct> for serde_json::Value {
    fn from(s: Struct) -> Self {
        serde_json::Value::Object(s.into())
    }
}

impl TryFrom<serde_json::Value> for Struct {
    type Error = serde_json::Value;
    /// Only a JSON object is a `Struct`; anything else is handed back.
    fn try_from(value: serde_json::Value) -> Result<Self, Self::Error> {
        match value {
            serde_json::Value::Object(o) => Ok(o.into()),
            other => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_json_round_trip_through_binary_and_json() {
        let original = json!({"a": 1.5, "b": [true, null, "x"], "c": {"d": {}}});
        let value = Value::from(original.clone());
        let bytes = value.encode_to_vec();
        let decoded = <Value as Message>::decode(&bytes[..]).unwrap();
        assert_eq!(decoded, value);
        let text = decoded.to_json().unwrap();
        let reparsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reparsed, original);
        assert_eq!(Value::from_json(&text).unwrap(), value);
    }

    #[test]
    fn an_empty_value_message_is_null() {
        assert_eq!(<Value as Message>::decode(&[][..]).unwrap(), Value::Null);
    }
}
