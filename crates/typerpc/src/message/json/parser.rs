//! A pull parser for proto3 JSON, driven by generated code.

use std::borrow::Cow;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::lexer::{describe, is_whitespace, string_at, string_in, LexError};
use super::path::{render, Segment};
use super::path_stack::PathStack;
use super::{JsonError, JsonOptions};

/// The kind of the next JSON value, as [`JsonParser::peek_kind`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array, `[...]`.
    Array,
    /// An object, `{...}`.
    Object,
}

/// Reads JSON one value at a time, in the order the caller asks for it.
///
/// There is no intermediate tree: generated code asks for an object, is
/// handed each member's name, and reads the value with the method for the
/// field's type, so the text is scanned once. Names and strings without
/// escapes are borrowed from the input.
///
/// Every error carries the path of the value being read (`a.b[2].c`) and a
/// byte offset. Once a method has failed, the rest of the input is not
/// worth reading: the parser stays usable (nothing panics) but where it
/// stands in the input is unspecified.
#[derive(Clone, Debug)]
pub struct JsonParser<'a> {
    pub(super) input: &'a [u8],
    /// The input as text when it is all valid UTF-8 (nearly always),
    /// checked once: strings are then sliced out of it. Otherwise each
    /// string is checked as it is read, so that the error says where.
    text: Option<&'a str>,
    /// Offset of the next byte to read.
    pub(super) pos: usize,
    options: &'a JsonOptions,
    /// How many objects and arrays enclose the current position.
    pub(super) depth: u32,
    pub(super) max_depth: u32,
    path: PathStack,
}

/// Standard and URL-safe base64 decoders that accept input with or without
/// padding, as proto3 JSON asks for `bytes`. Trailing bits are allowed
/// because protobuf's own parsers ignore them.
const BASE64_CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, BASE64_CONFIG);
const BASE64_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, BASE64_CONFIG);

/// `input` as text, if it is valid UTF-8. Most JSON is ASCII, which a
/// word-at-a-time scan recognises for a fraction of what full UTF-8
/// validation costs on a short input.
#[inline]
fn as_text(input: &[u8]) -> Option<&str> {
    if is_ascii(input) {
        // SAFETY: every byte is below 0x80, and a sequence of such bytes
        // is valid UTF-8 (each byte is a one-byte character).
        Some(unsafe { std::str::from_utf8_unchecked(input) })
    } else {
        std::str::from_utf8(input).ok()
    }
}

/// Whether every byte is below 0x80: the high bits of all the bytes,
/// gathered eight at a time (the standard library's check goes byte by
/// byte on short inputs).
#[inline]
fn is_ascii(input: &[u8]) -> bool {
    let mut chunks = input.chunks_exact(8);
    let mut high = 0u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        high |= u64::from_ne_bytes(word);
    }
    let tail = chunks.remainder().iter().fold(0u8, |high, &b| high | b);
    high & 0x8080_8080_8080_8080 == 0 && tail < 0x80
}

impl<'a> JsonParser<'a> {
    /// A parser positioned before the single JSON value in `input`.
    pub fn new(input: &'a [u8], options: &'a JsonOptions) -> Self {
        JsonParser {
            input,
            text: as_text(input),
            pos: 0,
            options,
            depth: 0,
            max_depth: options.max_depth(),
            path: PathStack::default(),
        }
    }

    /// The options that generated code consults, e.g.
    /// `ignore_unknown_fields`.
    pub fn options(&self) -> &'a JsonOptions {
        self.options
    }

    /// The byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Checks that nothing but whitespace follows the value read.
    pub fn finish(&mut self) -> Result<(), JsonError> {
        match self.skip_whitespace() {
            None => Ok(()),
            Some(_) => Err(self.error(format!(
                "trailing characters after the JSON value, starting with {}",
                describe(self.input, self.pos)
            ))),
        }
    }

    /// An error about the value being read, for callers' own checks (e.g.
    /// `unknown value "FOO" for enum Color`).
    pub fn error(&self, message: impl Into<String>) -> JsonError {
        self.error_at(self.pos, message)
    }

    /// An error at the current path, found at byte `offset`.
    #[cold]
    pub(super) fn error_at(&self, offset: usize, message: impl Into<String>) -> JsonError {
        JsonError::new(render(self.input, self.path.as_slice()), message, offset)
    }

    #[cold]
    fn lex_error(&self, e: LexError) -> JsonError {
        self.error_at(e.offset, e.message)
    }

    /// An error saying what was expected at the current position and what
    /// is there instead.
    #[cold]
    pub(super) fn unexpected(&self, expected: &str) -> JsonError {
        self.error(format!(
            "expected {expected}, found {}",
            describe(self.input, self.pos)
        ))
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    pub(super) fn skip_whitespace(&mut self) -> Option<u8> {
        while let Some(&b) = self.input.get(self.pos) {
            if !is_whitespace(b) {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `word` if the input continues with it.
    #[inline]
    pub(super) fn eat(&mut self, word: &[u8]) -> bool {
        let found = self
            .input
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.pos += word.len();
        }
        found
    }

    /// The kind of the next value, without consuming it.
    pub fn peek_kind(&mut self) -> Result<JsonKind, JsonError> {
        match self.skip_whitespace() {
            Some(b'n') => Ok(JsonKind::Null),
            Some(b't' | b'f') => Ok(JsonKind::Bool),
            Some(b'-' | b'0'..=b'9') => Ok(JsonKind::Number),
            Some(b'"') => Ok(JsonKind::String),
            Some(b'[') => Ok(JsonKind::Array),
            Some(b'{') => Ok(JsonKind::Object),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    /// Consumes the next value and returns true if it is `null`; otherwise
    /// consumes nothing and returns false.
    pub fn take_null(&mut self) -> Result<bool, JsonError> {
        self.skip_whitespace();
        Ok(self.eat(b"null"))
    }

    /// Reads `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, JsonError> {
        self.skip_whitespace();
        if self.eat(b"true") {
            Ok(true)
        } else if self.eat(b"false") {
            Ok(false)
        } else {
            Err(self.unexpected("a bool"))
        }
    }

    /// Reads a string, unescaped. It is borrowed from the input unless it
    /// holds escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.skip_whitespace() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        self.string_token()
    }

    /// Reads the string whose opening quote is at the current position.
    #[inline]
    pub(super) fn string_token(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let read = match self.text {
            Some(text) => string_in(text, self.pos),
            None => string_at(self.input, self.pos),
        };
        let (value, end) = read.map_err(|e| self.lex_error(e))?;
        self.pos = end;
        Ok(value)
    }

    /// Reads `bytes`: a base64 string in the standard or URL-safe alphabet,
    /// with or without padding.
    pub fn bytes(&mut self) -> Result<Vec<u8>, JsonError> {
        self.skip_whitespace();
        let start = self.pos;
        let text = self.string()?;
        BASE64_STANDARD
            .decode(text.as_bytes())
            .or_else(|_| BASE64_URL_SAFE.decode(text.as_bytes()))
            .map_err(|e| self.error_at(start, format!("invalid base64 in bytes value: {e}")))
    }

    /// Enters a container: checks the nesting limit and consumes `open`.
    fn enter(&mut self, open: u8, what: &str) -> Result<(), JsonError> {
        if self.skip_whitespace() != Some(open) {
            return Err(self.unexpected(what));
        }
        if self.depth >= self.max_depth {
            return Err(self.too_deep());
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    #[cold]
    pub(super) fn too_deep(&self) -> JsonError {
        self.error(format!(
            "objects and arrays nest deeper than the limit of {} levels",
            self.max_depth
        ))
    }

    /// Reads an object, calling `member` with each member's name (decoded).
    /// `member` must read exactly the member's value, e.g. with
    /// [`i32`](Self::i32), or [`skip_value`](Self::skip_value) it; errors
    /// it returns stop the parse. Duplicate names are passed on as they
    /// come.
    pub fn object<F>(&mut self, member: F) -> Result<(), JsonError>
    where
        F: FnMut(&mut Self, &str) -> Result<(), JsonError>,
    {
        let (depth, path_len) = (self.depth, self.path.len());
        let result = self.object_members(member);
        if result.is_err() {
            // Leave the bookkeeping as it was, for callers that recover.
            self.depth = depth;
            self.path.truncate(path_len);
        }
        result
    }

    fn object_members<F>(&mut self, mut member: F) -> Result<(), JsonError>
    where
        F: FnMut(&mut Self, &str) -> Result<(), JsonError>,
    {
        self.enter(b'{', "an object")?;
        if self.skip_whitespace() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            let key_at = self.pos;
            let key = self.member_name()?;
            self.path.push(Segment::Key(key_at));
            member(self, &key)?;
            self.path.pop();
            match self.skip_whitespace() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => break,
                _ => return Err(self.unexpected("',' or '}' after an object member")),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// Reads `"name":` at the current position (after whitespace).
    pub(super) fn member_name(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if self.input.get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("a member name in double quotes"));
        }
        let key = self.string_token()?;
        if self.skip_whitespace() != Some(b':') {
            return Err(self.unexpected("':' after the member name"));
        }
        self.pos += 1;
        Ok(key)
    }

    /// Reads an array, calling `element` for each element, which it must
    /// read exactly, like [`object`](Self::object)'s callback.
    pub fn array<F>(&mut self, element: F) -> Result<(), JsonError>
    where
        F: FnMut(&mut Self) -> Result<(), JsonError>,
    {
        let (depth, path_len) = (self.depth, self.path.len());
        let result = self.array_elements(element);
        if result.is_err() {
            self.depth = depth;
            self.path.truncate(path_len);
        }
        result
    }

    fn array_elements<F>(&mut self, mut element: F) -> Result<(), JsonError>
    where
        F: FnMut(&mut Self) -> Result<(), JsonError>,
    {
        self.enter(b'[', "an array")?;
        if self.skip_whitespace() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        self.path.push(Segment::Index(0));
        let mut index = 0;
        loop {
            element(self)?;
            match self.skip_whitespace() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                _ => return Err(self.unexpected("',' or ']' after an array element")),
            }
            index += 1;
            if let Some(last) = self.path.last_mut() {
                *last = Segment::Index(index);
            }
            if self.skip_whitespace() == Some(b']') {
                return Err(self.error("trailing comma in array"));
            }
        }
        self.path.pop();
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// Skips the field whose name matched nothing: ignores its value when
    /// the options say so, else fails with `unknown field "name"`.
    pub fn unknown_field(&mut self, name: &str) -> Result<(), JsonError> {
        if self.options.ignore_unknown_fields {
            self.skip_value()
        } else {
            self.skip_whitespace();
            Err(self.error(format!("unknown field {name:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read<T> = fn(&mut JsonParser<'_>) -> Result<T, JsonError>;

    fn with<T>(
        json: &str,
        f: impl FnOnce(&mut JsonParser<'_>) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(json.as_bytes(), &options);
        let value = f(&mut p)?;
        p.finish()?;
        Ok(value)
    }

    fn fails<T: std::fmt::Debug>(
        json: &str,
        f: impl FnOnce(&mut JsonParser<'_>) -> Result<T, JsonError>,
    ) -> JsonError {
        with(json, f).expect_err("input should be rejected")
    }

    #[test]
    fn ascii_is_found_whatever_the_length_and_position() {
        for len in 0..40 {
            let mut bytes = vec![b'a'; len];
            assert!(is_ascii(&bytes));
            for at in 0..len {
                bytes[at] = 0x80;
                assert!(!is_ascii(&bytes), "{len} {at}");
                bytes[at] = 0x7f;
                assert!(is_ascii(&bytes), "{len} {at}");
            }
        }
        // Valid UTF-8 that is not ASCII is still text.
        assert_eq!(as_text("é".as_bytes()), Some("é"));
        assert_eq!(as_text(b"a\xffb"), None);
    }

    #[test]
    fn peeks_every_kind() {
        let cases = [
            ("null", JsonKind::Null),
            (" true", JsonKind::Bool),
            ("false", JsonKind::Bool),
            ("-1", JsonKind::Number),
            ("0", JsonKind::Number),
            ("\"s\"", JsonKind::String),
            ("\n[]", JsonKind::Array),
            ("{}", JsonKind::Object),
        ];
        for (json, kind) in cases {
            let found = with(json, |p| {
                let kind = p.peek_kind()?;
                assert_eq!(p.peek_kind()?, kind, "peeking consumes nothing");
                p.skip_value()?;
                Ok(kind)
            });
            assert_eq!(found, Ok(kind), "{json}");
        }
        let e = fails("", |p| p.peek_kind());
        assert_eq!(
            e.message(),
            "expected a JSON value, found the end of the input"
        );
        let e = fails("  Infinity", |p| p.peek_kind());
        assert_eq!(
            (e.message(), e.offset()),
            ("expected a JSON value, found Infinity", 2)
        );
    }

    #[test]
    fn take_null_consumes_only_null() {
        assert_eq!(with(" null ", |p| p.take_null()), Ok(true));
        assert_eq!(
            with("1", |p| Ok((p.take_null()?, p.i32()?))),
            Ok((false, 1))
        );
        assert_eq!(
            with("\"null\"", |p| Ok((
                p.take_null()?,
                p.string()?.into_owned()
            ))),
            Ok((false, "null".to_owned()))
        );
        let e = fails("nul", |p| {
            assert!(!p.take_null()?);
            p.skip_value()
        });
        assert_eq!(e.message(), "expected a JSON value, found nul");
        let options = JsonOptions::default();
        assert_eq!(JsonParser::new(b"", &options).take_null(), Ok(false));
    }

    #[test]
    fn bools() {
        assert_eq!(with("true", |p| p.bool()), Ok(true));
        assert_eq!(with(" false ", |p| p.bool()), Ok(false));
        let cases = [
            ("\"true\"", "expected a bool, found \"true\""),
            ("1", "expected a bool, found 1"),
            ("tru", "expected a bool, found tru"),
            (
                "truex",
                "trailing characters after the JSON value, starting with x",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(fails(json, |p| p.bool()).message(), message);
        }
    }

    #[test]
    fn strings_are_borrowed_unless_escaped() {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(br#"["plain", "esc\u00e9ped"]"#, &options);
        let mut strings = Vec::new();
        p.array(|p| {
            strings.push(p.string()?);
            Ok(())
        })
        .unwrap();
        assert!(matches!(strings[0], Cow::Borrowed("plain")));
        assert!(matches!(&strings[1], Cow::Owned(s) if s == "escéped"));
        let e = fails("1", |p| p.string().map(Cow::into_owned));
        assert_eq!(e.message(), "expected a string, found 1");
    }

    #[test]
    fn invalid_utf8_and_control_characters() {
        let options = JsonOptions::default();
        let e = JsonParser::new(b"[\"ok\", \"a\xffb\"]", &options)
            .array(|p| p.string().map(drop))
            .unwrap_err();
        assert_eq!(
            (e.path(), e.message(), e.offset()),
            ("[1]", "invalid UTF-8 in string", 9)
        );
        let e = JsonParser::new(b"\xef\xbb\xbf{}", &options)
            .peek_kind()
            .unwrap_err();
        assert_eq!(e.message(), "expected a JSON value, found '\\u{feff}'");
        let e = JsonParser::new(b"\xff", &options).skip_value().unwrap_err();
        assert_eq!(e.message(), "expected a JSON value, found '\u{FFFD}'");
        let e = fails("\"a\tb\"", |p| p.string().map(Cow::into_owned));
        assert!(e.message().contains("control character"));
        let e = fails(r#""\ud800""#, |p| p.string().map(Cow::into_owned));
        assert!(e.message().contains("lone surrogate"));
    }

    #[test]
    fn objects_pass_decoded_names() {
        let mut seen = Vec::new();
        with(r#" { "a" : 1 , "b\"c" :{"d":[]}, "a":2 } "#, |p| {
            p.object(|p, key| {
                seen.push(key.to_owned());
                match key {
                    "b\"c" => p.object(|p, key| {
                        assert_eq!(key, "d");
                        p.array(|_| panic!("the array is empty"))
                    }),
                    _ => p.i32().map(drop),
                }
            })
        })
        .unwrap();
        assert_eq!(seen, ["a", "b\"c", "a"]);
        let empty = with("{ }", |p| p.object(|_, _| panic!("the object is empty")));
        assert_eq!(empty, Ok(()));
    }

    #[test]
    fn malformed_objects() {
        let read: Read<()> = |p| p.object(|p, _| p.skip_value());
        let cases = [
            ("[]", "expected an object, found an array"),
            (
                "{",
                "expected a member name in double quotes, found the end of the input",
            ),
            ("{a:1}", "expected a member name in double quotes, found a"),
            (
                "{'a':1}",
                "expected a member name in double quotes, found '\\''",
            ),
            (r#"{"a" 1}"#, "expected ':' after the member name, found 1"),
            (
                r#"{"a":1,}"#,
                "expected a member name in double quotes, found '}'",
            ),
            (
                r#"{"a":1 "b":2}"#,
                "expected ',' or '}' after an object member, found \"b\"",
            ),
            (
                r#"{"a":1"#,
                "expected ',' or '}' after an object member, found the end of the input",
            ),
            (r#"{"a":}"#, "expected a JSON value, found '}'"),
            (r#"{"a"#, "unterminated string"),
            (
                r#"{"a":1}}"#,
                "trailing characters after the JSON value, starting with '}'",
            ),
        ];
        for (json, message) in cases {
            assert_eq!(fails(json, read).message(), message, "{json}");
        }
        // A callback that reads nothing leaves the value where a comma
        // should be.
        let e = fails(r#"{"a":1}"#, |p| p.object(|_, _| Ok(())));
        assert_eq!(
            e.message(),
            "expected ',' or '}' after an object member, found 1"
        );
    }

    #[test]
    fn arrays_and_malformed_arrays() {
        let mut items = Vec::new();
        let read = with(" [ 1 , 2,3 ] ", |p| {
            p.array(|p| {
                items.push(p.i32()?);
                Ok(())
            })
        });
        assert_eq!(read, Ok(()));
        assert_eq!(items, [1, 2, 3]);
        let read: Read<()> = |p| p.array(|p| p.skip_value());
        let cases = [
            ("{}", "expected an array, found an object"),
            ("[", "expected a JSON value, found the end of the input"),
            ("[1,]", "trailing comma in array"),
            ("[1, 2 , ]", "trailing comma in array"),
            (
                "[1 2]",
                "expected ',' or ']' after an array element, found 2",
            ),
            (
                "[1",
                "expected ',' or ']' after an array element, found the end of the input",
            ),
            ("[,1]", "expected a JSON value, found ','"),
        ];
        for (json, message) in cases {
            assert_eq!(fails(json, read).message(), message, "{json}");
        }
    }

    #[test]
    fn errors_carry_path_and_offset() {
        let json = r#"{"products":[{"price":1},{},{"price":"abc"}]}"#;
        let e = fails(json, |p| {
            p.object(|p, _| p.array(|p| p.object(|p, _| p.f64().map(drop))))
        });
        assert_eq!(e.path(), "products[2].price");
        assert_eq!(e.message(), "expected double, found \"abc\"");
        assert_eq!(Some(e.offset()), json.find("\"abc\""));
        assert_eq!(
            e.to_string(),
            "invalid JSON at `products[2].price`: expected double, found \"abc\""
        );
        let e = fails(r#"{"a.b":{"":[0,{"x":true}]}}"#, |p| {
            p.object(|p, _| p.object(|p, _| p.array(|p| p.i32().map(drop))))
        });
        assert_eq!(e.path(), r#"["a.b"][""][1]"#);
        let e = fails(r#"{"a":{"b":1}}"#, |p| {
            p.object(|p, _| p.object(|p, key| Err(p.error(format!("custom {key}")))))
        });
        assert_eq!((e.path(), e.message(), e.offset()), ("a.b", "custom b", 10));
    }

    #[test]
    fn bookkeeping_is_restored_after_a_failed_container() {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(br#"[{"a":[x]}]"#, &options);
        let result = p.array(|p| p.object(|p, _| p.array(|p| p.skip_value())));
        assert!(result.is_err());
        assert_eq!(p.depth, 0);
        assert!(p.path.is_empty());
        assert_eq!(p.error("after").path(), "");
    }

    #[test]
    fn finish_allows_only_whitespace() {
        assert_eq!(with(" \t\r\n1 \t\r\n", |p| p.i32()), Ok(1));
        let e = fails("1 2", |p| p.i32());
        assert_eq!(
            (e.message(), e.offset()),
            (
                "trailing characters after the JSON value, starting with 2",
                2
            )
        );
        let e = fails("1\u{a0}", |p| p.i32());
        assert!(e.message().starts_with("trailing"));
    }

    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    }

    /// Reads arrays of arrays by recursion, as generated code does for a
    /// recursive message type.
    fn read_nested(p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.array(read_nested)
    }

    #[test]
    fn nesting_is_limited() {
        assert_eq!(with(&nested("[", "]", 100), read_nested), Ok(()));
        assert_eq!(with(&nested("[", "]", 100), |p| p.skip_value()), Ok(()));
        for json in [nested("[", "]", 101), nested("[", "]", 100_000)] {
            let e = fails(&json, read_nested);
            assert_eq!(
                e.message(),
                "objects and arrays nest deeper than the limit of 100 levels"
            );
            assert_eq!(e.offset(), 100);
            assert_eq!(fails(&json, |p| p.skip_value()).offset(), 100);
        }
        let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        let e = fails(&deep_objects, |p| p.skip_value());
        assert!(e.message().contains("nest deeper"));
        // Skipping inside containers counts the enclosing levels too.
        let json = format!("[{}]", nested("[", "]", 100));
        let e = fails(&json, |p| p.array(|p| p.skip_value()));
        assert_eq!((e.path(), e.offset()), ("[0]", 100));
    }

    #[test]
    fn max_depth_option() {
        let options = JsonOptions {
            max_depth: 2,
            ..JsonOptions::default()
        };
        assert!(JsonParser::new(b"[[]]", &options).skip_value().is_ok());
        assert!(JsonParser::new(b"[[[]]]", &options).skip_value().is_err());
        let mut p = JsonParser::new(b"[[[]]]", &options);
        assert!(p.array(read_nested).is_err());
        // A huge limit must still not overflow the stack while skipping.
        let options = JsonOptions {
            max_depth: u32::MAX,
            ..JsonOptions::default()
        };
        let json = nested("[", "]", 1_000_000);
        let mut p = JsonParser::new(json.as_bytes(), &options);
        assert_eq!(p.skip_value(), Ok(()));
        assert_eq!(p.finish(), Ok(()));
    }

    #[test]
    fn unknown_fields() {
        let json = r#"{"known":1,"extra":{"deep":[1,2,{"x":null}]},"more":"s"}"#;
        let read: Read<i32> = |p| {
            let mut known = 0;
            p.object(|p, key| match key {
                "known" => {
                    known = p.i32()?;
                    Ok(())
                }
                other => p.unknown_field(other),
            })?;
            Ok(known)
        };
        let e = fails(json, read);
        assert_eq!(
            (e.path(), e.message()),
            ("extra", "unknown field \"extra\"")
        );
        assert_eq!(
            e.to_string(),
            "invalid JSON at `extra`: unknown field \"extra\""
        );
        let options = JsonOptions::default().with_ignore_unknown_fields(true);
        let mut p = JsonParser::new(json.as_bytes(), &options);
        assert_eq!(read(&mut p), Ok(1));
        assert!(p.options().ignore_unknown_fields);
        p.finish().unwrap();
        // Ignored values must still be valid JSON.
        let mut p = JsonParser::new(br#"{"x":[1,}"#, &options);
        assert!(read(&mut p).is_err());
    }

    #[test]
    fn bytes_accept_both_alphabets_and_optional_padding() {
        let good: [(&str, &[u8]); 9] = [
            (r#""""#, b""),
            (r#""Zg==""#, b"f"),
            (r#""Zg=""#, b"f"),
            (r#""Zg""#, b"f"),
            (r#""Zm9vYmFy""#, b"foobar"),
            (r#""+/8=""#, &[0xfb, 0xff]),
            (r#""-_8""#, &[0xfb, 0xff]),
            (r#""-_8=""#, &[0xfb, 0xff]),
            (r#""Zm8\u003d""#, b"fo"),
        ];
        for (json, expected) in good {
            assert_eq!(with(json, |p| p.bytes()).as_deref(), Ok(expected), "{json}");
        }
        let bad = [
            r#""Zg===""#,
            r#""Z""#,
            r#""Zm9v!""#,
            r#""Zm 9v""#,
            r#""+_8=""#,
            r#""Zg==Zg==""#,
        ];
        for json in bad {
            let e = fails(json, |p| p.bytes());
            assert!(e.message().starts_with("invalid base64"), "{json}: {e}");
            assert_eq!(e.offset(), 0);
        }
        let e = fails("1", |p| p.bytes());
        assert_eq!(e.message(), "expected a string, found 1");
    }

    #[test]
    fn clones_read_independently() {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(br#"{"a":1,"@type":"t"}"#, &options);
        let mut scan = p.clone();
        let mut type_url = None;
        scan.object(|s, key| {
            if key == "@type" {
                type_url = Some(s.string()?.into_owned());
                Ok(())
            } else {
                s.skip_value()
            }
        })
        .unwrap();
        assert_eq!(type_url.as_deref(), Some("t"));
        assert_eq!(p.offset(), 0);
        assert_eq!(p.peek_kind(), Ok(JsonKind::Object));
    }
}
