//! The event log on NATS JetStream: one stream, one subject per order
//! (`{subject}.{order_id}`), file storage.
//!
//! - **Durable before the answer.** An append returns after JetStream's
//!   publish acknowledgement: the stream has stored the event.
//! - **Idempotency.** The key goes out as the `Nats-Msg-Id` header, so
//!   JetStream itself drops a duplicate inside its deduplication window
//!   (two minutes by default) and acknowledges it with the first message's
//!   sequence — this holds for concurrent retries too. Past the window, a
//!   second stream, `{stream}_KEYS`, remembers key → sequence (one message
//!   per key subject, the way JetStream's key-value buckets work; plain
//!   streams keep it working on servers from 2.9 on).
//! - **One writer per order.** An append for an existing order carries
//!   `Nats-Expected-Last-Subject-Sequence`: a cancellation racing another
//!   change of the same order fails with `aborted` instead of overwriting it.
//! - **Unreachable broker.** The client keeps reconnecting; an append that
//!   gets no acknowledgement within the timeout fails with `unavailable`.
//!   Whether the event was stored is then unknown: a retry with the same
//!   idempotency key answers with the stored order, or records it once.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream, Context};
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, StreamExt};
use typerpc::Status;

use super::{AppendOptions, Appended, EventLog, Recorded};
use crate::events::OrderEvent;

/// Where the log lives on the broker.
#[derive(Clone, Debug)]
pub struct JetStreamOptions {
    /// The server, `nats://127.0.0.1:4222`.
    pub url: String,
    /// The stream's name (letters, digits, `-`, `_`); `ORDERS` by default.
    pub stream: String,
    /// The subject prefix of the stream's events; `orders.events` by default.
    pub subject: String,
    /// How long an append waits for the acknowledgement.
    pub timeout: Duration,
}

impl Default for JetStreamOptions {
    fn default() -> Self {
        JetStreamOptions {
            url: "nats://127.0.0.1:4222".into(),
            stream: "ORDERS".into(),
            subject: "orders.events".into(),
            timeout: Duration::from_secs(5),
        }
    }
}

/// The event log in a JetStream stream.
#[derive(Clone)]
pub struct JetStreamLog {
    context: Context,
    stream: stream::Stream,
    keys: stream::Stream,
    subject: String,
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> Status {
    Status::unavailable(format!("JetStream event log: {what}: {error}"))
}

impl JetStreamLog {
    /// Connects and creates the stream and its key bucket if they do not
    /// exist. Fails with `unavailable` when the server cannot be reached.
    pub async fn connect(options: &JetStreamOptions) -> Result<JetStreamLog, Status> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(options.timeout)
            .request_timeout(Some(options.timeout))
            .connect(options.url.as_str())
            .await
            .map_err(|e| unavailable(&format!("connecting to {}", options.url), e))?;
        let mut context = jetstream::new(client);
        context.set_timeout(options.timeout);
        let stream = context
            .get_or_create_stream(stream::Config {
                name: options.stream.clone(),
                subjects: vec![format!("{}.>", options.subject)],
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .map_err(|e| unavailable(&format!("stream {}", options.stream), e))?;
        let keys_name = format!("{}_KEYS", options.stream);
        let keys = context
            .get_or_create_stream(stream::Config {
                name: keys_name.clone(),
                subjects: vec![format!("{}_keys.>", options.subject)],
                storage: stream::StorageType::File,
                max_messages_per_subject: 1,
                ..Default::default()
            })
            .await
            .map_err(|e| unavailable(&format!("stream {keys_name}"), e))?;
        Ok(JetStreamLog {
            context,
            stream,
            keys,
            subject: options.subject.clone(),
        })
    }

    /// Deletes the stream and its key stream (tests clean up with it).
    pub async fn delete(self) -> Result<(), Status> {
        let name = self.stream.cached_info().config.name.clone();
        self.context
            .delete_stream(&name)
            .await
            .map_err(|e| unavailable("deleting the stream", e))?;
        self.context
            .delete_stream(format!("{name}_KEYS"))
            .await
            .map_err(|e| unavailable("deleting the key stream", e))?;
        Ok(())
    }

    fn order_subject(&self, order_id: &str) -> Result<String, Status> {
        let plain = !order_id.is_empty()
            && order_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !plain {
            return Err(Status::invalid_argument(format!(
                "order id {order_id:?} is not a plain id (letters, digits, - and _)"
            )));
        }
        Ok(format!("{}.{order_id}", self.subject))
    }

    async fn recorded_at(&self, sequence: u64) -> Result<Recorded, Status> {
        let message = self
            .stream
            .get_raw_message(sequence)
            .await
            .map_err(|e| unavailable(&format!("reading entry {sequence}"), e))?;
        Ok(Recorded {
            sequence,
            event: OrderEvent::from_bytes(sequence, &message.payload)?,
        })
    }

    async fn append_now(
        &self,
        event: &OrderEvent,
        options: AppendOptions<'_>,
    ) -> Result<Appended, Status> {
        let key = options
            .idempotency_key
            .map(|key| format!("{}_keys.{}", self.subject, hex_key(key)));
        if let Some(key) = &key {
            let known = match self.keys.get_last_raw_message_by_subject(key).await {
                Ok(message) => parse_sequence(&message.payload),
                Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => None,
                Err(e) => return Err(unavailable("reading the key stream", e)),
            };
            if let Some(sequence) = known {
                return Ok(Appended {
                    recorded: self.recorded_at(sequence).await?,
                    duplicate: true,
                });
            }
        }
        let subject = self.order_subject(event.order_id())?;
        let mut publish = jetstream::context::Publish::build().payload(event.to_bytes().into());
        if let Some(key) = options.idempotency_key {
            publish = publish.message_id(key);
        }
        if let Some(expected) = options.expected_last {
            publish = publish.expected_last_subject_sequence(expected);
        }
        let ack = self
            .context
            .send_publish(subject, publish)
            .await
            .map_err(|e| unavailable("publishing", e))?
            .await
            .map_err(|e| match e.kind() {
                jetstream::context::PublishErrorKind::WrongLastSequence => {
                    Status::aborted(format!(
                        "order {} changed while the command ran; retry",
                        event.order_id()
                    ))
                }
                _ => unavailable("waiting for the acknowledgement", e),
            })?;
        if ack.duplicate {
            return Ok(Appended {
                recorded: self.recorded_at(ack.sequence).await?,
                duplicate: true,
            });
        }
        if let Some(key) = &key {
            // The event is stored; should this fail, the broker's
            // deduplication window still covers a quick retry.
            let record = self
                .context
                .publish(key.clone(), ack.sequence.to_string().into())
                .await;
            let acknowledged = match record {
                Ok(ack) => ack.await.map(drop).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(error) = acknowledged {
                eprintln!("orders: JetStream event log: recording an idempotency key: {error}");
            }
        }
        Ok(Appended {
            recorded: Recorded {
                sequence: ack.sequence,
                event: event.clone(),
            },
            duplicate: false,
        })
    }
}

/// Subjects allow fewer characters than idempotency keys: hex.
fn hex_key(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn parse_sequence(bytes: &[u8]) -> Option<u64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

impl EventLog for JetStreamLog {
    fn append<'a>(
        &'a self,
        event: &'a OrderEvent,
        options: AppendOptions<'a>,
    ) -> BoxFuture<'a, Result<Appended, Status>> {
        Box::pin(self.append_now(event, options))
    }

    fn last_of_order<'a>(
        &'a self,
        order_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Recorded>, Status>> {
        Box::pin(async move {
            let subject = self.order_subject(order_id)?;
            match self.stream.get_last_raw_message_by_subject(&subject).await {
                Ok(message) => Ok(Some(Recorded {
                    sequence: message.sequence,
                    event: OrderEvent::from_bytes(message.sequence, &message.payload)?,
                })),
                Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => Ok(None),
                Err(e) => Err(unavailable("reading an order's last event", e)),
            }
        })
    }

    fn head(&self) -> BoxFuture<'_, Result<u64, Status>> {
        Box::pin(async move {
            let info = self
                .stream
                .get_info()
                .await
                .map_err(|e| unavailable("reading the stream's state", e))?;
            Ok(info.state.last_sequence)
        })
    }

    fn follow(&self, sequence: u64) -> BoxStream<'static, Result<Recorded, Status>> {
        let stream = self.stream.clone();
        let filter = format!("{}.>", self.subject);
        let start = async move {
            let consumer = stream
                .create_consumer(consumer::pull::OrderedConfig {
                    filter_subject: filter,
                    deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                        start_sequence: sequence.max(1),
                    },
                    ..Default::default()
                })
                .await
                .map_err(|e| unavailable("creating a consumer", e))?;
            consumer
                .messages()
                .await
                .map_err(|e| unavailable("consuming", e))
        };
        futures_util::stream::once(start)
            .flat_map(|messages| match messages {
                Err(status) => futures_util::stream::once(async { Err(status) }).boxed(),
                Ok(messages) => messages
                    .map(|message| {
                        let message = message.map_err(|e| unavailable("consuming", e))?;
                        let sequence = message
                            .info()
                            .map_err(|e| unavailable("reading a message's sequence", e))?
                            .stream_sequence;
                        Ok(Recorded {
                            sequence,
                            event: OrderEvent::from_bytes(sequence, &message.payload)?,
                        })
                    })
                    .boxed(),
            })
            .boxed()
    }
}
