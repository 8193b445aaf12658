//! `google.protobuf.Duration`: a signed span of time with nanosecond
//! resolution.
//!
//! A duration is `seconds` plus `nanos`, both carrying the duration's sign
//! (unlike [`Timestamp`](super::Timestamp), whose `nanos` is
//! never negative). Protobuf limits it to ±315,576,000,000 seconds (about
//! ±10,000 years) and requires `nanos` to have the same sign as `seconds`
//! whenever `seconds` is not zero.
//!
//! Its proto3 JSON form is a decimal number of seconds with an `s` suffix,
//! such as `1.5s` or `-0.000000001s`, which
//! [`Duration::write_json_text`] produces and [`Duration::parse_json_text`]
//! reads.

use std::fmt;
use std::str::FromStr;

/// The largest magnitude of `seconds`: 10,000 years of 365.25 days.
const MAX_SECONDS: i64 = 315_576_000_000;
const NANOS_PER_SECOND: i32 = 1_000_000_000;
const MAX_NANOS: i32 = NANOS_PER_SECOND - 1;
/// The longest canonical text, `-315576000000.999999999s`.
const MAX_JSON_LEN: usize = 24;

/// A signed span of time: the protobuf well-known type
/// `google.protobuf.Duration`.
///
/// `seconds` and `nanos` both carry the sign, so -1.5 seconds is
/// `{ seconds: -1, nanos: -500_000_000 }` and -0.5 seconds is
/// `{ seconds: 0, nanos: -500_000_000 }`.
///
/// The fields are public, as in every protobuf binding, so a value can hold
/// anything; [`is_valid`](Self::is_valid) tells whether it follows the
/// protobuf rules. Functions that must produce protobuf-conformant output
/// (the JSON text, conversions to other duration types) check them and
/// return a [`DurationError`] rather than guess.
///
/// The derived ordering compares `seconds`, then `nanos`, which is numeric
/// order for valid durations.
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// let d = Duration::new(-1, -500_000_000);
/// assert!(d.is_valid());
/// assert_eq!(d.to_json_string().unwrap(), "-1.500s");
/// assert_eq!(Duration::parse_json_text("-1.5s"), Ok(d));
/// ```
#[derive(crate::Message, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[rpc(
    package = "google.protobuf",
    file = "google/protobuf/duration.proto",
    custom_json
)]
pub struct Duration {
    /// Whole seconds, from -315,576,000,000 to 315,576,000,000 inclusive.
    pub seconds: i64,
    /// Fraction of a second in nanoseconds, from -999,999,999 to
    /// 999,999,999 inclusive, with the same sign as `seconds` when
    /// `seconds` is not zero.
    pub nanos: i32,
}

impl Duration {
    /// The empty duration, `0s`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::ZERO, Duration::default());
    /// assert_eq!(Duration::ZERO.to_string(), "0s");
    /// ```
    pub const ZERO: Duration = Duration {
        seconds: 0,
        nanos: 0,
    };

    /// The most negative valid duration, `-315576000000.999999999s`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert!(Duration::MIN.is_valid());
    /// assert_eq!(Duration::MIN.to_string(), "-315576000000.999999999s");
    /// ```
    pub const MIN: Duration = Duration {
        seconds: -MAX_SECONDS,
        nanos: -MAX_NANOS,
    };

    /// The largest valid duration, `315576000000.999999999s`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert!(Duration::MAX.is_valid());
    /// assert_eq!(Duration::MAX.to_string(), "315576000000.999999999s");
    /// ```
    pub const MAX: Duration = Duration {
        seconds: MAX_SECONDS,
        nanos: MAX_NANOS,
    };

    /// Makes a duration from its two fields, exactly as given.
    ///
    /// Like a struct literal this does not validate; use
    /// [`is_valid`](Self::is_valid) or [`validate`](Self::validate) when the
    /// parts come from outside, or [`normalized`](Self::normalized) when
    /// their signs may differ or `nanos` may be a second or more.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::new(0, -1).to_string(), "-0.000000001s");
    /// ```
    #[must_use]
    pub const fn new(seconds: i64, nanos: i32) -> Self {
        Duration { seconds, nanos }
    }

    /// Whether this is a valid `google.protobuf.Duration`: `seconds` within
    /// ±315,576,000,000, `nanos` within ±999,999,999, and `nanos` not of
    /// the opposite sign to `seconds`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert!(Duration::new(-1, -5).is_valid());
    /// assert!(Duration::new(0, -5).is_valid());
    /// assert!(!Duration::new(1, -5).is_valid());
    /// assert!(!Duration::new(0, 1_000_000_000).is_valid());
    /// assert!(!Duration::new(315_576_000_001, 0).is_valid());
    /// ```
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        self.validate().is_ok()
    }

    /// Like [`is_valid`](Self::is_valid), but says what is wrong.
    ///
    /// # Errors
    ///
    /// [`DurationError::InvalidNanos`] if `nanos` is outside ±999,999,999
    /// or of the opposite sign to `seconds`, else
    /// [`DurationError::OutOfRange`] if `seconds` is outside
    /// ±315,576,000,000.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::message::wkt::DurationError;
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::new(1, 5).validate(), Ok(()));
    /// assert_eq!(
    ///     Duration::new(1, -5).validate(),
    ///     Err(DurationError::InvalidNanos { seconds: 1, nanos: -5 })
    /// );
    /// ```
    pub const fn validate(&self) -> Result<(), DurationError> {
        let nanos_in_range = self.nanos >= -MAX_NANOS && self.nanos <= MAX_NANOS;
        let signs_agree =
            !((self.seconds < 0 && self.nanos > 0) || (self.seconds > 0 && self.nanos < 0));
        if !nanos_in_range || !signs_agree {
            Err(DurationError::InvalidNanos {
                seconds: self.seconds,
                nanos: self.nanos,
            })
        } else if self.seconds < -MAX_SECONDS || self.seconds > MAX_SECONDS {
            Err(DurationError::OutOfRange)
        } else {
            Ok(())
        }
    }

    /// The same span with `nanos` within ±999,999,999 and of the same sign
    /// as `seconds`, carrying whole seconds as needed, or `None` if
    /// `seconds` would overflow `i64`.
    ///
    /// Useful for values computed by hand. The result is not range-checked:
    /// follow it with [`is_valid`](Self::is_valid) if that matters.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::new(1, -1).normalized(), Some(Duration::new(0, 999_999_999)));
    /// assert_eq!(
    ///     Duration::new(-1, 1_500_000_000).normalized(),
    ///     Some(Duration::new(0, 500_000_000))
    /// );
    /// assert_eq!(Duration::new(i64::MAX, 1_000_000_000).normalized(), None);
    /// ```
    #[must_use]
    pub fn normalized(self) -> Option<Self> {
        // In i128 the exact total cannot overflow, and truncating division
        // gives quotient and remainder the sign of the total: exactly the
        // protobuf convention.
        let total =
            i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos);
        let seconds = i64::try_from(total / i128::from(NANOS_PER_SECOND)).ok()?;
        let nanos = i32::try_from(total % i128::from(NANOS_PER_SECOND)).ok()?;
        Some(Duration { seconds, nanos })
    }

    /// Appends the canonical proto3 JSON text of this duration (without
    /// the surrounding JSON quotes) to `out`.
    ///
    /// The text is an optional `-`, the whole seconds, a fraction of 0, 3,
    /// 6 or 9 digits (the fewest of those that represent `nanos` exactly,
    /// as the protobuf reference implementations print it), and `s`. The
    /// output is ASCII and needs no JSON escaping.
    ///
    /// # Errors
    ///
    /// The error of [`validate`](Self::validate) if the duration is not
    /// valid; nothing is appended then.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// let mut out = b"\"".to_vec();
    /// Duration::new(3, 0).write_json_text(&mut out).unwrap();
    /// out.push(b'"');
    /// assert_eq!(out, b"\"3s\"");
    ///
    /// assert!(Duration::new(-3, 1).write_json_text(&mut out).is_err());
    /// ```
    pub fn write_json_text(&self, out: &mut Vec<u8>) -> Result<(), DurationError> {
        let text = self.format()?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// The canonical proto3 JSON text of this duration as a `String`; see
    /// [`write_json_text`](Self::write_json_text), which avoids the
    /// allocation.
    ///
    /// # Errors
    ///
    /// The error of [`validate`](Self::validate) if the duration is not
    /// valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::new(1, 500_000_000).to_json_string().unwrap(), "1.500s");
    /// assert_eq!(Duration::new(0, 10_000).to_json_string().unwrap(), "0.000010s");
    /// assert!(Duration::new(i64::MAX, 0).to_json_string().is_err());
    /// ```
    pub fn to_json_string(&self) -> Result<String, DurationError> {
        let text = self.format()?;
        Ok(text.as_str().to_owned())
    }

    /// Parses the proto3 JSON text of a duration (without the JSON quotes).
    ///
    /// Accepted: an optional `-`, one or more decimal digits, optionally
    /// `.` and 1 to 9 more digits, then `s`. Rejected: empty text, a
    /// missing or upper-case `s`, `+`, a sign anywhere but first, a bare
    /// `.`, exponents, whitespace, more than 9 fractional digits (which a
    /// `Duration` could not hold exactly), and values beyond
    /// ±315,576,000,000.999999999 seconds. Leading zeros are accepted, as
    /// the reference implementations do.
    ///
    /// # Errors
    ///
    /// [`DurationError::Syntax`] for text not of that form, and
    /// [`DurationError::OutOfRange`] for a value beyond the range.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::message::wkt::DurationError;
    /// use typerpc::Duration;
    ///
    /// assert_eq!(Duration::parse_json_text("1.5s"), Ok(Duration::new(1, 500_000_000)));
    /// assert_eq!(Duration::parse_json_text("-0.5s"), Ok(Duration::new(0, -500_000_000)));
    /// assert_eq!(
    ///     Duration::parse_json_text("1.5"),
    ///     Err(DurationError::Syntax { position: 3, expected: "'s'" })
    /// );
    /// assert_eq!(
    ///     Duration::parse_json_text("315576000001s"),
    ///     Err(DurationError::OutOfRange)
    /// );
    /// ```
    pub fn parse_json_text(s: &str) -> Result<Duration, DurationError> {
        let bytes = s.as_bytes();
        let mut pos = 0;
        let syntax = |position, expected| DurationError::Syntax { position, expected };

        let negative = bytes.first() == Some(&b'-');
        if negative {
            pos += 1;
        }

        // Saturate rather than fail on overflow so that a malformed tail
        // is still reported as a syntax error; anything saturated is far
        // beyond MAX_SECONDS and is rejected after the syntax check.
        let digits_start = pos;
        let mut seconds: i64 = 0;
        while let Some(&d @ b'0'..=b'9') = bytes.get(pos) {
            seconds = seconds
                .saturating_mul(10)
                .saturating_add(i64::from(d - b'0'));
            pos += 1;
        }
        if pos == digits_start {
            return Err(syntax(pos, "a digit"));
        }

        let mut nanos: i32 = 0;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            let fraction_start = pos;
            while let Some(&d @ b'0'..=b'9') = bytes.get(pos) {
                if pos - fraction_start == 9 {
                    return Err(syntax(pos, "at most nine fractional digits"));
                }
                nanos = nanos * 10 + i32::from(d - b'0');
                pos += 1;
            }
            let count = pos - fraction_start;
            if count == 0 {
                return Err(syntax(pos, "a digit after '.'"));
            }
            // Scale "5" to 500,000,000 and so on.
            for _ in count..9 {
                nanos *= 10;
            }
        }

        if bytes.get(pos) != Some(&b's') {
            return Err(syntax(pos, "'s'"));
        }
        pos += 1;
        if pos != bytes.len() {
            return Err(syntax(pos, "the end of the duration"));
        }

        if seconds > MAX_SECONDS {
            return Err(DurationError::OutOfRange);
        }
        // Both magnitudes are bounded above, so negation cannot overflow.
        Ok(if negative {
            Duration {
                seconds: -seconds,
                nanos: -nanos,
            }
        } else {
            Duration { seconds, nanos }
        })
    }

    /// Formats into a fixed buffer, shared by the `Vec`, `String` and
    /// `Display` outputs so that none of them allocates more than its
    /// result.
    fn format(&self) -> Result<JsonBuf, DurationError> {
        self.validate()?;
        let mut buf = JsonBuf::new();
        // Validated, so both fields share one sign.
        if self.seconds < 0 || self.nanos < 0 {
            buf.push(b'-');
        }
        buf.push_integer(self.seconds.unsigned_abs());
        let nanos = self.nanos.unsigned_abs();
        // The fewest of 0, 3, 6 or 9 digits that are exact: what the
        // protobuf reference implementations emit, so output matches theirs
        // byte for byte.
        if nanos != 0 {
            buf.push(b'.');
            if nanos % 1_000_000 == 0 {
                buf.push_digits(nanos / 1_000_000, 3);
            } else if nanos % 1_000 == 0 {
                buf.push_digits(nanos / 1_000, 6);
            } else {
                buf.push_digits(nanos, 9);
            }
        }
        buf.push(b's');
        Ok(buf)
    }
}

/// Prints the canonical JSON text of [`Duration::write_json_text`].
///
/// `Display` cannot report an error of its own (a formatting error makes
/// `to_string` panic), so an invalid duration prints as
/// `invalid Duration { seconds: …, nanos: … }`, which `FromStr` rejects.
/// Use [`Duration::to_json_string`] where invalid values must be caught.
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// assert_eq!(Duration::new(90, 0).to_string(), "90s");
/// assert_eq!(
///     Duration::new(1, -1).to_string(),
///     "invalid Duration { seconds: 1, nanos: -1 }"
/// );
/// ```
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format() {
            Ok(text) => f.pad(text.as_str()),
            Err(_) => write!(
                f,
                "invalid Duration {{ seconds: {}, nanos: {} }}",
                self.seconds, self.nanos
            ),
        }
    }
}

/// Parses with [`Duration::parse_json_text`].
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// let d: Duration = "0.250s".parse().unwrap();
/// assert_eq!(d, Duration::new(0, 250_000_000));
/// ```
impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Duration::parse_json_text(s)
    }
}

/// Converts a `std::time::Duration`, exactly.
///
/// # Errors
///
/// [`DurationError::OutOfRange`] beyond 315,576,000,000.999999999 seconds.
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// let d = Duration::try_from(std::time::Duration::from_millis(1500)).unwrap();
/// assert_eq!(d, Duration::new(1, 500_000_000));
/// assert!(Duration::try_from(std::time::Duration::MAX).is_err());
/// ```
impl TryFrom<std::time::Duration> for Duration {
    type Error = DurationError;

    fn try_from(duration: std::time::Duration) -> Result<Self, Self::Error> {
        let seconds = i64::try_from(duration.as_secs()).map_err(|_| DurationError::OutOfRange)?;
        let nanos =
            i32::try_from(duration.subsec_nanos()).map_err(|_| DurationError::OutOfRange)?;
        let converted = Duration { seconds, nanos };
        converted.validate()?;
        Ok(converted)
    }
}

/// Converts a valid, non-negative duration to a `std::time::Duration`,
/// exactly.
///
/// # Errors
///
/// The error of [`Duration::validate`] for an invalid duration, and
/// [`DurationError::Negative`] for a negative one, which
/// `std::time::Duration` cannot hold.
///
/// # Examples
///
/// ```
/// use typerpc::message::wkt::DurationError;
/// use typerpc::Duration;
///
/// let d = std::time::Duration::try_from(Duration::new(2, 5)).unwrap();
/// assert_eq!(d, std::time::Duration::new(2, 5));
/// assert_eq!(
///     std::time::Duration::try_from(Duration::new(0, -5)),
///     Err(DurationError::Negative(Duration::new(0, -5)))
/// );
/// ```
impl TryFrom<Duration> for std::time::Duration {
    type Error = DurationError;

    fn try_from(duration: Duration) -> Result<Self, Self::Error> {
        duration.validate()?;
        if duration.seconds < 0 || duration.nanos < 0 {
            return Err(DurationError::Negative(duration));
        }
        // Validated: `nanos` is below one second, so `new` cannot carry
        // (the only way it could panic).
        Ok(std::time::Duration::new(
            duration.seconds.unsigned_abs(),
            duration.nanos.unsigned_abs(),
        ))
    }
}

/// Converts a `chrono` time delta, exactly.
///
/// # Errors
///
/// [`DurationError::OutOfRange`] beyond ±315,576,000,000.999999999 seconds
/// (chrono's range is larger).
///
/// # Examples
///
/// ```
/// use chrono::TimeDelta;
/// use typerpc::Duration;
///
/// let d = Duration::try_from(TimeDelta::milliseconds(-1500)).unwrap();
/// assert_eq!(d, Duration::new(-1, -500_000_000));
/// ```
#[cfg(feature = "chrono")]
impl TryFrom<chrono::TimeDelta> for Duration {
    type Error = DurationError;

    fn try_from(delta: chrono::TimeDelta) -> Result<Self, Self::Error> {
        // chrono's `num_seconds` truncates toward zero and `subsec_nanos`
        // takes the sign of the delta: the protobuf convention.
        let converted = Duration {
            seconds: delta.num_seconds(),
            nanos: delta.subsec_nanos(),
        };
        converted.validate()?;
        Ok(converted)
    }
}

/// Converts a valid duration to a `chrono` time delta, exactly.
///
/// # Errors
///
/// The error of [`Duration::validate`] for an invalid duration. Every valid
/// duration is within chrono's range.
///
/// # Examples
///
/// ```
/// use chrono::TimeDelta;
/// use typerpc::Duration;
///
/// let delta = TimeDelta::try_from(Duration::new(0, -1)).unwrap();
/// assert_eq!(delta, TimeDelta::nanoseconds(-1));
/// ```
#[cfg(feature = "chrono")]
impl TryFrom<Duration> for chrono::TimeDelta {
    type Error = DurationError;

    fn try_from(duration: Duration) -> Result<Self, Self::Error> {
        duration.validate()?;
        // chrono stores seconds rounded toward -inf and a non-negative
        // fraction, so a negative fraction borrows one second. Validated
        // values are far from i64's limits.
        let (seconds, nanos) = if duration.nanos < 0 {
            (duration.seconds - 1, duration.nanos + NANOS_PER_SECOND)
        } else {
            (duration.seconds, duration.nanos)
        };
        chrono::TimeDelta::new(seconds, nanos.unsigned_abs()).ok_or(DurationError::OutOfRange)
    }
}

/// Converts a `time` duration, exactly.
///
/// # Errors
///
/// [`DurationError::OutOfRange`] beyond ±315,576,000,000.999999999 seconds
/// (time's range is larger).
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// let d = Duration::try_from(time::Duration::milliseconds(-1500)).unwrap();
/// assert_eq!(d, Duration::new(-1, -500_000_000));
/// ```
#[cfg(feature = "time")]
impl TryFrom<time::Duration> for Duration {
    type Error = DurationError;

    fn try_from(duration: time::Duration) -> Result<Self, Self::Error> {
        // time stores seconds and nanoseconds with one sign, like protobuf.
        let converted = Duration {
            seconds: duration.whole_seconds(),
            nanos: duration.subsec_nanoseconds(),
        };
        converted.validate()?;
        Ok(converted)
    }
}

/// Converts a valid duration to a `time` duration, exactly.
///
/// # Errors
///
/// The error of [`Duration::validate`] for an invalid duration. Every valid
/// duration is within time's range.
///
/// # Examples
///
/// ```
/// use typerpc::Duration;
///
/// let d = time::Duration::try_from(Duration::new(-2, -5)).unwrap();
/// assert_eq!(d, time::Duration::new(-2, -5));
/// ```
#[cfg(feature = "time")]
impl TryFrom<Duration> for time::Duration {
    type Error = DurationError;

    fn try_from(duration: Duration) -> Result<Self, Self::Error> {
        duration.validate()?;
        // `time::Duration::new` panics on overflow; the checked sum cannot.
        time::Duration::seconds(duration.seconds)
            .checked_add(time::Duration::nanoseconds(i64::from(duration.nanos)))
            .ok_or(DurationError::OutOfRange)
    }
}

/// Why a [`Duration`] could not be formatted, parsed or converted.
///
/// # Examples
///
/// ```
/// use typerpc::message::wkt::DurationError;
/// use typerpc::Duration;
///
/// let err = Duration::parse_json_text("+1s").unwrap_err();
/// assert_eq!(err, DurationError::Syntax { position: 0, expected: "a digit" });
/// assert_eq!(err.to_string(), "invalid duration text: expected a digit at byte 0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DurationError {
    /// `nanos` is outside ±999,999,999 or has the opposite sign to
    /// `seconds`.
    InvalidNanos {
        /// The duration's seconds.
        seconds: i64,
        /// The offending nanos.
        nanos: i32,
    },
    /// The duration is beyond ±315,576,000,000.999999999 seconds.
    OutOfRange,
    /// The duration is negative, and the target type cannot hold that.
    Negative(Duration),
    /// The text is not a duration of the form `[-]digits[.digits]s`.
    Syntax {
        /// Byte offset of the first byte that does not fit.
        position: usize,
        /// What was expected there.
        expected: &'static str,
    },
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::InvalidNanos { seconds, nanos } => write!(
                f,
                "invalid duration: nanos {nanos} must be within -999999999..=999999999 and \
                 not of the opposite sign to seconds ({seconds})"
            ),
            DurationError::OutOfRange => f.write_str(
                "duration out of range: the limit is 315576000000.999999999 seconds \
                 (about 10,000 years) either way",
            ),
            DurationError::Negative(duration) => write!(
                f,
                "negative duration {duration} cannot be converted to an unsigned duration"
            ),
            DurationError::Syntax { position, expected } => write!(
                f,
                "invalid duration text: expected {expected} at byte {position}"
            ),
        }
    }
}

impl std::error::Error for DurationError {}

/// A stack buffer for the canonical text, so formatting does not allocate.
struct JsonBuf {
    bytes: [u8; MAX_JSON_LEN],
    len: usize,
}

impl JsonBuf {
    const fn new() -> Self {
        JsonBuf {
            bytes: [0; MAX_JSON_LEN],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        // Validated values always fit; `get_mut` keeps this panic-free
        // regardless.
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Pushes `value` in decimal without leading zeros.
    fn push_integer(&mut self, mut value: u64) {
        // Digits come out least significant first, so stage them.
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            if let Some(slot) = digits.get_mut(count) {
                *slot = b'0' + (value % 10) as u8;
                count += 1;
            }
            value /= 10;
            if value == 0 {
                break;
            }
        }
        for &digit in digits.get(..count).unwrap_or_default().iter().rev() {
            self.push(digit);
        }
    }

    /// Pushes the low `width` decimal digits of `value`, zero-padded.
    fn push_digits(&mut self, mut value: u32, width: usize) {
        let end = self.len + width;
        if let Some(slots) = self.bytes.get_mut(self.len..end) {
            for slot in slots.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
            self.len = end;
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever pushed, so this cannot fail.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
