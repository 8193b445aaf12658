//! `google.protobuf.Timestamp`: a point in time with nanosecond resolution,
//! independent of any time zone or calendar.
//!
//! The value is a count of seconds and nanoseconds since the Unix epoch
//! (1970-01-01T00:00:00Z) on the proleptic Gregorian calendar, with every
//! day exactly 86,400 seconds long: leap seconds are "smeared" rather than
//! represented, so `23:59:60` never appears.
//!
//! Protobuf restricts the value to 0001-01-01T00:00:00Z ..=
//! 9999-12-31T23:59:59.999999999Z so that every timestamp has an RFC 3339
//! form with a four-digit year. That form is the proto3 JSON mapping, which
//! [`Timestamp::write_rfc3339`] produces and [`Timestamp::parse_rfc3339`]
//! reads.
//!
//! The civil-date arithmetic is done here (Howard Hinnant's
//! `days_from_civil` / `civil_from_days`) so the default build needs no date
//! crate; the `chrono` and `time` features only add conversions.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration as StdDuration, SystemTime};

/// Seconds from the Unix epoch to 0001-01-01T00:00:00Z, the earliest valid
/// timestamp.
const MIN_SECONDS: i64 = -62_135_596_800;
/// Seconds from the Unix epoch to 9999-12-31T23:59:59Z, the last whole
/// second of the valid range.
const MAX_SECONDS: i64 = 253_402_300_799;
const NANOS_PER_SECOND: i32 = 1_000_000_000;
const MAX_NANOS: i32 = NANOS_PER_SECOND - 1;
const SECONDS_PER_DAY: i64 = 86_400;
/// The longest canonical text, `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const MAX_RFC3339_LEN: usize = 30;

/// A point in time: the protobuf well-known type `google.protobuf.Timestamp`.
///
/// `seconds` counts whole seconds since 1970-01-01T00:00:00Z and `nanos`
/// adds a non-negative fraction, so an instant before the epoch that is not
/// a whole second has negative `seconds` and positive `nanos`:
/// 1969-12-31T23:59:59.5Z is `{ seconds: -1, nanos: 500_000_000 }`.
///
/// The fields are public, as in every protobuf binding, so a value can hold
/// anything; [`is_valid`](Self::is_valid) tells whether it is inside the
/// protobuf range. Functions that must produce protobuf-conformant output
/// (the RFC 3339 text, conversions to other time types) check it and return
/// a [`TimestampError`] rather than guess.
///
/// The derived ordering compares `seconds`, then `nanos`, which is
/// chronological order for valid timestamps.
///
/// # Examples
///
/// ```
/// use typerpc::Timestamp;
///
/// let t = Timestamp::new(63_108_020, 21_000_000);
/// assert!(t.is_valid());
/// assert_eq!(t.to_rfc3339().unwrap(), "1972-01-01T10:00:20.021Z");
/// assert_eq!(Timestamp::parse_rfc3339("1972-01-01T11:00:20.021+01:00"), Ok(t));
/// ```
#[derive(crate::Message, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[rpc(
    package = "google.protobuf",
    file = "google/protobuf/timestamp.proto",
    custom_json
)]
pub struct Timestamp {
    /// Whole seconds since 1970-01-01T00:00:00Z. Valid values are from
    /// -62,135,596,800 (0001-01-01T00:00:00Z) to 253,402,300,799
    /// (9999-12-31T23:59:59Z) inclusive.
    pub seconds: i64,
    /// Non-negative fraction of a second, in nanoseconds, counted forward
    /// in time even when `seconds` is negative. Valid values are from 0 to
    /// 999,999,999 inclusive.
    pub nanos: i32,
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z, the zero value.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::UNIX_EPOCH, Timestamp::default());
    /// assert_eq!(Timestamp::UNIX_EPOCH.to_string(), "1970-01-01T00:00:00Z");
    /// ```
    pub const UNIX_EPOCH: Timestamp = Timestamp {
        seconds: 0,
        nanos: 0,
    };

    /// 0001-01-01T00:00:00Z, the earliest valid timestamp.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
    /// ```
    pub const MIN: Timestamp = Timestamp {
        seconds: MIN_SECONDS,
        nanos: 0,
    };

    /// 9999-12-31T23:59:59.999999999Z, the latest valid timestamp.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999999999Z");
    /// ```
    pub const MAX: Timestamp = Timestamp {
        seconds: MAX_SECONDS,
        nanos: MAX_NANOS,
    };

    /// Makes a timestamp from its two fields, exactly as given.
    ///
    /// Like a struct literal this does not validate; use
    /// [`is_valid`](Self::is_valid) or [`validate`](Self::validate) when the
    /// parts come from outside, or [`normalized`](Self::normalized) when
    /// `nanos` may lie outside `0..=999_999_999`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// let t = Timestamp::new(-1, 500_000_000);
    /// assert_eq!(t.to_string(), "1969-12-31T23:59:59.500Z");
    /// ```
    #[must_use]
    pub const fn new(seconds: i64, nanos: i32) -> Self {
        Timestamp { seconds, nanos }
    }

    /// The current time from the system clock.
    ///
    /// A clock set outside the protobuf range is clamped to it, as the
    /// `From<SystemTime>` conversion documents, so the result is always
    /// valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// let now = Timestamp::now();
    /// assert!(now.is_valid());
    /// assert!(now > Timestamp::UNIX_EPOCH);
    /// ```
    #[must_use]
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// Whether this is a valid `google.protobuf.Timestamp`: `nanos` in
    /// `0..=999_999_999` and the instant within
    /// 0001-01-01T00:00:00Z ..= 9999-12-31T23:59:59.999999999Z.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert!(Timestamp::new(0, 999_999_999).is_valid());
    /// assert!(!Timestamp::new(0, -1).is_valid());
    /// assert!(!Timestamp::new(0, 1_000_000_000).is_valid());
    /// assert!(!Timestamp::new(i64::MAX, 0).is_valid());
    /// ```
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        self.seconds >= MIN_SECONDS
            && self.seconds <= MAX_SECONDS
            && self.nanos >= 0
            && self.nanos <= MAX_NANOS
    }

    /// Like [`is_valid`](Self::is_valid), but says what is wrong.
    ///
    /// # Errors
    ///
    /// [`TimestampError::InvalidNanos`] if `nanos` is outside
    /// `0..=999_999_999`, else [`TimestampError::OutOfRange`] if `seconds`
    /// is outside the protobuf range.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::message::wkt::TimestampError;
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::new(5, 0).validate(), Ok(()));
    /// assert_eq!(
    ///     Timestamp::new(5, -1).validate(),
    ///     Err(TimestampError::InvalidNanos { nanos: -1 })
    /// );
    /// ```
    pub const fn validate(&self) -> Result<(), TimestampError> {
        if self.nanos < 0 || self.nanos > MAX_NANOS {
            Err(TimestampError::InvalidNanos { nanos: self.nanos })
        } else if self.seconds < MIN_SECONDS || self.seconds > MAX_SECONDS {
            Err(TimestampError::OutOfRange {
                seconds: self.seconds,
            })
        } else {
            Ok(())
        }
    }

    /// The same instant with `nanos` moved into `0..=999_999_999` by
    /// carrying whole seconds into `seconds`, or `None` if `seconds` would
    /// overflow `i64`.
    ///
    /// Useful for values computed by hand (for example by adding
    /// nanoseconds). The result is not range-checked: follow it with
    /// [`is_valid`](Self::is_valid) if that matters.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::new(10, -1).normalized(), Some(Timestamp::new(9, 999_999_999)));
    /// assert_eq!(
    ///     Timestamp::new(10, 2_100_000_000).normalized(),
    ///     Some(Timestamp::new(12, 100_000_000))
    /// );
    /// assert_eq!(Timestamp::new(i64::MAX, 1_000_000_000).normalized(), None);
    /// ```
    #[must_use]
    pub fn normalized(self) -> Option<Self> {
        // Euclidean division keeps the remainder non-negative, which is the
        // protobuf convention; the quotient is at most ±3, so only the
        // addition can overflow.
        let carry = i64::from(self.nanos.div_euclid(NANOS_PER_SECOND));
        let nanos = self.nanos.rem_euclid(NANOS_PER_SECOND);
        let seconds = self.seconds.checked_add(carry)?;
        Some(Timestamp { seconds, nanos })
    }

    /// Appends the canonical proto3 JSON text of this timestamp (without
    /// the surrounding JSON quotes) to `out`.
    ///
    /// The text is RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
    /// always with `Z`, and with 0, 3, 6 or 9 fractional digits, the fewest
    /// of those that represent `nanos` exactly, as the protobuf reference
    /// implementations print it. The output is ASCII and needs no JSON
    /// escaping.
    ///
    /// # Errors
    ///
    /// The error of [`validate`](Self::validate) if the timestamp is not
    /// valid; nothing is appended then.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// let mut out = b"\"".to_vec();
    /// Timestamp::new(1, 10_000).write_rfc3339(&mut out).unwrap();
    /// out.push(b'"');
    /// assert_eq!(out, b"\"1970-01-01T00:00:01.000010Z\"");
    ///
    /// assert!(Timestamp::new(1, -10).write_rfc3339(&mut out).is_err());
    /// ```
    pub fn write_rfc3339(&self, out: &mut Vec<u8>) -> Result<(), TimestampError> {
        let text = self.format()?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// The canonical proto3 JSON text of this timestamp as a `String`; see
    /// [`write_rfc3339`](Self::write_rfc3339), which avoids the allocation.
    ///
    /// # Errors
    ///
    /// The error of [`validate`](Self::validate) if the timestamp is not
    /// valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::Timestamp;
    ///
    /// assert_eq!(Timestamp::new(0, 0).to_rfc3339().unwrap(), "1970-01-01T00:00:00Z");
    /// assert_eq!(Timestamp::new(0, 1).to_rfc3339().unwrap(), "1970-01-01T00:00:00.000000001Z");
    /// assert!(Timestamp::new(i64::MIN, 0).to_rfc3339().is_err());
    /// ```
    pub fn to_rfc3339(&self) -> Result<String, TimestampError> {
        let text = self.format()?;
        Ok(text.as_str().to_owned())
    }

    /// Parses an RFC 3339 date-time, the proto3 JSON form of a timestamp
    /// (without the JSON quotes).
    ///
    /// Accepted: `YYYY-MM-DDTHH:MM:SS[.f]` followed by `Z` or a numeric UTC
    /// offset `+hh:mm` / `-hh:mm`, which is applied to give UTC. `T` and `Z`
    /// may be lower case, as RFC 3339 allows. The fraction has 1 to 9
    /// digits. Everything else is rejected: a space instead of `T`, a
    /// missing zone, offsets without the colon, more than 9 fractional
    /// digits (which a `Timestamp` could not hold exactly), impossible
    /// dates such as February 29 in a common year, and the leap second
    /// `:60`, which protobuf does not represent.
    ///
    /// The range check applies to the instant the text denotes, so
    /// `0000-12-31T23:30:00-01:00` (0001-01-01T00:30:00Z) is accepted and
    /// `0001-01-01T00:30:00+01:00` is not.
    ///
    /// # Errors
    ///
    /// [`TimestampError::Syntax`] for text that is not of the form above,
    /// [`TimestampError::InvalidDate`], [`TimestampError::InvalidTime`],
    /// [`TimestampError::LeapSecond`] or [`TimestampError::InvalidOffset`]
    /// for a field out of its range, and [`TimestampError::OutOfRange`] for
    /// an instant outside the protobuf range.
    ///
    /// # Examples
    ///
    /// ```
    /// use typerpc::message::wkt::TimestampError;
    /// use typerpc::Timestamp;
    ///
    /// let t = Timestamp::parse_rfc3339("2024-02-29T23:30:00.5-01:00").unwrap();
    /// assert_eq!(t.to_string(), "2024-03-01T00:30:00.500Z");
    ///
    /// assert!(matches!(
    ///     Timestamp::parse_rfc3339("2023-02-29T00:00:00Z"),
    ///     Err(TimestampError::InvalidDate { .. })
    /// ));
    /// assert_eq!(
    ///     Timestamp::parse_rfc3339("2016-12-31T23:59:60Z"),
    ///     Err(TimestampError::LeapSecond)
    /// );
    /// ```
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimestampError> {
        let mut p = Cursor::new(s.as_bytes());

        // Syntax first, for the whole input, so that an error names the
        // first malformed byte rather than some field that happened to be
        // checked earlier.
        let year = p.digits(4, "a four-digit year")?;
        p.expect(b'-', "'-' after the year")?;
        let month = p.digits(2, "a two-digit month")?;
        p.expect(b'-', "'-' after the month")?;
        let day = p.digits(2, "a two-digit day")?;
        p.expect_either(b'T', b't', "'T' between the date and the time")?;
        let hour = p.digits(2, "a two-digit hour")?;
        p.expect(b':', "':' after the hour")?;
        let minute = p.digits(2, "a two-digit minute")?;
        p.expect(b':', "':' after the minute")?;
        let second = p.digits(2, "a two-digit second")?;
        let nanos = if p.eat(b'.') { p.fraction()? } else { 0 };
        // The offset is local time minus UTC, in seconds.
        let (offset, offset_fields) = match p.peek() {
            Some(b'Z' | b'z') => {
                p.advance();
                (0, None)
            }
            Some(sign @ (b'+' | b'-')) => {
                p.advance();
                let hours = p.digits(2, "a two-digit offset hour")?;
                p.expect(b':', "':' in the UTC offset")?;
                let minutes = p.digits(2, "a two-digit offset minute")?;
                let magnitude = i64::from(hours) * 3600 + i64::from(minutes) * 60;
                let offset = if sign == b'-' { -magnitude } else { magnitude };
                (offset, Some((sign, hours, minutes)))
            }
            _ => return Err(p.error("'Z' or a UTC offset such as +01:00")),
        };
        if !p.at_end() {
            return Err(p.error("the end of the timestamp"));
        }

        // Then the fields. Every value is now at most 9999 (four digits),
        // so none of the arithmetic below can overflow.
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(TimestampError::InvalidDate { year, month, day });
        }
        if second == 60 {
            return Err(TimestampError::LeapSecond);
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampError::InvalidTime {
                hour,
                minute,
                second,
            });
        }
        if let Some((sign, hours, minutes)) = offset_fields {
            if hours > 23 || minutes > 59 {
                return Err(TimestampError::InvalidOffset {
                    negative: sign == b'-',
                    hours,
                    minutes,
                });
            }
        }

        let days = days_from_civil(i64::from(year), month, day);
        let seconds = days * SECONDS_PER_DAY
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second)
            - offset;
        let timestamp = Timestamp {
            seconds,
            nanos: i32::try_from(nanos).unwrap_or(MAX_NANOS),
        };
        timestamp.validate()?;
        Ok(timestamp)
    }

    /// Formats into a fixed buffer, shared by the `Vec`, `String` and
    /// `Display` outputs so that none of them allocates more than its
    /// result.
    fn format(&self) -> Result<Rfc3339Buf, TimestampError> {
        self.validate()?;
        // Validated: the day count is within ±3,000,000 and the date within
        // years 1..=9999, so the narrowing below is lossless.
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = u32::try_from(self.seconds.rem_euclid(SECONDS_PER_DAY)).unwrap_or(0);
        let (year, month, day) = civil_from_days(days);
        let year = u32::try_from(year).unwrap_or(0);
        let nanos = self.nanos.unsigned_abs();

        let mut buf = Rfc3339Buf::new();
        buf.push_digits(year, 4);
        buf.push(b'-');
        buf.push_digits(month, 2);
        buf.push(b'-');
        buf.push_digits(day, 2);
        buf.push(b'T');
        buf.push_digits(second_of_day / 3600, 2);
        buf.push(b':');
        buf.push_digits(second_of_day / 60 % 60, 2);
        buf.push(b':');
        buf.push_digits(second_of_day % 60, 2);
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
        buf.push(b'Z');
        Ok(buf)
    }

    /// Clamps an exact (seconds, nanos) pair, with `nanos` already in
    /// `0..=999_999_999`, into the valid range.
    const fn saturating(seconds: i64, nanos: i32) -> Self {
        if seconds < MIN_SECONDS {
            Timestamp::MIN
        } else if seconds > MAX_SECONDS {
            Timestamp::MAX
        } else {
            Timestamp { seconds, nanos }
        }
    }
}

/// Prints the canonical RFC 3339 text of [`Timestamp::write_rfc3339`].
///
/// `Display` cannot report an error of its own (a formatting error makes
/// `to_string` panic), so an invalid timestamp prints as
/// `invalid Timestamp { seconds: …, nanos: … }`, which `FromStr`
/// rejects. Use
/// [`Timestamp::to_rfc3339`] where invalid values must be caught.
///
/// # Examples
///
/// ```
/// use typerpc::Timestamp;
///
/// assert_eq!(Timestamp::new(951_782_400, 0).to_string(), "2000-02-29T00:00:00Z");
/// assert_eq!(
///     Timestamp::new(0, -1).to_string(),
///     "invalid Timestamp { seconds: 0, nanos: -1 }"
/// );
/// ```
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format() {
            Ok(text) => f.pad(text.as_str()),
            Err(_) => write!(
                f,
                "invalid Timestamp {{ seconds: {}, nanos: {} }}",
                self.seconds, self.nanos
            ),
        }
    }
}

/// Parses with [`Timestamp::parse_rfc3339`].
///
/// # Examples
///
/// ```
/// use typerpc::Timestamp;
///
/// let t: Timestamp = "1970-01-01T00:00:01Z".parse().unwrap();
/// assert_eq!(t, Timestamp::new(1, 0));
/// ```
impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_rfc3339(s)
    }
}

/// Converts a [`SystemTime`] exactly when it is within the protobuf range.
///
/// A time before 0001-01-01T00:00:00Z becomes [`Timestamp::MIN`] and one
/// after 9999-12-31T23:59:59.999999999Z becomes [`Timestamp::MAX`]. Such
/// clocks are nonsense in practice, and clamping keeps this an infallible
/// `From` whose result can always be sent: a timestamp outside the range
/// would fail every JSON encoding and conformant peer later.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use typerpc::Timestamp;
///
/// let before = SystemTime::UNIX_EPOCH - Duration::from_millis(1500);
/// assert_eq!(Timestamp::from(before), Timestamp::new(-2, 500_000_000));
/// ```
impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => match i64::try_from(after.as_secs()) {
                Ok(seconds) => Timestamp::saturating(seconds, nanos_from_u32(after.subsec_nanos())),
                Err(_) => Timestamp::MAX,
            },
            Err(err) => {
                // `before` is how far `time` lies before the epoch; turn it
                // into seconds rounded toward -inf plus a positive fraction.
                let before = err.duration();
                let (whole, nanos) = match before.subsec_nanos() {
                    0 => (Some(before.as_secs()), 0),
                    sub => (
                        before.as_secs().checked_add(1),
                        NANOS_PER_SECOND - nanos_from_u32(sub),
                    ),
                };
                match whole.and_then(|w| i64::try_from(w).ok()) {
                    // `w` is non-negative, so negating it cannot overflow.
                    Some(w) => Timestamp::saturating(-w, nanos),
                    None => Timestamp::MIN,
                }
            }
        }
    }
}

/// Converts a valid timestamp to a [`SystemTime`].
///
/// # Errors
///
/// The error of [`Timestamp::validate`] for an invalid timestamp, and
/// [`TimestampError::NotRepresentable`] if the platform's `SystemTime`
/// cannot hold the instant (Windows, for one, starts at 1601).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use typerpc::Timestamp;
///
/// let t = SystemTime::try_from(Timestamp::new(1, 500_000_000)).unwrap();
/// assert_eq!(t, SystemTime::UNIX_EPOCH + Duration::from_millis(1500));
/// assert!(SystemTime::try_from(Timestamp::new(1, -1)).is_err());
/// ```
impl TryFrom<Timestamp> for SystemTime {
    type Error = TimestampError;

    fn try_from(timestamp: Timestamp) -> Result<Self, Self::Error> {
        timestamp.validate()?;
        let whole = StdDuration::from_secs(timestamp.seconds.unsigned_abs());
        let fraction = StdDuration::from_nanos(u64::from(timestamp.nanos.unsigned_abs()));
        let base = if timestamp.seconds >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(whole)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(whole)
        };
        base.and_then(|t| t.checked_add(fraction))
            .ok_or(TimestampError::NotRepresentable {
                target: "std::time::SystemTime",
            })
    }
}

/// Converts a `chrono` UTC date-time, exactly within the protobuf range.
///
/// As with `From<SystemTime>`, instants outside the range clamp to [`Timestamp::MIN`] or
/// [`Timestamp::MAX`]. chrono represents a leap second as a second whose
/// fraction is 1.0 or more; since protobuf has no leap seconds, that
/// becomes the last nanosecond of the preceding second, which keeps the
/// conversion monotonic.
///
/// # Examples
///
/// ```
/// use chrono::{DateTime, Utc};
/// use typerpc::Timestamp;
///
/// let dt = DateTime::<Utc>::from_timestamp(-1, 5).unwrap();
/// assert_eq!(Timestamp::from(dt), Timestamp::new(-1, 5));
/// ```
#[cfg(feature = "chrono")]
impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
    fn from(time: chrono::DateTime<chrono::Utc>) -> Self {
        // chrono's seconds already round toward -inf with a non-negative
        // fraction, the protobuf convention.
        Timestamp::saturating(
            time.timestamp(),
            nanos_from_u32(time.timestamp_subsec_nanos()),
        )
    }
}

/// Converts a valid timestamp to a `chrono` UTC date-time.
///
/// # Errors
///
/// The error of [`Timestamp::validate`] for an invalid timestamp. Every
/// valid timestamp is within chrono's range.
///
/// # Examples
///
/// ```
/// use chrono::{DateTime, Utc};
/// use typerpc::Timestamp;
///
/// let dt = DateTime::<Utc>::try_from(Timestamp::new(86_400, 0)).unwrap();
/// assert_eq!(dt.to_rfc3339(), "1970-01-02T00:00:00+00:00");
/// ```
#[cfg(feature = "chrono")]
impl TryFrom<Timestamp> for chrono::DateTime<chrono::Utc> {
    type Error = TimestampError;

    fn try_from(timestamp: Timestamp) -> Result<Self, Self::Error> {
        timestamp.validate()?;
        chrono::DateTime::from_timestamp(timestamp.seconds, timestamp.nanos.unsigned_abs()).ok_or(
            TimestampError::NotRepresentable {
                target: "chrono::DateTime<Utc>",
            },
        )
    }
}

/// Converts a `time` date-time (any offset), exactly within the protobuf
/// range.
///
/// Instants outside the range (possible with time's `large-dates` feature,
/// or before year 1) clamp to [`Timestamp::MIN`] or [`Timestamp::MAX`].
///
/// # Examples
///
/// ```
/// use time::OffsetDateTime;
/// use typerpc::Timestamp;
///
/// let dt = OffsetDateTime::from_unix_timestamp_nanos(-1).unwrap();
/// assert_eq!(Timestamp::from(dt), Timestamp::new(-1, 999_999_999));
/// ```
#[cfg(feature = "time")]
impl From<time::OffsetDateTime> for Timestamp {
    fn from(time: time::OffsetDateTime) -> Self {
        // `unix_timestamp` rounds toward -inf and `nanosecond` is the
        // non-negative fraction, whatever the offset.
        Timestamp::saturating(time.unix_timestamp(), nanos_from_u32(time.nanosecond()))
    }
}

/// Converts a valid timestamp to a `time` date-time in UTC.
///
/// # Errors
///
/// The error of [`Timestamp::validate`] for an invalid timestamp. Every
/// valid timestamp is within time's range.
///
/// # Examples
///
/// ```
/// use time::OffsetDateTime;
/// use typerpc::Timestamp;
///
/// let dt = OffsetDateTime::try_from(Timestamp::MIN).unwrap();
/// assert_eq!(dt.year(), 1);
/// ```
#[cfg(feature = "time")]
impl TryFrom<Timestamp> for time::OffsetDateTime {
    type Error = TimestampError;

    fn try_from(timestamp: Timestamp) -> Result<Self, Self::Error> {
        timestamp.validate()?;
        // Validated, so the product is far inside i128.
        let nanos = i128::from(timestamp.seconds) * i128::from(NANOS_PER_SECOND)
            + i128::from(timestamp.nanos);
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
            TimestampError::NotRepresentable {
                target: "time::OffsetDateTime",
            }
        })
    }
}

/// Why a [`Timestamp`] could not be formatted, parsed or converted.
///
/// # Examples
///
/// ```
/// use typerpc::message::wkt::TimestampError;
/// use typerpc::Timestamp;
///
/// let err = Timestamp::parse_rfc3339("2024-01-01 00:00:00Z").unwrap_err();
/// assert_eq!(
///     err,
///     TimestampError::Syntax { position: 10, expected: "'T' between the date and the time" }
/// );
/// assert_eq!(
///     err.to_string(),
///     "invalid RFC 3339 timestamp: expected 'T' between the date and the time at byte 10"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampError {
    /// `nanos` is outside `0..=999_999_999`.
    InvalidNanos {
        /// The offending value.
        nanos: i32,
    },
    /// The instant is before 0001-01-01T00:00:00Z or after
    /// 9999-12-31T23:59:59.999999999Z.
    OutOfRange {
        /// The instant's whole seconds since the Unix epoch.
        seconds: i64,
    },
    /// The target type cannot hold this (valid) timestamp on this platform.
    NotRepresentable {
        /// The target type's name.
        target: &'static str,
    },
    /// The text is not an RFC 3339 date-time of the accepted form.
    Syntax {
        /// Byte offset of the first byte that does not fit.
        position: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// The month is not 1..=12 or the day does not exist in that month.
    InvalidDate {
        /// The year as written.
        year: u32,
        /// The month as written.
        month: u32,
        /// The day of the month as written.
        day: u32,
    },
    /// The hour is over 23, the minute over 59 or the second over 59 (60
    /// gives [`LeapSecond`](Self::LeapSecond)).
    InvalidTime {
        /// The hour as written.
        hour: u32,
        /// The minute as written.
        minute: u32,
        /// The second as written.
        second: u32,
    },
    /// The second is 60: protobuf timestamps have no leap seconds.
    LeapSecond,
    /// The UTC offset's hours are over 23 or its minutes over 59.
    InvalidOffset {
        /// Whether the offset was written with `-`.
        negative: bool,
        /// The hours as written.
        hours: u32,
        /// The minutes as written.
        minutes: u32,
    },
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::InvalidNanos { nanos } => write!(
                f,
                "invalid timestamp: nanos {nanos} is outside 0..=999999999"
            ),
            TimestampError::OutOfRange { seconds } => write!(
                f,
                "timestamp out of range: {seconds} seconds since the Unix epoch is outside \
                 0001-01-01T00:00:00Z..=9999-12-31T23:59:59.999999999Z"
            ),
            TimestampError::NotRepresentable { target } => {
                write!(f, "timestamp cannot be represented as {target}")
            }
            TimestampError::Syntax { position, expected } => write!(
                f,
                "invalid RFC 3339 timestamp: expected {expected} at byte {position}"
            ),
            TimestampError::InvalidDate { year, month, day } => {
                if (1..=12).contains(month) {
                    write!(
                        f,
                        "invalid date {year:04}-{month:02}-{day:02}: that month has {} days",
                        days_in_month(*year, *month)
                    )
                } else {
                    write!(
                        f,
                        "invalid date {year:04}-{month:02}-{day:02}: month must be 01 to 12"
                    )
                }
            }
            TimestampError::InvalidTime {
                hour,
                minute,
                second,
            } => write!(
                f,
                "invalid time of day {hour:02}:{minute:02}:{second:02}: \
                 expected 00:00:00 to 23:59:59"
            ),
            TimestampError::LeapSecond => f.write_str(
                "invalid timestamp: leap second (second 60) cannot be represented by \
                 google.protobuf.Timestamp",
            ),
            TimestampError::InvalidOffset {
                negative,
                hours,
                minutes,
            } => write!(
                f,
                "invalid UTC offset {}{hours:02}:{minutes:02}: hours must be at most 23 and \
                 minutes at most 59",
                if *negative { '-' } else { '+' }
            ),
        }
    }
}

impl std::error::Error for TimestampError {}

/// Clamps a nanosecond count from another time type into
/// `0..=999_999_999`; only chrono's leap-second representation exceeds it.
fn nanos_from_u32(nanos: u32) -> i32 {
    i32::try_from(nanos).map_or(MAX_NANOS, |n| n.min(MAX_NANOS))
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar.
const fn is_leap_year(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in `month` (1..=12) of `year`.
const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date; Howard Hinnant's
/// `days_from_civil` (<https://howardhinnant.github.io/date_algorithms.html>).
///
/// The year is shifted to start in March so that the leap day is the last
/// day of the shifted year, which turns the month lengths into a closed
/// formula. Callers pass years 0..=9999, so nothing overflows.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // 0..=399
    let shifted_month = i64::from(if month > 2 { month - 3 } else { month + 9 }); // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1; // 0..=365
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian (year, month, day) of a count of days since
/// 1970-01-01; the inverse of [`days_from_civil`].
///
/// Callers pass day counts of valid timestamps (about ±3 million), so
/// nothing overflows.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097); // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    // Both are small positive numbers by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// A stack buffer for the canonical text, so formatting does not allocate.
struct Rfc3339Buf {
    bytes: [u8; MAX_RFC3339_LEN],
    len: usize,
}

impl Rfc3339Buf {
    const fn new() -> Self {
        Rfc3339Buf {
            bytes: [0; MAX_RFC3339_LEN],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        // The layout is fixed and fits, so the bounds check never fails;
        // `get_mut` keeps it panic-free regardless.
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
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

/// A byte cursor for the parser that reports errors by position.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    const fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn error(&self, expected: &'static str) -> TimestampError {
        TimestampError::Syntax {
            position: self.pos,
            expected,
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), TimestampError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn expect_either(
        &mut self,
        a: u8,
        b: u8,
        expected: &'static str,
    ) -> Result<(), TimestampError> {
        if self.eat(a) || self.eat(b) {
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Reads exactly `count` (at most 9) ASCII digits.
    fn digits(&mut self, count: usize, expected: &'static str) -> Result<u32, TimestampError> {
        let mut value = 0u32;
        for _ in 0..count {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(d - b'0');
                    self.advance();
                }
                _ => return Err(self.error(expected)),
            }
        }
        Ok(value)
    }

    /// Reads the 1 to 9 digits after the decimal point, as nanoseconds.
    fn fraction(&mut self) -> Result<u32, TimestampError> {
        let mut nanos = 0u32;
        let mut count = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if count == 9 {
                return Err(self.error("at most nine fractional digits"));
            }
            nanos = nanos * 10 + u32::from(d - b'0');
            count += 1;
            self.advance();
        }
        if count == 0 {
            return Err(self.error("a digit after '.'"));
        }
        // Scale "5" to 500,000,000 and so on.
        for _ in count..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }
}

#[cfg(test)]
mod tests;
