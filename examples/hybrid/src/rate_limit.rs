//! A per-client rate limit shared by the front doors: each client (a
//! user, a partner, an address) gets a bucket of `burst` calls that
//! refills at `burst` per `period`. A refused call learns how long to
//! wait: REST sends it as `Retry-After`, Connect and gRPC as a
//! `google.rpc.RetryInfo` detail.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many calls per how long.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Calls allowed at once, and per `period`.
    pub burst: u32,
    /// How long the bucket takes to refill.
    pub period: Duration,
}

impl std::str::FromStr for Rate {
    type Err = String;

    /// `N/s`, `N/m`, or `N/SECONDSs` (`10/s`, `100/m`, `5/30s`).
    fn from_str(s: &str) -> Result<Rate, String> {
        let usage = || format!("`{s}`: a rate is N/s, N/m or N/SECONDSs (10/s, 100/m, 5/30s)");
        let (burst, per) = s.split_once('/').ok_or_else(usage)?;
        let burst: u32 = burst.trim().parse().map_err(|_| usage())?;
        let seconds = match per.trim() {
            "s" => 1,
            "m" => 60,
            other => other
                .strip_suffix('s')
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(usage)?,
        };
        if burst == 0 || seconds == 0 {
            return Err(usage());
        }
        Ok(Rate {
            burst,
            period: Duration::from_secs(seconds),
        })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} requests per {} s", self.burst, self.period.as_secs())
    }
}

/// Buckets by client.
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The most clients remembered at once: beyond it, full buckets are
/// forgotten (a client that has not called for a whole period has a full
/// bucket anyway), so many one-off clients cannot grow the map without
/// bound.
const MAX_CLIENTS: usize = 100_000;

impl RateLimiter {
    /// A limiter allowing `rate` to each client.
    pub fn new(rate: Rate) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The rate each client gets.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Takes one call from `client`'s bucket; when it is empty, how long
    /// until it holds one again.
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: &str, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.rate.burst);
        let per_second = burst / self.rate.period.as_secs_f64();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client) {
            let period = self.rate.period;
            buckets.retain(|_, b| now.duration_since(b.updated) < period);
        }
        let bucket = buckets.entry(client.to_string()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_bad_ones_say_how_to_write_them() {
        let rate: Rate = "5/30s".parse().unwrap();
        assert_eq!((rate.burst, rate.period), (5, Duration::from_secs(30)));
        assert_eq!(
            "10/s".parse::<Rate>().unwrap().period,
            Duration::from_secs(1)
        );
        assert_eq!(
            "100/m".parse::<Rate>().unwrap().period,
            Duration::from_secs(60)
        );
        for bad in ["", "10", "0/s", "x/s", "10/h", "10/0s"] {
            let error = bad.parse::<Rate>().unwrap_err();
            assert!(error.contains("N/s"), "{bad}: {error}");
        }
    }

    #[test]
    fn each_client_gets_its_burst_then_waits_for_the_refill() {
        let limiter = RateLimiter::new("2/10s".parse().unwrap());
        let start = Instant::now();
        assert!(limiter.check_at("a", start).is_ok());
        assert!(limiter.check_at("a", start).is_ok());
        let wait = limiter.check_at("a", start).unwrap_err();
        assert!((wait.as_secs_f64() - 5.0).abs() < 0.01, "{wait:?}");
        // Another client is not affected.
        assert!(limiter.check_at("b", start).is_ok());
        // Half the period refills one call.
        assert!(limiter
            .check_at("a", start + Duration::from_secs(5))
            .is_ok());
        assert!(limiter
            .check_at("a", start + Duration::from_secs(5))
            .is_err());
    }
}
