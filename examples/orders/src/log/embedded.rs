//! The default event log: a redb database file on this machine. Every
//! append is a committed write transaction (fsync'd before it returns),
//! so an order whose id was returned survives a crash.
//!
//! One process opens the file at a time: the embedded log serves the
//! all-in-one `orders` binary. Roles in separate processes share a
//! [`JetStreamLog`](super::JetStreamLog) instead.

use std::path::Path;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use tokio::sync::watch;
use typerpc::Status;

use super::{AppendOptions, Appended, EventLog, Recorded};
use crate::events::OrderEvent;

/// Sequence → encoded event.
const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
/// Idempotency key → the sequence of the event appended with it.
const KEYS: TableDefinition<&str, u64> = TableDefinition::new("idempotency_keys");
/// Order id → the sequence of its last event.
const LAST_OF_ORDER: TableDefinition<&str, u64> = TableDefinition::new("last_of_order");

/// How many events one read transaction hands to a follower.
const BATCH: usize = 512;

/// The event log in a local redb file.
#[derive(Clone)]
pub struct EmbeddedLog {
    db: Arc<Database>,
    head: Arc<watch::Sender<u64>>,
}

fn storage(what: &str, error: impl std::fmt::Display) -> Status {
    Status::unavailable(format!("embedded event log: {what}: {error}"))
}

impl EmbeddedLog {
    /// Opens the log at `path`, creating the file (and its directory) if
    /// needed.
    pub fn open(path: &Path) -> Result<EmbeddedLog, Status> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| storage(&dir.display().to_string(), e))?;
        }
        let db = Database::create(path).map_err(|e| storage(&path.display().to_string(), e))?;
        let txn = db.begin_write().map_err(|e| storage("open", e))?;
        let head = {
            let events = txn.open_table(EVENTS).map_err(|e| storage("open", e))?;
            txn.open_table(KEYS).map_err(|e| storage("open", e))?;
            txn.open_table(LAST_OF_ORDER)
                .map_err(|e| storage("open", e))?;
            let last = events.last().map_err(|e| storage("open", e))?;
            last.map_or(0, |(sequence, _)| sequence.value())
        };
        txn.commit().map_err(|e| storage("open", e))?;
        Ok(EmbeddedLog {
            db: Arc::new(db),
            head: Arc::new(watch::channel(head).0),
        })
    }

    fn append_blocking(
        &self,
        event: &OrderEvent,
        options: AppendOptions<'_>,
    ) -> Result<Appended, Status> {
        let txn = self.db.begin_write().map_err(|e| storage("append", e))?;
        let appended = {
            let mut events = txn.open_table(EVENTS).map_err(|e| storage("append", e))?;
            let mut keys = txn.open_table(KEYS).map_err(|e| storage("append", e))?;
            let mut last_of_order = txn
                .open_table(LAST_OF_ORDER)
                .map_err(|e| storage("append", e))?;
            if let Some(key) = options.idempotency_key {
                if let Some(sequence) = keys.get(key).map_err(|e| storage("append", e))? {
                    let sequence = sequence.value();
                    let bytes = events
                        .get(sequence)
                        .map_err(|e| storage("append", e))?
                        .ok_or_else(|| {
                            Status::data_loss(format!("log entry {sequence} is missing"))
                        })?;
                    let event = OrderEvent::from_bytes(sequence, bytes.value())?;
                    return Ok(Appended {
                        recorded: Recorded { sequence, event },
                        duplicate: true,
                    });
                }
            }
            let order_id = event.order_id();
            if let Some(expected) = options.expected_last {
                let last = last_of_order
                    .get(order_id)
                    .map_err(|e| storage("append", e))?
                    .map_or(0, |s| s.value());
                if last != expected {
                    return Err(Status::aborted(format!(
                        "order {order_id} changed while the command ran (its last event is {last}, not {expected}); retry"
                    )));
                }
            }
            let sequence = events
                .last()
                .map_err(|e| storage("append", e))?
                .map_or(0, |(s, _)| s.value())
                + 1;
            events
                .insert(sequence, event.to_bytes().as_slice())
                .map_err(|e| storage("append", e))?;
            last_of_order
                .insert(order_id, sequence)
                .map_err(|e| storage("append", e))?;
            if let Some(key) = options.idempotency_key {
                keys.insert(key, sequence)
                    .map_err(|e| storage("append", e))?;
            }
            Appended {
                recorded: Recorded {
                    sequence,
                    event: event.clone(),
                },
                duplicate: false,
            }
        };
        // Durable once this returns (redb's default durability fsyncs).
        txn.commit().map_err(|e| storage("append", e))?;
        self.head.send_replace(appended.recorded.sequence);
        Ok(appended)
    }

    fn read_blocking(&self, from: u64) -> Result<Vec<Recorded>, Status> {
        let txn = self.db.begin_read().map_err(|e| storage("read", e))?;
        let events = txn.open_table(EVENTS).map_err(|e| storage("read", e))?;
        let mut batch = Vec::new();
        for entry in events
            .range(from..)
            .map_err(|e| storage("read", e))?
            .take(BATCH)
        {
            let (sequence, bytes) = entry.map_err(|e| storage("read", e))?;
            let sequence = sequence.value();
            batch.push(Recorded {
                sequence,
                event: OrderEvent::from_bytes(sequence, bytes.value())?,
            });
        }
        Ok(batch)
    }

    fn last_of_order_blocking(&self, order_id: &str) -> Result<Option<Recorded>, Status> {
        let txn = self.db.begin_read().map_err(|e| storage("read", e))?;
        let last_of_order = txn
            .open_table(LAST_OF_ORDER)
            .map_err(|e| storage("read", e))?;
        let Some(sequence) = last_of_order
            .get(order_id)
            .map_err(|e| storage("read", e))?
        else {
            return Ok(None);
        };
        let sequence = sequence.value();
        let events = txn.open_table(EVENTS).map_err(|e| storage("read", e))?;
        let bytes = events
            .get(sequence)
            .map_err(|e| storage("read", e))?
            .ok_or_else(|| Status::data_loss(format!("log entry {sequence} is missing")))?;
        Ok(Some(Recorded {
            sequence,
            event: OrderEvent::from_bytes(sequence, bytes.value())?,
        }))
    }

    /// How many events the log holds.
    pub fn len(&self) -> Result<u64, Status> {
        let txn = self.db.begin_read().map_err(|e| storage("read", e))?;
        let events = txn.open_table(EVENTS).map_err(|e| storage("read", e))?;
        events.len().map_err(|e| storage("read", e))
    }

    /// True when the log holds no event.
    pub fn is_empty(&self) -> Result<bool, Status> {
        Ok(self.len()? == 0)
    }
}

/// Runs a blocking redb call off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Status::internal(format!("embedded event log: {e}")))?
}

impl EventLog for EmbeddedLog {
    fn append<'a>(
        &'a self,
        event: &'a OrderEvent,
        options: AppendOptions<'a>,
    ) -> BoxFuture<'a, Result<Appended, Status>> {
        let log = self.clone();
        let event = event.clone();
        let key = options.idempotency_key.map(str::to_owned);
        let expected_last = options.expected_last;
        Box::pin(blocking(move || {
            let options = AppendOptions {
                idempotency_key: key.as_deref(),
                expected_last,
            };
            log.append_blocking(&event, options)
        }))
    }

    fn last_of_order<'a>(
        &'a self,
        order_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Recorded>, Status>> {
        let log = self.clone();
        let order_id = order_id.to_owned();
        Box::pin(blocking(move || log.last_of_order_blocking(&order_id)))
    }

    fn head(&self) -> BoxFuture<'_, Result<u64, Status>> {
        let head = *self.head.borrow();
        Box::pin(async move { Ok(head) })
    }

    fn follow(&self, sequence: u64) -> BoxStream<'static, Result<Recorded, Status>> {
        let log = self.clone();
        let appended = self.head.subscribe();
        let batches = stream::unfold(
            (log, appended, sequence.max(1), false),
            |(log, mut appended, next, failed)| async move {
                if failed {
                    return None;
                }
                loop {
                    // Mark the head seen before reading, so an append
                    // between the read and the wait wakes the wait.
                    appended.borrow_and_update();
                    let reader = log.clone();
                    match blocking(move || reader.read_blocking(next)).await {
                        Err(status) => {
                            return Some((vec![Err(status)], (log, appended, next, true)))
                        }
                        Ok(batch) if batch.is_empty() => {
                            if appended.changed().await.is_err() {
                                return None;
                            }
                        }
                        Ok(batch) => {
                            let next = batch.last().map_or(next, |r| r.sequence + 1);
                            let batch = batch.into_iter().map(Ok).collect();
                            return Some((batch, (log, appended, next, false)));
                        }
                    }
                }
            },
        );
        batches.flat_map(stream::iter).boxed()
    }
}
