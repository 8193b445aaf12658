//! The command-line options the binaries share: which log, which read
//! model, where to listen.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use typerpc::Status;

use crate::log::{EmbeddedLog, EventLog, JetStreamLog, JetStreamOptions};
use crate::read_model::{MemoryReadModel, ReadModel, RedisReadModel};

/// Which event log.
#[derive(clap::Args, Clone, Debug)]
pub struct LogArgs {
    /// `embedded:PATH` (a redb file, one process) or `nats://HOST:PORT`
    /// (NATS JetStream, shared by processes).
    #[arg(long = "log", default_value = "embedded:orders-data/events.redb")]
    pub log: String,
    /// The JetStream stream's name.
    #[arg(long, default_value = "ORDERS")]
    pub stream: String,
    /// The JetStream subject prefix of the events.
    #[arg(long, default_value = "orders.events")]
    pub subject: String,
    /// How long a JetStream append waits for the acknowledgement, in
    /// milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub ack_timeout_ms: u64,
}

impl LogArgs {
    /// Opens the log.
    pub async fn open(&self) -> Result<Arc<dyn EventLog>, Status> {
        if let Some(path) = self.log.strip_prefix("embedded:") {
            return Ok(Arc::new(EmbeddedLog::open(&PathBuf::from(path))?));
        }
        if self.log.starts_with("nats://") {
            let options = JetStreamOptions {
                url: self.log.clone(),
                stream: self.stream.clone(),
                subject: self.subject.clone(),
                timeout: Duration::from_millis(self.ack_timeout_ms),
            };
            return Ok(Arc::new(JetStreamLog::connect(&options).await?));
        }
        Err(Status::invalid_argument(format!(
            "--log {}: expected embedded:PATH or nats://HOST:PORT",
            self.log
        )))
    }
}

/// Which read model.
#[derive(clap::Args, Clone, Debug)]
pub struct ReadModelArgs {
    /// `memory` (this process only, rebuilt at start) or
    /// `redis://HOST:PORT` (shared by processes).
    #[arg(long = "read-model", default_value = "memory")]
    pub read_model: String,
    /// A prefix for every Redis key and channel.
    #[arg(long, default_value = "")]
    pub key_prefix: String,
}

impl ReadModelArgs {
    /// Opens the read model.
    pub async fn open(&self) -> Result<Arc<dyn ReadModel>, Status> {
        if self.read_model == "memory" {
            return Ok(Arc::new(MemoryReadModel::new()));
        }
        if self.read_model.starts_with("redis://") {
            return Ok(Arc::new(
                RedisReadModel::connect(&self.read_model, &self.key_prefix).await?,
            ));
        }
        Err(Status::invalid_argument(format!(
            "--read-model {}: expected memory or redis://HOST:PORT",
            self.read_model
        )))
    }

    /// True for the in-process read model.
    pub fn is_memory(&self) -> bool {
        self.read_model == "memory"
    }
}

/// Where a role listens.
#[derive(clap::Args, Clone, Debug)]
pub struct ListenArgs {
    /// Where to listen (0.0.0.0 is every interface; 127.0.0.1 keeps it on
    /// this machine).
    #[arg(long)]
    pub addr: Option<SocketAddr>,
}

impl ListenArgs {
    /// The address given, or `default`.
    pub fn or(&self, default: &str) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| default.parse().expect("a valid default address"))
    }
}

/// Says what went wrong on stderr and exits with status 1.
pub fn exit_with(name: &str, status: &Status) -> ! {
    eprintln!("{name}: {}", status.message());
    std::process::exit(1)
}
