//! Tests of `timestamp.rs`.

use super::*;
use proptest::prelude::*;

fn ts(seconds: i64, nanos: i32) -> Timestamp {
    Timestamp::new(seconds, nanos)
}

fn parse(s: &str) -> Result<Timestamp, TimestampError> {
    Timestamp::parse_rfc3339(s)
}

fn syntax(position: usize, expected: &'static str) -> TimestampError {
    TimestampError::Syntax { position, expected }
}

/// Formats and checks that the text parses back to the same value.
fn text(t: Timestamp) -> String {
    let s = t.to_rfc3339().unwrap();
    assert_eq!(parse(&s), Ok(t), "{s}");
    s
}

#[test]
fn constants() {
    assert_eq!(Timestamp::UNIX_EPOCH, Timestamp::default());
    assert_eq!(text(Timestamp::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    assert_eq!(text(Timestamp::MIN), "0001-01-01T00:00:00Z");
    assert_eq!(text(Timestamp::MAX), "9999-12-31T23:59:59.999999999Z");
    assert!(Timestamp::MIN.is_valid() && Timestamp::MAX.is_valid());
}

#[test]
fn formats_canonical_fraction_digits() {
    assert_eq!(text(ts(63_108_020, 21_000_000)), "1972-01-01T10:00:20.021Z");
    assert_eq!(text(ts(0, 1)), "1970-01-01T00:00:00.000000001Z");
    assert_eq!(text(ts(0, 10)), "1970-01-01T00:00:00.000000010Z");
    assert_eq!(text(ts(0, 1_000)), "1970-01-01T00:00:00.000001Z");
    assert_eq!(text(ts(0, 123_450_000)), "1970-01-01T00:00:00.123450Z");
    assert_eq!(text(ts(0, 100_000_000)), "1970-01-01T00:00:00.100Z");
    assert_eq!(text(ts(0, 999_999_999)), "1970-01-01T00:00:00.999999999Z");
    assert_eq!(text(ts(1, 0)), "1970-01-01T00:00:01Z");
}

#[test]
fn formats_negative_seconds_with_forward_nanos() {
    assert_eq!(text(ts(-1, 0)), "1969-12-31T23:59:59Z");
    assert_eq!(text(ts(-1, 500_000_000)), "1969-12-31T23:59:59.500Z");
    assert_eq!(text(ts(-1, 999_999_999)), "1969-12-31T23:59:59.999999999Z");
    assert_eq!(text(ts(-86_400, 1)), "1969-12-31T00:00:00.000000001Z");
    assert_eq!(text(ts(-86_401, 0)), "1969-12-30T23:59:59Z");
}

#[test]
fn formats_calendar_edges() {
    // Leap days, including the 100- and 400-year rules.
    assert_eq!(text(ts(951_782_400, 0)), "2000-02-29T00:00:00Z");
    assert_eq!(text(ts(951_868_800, 0)), "2000-03-01T00:00:00Z");
    assert_eq!(text(ts(1_709_164_800, 0)), "2024-02-29T00:00:00Z");
    assert_eq!(text(ts(-2_203_891_200, 0)), "1900-03-01T00:00:00Z");
    assert_eq!(text(ts(-2_203_977_600, 0)), "1900-02-28T00:00:00Z");
    assert_eq!(text(ts(-62_130_499_200, 0)), "0001-03-01T00:00:00Z");
    assert_eq!(text(ts(-62_104_147_200, 0)), "0001-12-31T00:00:00Z");
    assert_eq!(text(ts(253_370_764_800, 0)), "9999-01-01T00:00:00Z");
    assert_eq!(text(ts(4_107_542_400, 0)), "2100-03-01T00:00:00Z");
    assert_eq!(text(ts(1_234_567_890, 0)), "2009-02-13T23:31:30Z");
}

#[test]
fn refuses_to_format_invalid_values() {
    let cases = [
        (
            ts(MIN_SECONDS - 1, 999_999_999),
            TimestampError::OutOfRange {
                seconds: MIN_SECONDS - 1,
            },
        ),
        (
            ts(MAX_SECONDS + 1, 0),
            TimestampError::OutOfRange {
                seconds: MAX_SECONDS + 1,
            },
        ),
        (
            ts(i64::MIN, 0),
            TimestampError::OutOfRange { seconds: i64::MIN },
        ),
        (
            ts(i64::MAX, 0),
            TimestampError::OutOfRange { seconds: i64::MAX },
        ),
        (ts(0, -1), TimestampError::InvalidNanos { nanos: -1 }),
        (
            ts(0, 1_000_000_000),
            TimestampError::InvalidNanos {
                nanos: 1_000_000_000,
            },
        ),
        (
            ts(0, i32::MIN),
            TimestampError::InvalidNanos { nanos: i32::MIN },
        ),
        (
            ts(i64::MAX, i32::MAX),
            TimestampError::InvalidNanos { nanos: i32::MAX },
        ),
    ];
    for (t, err) in cases {
        assert!(!t.is_valid());
        assert_eq!(t.validate(), Err(err.clone()));
        assert_eq!(t.to_rfc3339(), Err(err.clone()));
        let mut out = b"keep".to_vec();
        assert_eq!(t.write_rfc3339(&mut out), Err(err));
        assert_eq!(out, b"keep", "nothing is written on error");
    }
}

#[test]
fn write_appends() {
    let mut out = b"[".to_vec();
    ts(0, 0).write_rfc3339(&mut out).unwrap();
    out.push(b',');
    ts(-1, 1_000).write_rfc3339(&mut out).unwrap();
    assert_eq!(out, b"[1970-01-01T00:00:00Z,1969-12-31T23:59:59.000001Z");
}

#[test]
fn display_and_from_str() {
    assert_eq!(ts(1, 5_000_000).to_string(), "1970-01-01T00:00:01.005Z");
    assert_eq!(format!("[{:>22}]", ts(0, 0)), "[  1970-01-01T00:00:00Z]");
    assert_eq!(
        ts(0, -1).to_string(),
        "invalid Timestamp { seconds: 0, nanos: -1 }"
    );
    assert!(ts(0, -1).to_string().parse::<Timestamp>().is_err());
    assert_eq!("1970-01-01T00:00:01.005Z".parse(), Ok(ts(1, 5_000_000)));
    assert_eq!(
        "x".parse::<Timestamp>(),
        Err(syntax(0, "a four-digit year"))
    );
}

#[test]
fn parses_fractions_of_any_length_up_to_nine() {
    assert_eq!(parse("1970-01-01T00:00:00.5Z"), Ok(ts(0, 500_000_000)));
    assert_eq!(parse("1970-01-01T00:00:00.05Z"), Ok(ts(0, 50_000_000)));
    assert_eq!(parse("1970-01-01T00:00:00.1234Z"), Ok(ts(0, 123_400_000)));
    assert_eq!(
        parse("1970-01-01T00:00:00.12345678Z"),
        Ok(ts(0, 123_456_780))
    );
    assert_eq!(parse("1970-01-01T00:00:00.000000001Z"), Ok(ts(0, 1)));
    assert_eq!(parse("1970-01-01T00:00:00.000000000Z"), Ok(ts(0, 0)));
    assert_eq!(
        parse("1969-12-31T23:59:59.999999999Z"),
        Ok(ts(-1, 999_999_999))
    );
}

#[test]
fn parses_offsets_across_day_and_year_boundaries() {
    assert_eq!(parse("1970-01-01T01:00:00+01:00"), Ok(ts(0, 0)));
    assert_eq!(parse("1969-12-31T19:00:00-05:00"), Ok(ts(0, 0)));
    assert_eq!(parse("1970-01-01T00:00:00-00:00"), Ok(ts(0, 0)));
    assert_eq!(parse("1970-01-01T00:00:00+00:00"), Ok(ts(0, 0)));
    assert_eq!(
        text(parse("2020-01-01T00:30:00+01:00").unwrap()),
        "2019-12-31T23:30:00Z"
    );
    assert_eq!(
        text(parse("2019-12-31T23:30:00-01:00").unwrap()),
        "2020-01-01T00:30:00Z"
    );
    assert_eq!(
        text(parse("2024-02-28T23:00:00-01:30").unwrap()),
        "2024-02-29T00:30:00Z"
    );
    assert_eq!(
        text(parse("2024-03-01T00:15:00.25+00:30").unwrap()),
        "2024-02-29T23:45:00.250Z"
    );
    assert_eq!(
        text(parse("2023-03-01T00:15:00+00:30").unwrap()),
        "2023-02-28T23:45:00Z"
    );
    assert_eq!(
        text(parse("2000-01-01T05:00:00+23:59").unwrap()),
        "1999-12-31T05:01:00Z"
    );
    assert_eq!(
        text(parse("1999-12-31T20:00:00-23:59").unwrap()),
        "2000-01-01T19:59:00Z"
    );
    assert_eq!(
        text(parse("1972-01-01T10:00:20.021-08:00").unwrap()),
        "1972-01-01T18:00:20.021Z"
    );
}

#[test]
fn range_applies_to_the_instant() {
    assert_eq!(parse("0001-01-01T00:00:00Z"), Ok(Timestamp::MIN));
    assert_eq!(parse("9999-12-31T23:59:59.999999999Z"), Ok(Timestamp::MAX));
    assert_eq!(parse("0001-01-01T01:00:00+01:00"), Ok(Timestamp::MIN));
    assert_eq!(
        parse("9999-12-31T22:59:59.999999999-01:00"),
        Ok(Timestamp::MAX)
    );
    // Local year 0 is fine when the offset brings the instant into year 1.
    assert_eq!(parse("0000-12-31T23:00:00-01:00"), Ok(Timestamp::MIN));
    assert_eq!(
        parse("0000-12-31T23:59:59.999999999Z"),
        Err(TimestampError::OutOfRange {
            seconds: MIN_SECONDS - 1
        })
    );
    assert_eq!(
        parse("0001-01-01T00:00:00+00:01"),
        Err(TimestampError::OutOfRange {
            seconds: MIN_SECONDS - 60
        })
    );
    assert_eq!(
        parse("9999-12-31T23:59:59-00:01"),
        Err(TimestampError::OutOfRange {
            seconds: MAX_SECONDS + 60
        })
    );
    assert_eq!(
        parse("0000-01-01T00:00:00Z"),
        Err(TimestampError::OutOfRange {
            seconds: MIN_SECONDS - 366 * 86_400
        })
    );
}

#[test]
fn accepts_lower_case_t_and_z() {
    assert_eq!(parse("1970-01-01t00:00:01z"), Ok(ts(1, 0)));
    assert_eq!(parse("1970-01-01t00:00:01+00:00"), Ok(ts(1, 0)));
}

#[test]
fn validates_calendar_dates() {
    let invalid = |year, month, day| Err(TimestampError::InvalidDate { year, month, day });
    assert_eq!(parse("2023-02-29T00:00:00Z"), invalid(2023, 2, 29));
    assert_eq!(parse("1900-02-29T00:00:00Z"), invalid(1900, 2, 29));
    assert_eq!(parse("2100-02-29T00:00:00Z"), invalid(2100, 2, 29));
    assert_eq!(parse("2024-02-30T00:00:00Z"), invalid(2024, 2, 30));
    assert_eq!(parse("2023-04-31T00:00:00Z"), invalid(2023, 4, 31));
    assert_eq!(parse("2023-06-31T00:00:00Z"), invalid(2023, 6, 31));
    assert_eq!(parse("2023-09-31T00:00:00Z"), invalid(2023, 9, 31));
    assert_eq!(parse("2023-11-31T00:00:00Z"), invalid(2023, 11, 31));
    assert_eq!(parse("2023-01-32T00:00:00Z"), invalid(2023, 1, 32));
    assert_eq!(parse("2023-01-00T00:00:00Z"), invalid(2023, 1, 0));
    assert_eq!(parse("2023-00-10T00:00:00Z"), invalid(2023, 0, 10));
    assert_eq!(parse("2023-13-10T00:00:00Z"), invalid(2023, 13, 10));
    assert_eq!(parse("2023-99-99T00:00:00Z"), invalid(2023, 99, 99));
    assert!(parse("2024-02-29T00:00:00Z").is_ok());
    assert!(parse("2000-02-29T00:00:00Z").is_ok());
    assert!(parse("1600-02-29T00:00:00Z").is_ok());
    assert!(parse("0004-02-29T00:00:00Z").is_ok());
    for (month, days) in [
        (1, 31),
        (3, 31),
        (4, 30),
        (5, 31),
        (6, 30),
        (7, 31),
        (8, 31),
        (9, 30),
        (10, 31),
        (11, 30),
        (12, 31),
    ] {
        assert!(parse(&format!("2023-{month:02}-{days:02}T00:00:00Z")).is_ok());
        assert_eq!(
            parse(&format!("2023-{month:02}-{:02}T00:00:00Z", days + 1)),
            invalid(2023, month, days + 1)
        );
    }
}

#[test]
fn validates_times_and_offsets() {
    assert_eq!(
        parse("2016-12-31T23:59:60Z"),
        Err(TimestampError::LeapSecond)
    );
    assert_eq!(
        parse("2016-12-31T23:59:60.5+01:00"),
        Err(TimestampError::LeapSecond)
    );
    let invalid_time = |hour, minute, second| {
        Err(TimestampError::InvalidTime {
            hour,
            minute,
            second,
        })
    };
    assert_eq!(parse("2020-01-01T24:00:00Z"), invalid_time(24, 0, 0));
    assert_eq!(parse("2020-01-01T00:60:00Z"), invalid_time(0, 60, 0));
    assert_eq!(parse("2020-01-01T00:00:61Z"), invalid_time(0, 0, 61));
    assert_eq!(parse("2020-01-01T99:99:99Z"), invalid_time(99, 99, 99));
    let invalid_offset = |negative, hours, minutes| {
        Err(TimestampError::InvalidOffset {
            negative,
            hours,
            minutes,
        })
    };
    assert_eq!(
        parse("2020-01-01T00:00:00+24:00"),
        invalid_offset(false, 24, 0)
    );
    assert_eq!(
        parse("2020-01-01T00:00:00-00:60"),
        invalid_offset(true, 0, 60)
    );
}

#[test]
fn rejects_malformed_text() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "a four-digit year"),
        ("197-01-01T00:00:00Z", 3, "a four-digit year"),
        ("+1970-01-01T00:00:00Z", 0, "a four-digit year"),
        ("-1970-01-01T00:00:00Z", 0, "a four-digit year"),
        ("19700-01-01T00:00:00Z", 4, "'-' after the year"),
        ("1970/01/01T00:00:00Z", 4, "'-' after the year"),
        ("1970-1-01T00:00:00Z", 6, "a two-digit month"),
        ("1970-01-1T00:00:00Z", 9, "a two-digit day"),
        ("1970-01-01", 10, "'T' between the date and the time"),
        (
            "1970-01-01 00:00:00Z",
            10,
            "'T' between the date and the time",
        ),
        (
            "1970-01-01_00:00:00Z",
            10,
            "'T' between the date and the time",
        ),
        ("1970-01-01T0:00:00Z", 12, "a two-digit hour"),
        ("1970-01-01T00-00:00Z", 13, "':' after the hour"),
        ("1970-01-01T00:00Z", 16, "':' after the minute"),
        ("1970-01-01T00:00:0Z", 18, "a two-digit second"),
        (
            "1970-01-01T00:00:00",
            19,
            "'Z' or a UTC offset such as +01:00",
        ),
        (
            "1970-01-01T00:00:00 Z",
            19,
            "'Z' or a UTC offset such as +01:00",
        ),
        (
            "1970-01-01T00:00:00UTC",
            19,
            "'Z' or a UTC offset such as +01:00",
        ),
        (
            "1970-01-01T00:00:00,5Z",
            19,
            "'Z' or a UTC offset such as +01:00",
        ),
        ("1970-01-01T00:00:00.Z", 20, "a digit after '.'"),
        (
            "1970-01-01T00:00:00.1234567891Z",
            29,
            "at most nine fractional digits",
        ),
        ("1970-01-01T00:00:00+01", 22, "':' in the UTC offset"),
        ("1970-01-01T00:00:00+0100", 22, "':' in the UTC offset"),
        ("1970-01-01T00:00:00+1:00", 21, "a two-digit offset hour"),
        ("1970-01-01T00:00:00+01:0", 24, "a two-digit offset minute"),
        ("1970-01-01T00:00:00ZZ", 20, "the end of the timestamp"),
        ("1970-01-01T00:00:00Z ", 20, "the end of the timestamp"),
        ("1970-01-01T00:00:00+01:00Z", 25, "the end of the timestamp"),
        (" 1970-01-01T00:00:00Z", 0, "a four-digit year"),
        ("\u{661}970-01-01T00:00:00Z", 0, "a four-digit year"),
        (
            "1970-01-01T00:00:00\u{2212}01:00",
            19,
            "'Z' or a UTC offset such as +01:00",
        ),
        ("1970-01-01T00:00:00Z\0", 20, "the end of the timestamp"),
    ];
    for &(input, position, expected) in cases {
        assert_eq!(parse(input), Err(syntax(position, expected)), "{input:?}");
    }
}

#[test]
fn syntax_errors_take_precedence_over_field_errors() {
    assert_eq!(
        parse("2023-02-30T25:00:00"),
        Err(syntax(19, "'Z' or a UTC offset such as +01:00"))
    );
}

#[test]
fn error_messages() {
    let message = |s: &str| parse(s).unwrap_err().to_string();
    assert_eq!(
        message("2023-02-29T00:00:00Z"),
        "invalid date 2023-02-29: that month has 28 days"
    );
    assert_eq!(
        message("2023-13-01T00:00:00Z"),
        "invalid date 2023-13-01: month must be 01 to 12"
    );
    assert_eq!(
        message("2023-01-01T24:00:00Z"),
        "invalid time of day 24:00:00: expected 00:00:00 to 23:59:59"
    );
    assert_eq!(
        message("2023-01-01T00:00:60Z"),
        "invalid timestamp: leap second (second 60) cannot be represented by \
         google.protobuf.Timestamp"
    );
    assert_eq!(
        message("2023-01-01T00:00:00-24:00"),
        "invalid UTC offset -24:00: hours must be at most 23 and minutes at most 59"
    );
    assert_eq!(
        message("2023-01-01T00:00:00"),
        "invalid RFC 3339 timestamp: expected 'Z' or a UTC offset such as +01:00 at byte 19"
    );
    assert_eq!(
        ts(0, -5).validate().unwrap_err().to_string(),
        "invalid timestamp: nanos -5 is outside 0..=999999999"
    );
    assert_eq!(
        ts(MAX_SECONDS + 1, 0).validate().unwrap_err().to_string(),
        "timestamp out of range: 253402300800 seconds since the Unix epoch is outside \
         0001-01-01T00:00:00Z..=9999-12-31T23:59:59.999999999Z"
    );
    assert_eq!(
        TimestampError::NotRepresentable { target: "X" }.to_string(),
        "timestamp cannot be represented as X"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(TimestampError::LeapSecond);
    assert!(boxed.source().is_none());
}

#[test]
fn normalized_carries_nanos() {
    assert_eq!(ts(10, -1).normalized(), Some(ts(9, 999_999_999)));
    assert_eq!(ts(10, 1_000_000_000).normalized(), Some(ts(11, 0)));
    assert_eq!(ts(0, i32::MIN).normalized(), Some(ts(-3, 852_516_352)));
    assert_eq!(ts(0, i32::MAX).normalized(), Some(ts(2, 147_483_647)));
    assert_eq!(ts(5, 7).normalized(), Some(ts(5, 7)));
    assert_eq!(ts(i64::MAX, 1_000_000_000).normalized(), None);
    assert_eq!(ts(i64::MIN, -1).normalized(), None);
    assert_eq!(ts(i64::MIN, 0).normalized(), Some(ts(i64::MIN, 0)));
}

#[test]
fn ordering_is_chronological_for_valid_values() {
    let mut values = vec![
        ts(0, 0),
        ts(-1, 999_999_999),
        ts(-1, 0),
        Timestamp::MAX,
        Timestamp::MIN,
        ts(0, 1),
    ];
    values.sort();
    assert_eq!(
        values,
        [
            Timestamp::MIN,
            ts(-1, 0),
            ts(-1, 999_999_999),
            ts(0, 0),
            ts(0, 1),
            Timestamp::MAX
        ]
    );
}

#[test]
fn system_time_round_trips() {
    for t in [
        ts(0, 0),
        ts(1, 1),
        ts(-1, 1),
        ts(-1, 999_999_999),
        ts(1_700_000_000, 123_456_789),
    ] {
        let system = SystemTime::try_from(t).unwrap();
        assert_eq!(Timestamp::from(system), t);
    }
    let before = SystemTime::UNIX_EPOCH - StdDuration::new(1, 1);
    assert_eq!(Timestamp::from(before), ts(-2, 999_999_999));
    let before = SystemTime::UNIX_EPOCH - StdDuration::from_secs(7);
    assert_eq!(Timestamp::from(before), ts(-7, 0));
    let now = Timestamp::now();
    assert!(now.is_valid() && now > ts(1_600_000_000, 0));
}

#[cfg(unix)]
#[test]
fn system_time_saturates_and_reaches_the_whole_range() {
    let far_future = SystemTime::UNIX_EPOCH + StdDuration::from_secs(400_000_000_000);
    assert_eq!(Timestamp::from(far_future), Timestamp::MAX);
    let far_past = SystemTime::UNIX_EPOCH - StdDuration::from_secs(400_000_000_000);
    assert_eq!(Timestamp::from(far_past), Timestamp::MIN);
    let just_before_min = SystemTime::UNIX_EPOCH - StdDuration::new(62_135_596_800, 1);
    assert_eq!(Timestamp::from(just_before_min), Timestamp::MIN);
    for t in [Timestamp::MIN, Timestamp::MAX] {
        assert_eq!(Timestamp::from(SystemTime::try_from(t).unwrap()), t);
    }
}

#[test]
fn system_time_rejects_invalid_values() {
    assert_eq!(
        SystemTime::try_from(ts(0, -1)),
        Err(TimestampError::InvalidNanos { nanos: -1 })
    );
    assert_eq!(
        SystemTime::try_from(ts(i64::MAX, 0)),
        Err(TimestampError::OutOfRange { seconds: i64::MAX })
    );
}

#[cfg(feature = "chrono")]
#[test]
fn chrono_conversions() {
    use chrono::{DateTime, NaiveDate, Utc};
    for t in [
        ts(0, 0),
        ts(-1, 1),
        Timestamp::MIN,
        Timestamp::MAX,
        ts(951_782_400, 5),
    ] {
        let dt = DateTime::<Utc>::try_from(t).unwrap();
        assert_eq!(Timestamp::from(dt), t);
    }
    assert_eq!(
        DateTime::<Utc>::try_from(ts(0, -1)),
        Err(TimestampError::InvalidNanos { nanos: -1 })
    );
    assert_eq!(Timestamp::from(DateTime::<Utc>::MIN_UTC), Timestamp::MIN);
    assert_eq!(Timestamp::from(DateTime::<Utc>::MAX_UTC), Timestamp::MAX);
    // chrono's leap second 23:59:60.5 has a fraction of 1.5 s; it maps to
    // the last nanosecond before the next second.
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .unwrap()
        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
        .unwrap()
        .and_utc();
    assert_eq!(
        Timestamp::from(leap).to_string(),
        "2016-12-31T23:59:59.999999999Z"
    );
}

#[cfg(feature = "time")]
#[test]
fn time_conversions() {
    use time::{OffsetDateTime, UtcOffset};
    for t in [
        ts(0, 0),
        ts(-1, 1),
        Timestamp::MIN,
        Timestamp::MAX,
        ts(951_782_400, 5),
    ] {
        let dt = OffsetDateTime::try_from(t).unwrap();
        assert_eq!(dt.offset(), UtcOffset::UTC);
        assert_eq!(Timestamp::from(dt), t);
    }
    assert_eq!(
        OffsetDateTime::try_from(ts(i64::MIN, 0)),
        Err(TimestampError::OutOfRange { seconds: i64::MIN })
    );
    // The offset does not change the instant.
    let shifted = OffsetDateTime::from_unix_timestamp(0)
        .unwrap()
        .to_offset(UtcOffset::from_hms(-5, 0, 0).unwrap());
    assert_eq!(Timestamp::from(shifted), ts(0, 0));
    let before_year_1 = OffsetDateTime::from_unix_timestamp(MIN_SECONDS - 1).unwrap();
    assert_eq!(Timestamp::from(before_year_1), Timestamp::MIN);
}

/// Valid timestamps, with nanos biased toward the 0/3/6/9-digit cases.
fn valid_timestamp() -> impl Strategy<Value = Timestamp> {
    let nanos = prop_oneof![
        Just(0),
        (0..1_000i32).prop_map(|n| n * 1_000_000),
        (0..1_000_000i32).prop_map(|n| n * 1_000),
        0..=MAX_NANOS,
    ];
    let seconds = prop_oneof![
        MIN_SECONDS..=MAX_SECONDS,
        (MIN_SECONDS..MIN_SECONDS + 400 * 86_400),
        (MAX_SECONDS - 400 * 86_400..=MAX_SECONDS),
        (-86_400 * 800..86_400 * 800i64),
    ];
    (seconds, nanos).prop_map(|(s, n)| ts(s, n))
}

/// The pieces of an RFC 3339-like string, each a little beyond its
/// valid range, so that generated text is often but not always valid.
#[derive(Debug, Clone)]
struct Pieces {
    year: u32,
    month: u32,
    day: u32,
    separator: char,
    hour: u32,
    minute: u32,
    second: u32,
    fraction: Option<String>,
    zone: String,
}

impl Pieces {
    fn text(&self) -> String {
        let mut s = format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.separator, self.hour, self.minute, self.second
        );
        if let Some(fraction) = &self.fraction {
            s.push('.');
            s.push_str(fraction);
        }
        s.push_str(&self.zone);
        s
    }
}

fn pieces() -> impl Strategy<Value = Pieces> {
    let zone = prop_oneof![
        Just("Z".to_owned()),
        Just("z".to_owned()),
        (prop::bool::ANY, 0..=24u32, 0..=60u32)
            .prop_map(|(neg, h, m)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
    ];
    (
        (0..=9999u32, 0..=13u32, 0..=32u32),
        prop::sample::select(vec!['T', 't', ' ']),
        (0..=24u32, 0..=60u32, 0..=60u32),
        prop::option::of("[0-9]{0,10}"),
        zone,
    )
        .prop_map(
            |((year, month, day), separator, (hour, minute, second), fraction, zone)| Pieces {
                year,
                month,
                day,
                separator,
                hour,
                minute,
                second,
                fraction,
                zone,
            },
        )
}

fn prost(t: Timestamp) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.seconds,
        nanos: t.nanos,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// prost-types prints the same canonical text for every valid
    /// timestamp, and both parsers read it back to the same value.
    #[test]
    fn format_matches_prost(t in valid_timestamp()) {
        let ours = t.to_rfc3339().unwrap();
        prop_assert_eq!(&ours, &prost(t).to_string());
        prop_assert_eq!(parse(&ours), Ok(t));
        prop_assert_eq!(ours.parse::<prost_types::Timestamp>().ok(), Some(prost(t)));
        let mut out = Vec::new();
        t.write_rfc3339(&mut out).unwrap();
        prop_assert_eq!(out, ours.as_bytes());
        prop_assert_eq!(t.to_string(), ours);
    }

    /// Formatting is independent of how the instant is written:
    /// re-expressing it with any offset parses back to the same value.
    #[test]
    fn offsets_preserve_the_instant(
        t in valid_timestamp(),
        negative in prop::bool::ANY,
        hours in 0..=23i64,
        minutes in 0..=59i64,
    ) {
        let magnitude = hours * 3600 + minutes * 60;
        let offset = if negative { -magnitude } else { magnitude };
        let local = ts(t.seconds + offset, t.nanos);
        // Local times outside the four-digit-year range cannot be written.
        prop_assume!((-62_167_219_200..=MAX_SECONDS).contains(&local.seconds));
        let days = local.seconds.div_euclid(SECONDS_PER_DAY);
        let (y, mo, d) = civil_from_days(days);
        let sod = local.seconds.rem_euclid(SECONDS_PER_DAY);
        let fraction = if t.nanos == 0 { String::new() } else { format!(".{:09}", t.nanos) };
        let text = format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{fraction}{}{hours:02}:{minutes:02}",
            sod / 3600, sod / 60 % 60, sod % 60, if negative { '-' } else { '+' },
        );
        prop_assert_eq!(parse(&text), Ok(t), "{}", text);
        prop_assert_eq!(text.parse::<prost_types::Timestamp>().ok(), Some(prost(t)));
    }

    /// On near-valid text, this parser accepts exactly what prost-types
    /// accepts minus the forms proto3 JSON forbids (leap seconds, a
    /// space separator, more than nine fractional digits, instants out
    /// of range), and agrees with it on the value.
    #[test]
    fn parse_agrees_with_prost(p in pieces()) {
        let text = p.text();
        let ours = parse(&text);
        let theirs = text.parse::<prost_types::Timestamp>().ok();
        let stricter = p.second == 60
            || p.separator == ' '
            || p.fraction.as_ref().is_some_and(|f| f.is_empty() || f.len() > 9);
        let in_range = theirs.is_some_and(|t| {
            let t = ts(t.seconds, t.nanos);
            t.is_valid()
        });
        prop_assert_eq!(
            ours.is_ok(),
            in_range && !stricter,
            "{} {:?} {:?}",
            text,
            ours,
            theirs
        );
        if let Ok(t) = ours {
            prop_assert_eq!(Some(prost(t)), theirs);
            prop_assert_eq!(t.to_rfc3339().ok().and_then(|s| parse(&s).ok()), Some(t));
        }
    }

    /// Any pair of fields: formatting never panics and succeeds exactly
    /// for valid values; the conversions never panic.
    #[test]
    fn arbitrary_fields_never_panic(seconds in any::<i64>(), nanos in any::<i32>()) {
        let t = ts(seconds, nanos);
        prop_assert_eq!(t.to_rfc3339().is_ok(), t.is_valid());
        prop_assert_eq!(t.validate().is_ok(), t.is_valid());
        let _ = t.to_string();
        let _ = SystemTime::try_from(t);
        if let Some(n) = t.normalized() {
            prop_assert!((0..NANOS_PER_SECOND).contains(&n.nanos));
            let exact =
                |t: Timestamp| i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos);
            prop_assert_eq!(exact(n), exact(t));
        }
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = parse(&s);
    }

    /// Anything the parser accepts is valid and survives a round trip.
    #[test]
    fn accepted_text_round_trips(
        s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}\
              (\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
    ) {
        if let Ok(t) = parse(&s) {
            prop_assert!(t.is_valid());
            prop_assert_eq!(parse(&t.to_rfc3339().unwrap()), Ok(t));
        }
    }

    /// The system-time conversion is exact across the range (where the
    /// platform can represent it) and always gives a valid timestamp.
    #[test]
    fn system_time_round_trips_exactly(t in valid_timestamp()) {
        if let Ok(system) = SystemTime::try_from(t) {
            prop_assert_eq!(Timestamp::from(system), t);
        }
    }

    /// The date algorithms are inverse to each other over the range.
    #[test]
    fn civil_round_trip(days in -719_162i64..=2_932_896) {
        let (y, m, d) = civil_from_days(days);
        prop_assert!((1..=9999).contains(&y));
        prop_assert!((1..=12).contains(&m));
        prop_assert!(d >= 1 && d <= days_in_month(u32::try_from(y).unwrap(), m));
        prop_assert_eq!(days_from_civil(y, m, d), days);
    }
}

#[cfg(feature = "chrono")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// chrono's own RFC 3339 printer, with the same digit rule, agrees.
    #[test]
    fn format_matches_chrono(t in valid_timestamp()) {
        let dt = chrono::DateTime::<chrono::Utc>::try_from(t).unwrap();
        prop_assert_eq!(
            t.to_rfc3339().unwrap(),
            dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        );
        prop_assert_eq!(Timestamp::from(dt), t);
    }
}

#[cfg(feature = "time")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// time's calendar agrees with ours.
    #[test]
    fn calendar_matches_time(t in valid_timestamp()) {
        let dt = time::OffsetDateTime::try_from(t).unwrap();
        let days = t.seconds.div_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let month = u32::from(u8::from(dt.month()));
        let theirs = (i64::from(dt.year()), month, u32::from(dt.day()));
        prop_assert_eq!(theirs, (y, m, d));
        prop_assert_eq!(Timestamp::from(dt), t);
    }
}
