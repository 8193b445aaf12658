//! A call's deadline: its own timeout (per call, or the client's
//! default), bounded by the deadline of the call being served when the
//! call is made inside a handler (see [`crate::service::current_deadline`]).

use std::time::{Duration, Instant};

use crate::protocol::timeout;
use crate::service::{current_deadline, earliest};
use crate::Status;

/// The deadline of a call that starts now with this timeout of its own.
/// A propagated deadline that has already passed fails the call before
/// anything is sent, saying so.
pub(super) fn for_call(
    own_timeout: Option<Duration>,
    procedure: &str,
) -> Result<Option<Instant>, Status> {
    let own = own_timeout.and_then(timeout::deadline_after);
    let inherited = current_deadline();
    if let Some(inherited) = inherited {
        if inherited <= Instant::now() {
            return Err(Status::deadline_exceeded(format!(
                "not calling {procedure}: the deadline of the call being served has already passed"
            )));
        }
    }
    Ok(earliest(own, inherited))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::propagate_deadline;
    use crate::Code;

    #[tokio::test]
    async fn the_earlier_of_the_own_timeout_and_the_served_call_deadline_wins() {
        let own = Duration::from_secs(10);
        assert!(for_call(None, "/a.B/C").unwrap().is_none());
        let alone = for_call(Some(own), "/a.B/C").unwrap().unwrap();
        assert!(alone > Instant::now() + Duration::from_secs(9));

        let served = Instant::now() + Duration::from_millis(50);
        propagate_deadline(Some(served), async move {
            assert_eq!(for_call(Some(own), "/a.B/C").unwrap(), Some(served));
            assert_eq!(for_call(None, "/a.B/C").unwrap(), Some(served));
            let short = for_call(Some(Duration::from_millis(1)), "/a.B/C")
                .unwrap()
                .unwrap();
            assert!(short < served);
        })
        .await;

        let passed = Instant::now();
        propagate_deadline(Some(passed), async move {
            let error = for_call(Some(own), "/a.B/C").unwrap_err();
            assert_eq!(error.code(), Code::DeadlineExceeded);
            assert!(error.message().contains("/a.B/C"), "{error}");
        })
        .await;
    }
}
