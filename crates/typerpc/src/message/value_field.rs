//! [`Field`](super::field::Field) and [`OptionalField`](super::field::OptionalField)
//! for types that hold one [`ProtoValue`](super::field::ProtoValue): scalars,
//! enums and messages.
//!
//! The three kinds differ only in two switches, so one macro serves them all
//! (the derive calls it for user types):
//! - `skip_default`: proto3 implicit presence: a bare scalar or enum equal to
//!   its default is not written. A bare message field is always written.
//! - `optional_shape`: what `Option<T>` looks like in the schema: `optional T`
//!   for scalars and enums, a plain message field for messages (messages
//!   always have presence).

/// Implements `Field<E>` and `OptionalField<E>` for a type that implements
/// `ProtoValue<E>`. Used by typerpc and by `#[derive(Message)]`.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_value_fields {
    ($ty:ty, $enc:expr, skip_default = $skip:expr, optional_shape = $shape:ident) => {
        // Concrete impls stay out of "the following other types implement"
        // lists in errors: the traits' own messages say what may be used.
        #[diagnostic::do_not_recommend]
        impl $crate::__private::Field<{ $enc }> for $ty {
            const SHAPE: $crate::schema::model::FieldShape =
                $crate::schema::model::FieldShape::Singular(
                    <$ty as $crate::__private::ProtoValue<{ $enc }>>::TYPE,
                );

            #[inline]
            fn encode_field(&self, base: u32, buf: &mut impl $crate::__private::BufMut) {
                if !($skip
                    && <$ty as $crate::__private::ProtoValue<{ $enc }>>::is_default_value(self))
                {
                    $crate::__private::encode_key(
                        base,
                        <$ty as $crate::__private::ProtoValue<{ $enc }>>::WIRE_TYPE,
                        buf,
                    );
                    <$ty as $crate::__private::ProtoValue<{ $enc }>>::encode_value(self, buf);
                }
            }

            #[inline]
            fn field_len(&self, base: u32) -> usize {
                if $skip && <$ty as $crate::__private::ProtoValue<{ $enc }>>::is_default_value(self)
                {
                    0
                } else {
                    $crate::__private::key_len(base)
                        + <$ty as $crate::__private::ProtoValue<{ $enc }>>::value_len(self)
                }
            }

            #[inline]
            fn merge_field(
                &mut self,
                _tag: u32,
                _base: u32,
                wire_type: $crate::__private::WireType,
                buf: &mut impl $crate::__private::Buf,
                ctx: $crate::__private::DecodeContext,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::merge_value(
                    self, wire_type, buf, ctx,
                )
            }

            #[inline]
            fn clear_field(&mut self) {
                *self = <$ty as $crate::__private::ProtoValue<{ $enc }>>::default_value();
            }

            #[inline]
            fn write_json_member(&self, key: &str, w: &mut $crate::message::json::JsonWriter<'_>) {
                if !($skip
                    && !w.options().emit_defaults
                    && <$ty as $crate::__private::ProtoValue<{ $enc }>>::is_default_value(self))
                {
                    w.key(key);
                    <$ty as $crate::__private::ProtoValue<{ $enc }>>::write_json(self, w);
                }
            }

            #[inline]
            fn merge_json_member(
                &mut self,
                p: &mut $crate::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), $crate::message::json::JsonError> {
                if !<$ty as $crate::__private::ProtoValue<{ $enc }>>::JSON_NULL_IS_VALUE
                    && p.take_null()?
                {
                    *self = <$ty as $crate::__private::ProtoValue<{ $enc }>>::default_value();
                    return Ok(());
                }
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::merge_json(self, p)
            }
        }

        #[diagnostic::do_not_recommend]
        impl $crate::__private::OptionalField<{ $enc }> for $ty {
            const OPTIONAL_SHAPE: $crate::schema::model::FieldShape =
                $crate::schema::model::FieldShape::$shape(
                    <$ty as $crate::__private::ProtoValue<{ $enc }>>::TYPE,
                );
            const JSON_NULL_IS_VALUE: bool =
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::JSON_NULL_IS_VALUE;

            #[inline]
            fn new_for_tag(_tag: u32, _base: u32) -> ::core::option::Option<Self> {
                Some(<$ty as $crate::__private::ProtoValue<{ $enc }>>::default_value())
            }

            #[inline]
            fn encode_present(&self, base: u32, buf: &mut impl $crate::__private::BufMut) {
                $crate::__private::encode_key(
                    base,
                    <$ty as $crate::__private::ProtoValue<{ $enc }>>::WIRE_TYPE,
                    buf,
                );
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::encode_value(self, buf);
            }

            #[inline]
            fn present_len(&self, base: u32) -> usize {
                $crate::__private::key_len(base)
                    + <$ty as $crate::__private::ProtoValue<{ $enc }>>::value_len(self)
            }

            #[inline]
            fn merge_present(
                &mut self,
                _tag: u32,
                _base: u32,
                wire_type: $crate::__private::WireType,
                buf: &mut impl $crate::__private::Buf,
                ctx: $crate::__private::DecodeContext,
            ) -> ::core::result::Result<(), $crate::DecodeError> {
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::merge_value(
                    self, wire_type, buf, ctx,
                )
            }

            #[inline]
            fn write_json_present(&self, key: &str, w: &mut $crate::message::json::JsonWriter<'_>) {
                w.key(key);
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::write_json(self, w);
            }

            #[inline]
            fn merge_json_present(
                &mut self,
                p: &mut $crate::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), $crate::message::json::JsonError> {
                <$ty as $crate::__private::ProtoValue<{ $enc }>>::merge_json(self, p)
            }
        }
    };
}
