//! The built-in constraints, as functions `#[derive(Message)]` calls. Each
//! takes the field's value and a [`Checker`] scoped to it.
//!
//! The traits say which field types a constraint applies to; a constraint
//! on a field of another type is a compile error at the constraint. An
//! `Option<T>` field takes the constraints of `T`, checked only when the
//! value is present.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{Debug, Display};
use std::hash::Hash;

use super::path::{Checker, PathKey};
use crate::Enumeration;

/// Values with a length: strings (in characters) and bytes.
#[diagnostic::on_unimplemented(
    message = "`min_len`, `max_len` and `len` apply to strings and bytes, not to `{Self}`",
    label = "not a string or bytes field",
    note = "for a repeated field or a map use `min_items` / `max_items`; for each item, `items(...)`"
)]
pub trait Length {
    /// The unit of the length (`character`, `byte`).
    const UNIT: &'static str;
    /// The length, or `None` when the value is absent.
    fn length(&self) -> Option<usize>;
    /// Cheap bounds on the length (`min <= length <= max`), so that a
    /// string's characters are counted only when the bounds do not decide.
    #[inline]
    fn length_bounds(&self) -> Option<(usize, usize)> {
        self.length().map(|n| (n, n))
    }
}

/// Whether `value`'s length is in `min..=max`, counting characters only
/// when the byte length does not decide.
#[inline]
fn length_within<T: Length + ?Sized>(value: &T, min: usize, max: usize) -> bool {
    match value.length_bounds() {
        None => true,
        Some((lo, hi)) if lo >= min && hi <= max => true,
        Some((lo, hi)) if hi < min || lo > max => false,
        Some(_) => value.length().is_none_or(|n| (min..=max).contains(&n)),
    }
}

impl Length for String {
    const UNIT: &'static str = "character";
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.chars().count())
    }
    #[inline]
    fn length_bounds(&self) -> Option<(usize, usize)> {
        // A character is 1 to 4 bytes of UTF-8.
        Some((self.len().div_ceil(4), self.len()))
    }
}

impl Length for Vec<u8> {
    const UNIT: &'static str = "byte";
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl Length for bytes::Bytes {
    const UNIT: &'static str = "byte";
    #[inline]
    fn length(&self) -> Option<usize> {
        Some(self.len())
    }
}

/// Strings, for patterns and formats.
#[diagnostic::on_unimplemented(
    message = "this constraint applies to strings, not to `{Self}`",
    label = "not a string field",
    note = "`pattern`, `email`, `uri`, `uuid`, `hostname`, `ip`, `ipv4`, `ipv6`, `prefix`, `suffix` and `contains` check `String` fields (or `Option<String>`); for each item of a repeated field use `items(...)`"
)]
pub trait Text {
    /// The string, or `None` when absent.
    fn text(&self) -> Option<&str>;
}

impl Text for String {
    #[inline]
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

/// Numbers, for bounds.
#[diagnostic::on_unimplemented(
    message = "`gt`, `ge`, `lt` and `le` apply to numbers, not to `{Self}`",
    label = "not a number field",
    note = "for each item of a repeated field use `items(...)`; a float bound is written as a float literal (`ge = 0.0`)"
)]
pub trait Number {
    /// The number type.
    type Num: PartialOrd + Copy + Display;
    /// The value, or `None` when absent.
    fn number(&self) -> Option<Self::Num>;
}

/// Floating-point numbers, for `finite`.
#[diagnostic::on_unimplemented(
    message = "`finite` applies to `f32` and `f64`, not to `{Self}`",
    label = "not a float field"
)]
pub trait Float {
    /// The value, or `None` when absent.
    fn float(&self) -> Option<f64>;
}

/// Values compared with a list, for `in` and `not_in`.
#[diagnostic::on_unimplemented(
    message = "`in` and `not_in` apply to numbers and strings, not to `{Self}`",
    label = "not a number or string field"
)]
pub trait Listed {
    /// The type of the list's elements.
    type Item: Debug + ?Sized;
    /// Whether the value is present and equal to `item`; `None` when absent.
    fn equals(&self, item: &Self::Item) -> Option<bool>;
}

impl Listed for String {
    type Item = str;
    #[inline]
    fn equals(&self, item: &str) -> Option<bool> {
        Some(self == item)
    }
}

macro_rules! numbers {
    ($($ty:ty),*) => {$(
        impl Number for $ty {
            type Num = $ty;
            #[inline]
            fn number(&self) -> Option<$ty> {
                Some(*self)
            }
        }
        impl Listed for $ty {
            type Item = $ty;
            #[inline]
            #[allow(clippy::float_cmp)]
            fn equals(&self, item: &$ty) -> Option<bool> {
                Some(self == item)
            }
        }
    )*};
}
numbers!(i32, i64, u32, u64, f32, f64);

impl Float for f32 {
    #[inline]
    fn float(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

impl Float for f64 {
    #[inline]
    fn float(&self) -> Option<f64> {
        Some(*self)
    }
}

/// Enums, for `defined_only`. `#[derive(Message)]` implements it.
#[diagnostic::on_unimplemented(
    message = "`defined_only` applies to enums, not to `{Self}`",
    label = "not an enum field"
)]
pub trait Defined {
    /// Whether the value is one the enum declares (`None` when absent).
    fn is_defined(&self) -> Option<bool>;
}

/// Implements [`Defined`] for a derived enum.
#[inline]
pub fn enum_is_defined<E: Enumeration>(value: &E) -> Option<bool> {
    Some(value.proto_name().is_some())
}

/// Fields with presence, for `required`.
#[diagnostic::on_unimplemented(
    message = "`required` applies to `Option<...>` fields (messages, oneofs, optional scalars), not to `{Self}`",
    label = "this field cannot be absent",
    note = "a string or bytes field that must not be empty takes `min_len = 1`; a repeated field or map, `min_items = 1`"
)]
pub trait Presence {
    /// Whether the value is set.
    fn is_present(&self) -> bool;
}

impl<T> Presence for Option<T> {
    #[inline]
    fn is_present(&self) -> bool {
        self.is_some()
    }
}

/// Repeated fields and maps, for item counts.
#[diagnostic::on_unimplemented(
    message = "`min_items`, `max_items` and `unique` apply to repeated fields and maps, not to `{Self}`",
    label = "not a repeated field or map",
    note = "for the length of a string or bytes field use `min_len` / `max_len`"
)]
pub trait Count {
    /// How many items (entries for a map).
    fn count(&self) -> usize;
}

impl<T> Count for Vec<T> {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

impl<K, V, S> Count for HashMap<K, V, S> {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

impl<K, V> Count for BTreeMap<K, V> {
    #[inline]
    fn count(&self) -> usize {
        self.len()
    }
}

/// Repeated fields, for `items(...)` and `unique`.
#[diagnostic::on_unimplemented(
    message = "`items(...)` and `unique` apply to repeated fields, not to `{Self}`",
    label = "not a repeated field",
    note = "for a map use `keys(...)` and `values(...)`"
)]
pub trait Items {
    /// The element type.
    type Item;
    /// The elements.
    fn items(&self) -> &[Self::Item];
}

impl<T> Items for Vec<T> {
    type Item = T;
    #[inline]
    fn items(&self) -> &[T] {
        self
    }
}

/// Maps, for `keys(...)` and `values(...)`.
#[diagnostic::on_unimplemented(
    message = "`keys(...)` and `values(...)` apply to maps, not to `{Self}`",
    label = "not a map field"
)]
pub trait Entries {
    /// The key type.
    type Key: PathKey;
    /// The value type.
    type Value;
    /// Calls `f` for each entry.
    fn for_each_entry(&self, f: impl FnMut(&Self::Key, &Self::Value));
}

impl<K: PathKey, V, S> Entries for HashMap<K, V, S> {
    type Key = K;
    type Value = V;
    fn for_each_entry(&self, mut f: impl FnMut(&K, &V)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

impl<K: PathKey, V> Entries for BTreeMap<K, V> {
    type Key = K;
    type Value = V;
    fn for_each_entry(&self, mut f: impl FnMut(&K, &V)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

// `Option<T>` and `Box<T>` take the constraints of `T`.
macro_rules! lift {
    ($($wrapper:ident),*) => {$(
        impl<T: Length> Length for $wrapper<T> {
            const UNIT: &'static str = T::UNIT;
            #[inline]
            fn length(&self) -> Option<usize> {
                lift!(@get $wrapper, self).and_then(Length::length)
            }
            #[inline]
            fn length_bounds(&self) -> Option<(usize, usize)> {
                lift!(@get $wrapper, self).and_then(Length::length_bounds)
            }
        }
        impl<T: Text> Text for $wrapper<T> {
            #[inline]
            fn text(&self) -> Option<&str> {
                lift!(@get $wrapper, self).and_then(Text::text)
            }
        }
        impl<T: Number> Number for $wrapper<T> {
            type Num = T::Num;
            #[inline]
            fn number(&self) -> Option<T::Num> {
                lift!(@get $wrapper, self).and_then(Number::number)
            }
        }
        impl<T: Float> Float for $wrapper<T> {
            #[inline]
            fn float(&self) -> Option<f64> {
                lift!(@get $wrapper, self).and_then(Float::float)
            }
        }
        impl<T: Listed> Listed for $wrapper<T> {
            type Item = T::Item;
            #[inline]
            fn equals(&self, item: &T::Item) -> Option<bool> {
                lift!(@get $wrapper, self).and_then(|v| v.equals(item))
            }
        }
        impl<T: Defined> Defined for $wrapper<T> {
            #[inline]
            fn is_defined(&self) -> Option<bool> {
                lift!(@get $wrapper, self).and_then(Defined::is_defined)
            }
        }
    )*};
    (@get Option, $s:expr) => { $s.as_ref() };
    (@get Box, $s:expr) => { Some(&**$s) };
}
lift!(Option, Box);

fn plural(n: usize, unit: &str) -> String {
    if n == 1 {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// `min_len = n`
#[inline]
pub fn min_len<T: Length + ?Sized>(value: &T, n: usize, c: &mut Checker<'_>) {
    if !length_within(value, n, usize::MAX) {
        c.violation(
            "min_len",
            format!("must be at least {} long", plural(n, T::UNIT)),
        );
    }
}

/// `max_len = n`
#[inline]
pub fn max_len<T: Length + ?Sized>(value: &T, n: usize, c: &mut Checker<'_>) {
    if !length_within(value, 0, n) {
        c.violation(
            "max_len",
            format!("must be at most {} long", plural(n, T::UNIT)),
        );
    }
}

/// `len = n`
#[inline]
pub fn len<T: Length + ?Sized>(value: &T, n: usize, c: &mut Checker<'_>) {
    if !length_within(value, n, n) {
        c.violation(
            "len",
            format!("must be exactly {} long", plural(n, T::UNIT)),
        );
    }
}

/// `pattern = "..."`; the expression was checked when the message was
/// compiled and is built once, on first use.
#[inline]
pub fn pattern<T: Text + ?Sized>(
    value: &T,
    regex: &std::sync::OnceLock<regex::Regex>,
    source: &'static str,
    c: &mut Checker<'_>,
) {
    if let Some(text) = value.text() {
        let regex = regex.get_or_init(|| {
            regex::Regex::new(source).expect("the pattern was checked at compile time")
        });
        if !regex.is_match(text) {
            c.violation("pattern", format!("must match the pattern `{source}`"));
        }
    }
}

/// A string format (`email`, `uri`, `uuid`, `hostname`, `ip`, `ipv4`,
/// `ipv6`).
#[inline]
pub fn format<T: Text + ?Sized>(
    value: &T,
    rule: &'static str,
    check: fn(&str) -> bool,
    what: &'static str,
    c: &mut Checker<'_>,
) {
    if value.text().is_some_and(|text| !check(text)) {
        c.violation(rule, format!("must be {what}"));
    }
}

/// `prefix`, `suffix` and `contains`.
#[inline]
pub fn affix<T: Text + ?Sized>(
    value: &T,
    rule: &'static str,
    needle: &'static str,
    c: &mut Checker<'_>,
) {
    let Some(text) = value.text() else { return };
    let (ok, what) = match rule {
        "prefix" => (text.starts_with(needle), "start with"),
        "suffix" => (text.ends_with(needle), "end with"),
        _ => (text.contains(needle), "contain"),
    };
    if !ok {
        c.violation(rule, format!("must {what} {needle:?}"));
    }
}

/// `gt`, `ge`, `lt`, `le`.
#[inline]
pub fn bound<T: Number + ?Sized>(
    value: &T,
    rule: &'static str,
    bound: T::Num,
    c: &mut Checker<'_>,
) {
    let Some(v) = value.number() else { return };
    // Written so that NaN fails every bound.
    let (ok, what) = match rule {
        "gt" => (v > bound, "greater than"),
        "ge" => (v >= bound, "greater than or equal to"),
        "lt" => (v < bound, "less than"),
        _ => (v <= bound, "less than or equal to"),
    };
    if !ok {
        c.violation(rule, format!("must be {what} {bound}"));
    }
}

/// `in = [...]`
#[inline]
pub fn one_of<T: Listed + ?Sized, L: AsRef<T::Item>>(value: &T, list: &[L], c: &mut Checker<'_>) {
    // `None`: the value is absent, so there is nothing to check. (The
    // derive rejects an empty list.)
    if list
        .iter()
        .any(|item| value.equals(item.as_ref()) != Some(false))
    {
        return;
    }
    let shown: Vec<&T::Item> = list.iter().map(AsRef::as_ref).collect();
    c.violation("in", format!("must be one of {shown:?}"));
}

/// `not_in = [...]`
#[inline]
pub fn none_of<T: Listed + ?Sized, L: AsRef<T::Item>>(value: &T, list: &[L], c: &mut Checker<'_>) {
    if list
        .iter()
        .any(|item| value.equals(item.as_ref()) == Some(true))
    {
        let shown: Vec<&T::Item> = list.iter().map(AsRef::as_ref).collect();
        c.violation("not_in", format!("must not be one of {shown:?}"));
    }
}

/// A number as an element of an `in` list (numbers are not `AsRef` of
/// themselves).
#[derive(Clone, Copy, Debug)]
pub struct Num<T>(pub T);

impl<T> AsRef<T> for Num<T> {
    #[inline]
    fn as_ref(&self) -> &T {
        &self.0
    }
}

/// `finite`
#[inline]
pub fn finite<T: Float + ?Sized>(value: &T, c: &mut Checker<'_>) {
    if value.float().is_some_and(|f| !f.is_finite()) {
        c.violation("finite", "must be a finite number (not NaN or infinite)");
    }
}

/// `required`
#[inline]
pub fn required<T: Presence + ?Sized>(value: &T, c: &mut Checker<'_>) {
    if !value.is_present() {
        c.violation("required", "is required");
    }
}

/// `defined_only`
#[inline]
pub fn defined_only<T: Defined + ?Sized>(value: &T, c: &mut Checker<'_>) {
    if value.is_defined() == Some(false) {
        c.violation("defined_only", "must be one of the values the enum defines");
    }
}

/// `min_items = n`
#[inline]
pub fn min_items<T: Count + ?Sized>(value: &T, n: usize, c: &mut Checker<'_>) {
    if value.count() < n {
        c.violation(
            "min_items",
            format!("must contain at least {}", plural(n, "item")),
        );
    }
}

/// `max_items = n`
#[inline]
pub fn max_items<T: Count + ?Sized>(value: &T, n: usize, c: &mut Checker<'_>) {
    if value.count() > n {
        c.violation(
            "max_items",
            format!("must contain at most {}", plural(n, "item")),
        );
    }
}

/// `unique`: no two items equal. Items must be `Eq + Hash` (scalars other
/// than floats, enums that derive them).
pub fn unique<T>(value: &T, c: &mut Checker<'_>)
where
    T: Items + ?Sized,
    T::Item: Eq + Hash,
{
    let items = value.items();
    let repeated = if items.len() <= 16 {
        items
            .iter()
            .enumerate()
            .any(|(i, a)| items[..i].iter().any(|b| a == b))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        !items.iter().all(|item| seen.insert(item))
    };
    if repeated {
        c.violation("unique", "must not contain repeated items");
    }
}

/// `items(...)`: runs `f` on each element, scoped to its index.
#[inline]
pub fn each_item<T: Items + ?Sized>(
    value: &T,
    c: &mut Checker<'_>,
    mut f: impl FnMut(&T::Item, &mut Checker<'_>),
) {
    for (i, item) in value.items().iter().enumerate() {
        c.index(i, |c| f(item, c));
    }
}

/// `keys(...)` and `values(...)`: runs `f` on each entry, scoped to its key.
#[inline]
pub fn each_entry<T: Entries + ?Sized>(
    value: &T,
    c: &mut Checker<'_>,
    mut f: impl FnMut(&T::Key, &T::Value, &mut Checker<'_>),
) {
    value.for_each_entry(|k, v| c.key(k, |c| f(k, v, c)));
}

/// `validate_with = path::to::function`: the function takes the field and
/// returns `Ok(())` or an error whose `Display` text is the description.
#[inline]
pub fn custom<E: Display>(result: Result<(), E>, rule: &'static str, c: &mut Checker<'_>) {
    if let Err(e) = result {
        c.violation(rule, e.to_string());
    }
}
