//! A streaming writer of compact proto3 JSON.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::lexer::next_special;
use super::{JsonError, JsonOptions};

/// Writes compact JSON into a byte vector, one token at a time.
///
/// The writer inserts the commas between members and elements itself, so
/// generated code only says what comes next: `key`, a value, `begin_*` or
/// `end_*`. It does not check that calls nest properly; that is the
/// caller's job, and generated code gets it right by construction. Every
/// method appends bytes directly and none allocates, so writing a message
/// costs little more than the output's size.
///
/// Values that JSON cannot hold (a `google.protobuf.Value` holding NaN,
/// say) are reported with [`set_error`](Self::set_error) rather than by
/// failing every call; the caller checks [`take_error`](Self::take_error)
/// once at the end.
///
/// The output is always valid UTF-8: every byte written is either ASCII or
/// copied from a `&str`.
#[derive(Debug)]
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    options: &'a JsonOptions,
    /// Whether a value or member was written in the current container, so
    /// the next one needs a comma first.
    need_comma: bool,
    error: Option<JsonError>,
    /// How many objects and arrays are open, counting those of the writer
    /// this one was [`nested`](Self::nested) in: a `google.protobuf.Any`
    /// writes its content with a writer of its own, and the content may be
    /// another `Any`, so without a shared count nesting would be bounded
    /// only by the stack.
    depth: u32,
}

impl<'a> JsonWriter<'a> {
    /// A writer that appends to `out`, keeping what `out` already holds.
    pub fn new(out: &'a mut Vec<u8>, options: &'a JsonOptions) -> Self {
        JsonWriter {
            out,
            options,
            need_comma: false,
            error: None,
            depth: 0,
        }
    }

    /// A writer for a document that will be embedded in this one's output
    /// inside an object not yet begun (the content of a
    /// `google.protobuf.Any`): it starts one level deeper than this one.
    pub(crate) fn nested<'b>(
        &self,
        out: &'b mut Vec<u8>,
        options: &'b JsonOptions,
    ) -> JsonWriter<'b> {
        let mut inner = JsonWriter::new(out, options);
        inner.depth = self.depth.saturating_add(1);
        inner
    }

    /// How many objects and arrays are open at this point, counting those
    /// of enclosing writers.
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    /// The options that generated code consults, e.g. `emit_defaults`.
    pub fn options(&self) -> &'a JsonOptions {
        self.options
    }

    /// Whether the next key or value opens its container (or the
    /// document), i.e. will not be preceded by a comma.
    pub fn is_at_start(&self) -> bool {
        !self.need_comma
    }

    /// Records that the output is not faithful JSON for its message; the
    /// first error recorded is kept. Writing goes on, so the caller should
    /// still write a placeholder (usually `null`) where the value was.
    pub fn set_error(&mut self, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(JsonError::new("", message, self.out.len()));
        }
    }

    /// The error recorded by [`set_error`](Self::set_error), if any.
    pub fn error(&self) -> Option<&JsonError> {
        self.error.as_ref()
    }

    /// Takes the error recorded by [`set_error`](Self::set_error), if any.
    pub fn take_error(&mut self) -> Option<JsonError> {
        self.error.take()
    }

    /// Writes the comma that separates this item from the previous one.
    #[inline]
    fn separate(&mut self) {
        if self.need_comma {
            self.out.push(b',');
        }
    }

    /// Writes `{`.
    #[inline]
    pub fn begin_object(&mut self) {
        self.separate();
        self.out.push(b'{');
        self.need_comma = false;
        self.depth = self.depth.saturating_add(1);
    }

    /// Writes `}`.
    #[inline]
    pub fn end_object(&mut self) {
        self.out.push(b'}');
        self.need_comma = true;
        self.depth = self.depth.saturating_sub(1);
    }

    /// Writes `[`.
    #[inline]
    pub fn begin_array(&mut self) {
        self.separate();
        self.out.push(b'[');
        self.need_comma = false;
        self.depth = self.depth.saturating_add(1);
    }

    /// Writes `]`.
    #[inline]
    pub fn end_array(&mut self) {
        self.out.push(b']');
        self.need_comma = true;
        self.depth = self.depth.saturating_sub(1);
    }

    /// Writes a member name and its colon; the member's value comes next.
    #[inline]
    pub fn key(&mut self, key: &str) {
        self.separate();
        write_escaped(self.out, key);
        self.out.push(b':');
        self.need_comma = false;
    }

    /// Writes a string, escaped.
    #[inline]
    pub fn string(&mut self, value: &str) {
        self.separate();
        write_escaped(self.out, value);
        self.need_comma = true;
    }

    /// Writes `true` or `false`.
    #[inline]
    pub fn bool(&mut self, value: bool) {
        self.raw_value(if value { "true" } else { "false" });
    }

    /// Writes `null`.
    #[inline]
    pub fn null(&mut self) {
        self.raw_value("null");
    }

    /// Writes an `int32` (also `sint32`, `sfixed32`, enums) as a number.
    #[inline]
    pub fn i32(&mut self, value: i32) {
        self.raw_value(itoa::Buffer::new().format(value));
    }

    /// Writes a `uint32` (also `fixed32`) as a number.
    #[inline]
    pub fn u32(&mut self, value: u32) {
        self.raw_value(itoa::Buffer::new().format(value));
    }

    /// Writes an `int64` (also `sint64`, `sfixed64`) as a quoted decimal
    /// string: proto3 JSON quotes 64-bit integers because JavaScript
    /// numbers lose precision above 2^53.
    #[inline]
    pub fn i64(&mut self, value: i64) {
        self.quoted(itoa::Buffer::new().format(value));
    }

    /// Writes a `uint64` (also `fixed64`) as a quoted decimal string.
    #[inline]
    pub fn u64(&mut self, value: u64) {
        self.quoted(itoa::Buffer::new().format(value));
    }

    /// Writes a `double`: finite values as the shortest number that reads
    /// back exactly, NaN and the infinities as the strings proto3 JSON
    /// uses for them.
    #[inline]
    pub fn f64(&mut self, value: f64) {
        if value.is_finite() {
            self.raw_value(trim_integral(ryu::Buffer::new().format_finite(value)));
        } else {
            self.quoted(non_finite_name(value.is_nan(), value.is_sign_negative()));
        }
    }

    /// Writes a `float`, formatted as an `f32` so that `0.1f32` prints as
    /// `0.1` rather than as the `f64` it widens to.
    #[inline]
    pub fn f32(&mut self, value: f32) {
        if value.is_finite() {
            self.raw_value(trim_integral(ryu::Buffer::new().format_finite(value)));
        } else {
            self.quoted(non_finite_name(value.is_nan(), value.is_sign_negative()));
        }
    }

    /// Writes `bytes` as a string in standard, padded base64.
    pub fn bytes(&mut self, value: &[u8]) {
        self.separate();
        self.out.push(b'"');
        let start = self.out.len();
        // Encoding straight into the output avoids a temporary String.
        // Neither the length computation nor the encoding can fail for a
        // slice that exists in memory, but a failure must not panic, so it
        // leaves the string empty instead.
        if let Some(len) = base64::encoded_len(value.len(), true) {
            self.out.resize(start + len, 0);
            match STANDARD.encode_slice(value, &mut self.out[start..]) {
                Ok(written) => self.out.truncate(start + written),
                Err(_) => self.out.truncate(start),
            }
        }
        self.out.push(b'"');
        self.need_comma = true;
    }

    /// Writes an already-encoded JSON value verbatim. The caller vouches
    /// that `json` is exactly one valid JSON value.
    #[inline]
    pub fn raw_value(&mut self, json: &str) {
        self.separate();
        self.out.extend_from_slice(json.as_bytes());
        self.need_comma = true;
    }

    /// Writes already-encoded object members (`"a":1,"b":2`, without the
    /// braces) verbatim, after the members written so far; for
    /// `google.protobuf.Any`, which splices a message's members in after
    /// `@type`. Does nothing for an empty string.
    pub fn raw_members(&mut self, json: &str) {
        if json.is_empty() {
            return;
        }
        self.raw_value(json);
    }

    /// Writes `text`, which needs no escaping, in quotes.
    #[inline]
    fn quoted(&mut self, text: &str) {
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
        self.need_comma = true;
    }
}

/// The proto3 JSON spelling of a NaN or infinite value.
fn non_finite_name(nan: bool, negative: bool) -> &'static str {
    match (nan, negative) {
        (true, _) => "NaN",
        (false, false) => "Infinity",
        (false, true) => "-Infinity",
    }
}

/// Drops the `.0` that ryu puts on integral values, so `1.0` prints as
/// `1` as protobuf's own JSON printers do.
#[inline]
fn trim_integral(text: &str) -> &str {
    text.strip_suffix(".0").unwrap_or(text)
}

/// For each byte that [`next_special`] finds, the character after the
/// backslash that escapes it, or `u` for a `\u00XX` escape.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `value` as a quoted JSON string. Runs of bytes that need no
/// escape, which is nearly all of them, are found eight bytes at a time
/// and copied in one go. Bytes of multi-byte UTF-8 sequences are all
/// >= 0x80 and never escaped, so the output stays valid UTF-8.
#[inline]
fn write_escaped(out: &mut Vec<u8>, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run_start = 0;
    while let Some(i) = next_special(bytes, run_start) {
        out.extend_from_slice(bytes.get(run_start..i).unwrap_or_default());
        run_start = i + 1;
        let b = bytes.get(i).copied().unwrap_or_default();
        match ESCAPE[usize::from(b)] {
            b'u' => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
            escape => out.extend_from_slice(&[b'\\', escape]),
        }
    }
    out.extend_from_slice(bytes.get(run_start..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(f: impl FnOnce(&mut JsonWriter<'_>)) -> String {
        let options = JsonOptions::default();
        let mut out = Vec::new();
        f(&mut JsonWriter::new(&mut out, &options));
        String::from_utf8(out).expect("writer output is UTF-8")
    }

    #[test]
    fn commas_between_members_and_elements() {
        let text = write(|w| {
            assert!(w.is_at_start());
            w.begin_object();
            w.key("a");
            w.i32(1);
            assert!(!w.is_at_start());
            w.key("b");
            w.begin_array();
            w.bool(true);
            w.null();
            w.begin_object();
            w.end_object();
            w.begin_array();
            w.end_array();
            w.string("x");
            w.end_array();
            w.key("c");
            w.begin_object();
            w.key("d");
            w.u32(7);
            w.end_object();
            w.end_object();
        });
        assert_eq!(text, r#"{"a":1,"b":[true,null,{},[],"x"],"c":{"d":7}}"#);
    }

    #[test]
    fn appends_to_existing_output() {
        let options = JsonOptions::default();
        let mut out = b"prefix ".to_vec();
        JsonWriter::new(&mut out, &options).i32(5);
        assert_eq!(out, b"prefix 5");
    }

    #[test]
    fn integers() {
        let text = write(|w| {
            w.begin_array();
            w.i32(i32::MIN);
            w.i32(0);
            w.u32(u32::MAX);
            w.i64(i64::MIN);
            w.u64(u64::MAX);
            w.end_array();
        });
        assert_eq!(
            text,
            r#"[-2147483648,0,4294967295,"-9223372036854775808","18446744073709551615"]"#
        );
    }

    #[test]
    fn doubles() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-2.0, "-2"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e21, "1e21"),
            (1e-7, "1e-7"),
            (123456789.0, "123456789"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (f64::NAN, r#""NaN""#),
            (f64::INFINITY, r#""Infinity""#),
            (f64::NEG_INFINITY, r#""-Infinity""#),
        ];
        for &(value, expected) in cases {
            assert_eq!(write(|w| w.f64(value)), expected, "{value:?}");
        }
    }

    #[test]
    fn floats_use_f32_shortest_form() {
        let cases: &[(f32, &str)] = &[
            (0.1, "0.1"),
            (1.0, "1"),
            (16777216.0, "16777216"),
            (f32::MAX, "3.4028235e38"),
            (f32::NAN, r#""NaN""#),
            (f32::NEG_INFINITY, r#""-Infinity""#),
        ];
        for &(value, expected) in cases {
            assert_eq!(write(|w| w.f32(value)), expected, "{value:?}");
        }
    }

    #[test]
    fn string_escaping() {
        let text = write(|w| w.string("a\"b\\c\n\r\t\u{8}\u{c}\u{0}\u{1f}/é€😀\u{2028}\u{7f}"));
        assert_eq!(
            text,
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f/é€😀\u{2028}\u{7f}\""
        );
        assert_eq!(write(|w| w.string("")), r#""""#);
    }

    #[test]
    fn keys_are_escaped() {
        let text = write(|w| {
            w.begin_object();
            w.key("we\"ird");
            w.i32(1);
            w.end_object();
        });
        assert_eq!(text, r#"{"we\"ird":1}"#);
    }

    #[test]
    fn bytes_are_padded_standard_base64() {
        assert_eq!(write(|w| w.bytes(b"")), r#""""#);
        assert_eq!(write(|w| w.bytes(b"f")), r#""Zg==""#);
        assert_eq!(write(|w| w.bytes(b"fo")), r#""Zm8=""#);
        assert_eq!(write(|w| w.bytes(&[0xfb, 0xff])), r#""+/8=""#);
        let text = write(|w| {
            w.begin_array();
            w.bytes(b"foo");
            w.bytes(b"bar");
            w.end_array();
        });
        assert_eq!(text, r#"["Zm9v","YmFy"]"#);
    }

    #[test]
    fn raw_values_and_members() {
        let text = write(|w| {
            w.begin_object();
            w.key("@type");
            w.string("t");
            w.raw_members(r#""a":1,"b":[2]"#);
            w.raw_members("");
            w.key("c");
            w.raw_value("{\"d\":null}");
            w.end_object();
        });
        assert_eq!(text, r#"{"@type":"t","a":1,"b":[2],"c":{"d":null}}"#);
    }

    #[test]
    fn first_error_is_kept() {
        let options = JsonOptions::default();
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out, &options);
        assert!(w.error().is_none());
        w.begin_array();
        w.set_error("first");
        w.null();
        w.set_error(String::from("second"));
        assert_eq!(w.error().map(JsonError::message), Some("first"));
        let e = w.take_error().expect("an error was set");
        assert_eq!((e.message(), e.path(), e.offset()), ("first", "", 1));
        assert!(w.take_error().is_none());
    }

    #[test]
    fn options_are_exposed() {
        let options = JsonOptions::default().with_emit_defaults(true);
        let mut out = Vec::new();
        let w = JsonWriter::new(&mut out, &options);
        assert!(w.options().emit_defaults);
    }
}
