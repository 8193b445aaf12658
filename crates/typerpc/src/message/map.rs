//! `HashMap<K, V>` and `BTreeMap<K, V>`: map fields.
//!
//! On the wire a map is a repeated entry message with the key at number 1 and
//! the value at number 2. Entries may lack either (the default is used) and a
//! later entry with the same key replaces an earlier one.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use bytes::{Buf, BufMut};
use prost::encoding::{self, DecodeContext, WireType};
use prost::DecodeError;

use super::field::{delimited_len, encode_key, key_len, Field, MapKey, ProtoValue};
use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::schema::model::FieldShape;

/// The length of one entry's body. Default keys and values are left out, as
/// protobuf's own encoders do (so our bytes equal theirs).
#[inline]
fn entry_len<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(key: &K, value: &V) -> usize {
    let key_part = if key.is_default_value() {
        0
    } else {
        key_len(1) + key.value_len()
    };
    let value_part = if value.is_default_value() {
        0
    } else {
        key_len(2) + value.value_len()
    };
    key_part + value_part
}

fn encode_entry<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    base: u32,
    key: &K,
    value: &V,
    buf: &mut impl BufMut,
) {
    encode_key(base, WireType::LengthDelimited, buf);
    super::field::encode_varint(entry_len(key, value) as u64, buf);
    if !key.is_default_value() {
        encode_key(1, K::WIRE_TYPE, buf);
        key.encode_value(buf);
    }
    if !value.is_default_value() {
        encode_key(2, V::WIRE_TYPE, buf);
        value.encode_value(buf);
    }
}

fn merge_entry<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    wire_type: WireType,
    buf: &mut impl Buf,
    ctx: DecodeContext,
) -> Result<(K, V), DecodeError> {
    encoding::check_wire_type(WireType::LengthDelimited, wire_type)?;
    let mut entry = (K::default_value(), V::default_value());
    encoding::merge_loop(&mut entry, buf, ctx, |(key, value), buf, ctx| {
        let (tag, wire_type) = super::field::decode_key(buf)?;
        match tag {
            1 => key.merge_value(wire_type, buf, ctx),
            2 => value.merge_value(wire_type, buf, ctx),
            _ => encoding::skip_field(wire_type, tag, buf, ctx),
        }
    })?;
    Ok(entry)
}

/// The map operations the shared code needs; both map types provide them.
trait MapLike<K, V> {
    fn entries<'s>(&'s self) -> impl Iterator<Item = (&'s K, &'s V)>
    where
        K: 's,
        V: 's;
    fn put(&mut self, key: K, value: V);
    fn count(&self) -> usize;
}

impl<K: Eq + Hash, V, S: BuildHasher> MapLike<K, V> for HashMap<K, V, S> {
    #[inline]
    fn entries<'s>(&'s self) -> impl Iterator<Item = (&'s K, &'s V)>
    where
        K: 's,
        V: 's,
    {
        self.iter()
    }
    #[inline]
    fn put(&mut self, key: K, value: V) {
        self.insert(key, value);
    }
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

impl<K: Ord, V> MapLike<K, V> for BTreeMap<K, V> {
    #[inline]
    fn entries<'s>(&'s self) -> impl Iterator<Item = (&'s K, &'s V)>
    where
        K: 's,
        V: 's,
    {
        self.iter()
    }
    #[inline]
    fn put(&mut self, key: K, value: V) {
        self.insert(key, value);
    }
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

fn encode_map<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    map: &impl MapLike<K, V>,
    base: u32,
    buf: &mut impl BufMut,
) {
    for (key, value) in map.entries() {
        encode_entry(base, key, value, buf);
    }
}

fn map_len<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    map: &impl MapLike<K, V>,
    base: u32,
) -> usize {
    map.entries()
        .map(|(key, value)| key_len(base) + delimited_len(entry_len(key, value)))
        .sum()
}

fn write_json_map<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    map: &impl MapLike<K, V>,
    key: &str,
    w: &mut JsonWriter<'_>,
) {
    if map.count() == 0 && !w.options().emit_defaults {
        return;
    }
    w.key(key);
    w.begin_object();
    for (k, v) in map.entries() {
        k.write_json_key(w);
        v.write_json(w);
    }
    w.end_object();
}

fn merge_json_map<const E: u8, K: MapKey<E>, V: ProtoValue<E>>(
    map: &mut impl MapLike<K, V>,
    p: &mut JsonParser<'_>,
) -> Result<(), JsonError> {
    p.object(|p, key| {
        let key = K::parse_json_key(key, p)?;
        if !V::JSON_NULL_IS_VALUE && p.take_null()? {
            return Err(p.error("null is not allowed as a map value"));
        }
        let mut value = V::default_value();
        value.merge_json(p)?;
        map.put(key, value);
        Ok(())
    })
}

/// Implements `Field` for a map type through the helpers above.
macro_rules! map_field {
    ($($generics:tt)*) => {
        #[inline]
        fn encode_field(&self, base: u32, buf: &mut impl BufMut) {
            encode_map(self, base, buf)
        }
        #[inline]
        fn field_len(&self, base: u32) -> usize {
            map_len(self, base)
        }
        fn merge_field(
            &mut self,
            _tag: u32,
            _base: u32,
            wire_type: WireType,
            buf: &mut impl Buf,
            ctx: DecodeContext,
        ) -> Result<(), DecodeError> {
            let (key, value) = merge_entry::<E, K, V>(wire_type, buf, ctx)?;
            self.insert(key, value);
            Ok(())
        }
        #[inline]
        fn clear_field(&mut self) {
            self.clear();
        }
        #[inline]
        fn write_json_member(&self, key: &str, w: &mut JsonWriter<'_>) {
            write_json_map(self, key, w)
        }
        fn merge_json_member(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
            if p.take_null()? {
                self.clear();
                return Ok(());
            }
            merge_json_map(self, p)
        }
    };
}

impl<const E: u8, K, V, S> Field<E> for HashMap<K, V, S>
where
    K: MapKey<E> + Eq + Hash,
    V: ProtoValue<E>,
    S: BuildHasher,
{
    const SHAPE: FieldShape = FieldShape::Map(K::SCALAR, V::TYPE);
    map_field!();
}

impl<const E: u8, K, V> Field<E> for BTreeMap<K, V>
where
    K: MapKey<E> + Ord,
    V: ProtoValue<E>,
{
    const SHAPE: FieldShape = FieldShape::Map(K::SCALAR, V::TYPE);
    map_field!();
}
