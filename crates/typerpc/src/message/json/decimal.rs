//! Decimal number text: the strict JSON number grammar, and exact
//! conversions from it to integers and fast ones to floats.

use std::ops::Range;

use super::lexer::LexError;

/// A number in JSON syntax, taken apart. Its parts are ranges into the
/// text it was scanned from, so it can be kept next to text it does not
/// borrow (an owned, unescaped string, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Number {
    pub(super) negative: bool,
    /// The digits before the decimal point: `0`, or no leading zero.
    pub(super) int: Range<usize>,
    /// The digits after the decimal point; empty if there is no point.
    pub(super) frac: Range<usize>,
    /// The exponent, clamped to ±[`EXPONENT_CLAMP`].
    pub(super) exponent: i64,
    /// Whether the text had neither a fraction nor an exponent.
    pub(super) plain: bool,
    /// Offset just past the number.
    pub(super) end: usize,
}

/// Exponents beyond this are clamped: they already make any nonzero value
/// overflow or underflow every numeric type, and clamping keeps the
/// arithmetic on exponents far from overflow.
pub(super) const EXPONENT_CLAMP: i64 = 1 << 40;

/// `text[range]`, or nothing for a range that does not fit (which the
/// ranges of a [`Number`] scanned from `text` always do).
#[inline]
fn slice(text: &[u8], range: Range<usize>) -> &[u8] {
    text.get(range).unwrap_or_default()
}

/// Reads the number starting at `text[start]` by the JSON grammar:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. A leading `+`,
/// leading zeros, `.5`, `1.` and `1e` are all errors. The number ends
/// where the grammar does; what follows is the caller's business.
pub(super) fn scan_number(text: &[u8], start: usize) -> Result<Number, LexError> {
    let digits_from = |from: usize| {
        let rest = text.get(from..).unwrap_or_default();
        from + rest.iter().take_while(|b| b.is_ascii_digit()).count()
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
    let int = int_start..i;
    let mut frac = i..i;
    if text.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digits_from(frac_start);
        if i == frac_start {
            return Err(LexError::new("expected a digit after the decimal point", i));
        }
        frac = frac_start..i;
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
        for &d in slice(text, exp_start..i) {
            exponent = (exponent * 10 + i64::from(d - b'0')).min(EXPONENT_CLAMP);
        }
        if exponent_negative {
            exponent = -exponent;
        }
    }
    Ok(Number {
        negative,
        plain: frac.is_empty() && !has_exponent,
        int,
        frac,
        exponent,
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

/// The exact value of `n` (scanned from `text`) if it is an integer of
/// magnitude below 2^64.
///
/// This works on the decimal digits rather than through `f64`, so `1e18`
/// and `9007199254740993.0` read exactly and `1.0000000000000000001` is
/// rejected instead of rounding to 1.
pub(super) fn exact_integer(text: &[u8], n: &Number) -> Result<i128, IntegerError> {
    let magnitude = if n.plain {
        accumulate(slice(text, n.int.clone()), 0)?
    } else {
        scaled_integer(
            slice(text, n.int.clone()),
            slice(text, n.frac.clone()),
            n.exponent,
        )?
    };
    let value = i128::from(magnitude);
    Ok(if n.negative { -value } else { value })
}

/// Appends decimal `digits` to `value`, failing on overflow.
#[inline]
fn accumulate(digits: &[u8], mut value: u64) -> Result<u64, IntegerError> {
    for &d in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(IntegerError::OutOfRange)?;
    }
    Ok(value)
}

/// The magnitude of `int.frac × 10^exponent`, if it is an integer.
fn scaled_integer(int: &[u8], frac: &[u8], exponent: i64) -> Result<u64, IntegerError> {
    // Work on the digits `D` of int and frac together, standing for
    // `D × 10^(exponent - frac.len())`.
    let digit = |i: usize| int.get(i).or_else(|| frac.get(i - int.len())).copied();
    let total = int.len() + frac.len();
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
    let scale = exponent
        .saturating_sub(i64::try_from(frac.len()).unwrap_or(i64::MAX))
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

/// A number read in one pass by [`simple_decimal`]: `mantissa × 10^exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Simple {
    pub(super) negative: bool,
    pub(super) mantissa: u64,
    pub(super) exponent: i32,
    /// Offset just past the number.
    pub(super) end: usize,
}

/// Reads a number at `text[at..]` in one pass, for the fast paths of the
/// float readers, when it has at most 19 digits before any exponent (so
/// the digits fit a u64) and at most 4 exponent digits. Returns `None` for
/// anything else, including syntax errors, which the general path reports.
#[inline]
pub(super) fn simple_decimal(text: &[u8], at: usize) -> Option<Simple> {
    let mut i = at;
    let negative = text.get(i) == Some(&b'-');
    i += usize::from(negative);
    let mut mantissa = 0u64;
    let mut digits = 0;
    let digit_run = |i: &mut usize, mantissa: &mut u64| -> usize {
        let start = *i;
        while let Some(d) = text
            .get(*i)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|&d| d <= 9)
        {
            // Wrapping is harmless: more than 19 digits are rejected below.
            *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            *i += 1;
        }
        *i - start
    };
    let int_digits = digit_run(&mut i, &mut mantissa);
    if int_digits == 0 || (int_digits > 1 && text.get(i - int_digits) == Some(&b'0')) {
        return None;
    }
    digits += int_digits;
    let mut exponent = 0i32;
    if text.get(i) == Some(&b'.') {
        i += 1;
        let frac_digits = digit_run(&mut i, &mut mantissa);
        if frac_digits == 0 {
            return None;
        }
        digits += frac_digits;
        exponent = -i32::try_from(frac_digits).ok()?;
    }
    if digits > 19 {
        return None;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exponent_negative = text.get(i) == Some(&b'-');
        if matches!(text.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut written = 0u64;
        let exp_digits = digit_run(&mut i, &mut written);
        if exp_digits == 0 || exp_digits > 4 {
            return None;
        }
        // At most 9999, and the fraction shifted by at most 19.
        let written = i32::try_from(written).ok()?;
        exponent += if exponent_negative { -written } else { written };
    }
    Some(Simple {
        negative,
        mantissa,
        exponent,
        end: i,
    })
}

/// Reads `-?(0|[1-9][0-9]*)` at `text[at..]` when it has at most 19
/// digits (so cannot overflow a u64), returning its value and end; the
/// fast path of the integer readers. The caller checks what follows.
#[inline]
pub(super) fn simple_integer(text: &[u8], at: usize) -> Option<(i128, usize)> {
    let negative = text.get(at) == Some(&b'-');
    let digits_start = at + usize::from(negative);
    let digits = text.get(digits_start..)?;
    let mut magnitude = 0u64;
    let mut len = 0;
    for &b in digits.iter().take(20) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        magnitude = magnitude.wrapping_mul(10).wrapping_add(u64::from(d));
        len += 1;
    }
    // 20 digits might have wrapped; a leading zero is an error to report.
    if len == 0 || len > 19 || (len > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    let value = i128::from(magnitude);
    Some((if negative { -value } else { value }, digits_start + len))
}

/// Powers of ten that `f64` holds exactly.
const F64_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Powers of ten that `f32` holds exactly.
const F32_POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// The value of `s` as an `f64`, when Clinger's fast path applies: the
/// mantissa and the power of ten are both exact in an `f64`, so a single
/// multiplication or division rounds correctly. That covers nearly all
/// numbers seen in practice; `None` sends the rest to the full parser.
#[inline]
pub(super) fn fast_f64(s: Simple) -> Option<f64> {
    if s.mantissa > 1 << 53 {
        return None;
    }
    let power = *F64_POW10.get(usize::try_from(s.exponent.unsigned_abs()).ok()?)?;
    // Exact: the mantissa is at most 2^53.
    let m = s.mantissa as f64;
    let v = if s.exponent >= 0 {
        m * power
    } else {
        m / power
    };
    Some(if s.negative { -v } else { v })
}

/// [`fast_f64`] for `f32`.
#[inline]
pub(super) fn fast_f32(s: Simple) -> Option<f32> {
    if s.mantissa > 1 << 24 {
        return None;
    }
    let power = *F32_POW10.get(usize::try_from(s.exponent.unsigned_abs()).ok()?)?;
    // Exact: the mantissa is at most 2^24.
    let m = s.mantissa as f32;
    let v = if s.exponent >= 0 {
        m * power
    } else {
        m / power
    };
    Some(if s.negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Number {
        let n = scan_number(text.as_bytes(), 0).expect("valid number");
        assert_eq!(n.end, text.len(), "{text}");
        n
    }

    #[test]
    fn grammar() {
        let parts = |s: &'static str| {
            scan_number(s.as_bytes(), 0).map(|n| {
                let part = |r: Range<usize>| &s[r];
                (
                    n.negative,
                    part(n.int),
                    part(n.frac),
                    n.exponent,
                    n.plain,
                    n.end,
                )
            })
        };
        assert_eq!(parts("0"), Ok((false, "0", "", 0, true, 1)));
        assert_eq!(parts("-12.50e+3,"), Ok((true, "12", "50", 3, false, 9)));
        assert_eq!(parts("1E-07]"), Ok((false, "1", "", -7, false, 5)));
        assert_eq!(parts("0.0"), Ok((false, "0", "0", 0, false, 3)));
        assert_eq!(parts("1x").map(|p| p.5), Ok(1));
        assert_eq!(parts("1.5.3").map(|p| p.5), Ok(3));
        let huge = parts("1e99999999999999999999").map(|p| p.3);
        assert_eq!(huge, Ok(EXPONENT_CLAMP));
        let tiny = parts("1e-99999999999999999999").map(|p| p.3);
        assert_eq!(tiny, Ok(-EXPONENT_CLAMP));
        assert_eq!(scan_number(b"[-1]", 1).map(|n| n.end), Ok(3));
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
            ("١", "expected a digit"),
        ];
        for (text, message) in bad {
            let e = scan_number(text.as_bytes(), 0).unwrap_err();
            assert_eq!(e.message, message, "{text:?}");
        }
    }

    fn exact(text: &str) -> Result<i128, IntegerError> {
        exact_integer(text.as_bytes(), &scan(text))
    }

    #[test]
    fn exact_integers() {
        use IntegerError::{Fractional, OutOfRange};
        assert_eq!(exact("0"), Ok(0));
        assert_eq!(exact("-0"), Ok(0));
        assert_eq!(exact("-0.0e-5"), Ok(0));
        assert_eq!(exact("18446744073709551615"), Ok(u64::MAX.into()));
        assert_eq!(exact("-18446744073709551615"), Ok(-i128::from(u64::MAX)));
        assert_eq!(exact("18446744073709551616"), Err(OutOfRange));
        assert_eq!(exact("1e2"), Ok(100));
        assert_eq!(exact("-5E+1"), Ok(-50));
        assert_eq!(exact("1.0"), Ok(1));
        assert_eq!(exact("1.50e1"), Ok(15));
        assert_eq!(exact("0.000001e6"), Ok(1));
        assert_eq!(exact("1500e-2"), Ok(15));
        assert_eq!(exact("1e19"), Ok(10_000_000_000_000_000_000));
        assert_eq!(exact("1e20"), Err(OutOfRange));
        assert_eq!(exact("9007199254740993.0"), Ok(9_007_199_254_740_993));
        assert_eq!(exact("1.5"), Err(Fractional));
        assert_eq!(exact("1e-1"), Err(Fractional));
        assert_eq!(exact("1.0000000000000000001"), Err(Fractional));
        assert_eq!(exact("1e1000000000000"), Err(OutOfRange));
        assert_eq!(exact("1e-1000000000000"), Err(Fractional));
        assert_eq!(exact("0e1000000000000"), Ok(0));
        let long = "1".repeat(10_000);
        assert_eq!(exact(&long), Err(OutOfRange));
        assert_eq!(exact(&format!("{long}e0")), Err(OutOfRange));
        assert_eq!(exact(&format!("{long}e-9999")), Err(Fractional));
        let tiny_digits = format!("0.{}1e10000", "0".repeat(9_999));
        assert_eq!(exact(&tiny_digits), Ok(1));
    }

    #[test]
    fn simple_decimals() {
        let simple = |s: &str| simple_decimal(s.as_bytes(), 0);
        let parts = |s: &str| simple(s).map(|n| (n.negative, n.mantissa, n.exponent, n.end));
        assert_eq!(parts("0"), Some((false, 0, 0, 1)));
        assert_eq!(parts("-12.50e+3,"), Some((true, 1250, 1, 9)));
        assert_eq!(parts("1E-07]"), Some((false, 1, -7, 5)));
        assert_eq!(parts("0.001"), Some((false, 1, -3, 5)));
        assert_eq!(parts("1.5.3"), Some((false, 15, -1, 3)));
        assert_eq!(
            parts("9999999999999999999e9999"),
            Some((false, 9_999_999_999_999_999_999, 9999, 24))
        );
        let declined = [
            "",
            "-",
            "+1",
            ".5",
            "01",
            "-00",
            "1.",
            "1.e5",
            "1e",
            "1e+",
            "x",
            "12345678901234567890",
            "1.2345678901234567890",
            "1e12345",
        ];
        for text in declined {
            assert_eq!(simple(text), None, "{text:?}");
        }
        assert_eq!(simple_decimal(b"[-1]", 1).map(|n| n.end), Some(3));
    }

    #[test]
    fn simple_integers() {
        let simple = |s: &str| simple_integer(s.as_bytes(), 0);
        assert_eq!(simple("0"), Some((0, 1)));
        assert_eq!(simple("-0,"), Some((0, 2)));
        assert_eq!(simple("123.5"), Some((123, 3)));
        assert_eq!(
            simple("9999999999999999999"),
            Some((9_999_999_999_999_999_999, 19))
        );
        assert_eq!(
            simple("-9223372036854775808"),
            Some((i128::from(i64::MIN), 20))
        );
        for text in [
            "",
            "-",
            "+1",
            "01",
            "-01",
            "x",
            "18446744073709551615",
            "99999999999999999999",
        ] {
            assert_eq!(simple(text), None, "{text:?}");
        }
    }

    #[test]
    fn fast_paths_agree_with_the_standard_library() {
        let cases = [
            "0",
            "-0",
            "1",
            "0.1",
            "-1.5e3",
            "123456.789",
            "9007199254740992",
            "9007199254740993",
            "1e22",
            "1e23",
            "1e-22",
            "1.7976931348623157e308",
            "4.9e-324",
            "16777217",
            "3.4028235e38",
            "0.30000000000000004",
            "1234567890123456789",
            "2.5e-10",
            "0.0000000001",
        ];
        for text in cases {
            let s = simple_decimal(text.as_bytes(), 0).expect("simple number");
            let wide: f64 = text.parse().expect("valid f64");
            let narrow: f32 = text.parse().expect("valid f32");
            if let Some(v) = fast_f64(s) {
                assert_eq!(v.to_bits(), wide.to_bits(), "{text}");
            }
            if let Some(v) = fast_f32(s) {
                assert_eq!(v.to_bits(), narrow.to_bits(), "{text}");
            }
        }
        let fast = |text: &str| simple_decimal(text.as_bytes(), 0).and_then(fast_f64);
        // The common shapes take the fast path.
        assert_eq!(fast("-1.5e3"), Some(-1500.0));
        assert!(fast("-0").is_some_and(f64::is_sign_negative));
        let narrow = simple_decimal(b"0.1", 0).and_then(fast_f32);
        assert_eq!(narrow, Some(0.1));
        // And the hard ones do not.
        assert_eq!(fast("1e23"), None);
        assert_eq!(fast("9007199254740993"), None);
        assert_eq!(simple_decimal(b"16777217", 0).and_then(fast_f32), None);
    }
}
