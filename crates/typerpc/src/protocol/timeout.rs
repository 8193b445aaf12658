//! Deadlines as the protocols send them: `grpc-timeout` (up to 8 digits
//! and a unit) and `Connect-Timeout-Ms` (up to 10 digits).

use std::time::Duration;

use http::HeaderValue;

use crate::Status;

/// Parses `grpc-timeout`.
pub fn parse_grpc_timeout(value: &HeaderValue) -> Result<Duration, Status> {
    let text = value.to_str().unwrap_or("");
    let invalid = || {
        Status::invalid_argument(format!(
            "invalid grpc-timeout {text:?}: 1 to 8 digits and a unit H, M, S, m, u or n"
        ))
    };
    if text.len() < 2 || text.len() > 9 {
        return Err(invalid());
    }
    let (digits, unit) = text.split_at(text.len() - 1);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let amount: u64 = digits.parse().map_err(|_| invalid())?;
    Ok(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return Err(invalid()),
    })
}

/// Formats a duration as `grpc-timeout`, rounding up to stay within 8 digits.
pub fn format_grpc_timeout(timeout: Duration) -> String {
    let nanos = timeout.as_nanos();
    for (unit, per) in [
        ("n", 1u128),
        ("u", 1_000),
        ("m", 1_000_000),
        ("S", 1_000_000_000),
        ("M", 60_000_000_000),
        ("H", 3_600_000_000_000),
    ] {
        let amount = nanos.div_ceil(per);
        if amount < 100_000_000 {
            return format!("{amount}{unit}");
        }
    }
    "99999999H".to_string()
}

/// Parses `Connect-Timeout-Ms`.
pub fn parse_connect_timeout(value: &HeaderValue) -> Result<Duration, Status> {
    let text = value.to_str().unwrap_or("");
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Status::invalid_argument(format!(
            "invalid connect-timeout-ms {text:?}: 1 to 10 digits"
        )));
    }
    let millis: u64 = text
        .parse()
        .map_err(|_| Status::invalid_argument("invalid connect-timeout-ms"))?;
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn grpc_timeouts() {
        assert_eq!(
            parse_grpc_timeout(&v("100m")).unwrap(),
            Duration::from_millis(100)
        );
        assert_eq!(
            parse_grpc_timeout(&v("2H")).unwrap(),
            Duration::from_secs(7200)
        );
        assert_eq!(
            parse_grpc_timeout(&v("99999999n")).unwrap(),
            Duration::from_nanos(99_999_999)
        );
        for bad in ["", "m", "123456789m", "10x", "-1S", "1.5S"] {
            assert!(parse_grpc_timeout(&v(bad)).is_err(), "{bad}");
        }
        for d in [
            Duration::from_millis(1),
            Duration::from_secs(1),
            Duration::from_secs(100_000),
        ] {
            let back = parse_grpc_timeout(&v(&format_grpc_timeout(d))).unwrap();
            assert!(back >= d);
        }
    }

    #[test]
    fn connect_timeouts() {
        assert_eq!(
            parse_connect_timeout(&v("250")).unwrap(),
            Duration::from_millis(250)
        );
        for bad in ["", "12345678901", "1.0", "-5", "abc"] {
            assert!(parse_connect_timeout(&v(bad)).is_err(), "{bad}");
        }
    }
}
