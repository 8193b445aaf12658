//! Numbers: the strict JSON number grammar and proto3 JSON's rules for
//! reading integers and floats from numbers or strings.

use std::borrow::Cow;

use super::lexer::{describe, LexError};
use super::{JsonError, JsonParser};

/// A number in JSON syntax, taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Number<'t> {
    pub(super) negative: bool,
    /// The digits before the decimal point: `0` or no leading zero.
    pub(super) int: &'t [u8],
    /// The digits after the decimal point, if any.
    pub(super) frac: &'t [u8],
    /// The exponent, saturated far beyond any value that matters.
    pub(super) exponent: i64,
    /// Whether the text had neither a fraction nor an exponent.
    pub(super) plain: bool,
    /// Offset just past the number.
    pub(super) end: usize,
}

/// Exponents beyond this are clamped: they already make any nonzero value
/// overflow or underflow every numeric type.
const EXPONENT_CLAMP: i64 = 1 << 40;

/// Reads the number starting at `text[start]` by the JSON grammar:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. A leading `+`,
/// leading zeros, `.5`, `1.` and `1e` are all errors.
pub(super) fn scan_number(text: &[u8], start: usize) -> Result<Number<'_>, LexError> {
    let digits_from = |from: usize| {
        let n = text.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        from + n
    };
    let mut i = start;
    let negative = text.get(i) == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    match text.get(i) {
        Some(b'0') => {
            i += 1;
            if text.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(LexError::new("leading zeros are not allowed", int_start));
            }
        }
        Some(b'1'..=b'9') => i = digits_from(i),
        _ => return Err(LexError::new("expected a digit", i)),
    }
    let int = &text[int_start..i];
    let mut frac: &[u8] = &[];
    if text.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digits_from(frac_start);
        if i == frac_start {
            return Err(LexError::new("expected a digit after the decimal point", i));
        }
        frac = &text[frac_start..i];
    }
    let mut exponent = 0i64;
    let mut has_exponent = false;
    if matches!(text.get(i), Some(b'e' | b'E')) {
        has_exponent = true;
        i += 1;
        let exponent_negative = text.get(i) == Some(&b'-');
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        i = digits_from(exp_start);
        if i == exp_start {
            return Err(LexError::new("expected a digit in the exponent", i));
        }
        for &d in &text[exp_start..i] {
            exponent = (exponent * 10 + i64::from(d - b'0')).min(EXPONENT_CLAMP);
        }
        if exponent_negative {
            exponent = -exponent;
        }
    }
    Ok(Number {
        negative,
        int,
        frac,
        exponent,
        plain: frac.is_empty() && !has_exponent,
        end: i,
    })
}

/// Why a number is no integer of any protobuf type.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum IntegerError {
    /// It has a nonzero fractional part.
    Fractional,
    /// Its magnitude is 2^64 or more.
    OutOfRange,
}

/// The exact value of `n` if it is an integer of magnitude below 2^64.
///
/// This works on the decimal digits rather than through `f64`, so `1e18`
/// and `9007199254740993.0` read exactly and `1.0000000000000000001` is
/// rejected instead of rounding to 1.
pub(super) fn exact_integer(n: &Number<'_>) -> Result<i128, IntegerError> {
    let magnitude = if n.plain {
        accumulate(n.int, 0)?
    } else {
        scaled_integer(n)?
    };
    let value = i128::from(magnitude);
    Ok(if n.negative { -value } else { value })
}

/// Appends decimal `digits` to `value`, failing on overflow.
fn accumulate(digits: &[u8], mut value: u64) -> Result<u64, IntegerError> {
    for &d in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(IntegerError::OutOfRange)?;
    }
    Ok(value)
}

/// The magnitude of a number with a fraction or an exponent: its digits
/// `D` (integer and fraction parts together) stand for `D × 10^scale`.
fn scaled_integer(n: &Number<'_>) -> Result<u64, IntegerError> {
    let digit = |i: usize| {
        n.int
            .get(i)
            .or_else(|| n.frac.get(i - n.int.len()))
            .copied()
    };
    let total = n.int.len() + n.frac.len();
    let Some(first) = (0..total).find(|&i| digit(i) != Some(b'0')) else {
        return Ok(0);
    };
    let last = (first..total)
        .rev()
        .find(|&i| digit(i) != Some(b'0'))
        .unwrap_or(first);
    // Trailing zeros move into the exponent; what remains ends in a nonzero
    // digit, so the value is an integer exactly when the exponent is >= 0.
    let trailing = total - 1 - last;
    let scale = n
        .exponent
        .saturating_sub(i64::try_from(n.frac.len()).unwrap_or(i64::MAX))
        .saturating_add(i64::try_from(trailing).unwrap_or(i64::MAX));
    if scale < 0 {
        return Err(IntegerError::Fractional);
    }
    let significant = last - first + 1;
    // u64::MAX has 20 digits; more can only overflow, and checking first
    // bounds the work below for inputs like `1e1000000000`.
    if i64::try_from(significant).map_or(true, |s| s.saturating_add(scale) > 20) {
        return Err(IntegerError::OutOfRange);
    }
    let mut value = 0u64;
    for i in first..=last {
        value = accumulate(&[digit(i).unwrap_or(b'0')], value)?;
    }
    for _ in 0..scale {
        value = value.checked_mul(10).ok_or(IntegerError::OutOfRange)?;
    }
    Ok(value)
}

/// A number's text as it appeared: bare, or inside a string.
struct Token<'a> {
    text: Cow<'a, str>,
    quoted: bool,
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

impl<'a> JsonParser<'a> {
    /// Reads an `int32` (also `sint32`, `sfixed32`, enum numbers).
    ///
    /// Like every integer reader it takes a number or a string holding
    /// one; `1e2` and `1.0` are fine, `1.5`, `+1`, `01` and `" 1"` are not.
    pub fn i32(&mut self) -> Result<i32, JsonError> {
        self.integer("int32")
    }

    /// Reads an `int64` (also `sint64`, `sfixed64`).
    pub fn i64(&mut self) -> Result<i64, JsonError> {
        self.integer("int64")
    }

    /// Reads a `uint32` (also `fixed32`).
    pub fn u32(&mut self) -> Result<u32, JsonError> {
        self.integer("uint32")
    }

    /// Reads a `uint64` (also `fixed64`).
    pub fn u64(&mut self) -> Result<u64, JsonError> {
        self.integer("uint64")
    }

    /// Reads a `double`: a number, a string holding one, or one of the
    /// strings `"NaN"`, `"Infinity"` and `"-Infinity"`. Numbers too large
    /// for an `f64` are an error rather than infinity.
    pub fn f64(&mut self) -> Result<f64, JsonError> {
        let token = match self.float_token("double")? {
            Ok(special) => return Ok(special),
            Err(token) => token,
        };
        match token.text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.out_of_range(&token, "double")),
        }
    }

    /// Reads a `float` like [`f64`](Self::f64), rounding to the nearest
    /// `f32`; numbers that would round to infinity are an error.
    pub fn f32(&mut self) -> Result<f32, JsonError> {
        let token = match self.float_token("float")? {
            // Casting keeps NaN and the infinities as they are.
            Ok(special) => return Ok(special as f32),
            Err(token) => token,
        };
        // Parsing the text straight to f32 rounds once; going through f64
        // would round twice and could land on the wrong neighbour.
        match token.text.parse::<f32>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.out_of_range(&token, "float")),
        }
    }

    /// Skips a bare number, checking its syntax.
    pub(super) fn skip_number(&mut self) -> Result<(), JsonError> {
        let number = scan_number(self.input, self.pos)
            .map_err(|e| self.error_at(e.offset, format!("invalid number: {}", e.message)))?;
        self.pos = number.end;
        Ok(())
    }

    fn integer<T: TryFrom<i128>>(&mut self, name: &str) -> Result<T, JsonError> {
        let token = self.number_token(name)?;
        let value = match scan_number(token.text.as_bytes(), 0) {
            Ok(n) if n.end == token.text.len() => exact_integer(&n),
            _ => return Err(self.not_a(&token, name, "")),
        };
        match value {
            Ok(v) => T::try_from(v).map_err(|_| self.out_of_range(&token, name)),
            Err(IntegerError::OutOfRange) => Err(self.out_of_range(&token, name)),
            Err(IntegerError::Fractional) => Err(self.not_a(&token, name, " (not an integer)")),
        }
    }

    /// The token of a float: `Ok` with the value of a special string, or
    /// `Err` with the text of a number to parse.
    fn float_token(&mut self, name: &str) -> Result<Result<f64, Token<'a>>, JsonError> {
        let token = self.number_token(name)?;
        if token.quoted {
            match &*token.text {
                "NaN" => return Ok(Ok(f64::NAN)),
                "Infinity" => return Ok(Ok(f64::INFINITY)),
                "-Infinity" => return Ok(Ok(f64::NEG_INFINITY)),
                text => match scan_number(text.as_bytes(), 0) {
                    Ok(n) if n.end == text.len() => {}
                    _ => return Err(self.not_a(&token, name, "")),
                },
            }
        }
        Ok(Err(token))
    }

    /// Reads a bare number (checking its syntax) or a string, which the
    /// caller checks.
    fn number_token(&mut self, name: &str) -> Result<Token<'a>, JsonError> {
        match self.skip_whitespace() {
            Some(b'"') => {
                let start = self.pos;
                let text = self.string_token()?;
                Ok(Token {
                    text,
                    quoted: true,
                    start,
                })
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                let input = self.input;
                let number = scan_number(input, start).map_err(|e| {
                    let found = describe(input, start);
                    self.error_at(
                        e.offset,
                        format!("expected {name}, found {found} ({})", e.message),
                    )
                })?;
                self.pos = number.end;
                // The number's bytes are ASCII, so this always succeeds.
                let text = std::str::from_utf8(&input[start..number.end]).unwrap_or("0");
                Ok(Token {
                    text: Cow::Borrowed(text),
                    quoted: false,
                    start,
                })
            }
            _ => Err(self.unexpected(name)),
        }
    }

    fn not_a(&self, token: &Token<'_>, name: &str, why: &str) -> JsonError {
        self.error_at(
            token.start,
            format!("expected {name}, found {}{why}", token.shown()),
        )
    }

    fn out_of_range(&self, token: &Token<'_>, name: &str) -> JsonError {
        self.error_at(
            token.start,
            format!("value {} out of range for {name}", token.shown()),
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
    fn grammar() {
        let parts = |s: &str| {
            scan_number(s.as_bytes(), 0).map(|n| {
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                (
                    n.negative,
                    text(n.int),
                    text(n.frac),
                    n.exponent,
                    n.plain,
                    n.end,
                )
            })
        };
        assert_eq!(parts("0"), Ok((false, "0".into(), "".into(), 0, true, 1)));
        assert_eq!(
            parts("-12.50e+3,"),
            Ok((true, "12".into(), "50".into(), 3, false, 9))
        );
        assert_eq!(
            parts("1E-07]"),
            Ok((false, "1".into(), "".into(), -7, false, 5))
        );
        assert_eq!(
            parts("0.0"),
            Ok((false, "0".into(), "0".into(), 0, false, 3))
        );
        // The number ends where the grammar does; the parser checks what
        // follows.
        assert_eq!(parts("1x").map(|p| p.5), Ok(1));
        assert_eq!(parts("1.5.3").map(|p| p.5), Ok(3));
        assert_eq!(
            parts("1e99999999999999999999").map(|p| p.3),
            Ok(EXPONENT_CLAMP)
        );
        let bad = [
            ("", "expected a digit"),
            ("-", "expected a digit"),
            ("+1", "expected a digit"),
            (".5", "expected a digit"),
            ("-.5", "expected a digit"),
            ("01", "leading zeros are not allowed"),
            ("-00", "leading zeros are not allowed"),
            ("1.", "expected a digit after the decimal point"),
            ("1.e5", "expected a digit after the decimal point"),
            ("1e", "expected a digit in the exponent"),
            ("1e+", "expected a digit in the exponent"),
            ("Infinity", "expected a digit"),
            (" 1", "expected a digit"),
        ];
        for (text, message) in bad {
            let e = scan_number(text.as_bytes(), 0).unwrap_err();
            assert_eq!(e.message, message, "{text:?}");
        }
    }

    fn exact(text: &str) -> Result<i128, IntegerError> {
        let n = scan_number(text.as_bytes(), 0).expect("valid number");
        assert_eq!(n.end, text.len());
        exact_integer(&n)
    }

    #[test]
    fn exact_integers() {
        assert_eq!(exact("0"), Ok(0));
        assert_eq!(exact("-0"), Ok(0));
        assert_eq!(exact("-0.0e-5"), Ok(0));
        assert_eq!(exact("18446744073709551615"), Ok(u64::MAX.into()));
        assert_eq!(exact("-18446744073709551615"), Ok(-i128::from(u64::MAX)));
        assert_eq!(exact("18446744073709551616"), Err(IntegerError::OutOfRange));
        assert_eq!(exact("1e2"), Ok(100));
        assert_eq!(exact("-5E+1"), Ok(-50));
        assert_eq!(exact("1.0"), Ok(1));
        assert_eq!(exact("1.50e1"), Ok(15));
        assert_eq!(exact("0.000001e6"), Ok(1));
        assert_eq!(exact("1500e-2"), Ok(15));
        assert_eq!(exact("1e19"), Ok(10_000_000_000_000_000_000));
        assert_eq!(exact("1e20"), Err(IntegerError::OutOfRange));
        assert_eq!(exact("9007199254740993.0"), Ok(9_007_199_254_740_993));
        assert_eq!(exact("1.5"), Err(IntegerError::Fractional));
        assert_eq!(exact("1e-1"), Err(IntegerError::Fractional));
        assert_eq!(
            exact("1.0000000000000000001"),
            Err(IntegerError::Fractional)
        );
        assert_eq!(exact("1e1000000000000"), Err(IntegerError::OutOfRange));
        assert_eq!(exact("1e-1000000000000"), Err(IntegerError::Fractional));
        assert_eq!(exact("0e1000000000000"), Ok(0));
        let long = "1".repeat(10_000);
        assert_eq!(exact(&long), Err(IntegerError::OutOfRange));
        assert_eq!(exact(&format!("{long}e0")), Err(IntegerError::OutOfRange));
        assert_eq!(
            exact(&format!("{long}e-9999")),
            Err(IntegerError::Fractional)
        );
        assert_eq!(exact(&format!("0.{}1e10000", "0".repeat(9_999))), Ok(1));
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
