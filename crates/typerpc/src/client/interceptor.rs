//! Client interceptors: code that runs around every call a client makes,
//! to add headers (an auth token), observe outcomes (metrics, logs) and
//! decide retries.
//!
//! ```
//! use std::time::Duration;
//! use typerpc::client::{Client, ClientCall, ClientInterceptor, Retry};
//! use typerpc::Status;
//!
//! struct Token(&'static str);
//! impl ClientInterceptor for Token {
//!     fn before(&self, call: &mut ClientCall<'_>) -> Result<(), Status> {
//!         let value = format!("Bearer {}", self.0).parse().expect("a valid header");
//!         call.headers_mut().insert("authorization", value);
//!         Ok(())
//!     }
//! }
//!
//! let client = Client::builder("http://127.0.0.1:50051")
//!     .intercept(Token("s3cret"))
//!     // Idempotent methods that fail with `unavailable` are tried again.
//!     .intercept(Retry::new().max_attempts(4).initial_backoff(Duration::from_millis(20)))
//!     .build()
//!     .unwrap();
//! # let _ = client;
//! ```

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;

use super::{CallShape, Codec, Protocol};
use crate::{Code, Status};

/// Runs around the calls of a client. Every method has a default that does
/// nothing. Interceptors run in the order they were added (`before`), and
/// in the reverse order when the call is over (`after`).
pub trait ClientInterceptor: Send + Sync + 'static {
    /// Runs before each attempt of the call is sent: may add or change
    /// request headers, or refuse the call with a status (nothing is
    /// sent).
    fn before(&self, call: &mut ClientCall<'_>) -> Result<(), Status> {
        let _ = call;
        Ok(())
    }

    /// Whether to try a failed attempt of a unary call again, and after
    /// how long. The first interceptor that answers `Some` decides. The
    /// call's deadline bounds every attempt and every wait: a retry that
    /// could not start before it is not made.
    fn retry(&self, call: &ClientCall<'_>, error: &Status) -> Option<Duration> {
        let _ = (call, error);
        None
    }

    /// Runs once the call is over (for streams: when the stream ends, fails
    /// or is dropped).
    fn after(&self, call: &ClientCall<'_>, outcome: &ClientOutcome<'_>) {
        let _ = (call, outcome);
    }
}

/// What a client knows of a call before it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct CallFacts {
    pub procedure: &'static str,
    pub shape: CallShape,
    pub protocol: Protocol,
    pub codec: Codec,
    pub idempotent: bool,
    pub deadline: Option<Instant>,
}

/// A call as a client interceptor sees it.
#[derive(Debug)]
pub struct ClientCall<'a> {
    facts: CallFacts,
    attempt: u32,
    headers: &'a mut HeaderMap,
}

impl<'a> ClientCall<'a> {
    pub(super) fn new(
        facts: CallFacts,
        attempt: u32,
        headers: &'a mut HeaderMap,
    ) -> ClientCall<'a> {
        ClientCall {
            facts,
            attempt,
            headers,
        }
    }

    /// The procedure: `/package.Service/Method`.
    pub fn procedure(&self) -> &str {
        self.facts.procedure
    }

    /// How many messages go each way.
    pub fn shape(&self) -> CallShape {
        self.facts.shape
    }

    /// The protocol the client speaks.
    pub fn protocol(&self) -> Protocol {
        self.facts.protocol
    }

    /// How messages are encoded.
    pub fn codec(&self) -> Codec {
        self.facts.codec
    }

    /// Whether the method is marked free of side effects (safe to retry).
    pub fn is_idempotent(&self) -> bool {
        self.facts.idempotent
    }

    /// Which attempt this is, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When the call gives up, if it has a timeout.
    pub fn deadline(&self) -> Option<Instant> {
        self.facts.deadline
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// The request headers, to add to or change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers
    }
}

/// How a call ended, for [`ClientInterceptor::after`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientOutcome<'a> {
    /// `Ok`, or the code of the error.
    pub code: Code,
    /// The error, when the call failed.
    pub error: Option<&'a Status>,
    /// From the start of the first attempt to the end of the last.
    pub duration: Duration,
    /// How many attempts were made.
    pub attempts: u32,
}

/// Retries failed unary calls with exponential backoff and jitter: by
/// default those of idempotent methods (`#[rpc(idempotent)]`) that failed
/// with `unavailable`, up to 3 attempts in all, waiting about 50 ms, then
/// 100 ms, and so on up to 2 s, always within the call's deadline.
#[derive(Clone, Debug)]
pub struct Retry {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    codes: Vec<Code>,
    idempotent_only: bool,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            codes: vec![Code::Unavailable],
            idempotent_only: true,
        }
    }
}

impl Retry {
    /// The default policy.
    pub fn new() -> Retry {
        Retry::default()
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Retry {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt; it doubles for each one after.
    pub fn initial_backoff(mut self, backoff: Duration) -> Retry {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Retry {
        self.max_backoff = backoff;
        self
    }

    /// The codes worth another attempt (default: `unavailable`).
    pub fn on_codes(mut self, codes: impl IntoIterator<Item = Code>) -> Retry {
        self.codes = codes.into_iter().collect();
        self
    }

    /// Retries methods not marked idempotent too: only for servers known
    /// to reject calls before acting on them with these codes.
    pub fn non_idempotent_too(mut self) -> Retry {
        self.idempotent_only = false;
        self
    }

    /// The wait before attempt `attempt + 1`: the backoff for it, with
    /// jitter between half and all of it, so that clients failing together
    /// do not come back together.
    fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(attempt);
        let fraction = (hasher.finish() % 1024) as f64 / 1024.0;
        full.mul_f64(0.5 + fraction / 2.0)
    }
}

impl ClientInterceptor for Retry {
    fn retry(&self, call: &ClientCall<'_>, error: &Status) -> Option<Duration> {
        if call.attempt() >= self.max_attempts
            || !self.codes.contains(&error.code())
            || (self.idempotent_only && !call.is_idempotent())
        {
            return None;
        }
        Some(self.backoff(call.attempt()))
    }
}

/// The interceptors of a client, and how a call runs through them.
#[derive(Clone, Default)]
pub(super) struct Interceptors(pub(super) Arc<[Arc<dyn ClientInterceptor>]>);

impl Interceptors {
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn before(&self, call: &mut ClientCall<'_>) -> Result<(), Status> {
        self.0.iter().try_for_each(|i| i.before(call))
    }

    /// The wait before another attempt, if any interceptor wants one and
    /// it can start before the deadline.
    pub(super) fn retry(&self, call: &ClientCall<'_>, error: &Status) -> Option<Duration> {
        let delay = self.0.iter().find_map(|i| i.retry(call, error))?;
        match call.deadline() {
            Some(deadline) if Instant::now() + delay >= deadline => None,
            _ => Some(delay),
        }
    }

    pub(super) fn after(
        &self,
        call: &ClientCall<'_>,
        start: Instant,
        attempts: u32,
        error: Option<&Status>,
    ) {
        let outcome = ClientOutcome {
            code: error.map_or(Code::Ok, Status::code),
            error,
            duration: start.elapsed(),
            attempts,
        };
        for interceptor in self.0.iter().rev() {
            interceptor.after(call, &outcome);
        }
    }
}

/// Reports the end of a streaming call once: when its stream ends or
/// fails, or, if the caller drops it first, as `canceled`.
pub(super) struct StreamEnd {
    interceptors: Interceptors,
    facts: CallFacts,
    headers: HeaderMap,
    start: Instant,
    reported: AtomicBool,
}

impl StreamEnd {
    pub(super) fn new(
        interceptors: Interceptors,
        facts: CallFacts,
        headers: HeaderMap,
        start: Instant,
    ) -> StreamEnd {
        StreamEnd {
            interceptors,
            facts,
            headers,
            start,
            reported: AtomicBool::new(false),
        }
    }

    pub(super) fn report(&mut self, error: Option<&Status>) {
        if self.reported.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut headers = std::mem::take(&mut self.headers);
        let call = ClientCall::new(self.facts, 1, &mut headers);
        self.interceptors.after(&call, self.start, 1, error);
    }
}

impl Drop for StreamEnd {
    fn drop(&mut self) {
        if !*self.reported.get_mut() {
            self.report(Some(&Status::canceled(
                "the stream was dropped before it ended",
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_within_its_bounds_with_jitter() {
        let retry = Retry::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..50 {
            let first = retry.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = retry.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = retry.backoff(9);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300));
        }
    }

    #[test]
    fn only_idempotent_calls_failing_with_the_codes_are_retried() {
        let retry = Retry::new().max_attempts(2);
        let mut headers = HeaderMap::new();
        let call = |idempotent, attempt, headers: &'static mut HeaderMap| {
            let facts = CallFacts {
                procedure: "/a.B/C",
                shape: CallShape::Unary,
                protocol: Protocol::Grpc,
                codec: Codec::Proto,
                idempotent,
                deadline: None,
            };
            ClientCall::new(facts, attempt, headers)
        };
        let unavailable = Status::unavailable("down");
        let headers: &'static mut HeaderMap = Box::leak(Box::new(std::mem::take(&mut headers)));
        let first = call(true, 1, headers);
        assert!(retry.retry(&first, &unavailable).is_some());
        assert!(retry.retry(&first, &Status::internal("bug")).is_none());
        let headers: &'static mut HeaderMap = Box::leak(Box::default());
        assert!(retry
            .retry(&call(false, 1, headers), &unavailable)
            .is_none());
        let headers: &'static mut HeaderMap = Box::leak(Box::default());
        assert!(retry.retry(&call(true, 2, headers), &unavailable).is_none());
    }
}
