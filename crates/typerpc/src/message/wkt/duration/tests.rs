//! Tests of `duration.rs`.

use super::*;
use proptest::prelude::*;

fn d(seconds: i64, nanos: i32) -> Duration {
    Duration::new(seconds, nanos)
}

fn parse(s: &str) -> Result<Duration, DurationError> {
    Duration::parse_json_text(s)
}

fn syntax(position: usize, expected: &'static str) -> DurationError {
    DurationError::Syntax { position, expected }
}

/// Formats and checks that the text parses back to the same value.
fn text(value: Duration) -> String {
    let s = value.to_json_string().unwrap();
    assert_eq!(parse(&s), Ok(value), "{s}");
    s
}

#[test]
fn constants() {
    assert_eq!(Duration::ZERO, Duration::default());
    assert_eq!(text(Duration::ZERO), "0s");
    assert_eq!(text(Duration::MAX), "315576000000.999999999s");
    assert_eq!(text(Duration::MIN), "-315576000000.999999999s");
    assert!(Duration::MIN < Duration::ZERO && Duration::ZERO < Duration::MAX);
}

#[test]
fn formats_canonical_text() {
    assert_eq!(text(d(1, 500_000_000)), "1.500s");
    assert_eq!(text(d(0, -1)), "-0.000000001s");
    assert_eq!(text(d(3, 0)), "3s");
    assert_eq!(text(d(-3, 0)), "-3s");
    assert_eq!(text(d(-1, -500_000_000)), "-1.500s");
    assert_eq!(text(d(0, -500_000_000)), "-0.500s");
    assert_eq!(text(d(0, 10_000_000)), "0.010s");
    assert_eq!(text(d(0, 1_000)), "0.000001s");
    assert_eq!(text(d(0, 123_456_000)), "0.123456s");
    assert_eq!(text(d(0, 123_456_789)), "0.123456789s");
    assert_eq!(text(d(10, 1)), "10.000000001s");
    assert_eq!(text(d(1_000_000_000, 0)), "1000000000s");
    assert_eq!(text(d(-MAX_SECONDS, 0)), "-315576000000s");
}

#[test]
fn refuses_to_format_invalid_values() {
    let invalid_nanos = |seconds, nanos| DurationError::InvalidNanos { seconds, nanos };
    let cases = [
        (d(1, -1), invalid_nanos(1, -1)),
        (d(-1, 1), invalid_nanos(-1, 1)),
        (d(0, 1_000_000_000), invalid_nanos(0, 1_000_000_000)),
        (d(0, -1_000_000_000), invalid_nanos(0, -1_000_000_000)),
        (d(i64::MIN, i32::MAX), invalid_nanos(i64::MIN, i32::MAX)),
        (d(MAX_SECONDS + 1, 0), DurationError::OutOfRange),
        (d(-MAX_SECONDS - 1, -1), DurationError::OutOfRange),
        (d(i64::MAX, 0), DurationError::OutOfRange),
        (d(i64::MIN, 0), DurationError::OutOfRange),
    ];
    for (value, err) in cases {
        assert!(!value.is_valid());
        assert_eq!(value.validate(), Err(err.clone()));
        assert_eq!(value.to_json_string(), Err(err.clone()));
        let mut out = b"keep".to_vec();
        assert_eq!(value.write_json_text(&mut out), Err(err));
        assert_eq!(out, b"keep", "nothing is written on error");
    }
}

#[test]
fn display_and_from_str() {
    assert_eq!(d(-2, 0).to_string(), "-2s");
    assert_eq!(format!("[{:>5}]", d(1, 0)), "[   1s]");
    assert_eq!(
        d(1, -1).to_string(),
        "invalid Duration { seconds: 1, nanos: -1 }"
    );
    assert!(d(1, -1).to_string().parse::<Duration>().is_err());
    assert_eq!("2.5s".parse(), Ok(d(2, 500_000_000)));
}

#[test]
fn parses_valid_text() {
    assert_eq!(parse("0s"), Ok(d(0, 0)));
    assert_eq!(parse("-0s"), Ok(d(0, 0)));
    assert_eq!(parse("-0.0s"), Ok(d(0, 0)));
    assert_eq!(parse("00001s"), Ok(d(1, 0)));
    assert_eq!(parse("1.5s"), Ok(d(1, 500_000_000)));
    assert_eq!(parse("1.05s"), Ok(d(1, 50_000_000)));
    assert_eq!(parse("-1.5s"), Ok(d(-1, -500_000_000)));
    assert_eq!(parse("-0.000000001s"), Ok(d(0, -1)));
    assert_eq!(parse("0.12345678s"), Ok(d(0, 123_456_780)));
    assert_eq!(parse("315576000000.999999999s"), Ok(Duration::MAX));
    assert_eq!(parse("-315576000000.999999999s"), Ok(Duration::MIN));
    assert_eq!(parse("000000000000000000000000000001s"), Ok(d(1, 0)));
}

#[test]
fn rejects_out_of_range() {
    for input in [
        "315576000001s",
        "-315576000001s",
        "315576000001.5s",
        "9223372036854775807s",
        "9223372036854775808s",
        "-9223372036854775808s",
        "99999999999999999999999999999999999999s",
    ] {
        assert_eq!(parse(input), Err(DurationError::OutOfRange), "{input}");
    }
}

#[test]
fn rejects_malformed_text() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "a digit"),
        ("s", 0, "a digit"),
        ("-", 1, "a digit"),
        ("-s", 1, "a digit"),
        ("+1s", 0, "a digit"),
        ("--1s", 1, "a digit"),
        (" 1s", 0, "a digit"),
        (".5s", 0, "a digit"),
        ("-.5s", 1, "a digit"),
        ("1", 1, "'s'"),
        ("1.5", 3, "'s'"),
        ("1.5S", 3, "'s'"),
        ("1 s", 1, "'s'"),
        ("1-s", 1, "'s'"),
        ("1e3s", 1, "'s'"),
        ("1,5s", 1, "'s'"),
        ("1.s", 2, "a digit after '.'"),
        ("1..5s", 2, "a digit after '.'"),
        ("1.1234567891s", 11, "at most nine fractional digits"),
        ("1.5.5s", 3, "'s'"),
        ("1ss", 2, "the end of the duration"),
        ("1s ", 2, "the end of the duration"),
        ("1s-", 2, "the end of the duration"),
        ("\u{661}s", 0, "a digit"),
        // A syntax error is reported even when the number is too big.
        ("99999999999999999999999x", 23, "'s'"),
    ];
    for &(input, position, expected) in cases {
        assert_eq!(parse(input), Err(syntax(position, expected)), "{input:?}");
    }
}

#[test]
fn error_messages() {
    assert_eq!(
        parse("1.5").unwrap_err().to_string(),
        "invalid duration text: expected 's' at byte 3"
    );
    assert_eq!(
        DurationError::OutOfRange.to_string(),
        "duration out of range: the limit is 315576000000.999999999 seconds \
         (about 10,000 years) either way"
    );
    assert_eq!(
        d(1, -5).validate().unwrap_err().to_string(),
        "invalid duration: nanos -5 must be within -999999999..=999999999 and not of the \
         opposite sign to seconds (1)"
    );
    assert_eq!(
        DurationError::Negative(d(-1, -500_000_000)).to_string(),
        "negative duration -1.500s cannot be converted to an unsigned duration"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(DurationError::OutOfRange);
    assert!(boxed.source().is_none());
}

#[test]
fn normalized_fixes_signs_and_carries() {
    assert_eq!(d(1, -1).normalized(), Some(d(0, 999_999_999)));
    assert_eq!(d(-1, 1).normalized(), Some(d(0, -999_999_999)));
    assert_eq!(d(-1, 1_500_000_000).normalized(), Some(d(0, 500_000_000)));
    assert_eq!(d(0, -1_500_000_000).normalized(), Some(d(-1, -500_000_000)));
    assert_eq!(d(0, i32::MIN).normalized(), Some(d(-2, -147_483_648)));
    assert_eq!(d(5, 7).normalized(), Some(d(5, 7)));
    assert_eq!(d(i64::MAX, 1_000_000_000).normalized(), None);
    assert_eq!(d(i64::MIN, -1_000_000_000).normalized(), None);
    assert_eq!(
        d(i64::MIN, 1).normalized(),
        Some(d(i64::MIN + 1, -999_999_999))
    );
}

#[test]
fn std_conversions() {
    use std::time::Duration as Std;
    assert_eq!(Duration::try_from(Std::new(1, 5)), Ok(d(1, 5)));
    assert_eq!(Duration::try_from(Std::ZERO), Ok(Duration::ZERO));
    assert_eq!(
        Duration::try_from(Std::new(315_576_000_000, 999_999_999)),
        Ok(Duration::MAX)
    );
    assert_eq!(
        Duration::try_from(Std::from_secs(315_576_000_001)),
        Err(DurationError::OutOfRange)
    );
    assert_eq!(Duration::try_from(Std::MAX), Err(DurationError::OutOfRange));
    assert_eq!(Std::try_from(d(1, 5)), Ok(Std::new(1, 5)));
    assert_eq!(
        Std::try_from(Duration::MAX),
        Ok(Std::new(315_576_000_000, 999_999_999))
    );
    assert_eq!(
        Std::try_from(d(0, -1)),
        Err(DurationError::Negative(d(0, -1)))
    );
    assert_eq!(
        Std::try_from(d(-1, 0)),
        Err(DurationError::Negative(d(-1, 0)))
    );
    assert_eq!(
        Std::try_from(d(1, -1)),
        Err(DurationError::InvalidNanos {
            seconds: 1,
            nanos: -1
        })
    );
    assert_eq!(
        Std::try_from(d(i64::MAX, 0)),
        Err(DurationError::OutOfRange)
    );
}

#[cfg(feature = "chrono")]
#[test]
fn chrono_conversions() {
    use chrono::TimeDelta;
    for value in [
        d(0, 0),
        d(1, 5),
        d(0, -1),
        d(-1, -500_000_000),
        d(-2, 0),
        Duration::MIN,
        Duration::MAX,
    ] {
        let delta = TimeDelta::try_from(value).unwrap();
        let nanos = i128::from(value.seconds) * 1_000_000_000 + i128::from(value.nanos);
        assert_eq!(
            delta.num_nanoseconds().map(i128::from),
            i64::try_from(nanos).ok().map(i128::from)
        );
        assert_eq!(Duration::try_from(delta), Ok(value));
    }
    assert_eq!(
        TimeDelta::try_from(d(1, -1)),
        Err(DurationError::InvalidNanos {
            seconds: 1,
            nanos: -1
        })
    );
    assert_eq!(
        Duration::try_from(TimeDelta::MAX),
        Err(DurationError::OutOfRange)
    );
    assert_eq!(
        Duration::try_from(TimeDelta::MIN),
        Err(DurationError::OutOfRange)
    );
}

#[cfg(feature = "time")]
#[test]
fn time_conversions() {
    for value in [
        d(0, 0),
        d(1, 5),
        d(0, -1),
        d(-1, -500_000_000),
        d(-2, 0),
        Duration::MIN,
        Duration::MAX,
    ] {
        let converted = time::Duration::try_from(value).unwrap();
        assert_eq!(converted, time::Duration::new(value.seconds, value.nanos));
        assert_eq!(Duration::try_from(converted), Ok(value));
    }
    assert_eq!(
        time::Duration::try_from(d(-1, 1)),
        Err(DurationError::InvalidNanos {
            seconds: -1,
            nanos: 1
        })
    );
    assert_eq!(
        Duration::try_from(time::Duration::MAX),
        Err(DurationError::OutOfRange)
    );
    assert_eq!(
        Duration::try_from(time::Duration::MIN),
        Err(DurationError::OutOfRange)
    );
}

/// Valid durations, with nanos biased toward the 0/3/6/9-digit cases.
fn valid_duration() -> impl Strategy<Value = Duration> {
    let nanos = prop_oneof![
        Just(0),
        (0..1_000i32).prop_map(|n| n * 1_000_000),
        (0..1_000_000i32).prop_map(|n| n * 1_000),
        0..=MAX_NANOS,
    ];
    let seconds = prop_oneof![0..=MAX_SECONDS, 0..1_000i64, Just(0), Just(MAX_SECONDS)];
    (seconds, nanos, prop::bool::ANY).prop_map(
        |(s, n, negative)| {
            if negative {
                d(-s, -n)
            } else {
                d(s, n)
            }
        },
    )
}

fn prost(value: Duration) -> prost_types::Duration {
    prost_types::Duration {
        seconds: value.seconds,
        nanos: value.nanos,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// prost-types prints the same canonical text for every valid
    /// duration, and both parsers read it back to the same value.
    #[test]
    fn format_matches_prost(value in valid_duration()) {
        let ours = value.to_json_string().unwrap();
        prop_assert_eq!(&ours, &prost(value).to_string());
        prop_assert_eq!(parse(&ours), Ok(value));
        prop_assert_eq!(ours.parse::<prost_types::Duration>().ok(), Some(prost(value)));
        let mut out = Vec::new();
        value.write_json_text(&mut out).unwrap();
        prop_assert_eq!(out, ours.as_bytes());
        prop_assert_eq!(value.to_string(), ours);
    }

    /// On near-valid text, this parser accepts exactly what prost-types
    /// accepts minus what protobuf forbids (more than nine fractional
    /// digits, values out of range), and agrees with it on the value.
    #[test]
    fn parse_agrees_with_prost(
        sign in prop::sample::select(vec!["", "", "-", "+", "--"]),
        whole in "[0-9]{0,14}",
        fraction in prop::option::of("[0-9]{0,11}"),
        suffix in prop::sample::select(vec!["s", "s", "s", "S", "", "ss", " s"]),
    ) {
        let text = format!(
            "{sign}{whole}{}{suffix}",
            fraction.as_ref().map(|f| format!(".{f}")).unwrap_or_default()
        );
        let ours = parse(&text);
        let theirs = text.parse::<prost_types::Duration>().ok();
        let stricter = fraction.as_ref().is_some_and(|f| f.len() > 9);
        let in_range = theirs.is_some_and(|t| d(t.seconds, t.nanos).is_valid());
        prop_assert_eq!(
            ours.is_ok(),
            in_range && !stricter,
            "{} {:?} {:?}",
            text,
            ours,
            theirs
        );
        if let Ok(value) = ours {
            prop_assert_eq!(Some(prost(value)), theirs);
            prop_assert_eq!(parse(&value.to_json_string().unwrap()), Ok(value));
        }
    }

    /// Any pair of fields: formatting never panics and succeeds exactly
    /// for valid values; normalizing preserves the exact value.
    #[test]
    fn arbitrary_fields_never_panic(seconds in any::<i64>(), nanos in any::<i32>()) {
        let value = d(seconds, nanos);
        prop_assert_eq!(value.to_json_string().is_ok(), value.is_valid());
        let _ = value.to_string();
        let _ = std::time::Duration::try_from(value);
        if let Some(n) = value.normalized() {
            prop_assert!(n.nanos.abs() < NANOS_PER_SECOND);
            prop_assert!(n.seconds == 0 || n.nanos == 0 || (n.seconds > 0) == (n.nanos > 0));
            let exact =
                |v: Duration| i128::from(v.seconds) * 1_000_000_000 + i128::from(v.nanos);
            prop_assert_eq!(exact(n), exact(value));
        }
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,30}") {
        let _ = parse(&s);
    }

    /// The std conversion is exact both ways for non-negative values.
    #[test]
    fn std_round_trip(value in valid_duration()) {
        match std::time::Duration::try_from(value) {
            Ok(std) => prop_assert_eq!(Duration::try_from(std), Ok(value)),
            Err(e) => {
                prop_assert!(value.seconds < 0 || value.nanos < 0);
                prop_assert_eq!(e, DurationError::Negative(value));
            }
        }
    }
}

#[cfg(feature = "chrono")]
proptest! {
    /// chrono round trip over the whole range.
    #[test]
    fn chrono_round_trip(value in valid_duration()) {
        let delta = chrono::TimeDelta::try_from(value).unwrap();
        prop_assert_eq!(Duration::try_from(delta), Ok(value));
    }
}

#[cfg(feature = "time")]
proptest! {
    /// time round trip over the whole range.
    #[test]
    fn time_round_trip(value in valid_duration()) {
        let converted = time::Duration::try_from(value).unwrap();
        prop_assert_eq!(Duration::try_from(converted), Ok(value));
    }
}
