//! Walking into the values a field holds, so that the constraints of
//! nested messages are checked wherever they sit: in a singular field, an
//! `Option`, a `Box`, a repeated field, a map value or a oneof member.

use std::collections::{BTreeMap, HashMap};

use super::path::{Checker, PathKey};

/// A field type whose values may hold messages with constraints.
///
/// Implemented by typerpc for every field type and by `#[derive(Message)]`
/// for messages, enums and oneofs; not meant to be implemented by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a typerpc message",
    note = "derive `typerpc::Message` on the type"
)]
pub trait Nested {
    /// Whether values of this type can hold anything to check. `false`
    /// lets containers of scalars skip the walk entirely.
    const NEEDED: bool;
    /// Checks what the value holds; `c` is scoped to the value.
    fn validate_nested(&self, c: &mut Checker<'_>);
}

macro_rules! leaf {
    ($($ty:ty),* $(,)?) => {$(
        impl Nested for $ty {
            const NEEDED: bool = false;
            #[inline(always)]
            fn validate_nested(&self, _c: &mut Checker<'_>) {}
        }
    )*};
}

leaf!(
    i32,
    i64,
    u32,
    u64,
    f32,
    f64,
    bool,
    u8,
    String,
    bytes::Bytes,
    crate::Value,
);

impl<T: Nested> Nested for Option<T> {
    const NEEDED: bool = T::NEEDED;
    #[inline]
    fn validate_nested(&self, c: &mut Checker<'_>) {
        if let Some(value) = self {
            value.validate_nested(c);
        }
    }
}

impl<T: Nested> Nested for Box<T> {
    const NEEDED: bool = T::NEEDED;
    #[inline]
    fn validate_nested(&self, c: &mut Checker<'_>) {
        (**self).validate_nested(c);
    }
}

impl<T: Nested> Nested for Vec<T> {
    const NEEDED: bool = T::NEEDED;
    #[inline]
    fn validate_nested(&self, c: &mut Checker<'_>) {
        if !T::NEEDED {
            return;
        }
        for (i, value) in self.iter().enumerate() {
            c.index(i, |c| value.validate_nested(c));
        }
    }
}

impl<K: PathKey, V: Nested, S> Nested for HashMap<K, V, S> {
    const NEEDED: bool = V::NEEDED;
    fn validate_nested(&self, c: &mut Checker<'_>) {
        if !V::NEEDED {
            return;
        }
        for (key, value) in self {
            c.key(key, |c| value.validate_nested(c));
        }
    }
}

impl<K: PathKey, V: Nested> Nested for BTreeMap<K, V> {
    const NEEDED: bool = V::NEEDED;
    fn validate_nested(&self, c: &mut Checker<'_>) {
        if !V::NEEDED {
            return;
        }
        for (key, value) in self {
            c.key(key, |c| value.validate_nested(c));
        }
    }
}
