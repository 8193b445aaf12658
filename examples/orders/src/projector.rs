//! The projector (the seed's event processor): follows the log and
//! applies each event to the read model, once.
//!
//! It starts from the read model's checkpoint, so a restart resumes where
//! the last applied event left off; an event delivered twice is skipped by
//! the read model's checkpoint check. When the log or the read model fails
//! (a broker restart, Redis down) it waits, re-reads the checkpoint and
//! follows the log again from there, so it catches up once both are back.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use typerpc::Status;

use crate::log::{EventLog, Recorded};
use crate::projection;
use crate::read_model::ReadModel;

/// Follows a log into a read model.
#[derive(Clone)]
pub struct Projector {
    log: Arc<dyn EventLog>,
    model: Arc<dyn ReadModel>,
}

/// The longest pause between attempts after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl Projector {
    /// A projector from `log` into `model`.
    pub fn new(log: Arc<dyn EventLog>, model: Arc<dyn ReadModel>) -> Projector {
        Projector { log, model }
    }

    /// Empties the read model, so that [`run`](Projector::run) rebuilds it
    /// from the start of the log.
    pub async fn reset(&self) -> Result<(), Status> {
        self.model.clear().await
    }

    /// Applies events as they come, for ever; failures are reported on
    /// stderr (prefixed with `name`) and retried with a growing pause.
    pub async fn run(&self, name: &str) {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.follow().await {
                Ok(()) => {
                    backoff = Duration::from_millis(50);
                    tokio::time::sleep(backoff).await;
                }
                Err(status) => {
                    eprintln!(
                        "{name}: projector: {}; retrying in {backoff:?}",
                        status.message()
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Follows the log from the checkpoint until something fails (or the
    /// log's stream ends).
    async fn follow(&self) -> Result<(), Status> {
        let from = self.model.checkpoint().await? + 1;
        let mut events = self.log.follow(from);
        while let Some(recorded) = events.next().await {
            self.apply(&recorded?).await?;
        }
        Ok(())
    }

    /// Applies one event; `false` when it was applied before.
    pub async fn apply(&self, recorded: &Recorded) -> Result<bool, Status> {
        let order_id = recorded.event.order_id();
        let current = if order_id.is_empty() {
            None
        } else {
            self.model.order(order_id).await?
        };
        let view = projection::apply(current.as_ref(), recorded.sequence, &recorded.event);
        self.model.commit(recorded.sequence, view.as_ref()).await
    }
}
