//! Byte-level lexing shared by the parser: JSON strings and the text shown
//! in "found ..." error messages.
//!
//! These are plain functions over the input so that the parser, the path
//! renderer and `skip_value` can all use them without borrowing the
//! parser itself.

use std::borrow::Cow;

/// A lexing error: what is wrong and the byte offset at which it was found.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LexError {
    pub(super) message: String,
    pub(super) offset: usize,
}

impl LexError {
    #[cold]
    pub(super) fn new(message: impl Into<String>, offset: usize) -> Self {
        LexError {
            message: message.into(),
            offset,
        }
    }
}

/// Whether a byte may be JSON whitespace.
#[inline]
pub(super) fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Offset of the first special byte at or after `from`, if any.
///
/// These are also exactly the bytes that the writer must escape. Strings
/// are most of a typical message's bytes, so this looks at eight bytes per
/// step (SWAR), the last few too: padded with spaces, which are not
/// special, they make one more word rather than a loop over bytes (most
/// member names and many values are shorter than eight bytes).
#[inline]
pub(super) fn next_special(input: &[u8], from: usize) -> Option<usize> {
    let rest = input.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut offset = from;
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        if let Some(lane) = first_special_lane(bytes) {
            return Some(offset + lane);
        }
        offset += 8;
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return None;
    }
    let mut bytes = [b' '; 8];
    bytes[..tail.len()].copy_from_slice(tail);
    first_special_lane(bytes).map(|lane| offset + lane)
}

/// The index of the first special byte of eight, if any.
#[inline]
fn first_special_lane(bytes: [u8; 8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    /// High bit set in each byte lane where `x` is zero; lanes above the
    /// first such lane may be wrong (borrows), but the lowest one is exact.
    #[inline]
    fn zero_lanes(x: u64) -> u64 {
        x.wrapping_sub(ONES) & !x & HIGH
    }
    // Little-endian so that the lowest lane is the first byte.
    let word = u64::from_le_bytes(bytes);
    let quote = zero_lanes(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_lanes(word ^ (ONES * u64::from(b'\\')));
    // Lanes below 0x20: subtracting 0x20 borrows into the high bit only
    // for them (among bytes whose own high bit is clear).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let found = quote | backslash | control;
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// `input[from..to]` as text, or an error at the first invalid byte.
#[inline]
fn utf8(input: &[u8], from: usize, to: usize) -> Result<&str, LexError> {
    let bytes = input.get(from..to).unwrap_or_default();
    std::str::from_utf8(bytes)
        .map_err(|e| LexError::new("invalid UTF-8 in string", from + e.valid_up_to()))
}

/// Reads the string literal whose opening quote is at `input[open]`.
///
/// Returns the unescaped value and the offset just past the closing quote.
/// A string without escapes, by far the common case, is borrowed from the
/// input; only escapes make an owned copy.
#[inline]
pub(super) fn string_at(input: &[u8], open: usize) -> Result<(Cow<'_, str>, usize), LexError> {
    string_with(input, open, |from, to| utf8(input, from, to))
}

/// [`string_at`] over input already known to be UTF-8: a string without
/// escapes is sliced out of it, not validated again (per string, that is
/// most of the cost of reading a short one).
#[inline]
pub(super) fn string_in(text: &str, open: usize) -> Result<(Cow<'_, str>, usize), LexError> {
    string_with(text.as_bytes(), open, |from, to| {
        // Both ends sit next to ASCII bytes (the quotes), so they are
        // character boundaries: this never fails.
        text.get(from..to)
            .ok_or_else(|| LexError::new("invalid UTF-8 in string", from))
    })
}

/// The string literal at `input[open]`, its plain text read with `plain`.
#[inline(always)]
fn string_with<'a>(
    input: &'a [u8],
    open: usize,
    plain: impl FnOnce(usize, usize) -> Result<&'a str, LexError>,
) -> Result<(Cow<'a, str>, usize), LexError> {
    let start = open.saturating_add(1);
    let Some(special) = next_special(input, start) else {
        return Err(LexError::new("unterminated string", open));
    };
    match input[special] {
        b'"' => Ok((Cow::Borrowed(plain(start, special)?), special + 1)),
        b'\\' => {
            let (value, end) = unescape(input, open, start, special)?;
            Ok((Cow::Owned(value), end))
        }
        b => Err(control_character(b, special)),
    }
}

#[cold]
fn control_character(b: u8, offset: usize) -> LexError {
    LexError::new(
        format!("control character U+{b:04X} in string; it must be escaped"),
        offset,
    )
}

/// The slow path of [`string_at`]: copies plain runs and decodes escapes,
/// starting at the first backslash, `escape`.
fn unescape(
    input: &[u8],
    open: usize,
    start: usize,
    mut escape: usize,
) -> Result<(String, usize), LexError> {
    let mut out = String::with_capacity(escape - start + 16);
    out.push_str(utf8(input, start, escape)?);
    loop {
        // `escape` is at a backslash; decode the escape after it.
        let next = escape + 1;
        let resume = match input.get(next) {
            Some(b'"') => push(&mut out, '"', next),
            Some(b'\\') => push(&mut out, '\\', next),
            Some(b'/') => push(&mut out, '/', next),
            Some(b'b') => push(&mut out, '\u{8}', next),
            Some(b'f') => push(&mut out, '\u{c}', next),
            Some(b'n') => push(&mut out, '\n', next),
            Some(b'r') => push(&mut out, '\r', next),
            Some(b't') => push(&mut out, '\t', next),
            Some(b'u') => {
                let (c, end) = unicode_escape(input, escape)?;
                out.push(c);
                end
            }
            Some(&b) => {
                let shown = char::from(b).escape_default();
                return Err(LexError::new(
                    format!("invalid escape `\\{shown}` in string"),
                    escape,
                ));
            }
            None => return Err(LexError::new("unterminated string", open)),
        };
        let Some(special) = next_special(input, resume) else {
            return Err(LexError::new("unterminated string", open));
        };
        out.push_str(utf8(input, resume, special)?);
        match input[special] {
            b'"' => return Ok((out, special + 1)),
            b'\\' => escape = special,
            b => return Err(control_character(b, special)),
        }
    }
}

/// Pushes a decoded escape and returns the offset after it.
#[inline]
fn push(out: &mut String, c: char, at: usize) -> usize {
    out.push(c);
    at + 1
}

/// Decodes `\uXXXX` at `escape` (the backslash), joining a UTF-16
/// surrogate pair written as two escapes. A surrogate without its partner
/// is an error: it has no UTF-8 encoding.
fn unicode_escape(input: &[u8], escape: usize) -> Result<(char, usize), LexError> {
    let first = hex4(input, escape)?;
    let (code, end) = match first {
        0xD800..=0xDBFF => {
            let low = if input.get(escape + 6..escape + 8) == Some(b"\\u") {
                hex4(input, escape + 6)?
            } else {
                0
            };
            if !(0xDC00..=0xDFFF).contains(&low) {
                return Err(lone_surrogate(first, escape));
            }
            (
                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00),
                escape + 12,
            )
        }
        0xDC00..=0xDFFF => return Err(lone_surrogate(first, escape)),
        _ => (first, escape + 6),
    };
    // Every value left is a scalar value, so this never falls back.
    let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    Ok((c, end))
}

fn lone_surrogate(code: u32, offset: usize) -> LexError {
    LexError::new(
        format!("lone surrogate \\u{code:04X} in string; it has no UTF-8 form"),
        offset,
    )
}

/// The four hex digits of the `\uXXXX` escape whose backslash is at `escape`.
fn hex4(input: &[u8], escape: usize) -> Result<u32, LexError> {
    match input.get(escape + 2..escape + 6) {
        Some(digits) if digits.iter().all(u8::is_ascii_hexdigit) => {
            Ok(digits.iter().fold(0, |value, &d| {
                value * 16 + char::from(d).to_digit(16).unwrap_or(0)
            }))
        }
        _ => Err(LexError::new(
            "invalid \\u escape in string: expected four hex digits",
            escape,
        )),
    }
}

/// How many characters of a token error messages show before eliding.
const SHOWN_CHARS: usize = 40;

/// Describes the token at `pos` for a "found ..." message: `an object`,
/// `an array`, the end of the input, or the token's text, shortened.
pub(super) fn describe(input: &[u8], pos: usize) -> String {
    let Some(&first) = input.get(pos) else {
        return "the end of the input".to_owned();
    };
    match first {
        b'{' => return "an object".to_owned(),
        b'[' => return "an array".to_owned(),
        _ => {}
    }
    // Enough bytes for SHOWN_CHARS characters of up to four bytes each.
    let window = &input[pos..input.len().min(pos + SHOWN_CHARS * 4 + 4)];
    let text = String::from_utf8_lossy(window);
    let mut shown = String::new();
    let mut chars = text.chars();
    if first == b'"' {
        // The raw string literal, up to its closing quote.
        shown.push('"');
        chars.next();
        let mut escaped = false;
        for c in chars.by_ref().take(SHOWN_CHARS) {
            if c.is_control() {
                shown.extend(c.escape_debug());
            } else {
                shown.push(c);
            }
            if c == '"' && !escaped {
                return shown;
            }
            escaped = c == '\\' && !escaped;
        }
        if chars.next().is_some() {
            shown.push('…');
        }
    } else if first.is_ascii_alphanumeric() || first == b'-' {
        // A number or a bare word such as `null` or `Infinity`.
        let word = |c: &char| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.');
        for (count, c) in chars.take_while(word).enumerate() {
            if count == SHOWN_CHARS {
                shown.push('…');
                break;
            }
            shown.push(c);
        }
    } else {
        let c = chars.next().unwrap_or(char::REPLACEMENT_CHARACTER);
        shown = format!("'{}'", c.escape_debug());
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads with both functions (the input is text), which must agree.
    fn read(json: &str) -> Result<(Cow<'_, str>, usize), LexError> {
        let checked = string_at(json.as_bytes(), 0);
        assert_eq!(string_in(json, 0), checked, "{json}");
        checked
    }

    fn value(json: &str) -> String {
        read(json).expect("valid string").0.into_owned()
    }

    fn error(json: &[u8]) -> String {
        string_at(json, 0).expect_err("invalid string").message
    }

    #[test]
    fn plain_strings_are_borrowed() {
        let (s, end) = read(r#""héllo" tail"#).unwrap();
        assert!(matches!(s, Cow::Borrowed("héllo")));
        assert_eq!(end, 8);
        assert!(matches!(read(r#""""#).unwrap(), (Cow::Borrowed(""), 2)));
    }

    #[test]
    fn escapes_are_decoded() {
        let json = r#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00z"x"#;
        let (s, end) = read(json).unwrap();
        assert!(matches!(s, Cow::Owned(_)));
        assert_eq!(s, "a\"b\\c/d\u{8}\u{c}\n\r\tAé€😀z");
        assert_eq!(end, json.len() - 1);
        assert_eq!(value(r#""\\""#), "\\");
        assert_eq!(value(r#""\u0000""#), "\0");
        assert_eq!(value(r#""\uFFFF\uD800\uDC00""#), "\u{FFFF}\u{10000}");
        assert_eq!(value(r#""é\né""#), "é\né");
    }

    #[test]
    fn bad_escapes() {
        assert!(error(br#""\x""#).contains("invalid escape `\\x`"));
        assert!(error(br#""\u12""#).contains("four hex digits"));
        assert!(error(br#""\u12G4""#).contains("four hex digits"));
        assert!(error(br#""\u+123""#).contains("four hex digits"));
        assert!(error(br#""\"#).contains("unterminated"));
        assert!(error(br#""\u00"#).contains("four hex digits"));
    }

    #[test]
    fn lone_surrogates_are_rejected() {
        for json in [
            r#""\ud800""#,
            r#""\ud800x""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ud800""#,
            r#""\udc00""#,
            r#""\ude00\ud83d""#,
            r#""\ud800\n""#,
        ] {
            assert!(error(json.as_bytes()).contains("lone surrogate"), "{json}");
        }
    }

    #[test]
    fn raw_control_characters_are_rejected() {
        let e = string_at(b"\"a\nb\"", 0).unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("U+000A"));
        assert!(error(b"\"\\n\x01\"").contains("U+0001"));
        // DEL is not a control character as far as JSON is concerned.
        assert_eq!(value("\"\u{7f}\""), "\u{7f}");
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let e = string_at(b"\"ab\xff\"", 0).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("invalid UTF-8 in string", 3)
        );
        assert!(error(b"\"\\n\xc3\"").contains("UTF-8"));
        // An overlong encoding and a UTF-8-encoded surrogate.
        assert!(error(b"\"\xc0\xaf\"").contains("UTF-8"));
        assert!(error(b"\"\xed\xa0\x80\"").contains("UTF-8"));
    }

    #[test]
    fn unterminated_strings() {
        for json in [&b"\""[..], b"\"abc", b"\"abc\\\"", b"\"\\u0041"] {
            assert!(error(json).contains("unterminated"), "{json:?}");
        }
    }

    #[test]
    fn finds_special_bytes_in_any_lane() {
        for len in 0..20 {
            for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for at in 0..=len {
                    let mut text = vec![b'a'; len];
                    // Bytes just around the special ones, and non-ASCII.
                    for (i, b) in text.iter_mut().enumerate() {
                        *b = [b'a', 0x20, b'#', b']', 0x7f, 0x80, 0xff, 0xdc][i % 8];
                    }
                    text.insert(at, special);
                    assert_eq!(next_special(&text, 0), Some(at), "{text:?}");
                    if at > 0 {
                        assert_eq!(next_special(&text, 1), Some(at));
                    }
                }
            }
            assert_eq!(next_special(&vec![0x21; len], 0), None);
        }
        assert_eq!(next_special(b"ab", 5), None);
    }

    #[test]
    fn every_byte_is_special_exactly_when_json_says_so() {
        // Each byte value at every place of a full word and of a short
        // tail, after plain bytes.
        for b in 0..=255u8 {
            let special = b < 0x20 || b == b'"' || b == b'\\';
            for len in 1..=16 {
                let mut text = vec![b'a'; len];
                text[len - 1] = b;
                let expected = special.then_some(len - 1);
                assert_eq!(
                    next_special(&text, 0),
                    expected,
                    "byte {b:#04x} at {}",
                    len - 1
                );
            }
        }
    }

    #[test]
    fn describes_tokens() {
        let d = |s: &str| describe(s.as_bytes(), 0);
        assert_eq!(d(""), "the end of the input");
        assert_eq!(d("{\"a\":1}"), "an object");
        assert_eq!(d("[1]"), "an array");
        assert_eq!(d(r#""abc", 1"#), r#""abc""#);
        assert_eq!(d(r#""a\"b" x"#), r#""a\"b""#);
        assert_eq!(d("\"a\u{1}"), "\"a\\u{1}");
        assert_eq!(d("null,"), "null");
        assert_eq!(d("-1.5e+3]"), "-1.5e+3");
        assert_eq!(d("Infinity}"), "Infinity");
        assert_eq!(d("}"), "'}'");
        assert_eq!(d("\u{1}"), "'\\u{1}'");
        assert_eq!(describe(b"\xff", 0), "'\u{FFFD}'");
        let long = format!("\"{}\"", "x".repeat(100));
        assert_eq!(d(&long), format!("\"{}…", "x".repeat(40)));
        let long_word = "1".repeat(100);
        assert_eq!(d(&long_word), format!("{}…", "1".repeat(40)));
        assert_eq!(d(&"1".repeat(40)), "1".repeat(40));
        assert_eq!(d(&format!("{},", "1".repeat(40))), "1".repeat(40));
    }
}
