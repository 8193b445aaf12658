//! Runtime pieces that `#[derive(Message)]` expands to. The derive emits
//! only names and numbers; the behaviour lives here, written once.

/// Implements `ProtoValue` and the field traits for a derived message.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_message_value {
    ($ty:ty) => {
        #[diagnostic::do_not_recommend]
        impl $crate::__private::ProtoValue for $ty {
            const WIRE_TYPE: $crate::__private::WireType =
                $crate::__private::WireType::LengthDelimited;
            const TYPE: $crate::schema::model::TypeRef =
                $crate::schema::model::TypeRef::Message(<$ty as $crate::Message>::schema);

            #[inline]
            fn default_value() -> Self {
                <$ty as ::core::default::Default>::default()
            }
            #[inline]
            fn is_default_value(&self) -> bool {
                <$ty as $crate::Message>::encoded_len(self) == 0
            }
            #[inline]
            fn encode_value(&self, buf: &mut impl $crate::__private::BufMut) {
                $crate::message::field::encode_varint(
                    <$ty as $crate::Message>::encoded_len(self) as u64,
                    buf,
                );
                <$ty as $crate::Message>::encode_raw(self, buf);
            }
            #[inline]
            fn value_len(&self) -> usize {
                $crate::__private::delimited_len(<$ty as $crate::Message>::encoded_len(self))
            }
            #[inline]
            fn merge_value(
                &mut self,
                wire_type: $crate::__private::WireType,
                buf: &mut impl $crate::__private::Buf,
                ctx: $crate::__private::DecodeContext,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                $crate::__private::merge_message(wire_type, self, buf, ctx)
            }
            #[inline]
            fn write_json(&self, w: &mut $crate::message::json::JsonWriter<'_>) {
                <$ty as $crate::Message>::write_json(self, w)
            }
            #[inline]
            fn merge_json(
                &mut self,
                p: &mut $crate::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), $crate::message::json::JsonError> {
                <$ty as $crate::Message>::merge_json(self, p)
            }
        }
        $crate::__impl_value_fields!($ty, 0, skip_default = false, optional_shape = Singular);
        impl $crate::__private::Nested for $ty {
            const NEEDED: bool = true;
            #[inline]
            fn validate_nested(&self, c: &mut $crate::__private::Checker<'_>) {
                <$ty as $crate::Message>::check_constraints(self, c)
            }
        }
    };
}

/// Implements `prost::Message` by forwarding to `typerpc::Message`, so
/// derived types also work with prost-based code such as tonic.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_prost_message {
    ($ty:ty) => {
        impl $crate::__private::prost::Message for $ty {
            #[inline]
            fn encode_raw(&self, buf: &mut impl $crate::__private::BufMut) {
                <$ty as $crate::Message>::encode_raw(self, buf)
            }
            #[inline]
            fn merge_field(
                &mut self,
                tag: u32,
                wire_type: $crate::__private::WireType,
                buf: &mut impl $crate::__private::Buf,
                ctx: $crate::__private::DecodeContext,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                <$ty as $crate::Message>::merge_field(self, tag, wire_type, buf, ctx)
            }
            #[inline]
            fn encoded_len(&self) -> usize {
                <$ty as $crate::Message>::encoded_len(self)
            }
            #[inline]
            fn clear(&mut self) {
                <$ty as $crate::Message>::clear(self)
            }
        }
    };
}

/// Implements `ProtoValue` and the field traits for a derived enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_enum_value {
    ($ty:ty) => {
        #[diagnostic::do_not_recommend]
        impl $crate::__private::ProtoValue for $ty {
            const WIRE_TYPE: $crate::__private::WireType = $crate::__private::WireType::Varint;
            const TYPE: $crate::schema::model::TypeRef =
                $crate::schema::model::TypeRef::Enum(<$ty as $crate::Enumeration>::schema);
            const PACKABLE: bool = true;

            #[inline]
            fn default_value() -> Self {
                <$ty as ::core::default::Default>::default()
            }
            #[inline]
            fn is_default_value(&self) -> bool {
                <$ty as $crate::Enumeration>::to_number(self) == 0
            }
            #[inline]
            fn encode_value(&self, buf: &mut impl $crate::__private::BufMut) {
                // Negative enum numbers are sign-extended, like int32.
                $crate::message::field::encode_varint(
                    <$ty as $crate::Enumeration>::to_number(self) as i64 as u64,
                    buf,
                );
            }
            #[inline]
            fn value_len(&self) -> usize {
                $crate::__private::encoded_len_varint(
                    <$ty as $crate::Enumeration>::to_number(self) as i64 as u64
                )
            }
            #[inline]
            fn merge_value(
                &mut self,
                wire_type: $crate::__private::WireType,
                buf: &mut impl $crate::__private::Buf,
                _ctx: $crate::__private::DecodeContext,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                *self = $crate::__private::decode_enum::<$ty>(wire_type, buf)?;
                Ok(())
            }
            #[inline]
            fn write_json(&self, w: &mut $crate::message::json::JsonWriter<'_>) {
                $crate::__private::write_enum_json(self, w)
            }
            #[inline]
            fn merge_json(
                &mut self,
                p: &mut $crate::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), $crate::message::json::JsonError> {
                *self = $crate::__private::parse_enum_json::<$ty>(p)?;
                Ok(())
            }
        }
        $crate::__impl_value_fields!($ty, 0, skip_default = true, optional_shape = Optional);
        impl $crate::__private::Nested for $ty {
            const NEEDED: bool = false;
            #[inline(always)]
            fn validate_nested(&self, _c: &mut $crate::__private::Checker<'_>) {}
        }
        impl $crate::__private::rules::Defined for $ty {
            #[inline]
            fn is_defined(&self) -> ::core::option::Option<bool> {
                $crate::__private::rules::enum_is_defined(self)
            }
        }
    };
}

use bytes::Buf;
use prost::encoding::{self, DecodeContext, WireType};
use prost::DecodeError;

use crate::message::json::{JsonError, JsonKind, JsonParser, JsonWriter};
use crate::message::traits::Enumeration;

/// A decode error with our own message. prost marks `DecodeError::new` as
/// meant for its own use; this is the one place typerpc calls it, so a
/// prost upgrade that removes it is a one-line change.
#[allow(deprecated)]
pub fn decode_error(message: impl Into<std::borrow::Cow<'static, str>>) -> DecodeError {
    DecodeError::new(message)
}

/// Merges a nested message, with prost's recursion limit.
#[inline]
pub fn merge_message<M: prost::Message>(
    wire_type: WireType,
    message: &mut M,
    buf: &mut impl Buf,
    ctx: DecodeContext,
) -> Result<(), DecodeError> {
    encoding::message::merge(wire_type, message, buf, ctx)
}

/// Reads an enum number, refusing numbers the enum does not declare.
pub fn decode_enum<T: Enumeration>(
    wire_type: WireType,
    buf: &mut impl Buf,
) -> Result<T, DecodeError> {
    encoding::check_wire_type(WireType::Varint, wire_type)?;
    let number = crate::message::field::decode_varint(buf)? as i32;
    T::from_number(number).ok_or_else(|| {
        decode_error(format!(
            "unknown value {number} for enum {}",
            T::schema().name
        ))
    })
}

/// Writes an enum by name (by number when a catch-all holds an unknown one).
pub fn write_enum_json<T: Enumeration>(value: &T, w: &mut JsonWriter<'_>) {
    match value.proto_name() {
        Some(name) => w.string(name),
        None => w.i32(value.to_number()),
    }
}

/// Reads an enum from its name or its number.
pub fn parse_enum_json<T: Enumeration>(p: &mut JsonParser<'_>) -> Result<T, JsonError> {
    if p.peek_kind()? == JsonKind::String {
        let name = p.string()?;
        T::from_proto_name(&name).ok_or_else(|| {
            p.error(format!(
                "unknown value {name:?} for enum {}",
                T::schema().name
            ))
        })
    } else {
        let number = p.i32()?;
        T::from_number(number).ok_or_else(|| {
            p.error(format!(
                "unknown value {number} for enum {}",
                T::schema().name
            ))
        })
    }
}

/// Whether field numbers, in declaration order, are ascending.
pub const fn numbers_ascending<const N: usize>(numbers: [u32; N]) -> bool {
    let mut i = 1;
    while i < N {
        if numbers[i] < numbers[i - 1] {
            return false;
        }
        i += 1;
    }
    true
}

/// The declaration indexes of fields sorted by field number: protobuf
/// encoders write fields in number order, so a message whose Rust
/// declaration order differs (explicit `tag`s) still encodes to the same
/// bytes as protoc's and prost's.
pub const fn field_order<const N: usize>(numbers: [u32; N]) -> [usize; N] {
    let mut order = [0usize; N];
    let mut i = 0;
    while i < N {
        order[i] = i;
        i += 1;
    }
    // Insertion sort: N is small and this runs at compile time.
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && numbers[order[j - 1]] > numbers[order[j]] {
            let t = order[j - 1];
            order[j - 1] = order[j];
            order[j] = t;
            j -= 1;
        }
        i += 1;
    }
    order
}

/// One field's numbers, for [`check_numbers`].
#[derive(Clone, Copy)]
pub struct FieldNumbers {
    /// The field's (base) number.
    pub base: u32,
    /// How many numbers it takes.
    pub count: u32,
    /// Explicit member numbers of a oneof.
    pub explicit: &'static [Option<u32>],
}

impl FieldNumbers {
    const fn number(&self, index: u32) -> u32 {
        if (index as usize) < self.explicit.len() {
            if let Some(n) = self.explicit[index as usize] {
                return n;
            }
        }
        self.base + index
    }
}

/// The largest field number protobuf allows.
pub const MAX_FIELD_NUMBER: u32 = (1 << 29) - 1;

/// [`number_problem`]: the number is 0.
pub const NUMBER_ZERO: u8 = 1;
/// [`number_problem`]: the number is above `MAX_FIELD_NUMBER`.
pub const NUMBER_TOO_LARGE: u8 = 2;
/// [`number_problem`]: the number is in 19000–19999, which protobuf keeps
/// for itself.
pub const NUMBER_PROTOBUF_RESERVED: u8 = 3;
/// [`number_problem`]: the message reserves the number.
pub const NUMBER_RESERVED: u8 = 4;
/// [`number_problem`]: an earlier field (or oneof member) uses the number.
pub const NUMBER_TAKEN: u8 = 5;

/// Checks a message's field numbers at compile time. Returns the index of
/// the first field with a bad number (zero, too large, in the range
/// 19000–19999 that protobuf keeps for itself, reserved, or already used
/// by an earlier field), or `usize::MAX` when all are good.
pub const fn check_numbers(fields: &[FieldNumbers], reserved: &[(u32, u32)]) -> usize {
    number_problem(fields, reserved).0
}

/// As [`check_numbers`], with what is wrong: `(index, NUMBER_...)`, or
/// `(usize::MAX, 0)` when all numbers are good.
///
/// The derive asserts on the result once per field, with that field's name
/// and the problem in the message and its span, so the compile error points
/// at the field and says what is wrong.
pub const fn number_problem(fields: &[FieldNumbers], reserved: &[(u32, u32)]) -> (usize, u8) {
    let mut i = 0;
    while i < fields.len() {
        let mut k = 0;
        while k < fields[i].count {
            let n = fields[i].number(k);
            if n == 0 {
                return (i, NUMBER_ZERO);
            }
            if n > MAX_FIELD_NUMBER {
                return (i, NUMBER_TOO_LARGE);
            }
            if n >= 19000 && n <= 19999 {
                return (i, NUMBER_PROTOBUF_RESERVED);
            }
            let mut r = 0;
            while r < reserved.len() {
                if n >= reserved[r].0 && n <= reserved[r].1 {
                    return (i, NUMBER_RESERVED);
                }
                r += 1;
            }
            // Against every number taken before this one.
            let mut j = 0;
            while j <= i {
                let limit = if j == i { k } else { fields[j].count };
                let mut m = 0;
                while m < limit {
                    if fields[j].number(m) == n {
                        return (i, NUMBER_TAKEN);
                    }
                    m += 1;
                }
                j += 1;
            }
            k += 1;
        }
        i += 1;
    }
    (usize::MAX, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn plain(base: u32) -> FieldNumbers {
        FieldNumbers {
            base,
            count: 1,
            explicit: &[],
        }
    }

    #[test]
    fn field_order_sorts_by_number() {
        assert!(numbers_ascending([1, 2, 30]));
        assert!(!numbers_ascending([1, 6, 5]));
        assert_eq!(field_order([1, 6, 5, 2]), [0, 3, 2, 1]);
        assert_eq!(field_order::<0>([]), [0usize; 0]);
    }

    #[test]
    fn good_numbers_pass() {
        assert_eq!(
            check_numbers(&[plain(1), plain(2), plain(3)], &[]),
            usize::MAX
        );
    }

    #[test]
    fn each_kind_of_bad_number_is_found() {
        assert_eq!(check_numbers(&[plain(1), plain(0)], &[]), 1);
        assert_eq!(check_numbers(&[plain(1), plain(19_500)], &[]), 1);
        assert_eq!(check_numbers(&[plain(MAX_FIELD_NUMBER + 1)], &[]), 0);
        assert_eq!(check_numbers(&[plain(1), plain(2), plain(1)], &[]), 2);
        assert_eq!(check_numbers(&[plain(1), plain(7)], &[(5, 9)]), 1);
    }

    #[test]
    fn the_problem_is_named() {
        assert_eq!(number_problem(&[plain(0)], &[]), (0, NUMBER_ZERO));
        assert_eq!(
            number_problem(&[plain(1), plain(MAX_FIELD_NUMBER + 1)], &[]),
            (1, NUMBER_TOO_LARGE)
        );
        assert_eq!(
            number_problem(&[plain(19_000)], &[]),
            (0, NUMBER_PROTOBUF_RESERVED)
        );
        assert_eq!(
            number_problem(&[plain(1), plain(8)], &[(8, 10)]),
            (1, NUMBER_RESERVED)
        );
        assert_eq!(
            number_problem(&[plain(1), plain(1)], &[]),
            (1, NUMBER_TAKEN)
        );
        assert_eq!(number_problem(&[plain(1)], &[]), (usize::MAX, 0));
    }

    #[test]
    fn oneof_members_take_their_numbers() {
        let oneof = FieldNumbers {
            base: 2,
            count: 3,
            explicit: &[],
        };
        assert_eq!(check_numbers(&[plain(1), oneof, plain(5)], &[]), usize::MAX);
        assert_eq!(check_numbers(&[plain(1), oneof, plain(4)], &[]), 2);
        let explicit = FieldNumbers {
            base: 2,
            count: 2,
            explicit: &[Some(10), None],
        };
        assert_eq!(check_numbers(&[plain(1), explicit, plain(10)], &[]), 2);
        let clash = FieldNumbers {
            base: 2,
            count: 2,
            explicit: &[Some(3), None],
        };
        assert_eq!(check_numbers(&[clash], &[]), 0);
    }
}
