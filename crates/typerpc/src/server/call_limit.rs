//! The server's bound on calls in flight: past it a new call is refused at
//! once with `resource_exhausted`, instead of queueing behind the others
//! until every client times out (see
//! [`ConnectionSettings::max_calls_in_flight`](super::ConnectionSettings::max_calls_in_flight)).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::Status;

/// Calls in flight across every connection of one server.
#[derive(Debug)]
pub(crate) struct CallLimit {
    max: usize,
    in_flight: AtomicUsize,
}

impl CallLimit {
    pub(crate) fn new(max: usize) -> Arc<CallLimit> {
        Arc::new(CallLimit {
            max,
            in_flight: AtomicUsize::new(0),
        })
    }

    /// A place for one more call, or `None` at the limit.
    pub(crate) fn try_admit(self: &Arc<Self>) -> Option<Admitted> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Admitted(Arc::clone(self)))
    }

    /// What a call past the limit is told. `resource_exhausted`, as gRPC
    /// itself answers when a server runs out of a resource: clients back
    /// off rather than retry at once.
    pub(crate) fn refusal(&self) -> Status {
        Status::resource_exhausted(format!(
            "the server is at its limit of {} calls in flight; try again later",
            self.max
        ))
    }
}

/// One call's place under the limit, given back when dropped (with the
/// response body, or with the call if the client left).
#[derive(Debug)]
pub(crate) struct Admitted(Arc<CallLimit>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_and_again_once_a_place_is_given_back() {
        let limit = CallLimit::new(2);
        let first = limit.try_admit().expect("first");
        let _second = limit.try_admit().expect("second");
        assert!(limit.try_admit().is_none());
        drop(first);
        assert!(limit.try_admit().is_some());
        assert_eq!(limit.refusal().code(), crate::Code::ResourceExhausted);
    }
}
