//! The projector's own small API: how far it has got.

use std::sync::Arc;

use typerpc::{service, Message, Status};

use crate::log::EventLog;
use crate::read_model::ReadModel;

/// How far the projector has got.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "orders.v1")]
pub struct ProjectorStatus {
    /// The log's last sequence.
    pub log_head: u64,
    /// The last sequence applied to the read model.
    pub checkpoint: u64,
    /// How many events were applied (each once).
    pub applied: u64,
}

/// Reports the projector's progress.
#[derive(Clone)]
pub struct ProjectorService {
    log: Arc<dyn EventLog>,
    model: Arc<dyn ReadModel>,
}

impl ProjectorService {
    /// Reports on the projection of `log` into `model`.
    pub fn new(log: Arc<dyn EventLog>, model: Arc<dyn ReadModel>) -> ProjectorService {
        ProjectorService { log, model }
    }
}

#[service(package = "orders.v1")]
impl ProjectorService {
    /// The log's head, the read model's checkpoint, and the lag between them.
    #[rpc(idempotent)]
    async fn get_status(&self, _request: ()) -> Result<ProjectorStatus, Status> {
        Ok(ProjectorStatus {
            log_head: self.log.head().await?,
            checkpoint: self.model.checkpoint().await?,
            applied: self.model.applied().await?,
        })
    }
}
