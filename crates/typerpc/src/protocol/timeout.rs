//! Deadlines as the protocols send them.
//!
//! - gRPC: `grpc-timeout`, a positive integer of at most 8 ASCII digits
//!   followed by a unit: `H` hours, `M` minutes, `S` seconds, `m`
//!   milliseconds, `u` microseconds, `n` nanoseconds (`100m`, `5S`).
//! - Connect: `Connect-Timeout-Ms`, a positive integer of at most 10 ASCII
//!   digits, in milliseconds (up to about 115 days).
//!
//! An invalid value is `invalid_argument`: the specs name no code, and that
//! is what connect-go answers for either header (the value is the
//! client's mistake, and safe to echo back). Two leniencies, both shared
//! with grpc-go and connect-go: whitespace around the value is ignored
//! (HTTP allows it around any field value), and zero is accepted as a
//! deadline that has already passed, so the call fails with
//! `deadline_exceeded` rather than `invalid_argument`.
//!
//! Formatting rounds up, so that a deadline sent never comes earlier than
//! the one meant, and never writes zero, which the specs do not allow.

use std::time::{Duration, Instant};

use http::HeaderValue;

use crate::Status;

/// The most digits `grpc-timeout` may have.
const GRPC_MAX_DIGITS: usize = 8;
/// The most digits `Connect-Timeout-Ms` may have.
const CONNECT_MAX_DIGITS: usize = 10;
/// The largest `grpc-timeout` amount: 8 nines.
const GRPC_MAX_AMOUNT: u128 = 99_999_999;
/// The largest `Connect-Timeout-Ms`: 10 nines.
const CONNECT_MAX_MILLIS: u128 = 9_999_999_999;

/// gRPC's units, smallest first, with their length in nanoseconds.
const GRPC_UNITS: [(u8, u64); 6] = [
    (b'n', 1),
    (b'u', 1_000),
    (b'm', 1_000_000),
    (b'S', 1_000_000_000),
    (b'M', 60_000_000_000),
    (b'H', 3_600_000_000_000),
];

/// Parses a `grpc-timeout` value (`100m`, `5S`, `2H`).
pub fn parse_grpc_timeout(value: &HeaderValue) -> Result<Duration, Status> {
    let invalid = || {
        Status::invalid_argument(format!(
            "invalid grpc-timeout {:?}: expected 1 to {GRPC_MAX_DIGITS} digits and a unit (H, M, S, m, u or n)",
            String::from_utf8_lossy(value.as_bytes())
        ))
    };
    let text = trim(value.as_bytes());
    let Some((&unit, digits)) = text.split_last() else {
        return Err(invalid());
    };
    let amount = parse_digits(digits, GRPC_MAX_DIGITS).ok_or_else(invalid)?;
    let nanos_per = GRPC_UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, n)| *n)
        .ok_or_else(invalid)?;
    // At most 99,999,999 hours: about 3.6e20 ns, which overflows u64
    // nanoseconds but not a Duration built from seconds.
    let nanos = u128::from(amount) * u128::from(nanos_per);
    Ok(duration_from_nanos(nanos))
}

/// Formats a duration as `grpc-timeout`: the finest unit whose amount
/// fits in 8 digits, rounded up; at least `1n`, at most `99999999H`.
pub fn format_grpc_timeout(timeout: Duration) -> String {
    let nanos = timeout.as_nanos().max(1);
    for (unit, per) in GRPC_UNITS {
        let amount = nanos.div_ceil(u128::from(per));
        if amount <= GRPC_MAX_AMOUNT {
            return format!("{amount}{}", char::from(unit));
        }
    }
    format!("{GRPC_MAX_AMOUNT}H")
}

/// [`format_grpc_timeout`] as a header value.
pub fn grpc_timeout_header(timeout: Duration) -> HeaderValue {
    // Digits and one ASCII letter: always a valid header value.
    HeaderValue::from_str(&format_grpc_timeout(timeout))
        .unwrap_or_else(|_| HeaderValue::from_static("99999999H"))
}

/// Parses a `Connect-Timeout-Ms` value.
pub fn parse_connect_timeout(value: &HeaderValue) -> Result<Duration, Status> {
    let millis = parse_digits(trim(value.as_bytes()), CONNECT_MAX_DIGITS).ok_or_else(|| {
        Status::invalid_argument(format!(
            "invalid connect-timeout-ms {:?}: expected 1 to {CONNECT_MAX_DIGITS} digits",
            String::from_utf8_lossy(value.as_bytes())
        ))
    })?;
    Ok(Duration::from_millis(millis))
}

/// Formats a duration as `Connect-Timeout-Ms`: milliseconds rounded up,
/// at least 1, at most 9,999,999,999.
pub fn format_connect_timeout(timeout: Duration) -> String {
    let millis = timeout
        .as_nanos()
        .div_ceil(1_000_000)
        .clamp(1, CONNECT_MAX_MILLIS);
    millis.to_string()
}

/// The instant `timeout` from now, or `None` if that is past what the
/// clock can represent (then there is no deadline to speak of).
pub fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// `bytes` without the spaces and tabs HTTP allows around a field value.
fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// 1 to `max` ASCII digits (no sign, no spaces) as a number.
fn parse_digits(digits: &[u8], max: usize) -> Option<u64> {
    if digits.is_empty() || digits.len() > max {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        if b.is_ascii_digit() {
            // At most 10 digits: cannot overflow u64.
            Some(n * 10 + u64::from(b - b'0'))
        } else {
            None
        }
    })
}

fn duration_from_nanos(nanos: u128) -> Duration {
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    // The remainder is below 1e9, so it fits.
    let sub = (nanos % 1_000_000_000) as u32;
    Duration::new(secs, sub)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn v(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn grpc_timeouts_in_every_unit() {
        let cases = [
            ("1H", Duration::from_secs(3600)),
            ("2M", Duration::from_secs(120)),
            ("3S", Duration::from_secs(3)),
            ("100m", Duration::from_millis(100)),
            ("7u", Duration::from_micros(7)),
            ("99999999n", Duration::from_nanos(99_999_999)),
            ("00000001S", Duration::from_secs(1)),
            ("0m", Duration::ZERO),
            (" 5S\t", Duration::from_secs(5)),
            ("99999999H", Duration::from_secs(99_999_999 * 3600)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_grpc_timeout(&v(text)).unwrap(), want, "{text:?}");
        }
    }

    #[test]
    fn invalid_grpc_timeouts_are_invalid_argument() {
        for bad in [
            "",
            " ",
            "m",
            "S",
            "123456789m",
            "000000001S",
            "10x",
            "10h",
            "10s",
            "-1S",
            "+1S",
            "1.5S",
            "1 S",
            "S1",
            "1SS",
            "soon",
            "１S",
        ] {
            let err = parse_grpc_timeout(&v(bad)).unwrap_err();
            assert_eq!(err.code(), Code::InvalidArgument, "{bad:?}");
            assert!(err.message().contains("grpc-timeout"), "{}", err.message());
        }
        let binary = HeaderValue::from_bytes(b"1\xffS").unwrap();
        assert!(parse_grpc_timeout(&binary).is_err());
    }

    #[test]
    fn grpc_timeouts_format_in_the_finest_unit_that_fits_rounding_up() {
        let cases = [
            (Duration::ZERO, "1n"),
            (Duration::from_nanos(1), "1n"),
            (Duration::from_nanos(99_999_999), "99999999n"),
            (Duration::from_nanos(100_000_000), "100000u"),
            (Duration::from_nanos(100_000_001), "100001u"),
            (Duration::from_secs(1), "1000000u"),
            (Duration::from_millis(250), "250000u"),
            (Duration::from_secs(100_000), "100000S"),
            (Duration::from_secs(1_000_000), "1000000S"),
            (Duration::from_secs(100_000_000), "1666667M"),
            (Duration::from_secs(6_000_000_000), "1666667H"),
            (Duration::MAX, "99999999H"),
        ];
        for (duration, want) in cases {
            assert_eq!(format_grpc_timeout(duration), want, "{duration:?}");
        }
    }

    #[test]
    fn grpc_timeouts_round_trip_never_earlier() {
        let mut nanos = 1u64;
        while nanos < u64::MAX / 3 {
            let d = Duration::from_nanos(nanos);
            let text = format_grpc_timeout(d);
            assert!(text.len() <= 9, "{text}");
            let back = parse_grpc_timeout(&v(&text)).unwrap();
            assert!(back >= d, "{d:?} -> {text} -> {back:?}");
            // Rounding costs at most one unit, and an amount that needed the
            // coarser unit is at least 100,000 of it.
            assert!(
                back - d <= d / 100_000 + Duration::from_nanos(1),
                "{d:?} {back:?}"
            );
            nanos = nanos * 3 + 1;
        }
        assert_eq!(grpc_timeout_header(Duration::from_millis(250)), "250000u");
    }

    #[test]
    fn connect_timeouts() {
        assert_eq!(
            parse_connect_timeout(&v("250")).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            parse_connect_timeout(&v("9999999999")).unwrap(),
            Duration::from_millis(9_999_999_999)
        );
        assert_eq!(parse_connect_timeout(&v("0")).unwrap(), Duration::ZERO);
        assert_eq!(
            parse_connect_timeout(&v(" 15 ")).unwrap(),
            Duration::from_millis(15)
        );
        for bad in [
            "",
            "12345678901",
            "1.0",
            "-5",
            "+5",
            "abc",
            "5ms",
            "1e3",
            "0x10",
        ] {
            let err = parse_connect_timeout(&v(bad)).unwrap_err();
            assert_eq!(err.code(), Code::InvalidArgument, "{bad:?}");
            assert!(err.message().contains("connect-timeout-ms"));
        }
    }

    #[test]
    fn connect_timeouts_format_rounding_up_within_ten_digits() {
        assert_eq!(format_connect_timeout(Duration::ZERO), "1");
        assert_eq!(format_connect_timeout(Duration::from_micros(1)), "1");
        assert_eq!(format_connect_timeout(Duration::from_micros(1500)), "2");
        assert_eq!(format_connect_timeout(Duration::from_secs(5)), "5000");
        assert_eq!(format_connect_timeout(Duration::MAX), "9999999999");
        for millis in [1u64, 999, 123_456_789, 9_999_999_999] {
            let d = Duration::from_millis(millis);
            assert_eq!(
                parse_connect_timeout(&v(&format_connect_timeout(d))).unwrap(),
                d
            );
        }
    }

    #[test]
    fn deadlines_do_not_overflow() {
        assert!(deadline_after(Duration::from_secs(1)).is_some());
        assert_eq!(deadline_after(Duration::MAX), None);
        // The largest timeouts either header can carry still make a deadline.
        let largest = parse_grpc_timeout(&v("99999999H")).unwrap();
        assert!(deadline_after(largest).is_some());
    }
}
