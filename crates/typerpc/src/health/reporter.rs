//! The health state of a server: one status for the server as a whole
//! (the empty service name) and one per service, settable at any time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::Stream;
use tokio::sync::watch;

use super::ServingStatus;
use crate::Status;

/// The health statuses a server reports through `grpc.health.v1.Health`.
///
/// Cheap to clone; every clone shares one state, so handlers, background
/// tasks and the server all see and change the same statuses.
///
/// ```
/// use typerpc::health::{HealthReporter, ServingStatus};
///
/// let health = HealthReporter::new();
/// assert_eq!(health.check("").unwrap(), ServingStatus::Serving);
/// health.set_not_serving("shop.v1.ShopService");
/// assert_eq!(health.check("shop.v1.ShopService").unwrap(), ServingStatus::NotServing);
/// assert_eq!(health.check("other.v1.Other").unwrap_err().code(), typerpc::Code::NotFound);
/// ```
///
/// During shutdown ([`shutdown`](Self::shutdown)) every status reads
/// `NOT_SERVING`, whatever code sets meanwhile; the statuses set are kept
/// and come back on [`resume`](Self::resume).
#[derive(Clone, Debug)]
pub struct HealthReporter {
    shared: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// The statuses code has set, by service name. A service missing here
    /// is unknown: `check` answers NOT_FOUND.
    declared: HashMap<String, ServingStatus>,
    /// One channel per service that is declared or watched, carrying the
    /// status clients see (`SERVICE_UNKNOWN` for a watched unknown one).
    channels: HashMap<String, watch::Sender<ServingStatus>>,
    shutting_down: bool,
}

impl State {
    /// What clients see for `service` now.
    fn visible(&self, service: &str) -> ServingStatus {
        match self.declared.get(service) {
            None => ServingStatus::ServiceUnknown,
            Some(_) if self.shutting_down => ServingStatus::NotServing,
            Some(&status) => status,
        }
    }

    /// Tells the watchers of `service` its visible status, if it changed.
    fn publish(&self, service: &str) {
        if let Some(channel) = self.channels.get(service) {
            let visible = self.visible(service);
            channel.send_if_modified(|current| {
                let changed = *current != visible;
                *current = visible;
                changed
            });
        }
    }

    fn publish_all(&self) {
        for service in self.channels.keys() {
            self.publish(service);
        }
    }
}

impl Default for HealthReporter {
    fn default() -> Self {
        Self::new()
    }
}

impl HealthReporter {
    /// A reporter in which the server as a whole (`""`) is `SERVING` and no
    /// service is known yet.
    pub fn new() -> HealthReporter {
        let reporter = HealthReporter {
            shared: Arc::default(),
        };
        reporter.set_status("", ServingStatus::Serving);
        reporter
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every
        // update is a single map operation followed by a publish.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the status of `service` (`""` for the server as a whole),
    /// making it known. Setting `SERVICE_UNKNOWN` forgets it, as
    /// [`clear`](Self::clear) does.
    pub fn set_status(&self, service: &str, status: ServingStatus) {
        if status == ServingStatus::ServiceUnknown {
            return self.clear(service);
        }
        let mut state = self.state();
        state.declared.insert(service.to_string(), status);
        state.publish(service);
    }

    /// Marks `service` as `SERVING`.
    pub fn set_serving(&self, service: &str) {
        self.set_status(service, ServingStatus::Serving);
    }

    /// Marks `service` as `NOT_SERVING`.
    pub fn set_not_serving(&self, service: &str) {
        self.set_status(service, ServingStatus::NotServing);
    }

    /// Forgets `service`: `check` answers NOT_FOUND for it and watchers see
    /// `SERVICE_UNKNOWN`.
    pub fn clear(&self, service: &str) {
        let mut state = self.state();
        state.declared.remove(service);
        state.publish(service);
    }

    /// The status of `service` as the health `Check` method answers it.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND` for a service that was never set (or was cleared), as
    /// the gRPC health checking protocol requires.
    pub fn check(&self, service: &str) -> Result<ServingStatus, Status> {
        let state = self.state();
        match state.visible(service) {
            ServingStatus::ServiceUnknown => Err(Status::not_found(format!(
                "unknown service {service:?}: no health status was set for it"
            ))),
            status => Ok(status),
        }
    }

    /// Follows the status of `service`, as the health `Watch` method does.
    /// Watching an unknown service is allowed: it reads `SERVICE_UNKNOWN`
    /// until a status is set.
    pub fn watch(&self, service: &str) -> HealthWatch {
        let mut state = self.state();
        // Clients choose the names they watch: drop the channels nobody
        // follows any more, so that watching made-up names cannot grow
        // the state without bound.
        state
            .channels
            .retain(|_, channel| channel.receiver_count() > 0);
        let visible = state.visible(service);
        let receiver = state
            .channels
            .entry(service.to_string())
            .or_insert_with(|| watch::Sender::new(visible))
            .subscribe();
        drop(state);
        HealthWatch {
            receiver,
            last_seen: None,
        }
    }

    /// Reports every service, and the server, as `NOT_SERVING` until
    /// [`resume`](Self::resume); statuses set meanwhile are remembered but
    /// not shown. The server calls this when graceful shutdown starts, so
    /// load balancers stop sending it new calls.
    pub fn shutdown(&self) {
        let mut state = self.state();
        state.shutting_down = true;
        state.publish_all();
    }

    /// Ends [`shutdown`](Self::shutdown): the statuses set by code show
    /// again.
    pub fn resume(&self) {
        let mut state = self.state();
        state.shutting_down = false;
        state.publish_all();
    }

    /// Whether [`shutdown`](Self::shutdown) is in effect.
    pub fn is_shutting_down(&self) -> bool {
        self.state().shutting_down
    }

    /// Every known service with the status `check` would answer, sorted by
    /// name (the server itself, `""`, first).
    pub fn statuses(&self) -> Vec<(String, ServingStatus)> {
        let state = self.state();
        let mut all: Vec<_> = state
            .declared
            .keys()
            .map(|name| (name.clone(), state.visible(name)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

/// The changing status of one service, from [`HealthReporter::watch`].
#[derive(Debug)]
pub struct HealthWatch {
    receiver: watch::Receiver<ServingStatus>,
    /// The last status handed out, so that a change and its reversal
    /// between two reads are not reported as a change.
    last_seen: Option<ServingStatus>,
}

impl HealthWatch {
    /// The status now.
    pub fn current(&mut self) -> ServingStatus {
        let status = *self.receiver.borrow_and_update();
        self.last_seen = Some(status);
        status
    }

    /// The first status, at once, and then each different one: what a
    /// `Watch` call sends. Ends only when every clone of the reporter is
    /// gone.
    pub async fn next(&mut self) -> Option<ServingStatus> {
        loop {
            if self.last_seen.is_some() && self.receiver.changed().await.is_err() {
                return None;
            }
            let status = *self.receiver.borrow_and_update();
            if self.last_seen != Some(status) {
                self.last_seen = Some(status);
                return Some(status);
            }
        }
    }

    /// [`next`](Self::next) as a stream, for a server-streaming `Watch`.
    pub fn into_stream(self) -> impl Stream<Item = ServingStatus> + Send + 'static {
        futures_util::stream::unfold(self, |mut watch| async move {
            let status = watch.next().await?;
            Some((status, watch))
        })
    }
}

#[cfg(test)]
#[path = "reporter_tests.rs"]
mod tests;
