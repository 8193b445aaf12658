//! Reading numbers: proto3 JSON's rules for integers and floats given as
//! JSON numbers or as strings.

use std::borrow::Cow;

use super::decimal::{
    exact_integer, fast_f32, fast_f64, scan_number, simple_decimal, simple_integer, IntegerError,
    Number, Simple,
};
use super::lexer::describe;
use super::{JsonError, JsonParser};

/// A number's text as it appeared, bare or inside a string, kept for
/// parsing and for error messages.
struct Token<'a> {
    text: Cow<'a, str>,
    quoted: bool,
    /// Offset of the token in the input, where errors point.
    start: usize,
}

impl Token<'_> {
    /// The token as error messages show it.
    fn shown(&self) -> String {
        const MAX: usize = 40;
        let mut shown: String = self.text.chars().take(MAX).collect();
        if shown.len() < self.text.len() {
            shown.push('…');
        }
        if self.quoted {
            format!("\"{}\"", shown.escape_debug())
        } else {
            shown
        }
    }
}

/// What a float field holds: a special value named by a string, or a
/// number (checked against the grammar) to convert.
enum Float<'a> {
    Special(f64),
    Number(Token<'a>),
}

impl<'a> JsonParser<'a> {
    /// Reads an `int32` (also `sint32`, `sfixed32`, enum numbers).
    ///
    /// Like every integer reader it takes a number or a string holding
    /// one. Exponents and fractions are fine when the value is exactly an
    /// integer (`1e2`, `"1.0"`); `1.5`, `+1`, `01` and `" 1"` are errors.
    pub fn i32(&mut self) -> Result<i32, JsonError> {
        self.integer("int32")
    }

    /// Reads an `int64` (also `sint64`, `sfixed64`), like
    /// [`i32`](Self::i32).
    pub fn i64(&mut self) -> Result<i64, JsonError> {
        self.integer("int64")
    }

    /// Reads a `uint32` (also `fixed32`), like [`i32`](Self::i32).
    pub fn u32(&mut self) -> Result<u32, JsonError> {
        self.integer("uint32")
    }

    /// Reads a `uint64` (also `fixed64`), like [`i32`](Self::i32).
    pub fn u64(&mut self) -> Result<u64, JsonError> {
        self.integer("uint64")
    }

    /// Reads a `double`: a number, a string holding one, or one of the
    /// strings `"NaN"`, `"Infinity"` and `"-Infinity"`. Numbers too large
    /// for an `f64` are an error rather than infinity.
    pub fn f64(&mut self) -> Result<f64, JsonError> {
        if let Some(v) = self.fast_float(fast_f64) {
            return Ok(v);
        }
        let token = match self.float("double")? {
            Float::Special(v) => return Ok(v),
            Float::Number(token) => token,
        };
        match token.text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.out_of_range(&token, "double")),
        }
    }

    /// Reads a `float` like [`f64`](Self::f64), rounding to the nearest
    /// `f32`; numbers that would round to infinity are an error.
    pub fn f32(&mut self) -> Result<f32, JsonError> {
        if let Some(v) = self.fast_float(fast_f32) {
            return Ok(v);
        }
        let token = match self.float("float")? {
            // Casting keeps NaN and the infinities as they are.
            Float::Special(v) => return Ok(v as f32),
            Float::Number(token) => token,
        };
        // Parsing the text straight to f32 rounds once; going through f64
        // would round twice and could land on the wrong neighbour.
        match token.text.parse::<f32>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.out_of_range(&token, "float")),
        }
    }

    /// The fast path of the float readers: a short number, bare or in a
    /// string, that `convert` can turn into a float exactly. `None` leaves
    /// the input untouched for the general path.
    #[inline]
    fn fast_float<T>(&mut self, convert: fn(Simple) -> Option<T>) -> Option<T> {
        let (at, quoted) = match self.skip_whitespace()? {
            b'"' => (self.pos + 1, true),
            _ => (self.pos, false),
        };
        let simple = simple_decimal(self.input, at)?;
        // What follows a bare number is checked by whoever reads on, as on
        // the general path; a quoted one must fill its string.
        if quoted && self.input.get(simple.end) != Some(&b'"') {
            return None;
        }
        let value = convert(simple)?;
        self.pos = simple.end + usize::from(quoted);
        Some(value)
    }

    /// Skips a bare number, checking its syntax.
    pub(super) fn skip_number(&mut self) -> Result<(), JsonError> {
        let number = scan_number(self.input, self.pos)
            .map_err(|e| self.error_at(e.offset, format!("invalid number: {}", e.message)))?;
        self.pos = number.end;
        Ok(())
    }

    fn integer<T: TryFrom<i128>>(&mut self, name: &str) -> Result<T, JsonError> {
        // Fast path for the common shapes, `123` and `"123"`: plain digits,
        // converted while they are scanned. Anything else, errors included,
        // takes the general path below.
        let (at, quoted) = match self.skip_whitespace() {
            Some(b'"') => (self.pos + 1, true),
            _ => (self.pos, false),
        };
        if let Some((value, end)) = simple_integer(self.input, at) {
            let next = self.input.get(end).copied();
            let complete = if quoted {
                next == Some(b'"')
            } else {
                !matches!(next, Some(b'.' | b'e' | b'E'))
            };
            if complete {
                if let Ok(value) = T::try_from(value) {
                    self.pos = end + usize::from(quoted);
                    return Ok(value);
                }
            }
        }
        let (token, number) = self.number_token(name)?;
        let Some(number) = number else {
            return Err(self.not_a(&token, name, ""));
        };
        match exact_integer(token.text.as_bytes(), &number) {
            Ok(v) => T::try_from(v).map_err(|_| self.out_of_range(&token, name)),
            Err(IntegerError::OutOfRange) => Err(self.out_of_range(&token, name)),
            Err(IntegerError::Fractional) => Err(self.not_a(&token, name, " (not an integer)")),
        }
    }

    fn float(&mut self, name: &str) -> Result<Float<'a>, JsonError> {
        let (token, number) = self.number_token(name)?;
        if number.is_some() {
            return Ok(Float::Number(token));
        }
        match &*token.text {
            "NaN" => Ok(Float::Special(f64::NAN)),
            "Infinity" => Ok(Float::Special(f64::INFINITY)),
            "-Infinity" => Ok(Float::Special(f64::NEG_INFINITY)),
            _ => Err(self.not_a(&token, name, "")),
        }
    }

    /// Reads a bare number, whose syntax must be right, or a string, and
    /// returns its text with its parts if it is a number by the grammar.
    fn number_token(&mut self, name: &str) -> Result<(Token<'a>, Option<Number>), JsonError> {
        match self.skip_whitespace() {
            Some(b'"') => {
                let start = self.pos;
                let text = self.string_token()?;
                let number = scan_number(text.as_bytes(), 0)
                    .ok()
                    .filter(|n| n.end == text.len());
                let token = Token {
                    text,
                    quoted: true,
                    start,
                };
                Ok((token, number))
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                let input = self.input;
                // Scanning from the token's start gives offsets within
                // the token, as for a number in a string.
                let rest = input.get(start..).unwrap_or_default();
                let number = scan_number(rest, 0).map_err(|e| {
                    let found = describe(input, start);
                    self.error_at(
                        start + e.offset,
                        format!("expected {name}, found {found} ({})", e.message),
                    )
                })?;
                self.pos = start + number.end;
                // The number's bytes are ASCII, so this always succeeds.
                let text = std::str::from_utf8(rest.get(..number.end).unwrap_or_default());
                let token = Token {
                    text: Cow::Borrowed(text.unwrap_or_default()),
                    quoted: false,
                    start,
                };
                Ok((token, Some(number)))
            }
            _ => Err(self.unexpected(name)),
        }
    }

    fn not_a(&self, token: &Token<'_>, name: &str, why: &str) -> JsonError {
        let found = token.shown();
        self.error_at(token.start, format!("expected {name}, found {found}{why}"))
    }

    fn out_of_range(&self, token: &Token<'_>, name: &str) -> JsonError {
        let found = token.shown();
        self.error_at(
            token.start,
            format!("value {found} out of range for {name}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::json::JsonOptions;

    fn read<T>(
        json: &str,
        f: impl FnOnce(&mut JsonParser<'_>) -> Result<T, JsonError>,
    ) -> Result<T, String> {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(json.as_bytes(), &options);
        let value = f(&mut p).map_err(|e| e.message().to_owned())?;
        p.finish().map_err(|e| e.message().to_owned())?;
        Ok(value)
    }

    fn i32_of(json: &str) -> Result<i32, String> {
        read(json, |p| p.i32())
    }

    fn i64_of(json: &str) -> Result<i64, String> {
        read(json, |p| p.i64())
    }

    fn u32_of(json: &str) -> Result<u32, String> {
        read(json, |p| p.u32())
    }

    fn u64_of(json: &str) -> Result<u64, String> {
        read(json, |p| p.u64())
    }

    fn f64_of(json: &str) -> Result<f64, String> {
        read(json, |p| p.f64())
    }

    fn f32_of(json: &str) -> Result<f32, String> {
        read(json, |p| p.f32())
    }

    #[test]
    fn int32() {
        for (json, value) in [
            ("1", 1),
            ("-1", -1),
            ("\"1\"", 1),
            ("\"-2147483648\"", i32::MIN),
            ("2147483647", i32::MAX),
            ("1e2", 100),
            ("\"1e2\"", 100),
            ("1.0", 1),
            ("-5E+1", -50),
            ("-0", 0),
            ("100000.000", 100_000),
            (" 7 ", 7),
        ] {
            assert_eq!(i32_of(json), Ok(value), "{json}");
        }
        for (json, message) in [
            ("\"abc\"", "expected int32, found \"abc\""),
            ("\"\"", "expected int32, found \"\""),
            ("\" 1\"", "expected int32, found \" 1\""),
            ("\"1 \"", "expected int32, found \"1 \""),
            ("\"+1\"", "expected int32, found \"+1\""),
            ("\"01\"", "expected int32, found \"01\""),
            ("\"0x10\"", "expected int32, found \"0x10\""),
            ("\"NaN\"", "expected int32, found \"NaN\""),
            (
                "01",
                "expected int32, found 01 (leading zeros are not allowed)",
            ),
            ("-", "expected int32, found - (expected a digit)"),
            (
                "1.",
                "expected int32, found 1. (expected a digit after the decimal point)",
            ),
            ("+1", "expected int32, found '+'"),
            ("true", "expected int32, found true"),
            ("null", "expected int32, found null"),
            ("[1]", "expected int32, found an array"),
            ("", "expected int32, found the end of the input"),
            ("1.5", "expected int32, found 1.5 (not an integer)"),
            ("\"1.5\"", "expected int32, found \"1.5\" (not an integer)"),
            ("3000000000", "value 3000000000 out of range for int32"),
            ("-2147483649", "value -2147483649 out of range for int32"),
            ("1e10", "value 1e10 out of range for int32"),
            ("1e400", "value 1e400 out of range for int32"),
            (
                "0x10",
                "trailing characters after the JSON value, starting with x10",
            ),
        ] {
            assert_eq!(i32_of(json), Err(message.to_owned()), "{json}");
        }
        let huge = "9".repeat(1000);
        let e = i32_of(&huge).unwrap_err();
        assert_eq!(
            e,
            format!("value {}… out of range for int32", "9".repeat(40))
        );
    }

    #[test]
    fn int64() {
        for (json, value) in [
            ("\"9223372036854775807\"", i64::MAX),
            ("\"-9223372036854775808\"", i64::MIN),
            ("-9223372036854775808", i64::MIN),
            ("1e18", 1_000_000_000_000_000_000),
            ("\"9007199254740993.0\"", 9_007_199_254_740_993),
            ("\"\\u0031\"", 1),
        ] {
            assert_eq!(i64_of(json), Ok(value), "{json}");
        }
        for (json, message) in [
            (
                "9223372036854775808",
                "value 9223372036854775808 out of range for int64",
            ),
            (
                "\"-9223372036854775809\"",
                "value \"-9223372036854775809\" out of range for int64",
            ),
            (
                "99999999999999999999999",
                "value 99999999999999999999999 out of range for int64",
            ),
            (
                "1.0000000000000000001",
                "expected int64, found 1.0000000000000000001 (not an integer)",
            ),
        ] {
            assert_eq!(i64_of(json), Err(message.to_owned()), "{json}");
        }
    }

    #[test]
    fn unsigned() {
        assert_eq!(u32_of("4294967295"), Ok(u32::MAX));
        assert_eq!(u32_of("\"-0\""), Ok(0));
        assert_eq!(
            u32_of("-1"),
            Err("value -1 out of range for uint32".to_owned())
        );
        assert_eq!(
            u32_of("4294967296"),
            Err("value 4294967296 out of range for uint32".to_owned())
        );
        assert_eq!(u64_of("\"18446744073709551615\""), Ok(u64::MAX));
        assert_eq!(
            u64_of("18446744073709549568"),
            Ok(18_446_744_073_709_549_568)
        );
        assert_eq!(u64_of("1e19"), Ok(10_000_000_000_000_000_000));
        assert_eq!(
            u64_of("18446744073709551616"),
            Err("value 18446744073709551616 out of range for uint64".to_owned())
        );
        assert_eq!(
            u64_of("\"-1\""),
            Err("value \"-1\" out of range for uint64".to_owned())
        );
    }

    #[test]
    fn doubles() {
        for (json, value) in [
            ("1", 1.0),
            ("-0.5", -0.5),
            ("1.5e3", 1500.0),
            ("\"1.5e3\"", 1500.0),
            ("1E-400", 0.0),
            ("1.7976931348623157e308", f64::MAX),
            ("\"Infinity\"", f64::INFINITY),
            ("\"-Infinity\"", f64::NEG_INFINITY),
            ("0.1", 0.1),
            ("123456789012345678901234567890", 1.2345678901234568e29),
        ] {
            assert_eq!(f64_of(json), Ok(value), "{json}");
        }
        assert!(f64_of("\"NaN\"").unwrap().is_nan());
        assert!(f64_of("-0").unwrap().is_sign_negative());
        for (json, message) in [
            ("1e400", "value 1e400 out of range for double"),
            ("\"-1e400\"", "value \"-1e400\" out of range for double"),
            ("Infinity", "expected double, found Infinity"),
            ("NaN", "expected double, found NaN"),
            (
                "-Infinity",
                "expected double, found -Infinity (expected a digit)",
            ),
            ("\"nan\"", "expected double, found \"nan\""),
            ("\"infinity\"", "expected double, found \"infinity\""),
            ("\"+1\"", "expected double, found \"+1\""),
            ("\"1.\"", "expected double, found \"1.\""),
            ("\".5\"", "expected double, found \".5\""),
            ("\" 1\"", "expected double, found \" 1\""),
            ("\"\"", "expected double, found \"\""),
            ("\"0x10\"", "expected double, found \"0x10\""),
            (".5", "expected double, found '.'"),
            ("{}", "expected double, found an object"),
        ] {
            assert_eq!(f64_of(json), Err(message.to_owned()), "{json}");
        }
    }

    #[test]
    fn floats() {
        for (json, value) in [
            ("0.1", 0.1f32),
            ("\"0.1\"", 0.1),
            ("3.4028235e38", f32::MAX),
            ("3.402823e+38", 3.402823e38),
            ("-3.4028235e38", f32::MIN),
            ("1e-50", 0.0),
            ("16777217", 16_777_216.0),
            ("\"-Infinity\"", f32::NEG_INFINITY),
        ] {
            assert_eq!(f32_of(json), Ok(value), "{json}");
        }
        assert!(f32_of("\"NaN\"").unwrap().is_nan());
        // Rounds once, from the decimal text: via f64 this would round to
        // 1.0 (the tie breaks to even) instead of up.
        assert_eq!(
            f32_of("1.000000059604644775390625000000001"),
            Ok(1.000_000_1)
        );
        for (json, message) in [
            ("3.402825e38", "value 3.402825e38 out of range for float"),
            ("\"-3.5e38\"", "value \"-3.5e38\" out of range for float"),
            ("1e400", "value 1e400 out of range for float"),
            ("\"abc\"", "expected float, found \"abc\""),
        ] {
            assert_eq!(f32_of(json), Err(message.to_owned()), "{json}");
        }
    }

    #[test]
    fn error_offsets_point_at_the_token() {
        let options = JsonOptions::default();
        let json = br#"[1, "x"]"#;
        let mut p = JsonParser::new(json, &options);
        let e = p.array(|p| p.i32().map(drop)).unwrap_err();
        assert_eq!((e.path(), e.offset()), ("[1]", 4));
        let mut p = JsonParser::new(b"  1.", &options);
        assert_eq!(p.f64().unwrap_err().offset(), 4);
    }
}
