//! A pull parser for proto3 JSON, driven by generated code.

use std::borrow::Cow;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::lexer::{describe, is_whitespace, string_at, LexError};
use super::path::{render, Segment};
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
    /// Offset of the next byte to read.
    pub(super) pos: usize,
    options: &'a JsonOptions,
    /// How many objects and arrays enclose the current position.
    depth: u32,
    max_depth: u32,
    path: Vec<Segment>,
}

/// Standard and URL-safe base64 decoders that accept input with or without
/// padding, as proto3 JSON asks for `bytes`. Trailing bits are allowed
/// because protobuf's own parsers ignore them.
const BASE64_CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, BASE64_CONFIG);
const BASE64_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, BASE64_CONFIG);

impl<'a> JsonParser<'a> {
    /// A parser positioned before the single JSON value in `input`.
    pub fn new(input: &'a [u8], options: &'a JsonOptions) -> Self {
        JsonParser {
            input,
            pos: 0,
            options,
            depth: 0,
            max_depth: options.max_depth(),
            path: Vec::new(),
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
    pub(super) fn error_at(&self, offset: usize, message: impl Into<String>) -> JsonError {
        JsonError::new(render(self.input, &self.path), message, offset)
    }

    fn lex_error(&self, e: LexError) -> JsonError {
        self.error_at(e.offset, e.message)
    }

    /// An error saying what was expected at the current position and what
    /// is there instead.
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
    fn eat(&mut self, word: &[u8]) -> bool {
        let found = self.input.get(self.pos..).is_some_and(|rest| rest.starts_with(word));
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
    pub(super) fn string_token(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let input = self.input;
        let (value, end) = string_at(input, self.pos).map_err(|e| self.lex_error(e))?;
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

    fn too_deep(&self) -> JsonError {
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
    fn member_name(&mut self) -> Result<Cow<'a, str>, JsonError> {
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
                Some(b',') => {
                    self.pos += 1;
                    if self.skip_whitespace() == Some(b']') {
                        return Err(self.error("trailing comma in array"));
                    }
                }
                Some(b']') => break,
                _ => return Err(self.unexpected("',' or ']' after an array element")),
            }
            index += 1;
            if let Some(last) = self.path.last_mut() {
                *last = Segment::Index(index);
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
            Err(self.error(format!("unknown field {name:?}")))
        }
    }

    /// Reads and discards one value of any kind, checking that it is valid
    /// JSON within the nesting limit.
    ///
    /// The walk is a loop with an explicit stack of open containers, not
    /// recursion, so no input can overflow the call stack, whatever the
    /// limit.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        // The closing bracket of each container entered while skipping.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value starts here.
            match self.skip_whitespace() {
                Some(b @ (b'{' | b'[')) => {
                    let close = if b == b'{' { b'}' } else { b']' };
                    if self.depth as usize + open.len() >= self.max_depth as usize {
                        return Err(self.too_deep());
                    }
                    self.pos += 1;
                    if self.skip_whitespace() == Some(close) {
                        self.pos += 1;
                    } else {
                        if close == b'}' {
                            self.member_name()?;
                        }
                        open.push(close);
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string_token()?;
                }
                Some(b'-' | b'0'..=b'9') => self.skip_number()?,
                _ => {
                    if !(self.eat(b"null") || self.eat(b"true") || self.eat(b"false")) {
                        return Err(self.unexpected("a JSON value"));
                    }
                }
            }
            // A value ended: close the containers it completes, then find
            // the start of the next value, if any.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                match self.skip_whitespace() {
                    Some(b',') => {
                        self.pos += 1;
                        if close == b'}' {
                            self.skip_whitespace();
                            self.member_name()?;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ if close == b'}' => {
                        return Err(self.unexpected("',' or '}' after an object member"))
                    }
                    _ => return Err(self.unexpected("',' or ']' after an array element")),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
