//! The command service: validates commands and appends their events to
//! the log. It answers only after the log has the event durably, with the
//! event's log sequence; it never writes the read model.

use std::sync::Arc;

use typerpc::{service, Context, Status, Timestamp};

use crate::errors::order_not_found;
use crate::events::{EventKind, OrderCancelledEvent, OrderCreatedEvent, EVENT_VERSION};
use crate::log::{AppendOptions, EventLog};
use crate::types::{CancelOrderCommand, CommandResult, CreateOrderCommand, OrderStatus};

/// The request header that carries an idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Places and cancels orders by appending events to the log.
#[derive(Clone)]
pub struct OrderCommandService {
    log: Arc<dyn EventLog>,
}

impl OrderCommandService {
    /// A command service appending to `log`.
    pub fn new(log: Arc<dyn EventLog>) -> OrderCommandService {
        OrderCommandService { log }
    }
}

/// The command's idempotency key: the field, or the header; both set
/// must agree.
fn idempotency_key(ctx: &Context, field: &str) -> Result<Option<String>, Status> {
    let header = match ctx.request_headers().get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(value) => {
            let value = value.to_str().map_err(|_| {
                Status::invalid_argument(format!("the {IDEMPOTENCY_HEADER} header is not text"))
            })?;
            let valid = !value.is_empty()
                && value.len() <= 128
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
            if !valid {
                return Err(Status::invalid_argument(format!(
                    "the {IDEMPOTENCY_HEADER} header must be 1 to 128 letters, digits, _ . : or -"
                )));
            }
            Some(value.to_owned())
        }
    };
    match (header, field) {
        (None, "") => Ok(None),
        (None, field) => Ok(Some(field.to_owned())),
        (Some(header), "") => Ok(Some(header)),
        (Some(header), field) if header == field => Ok(Some(header)),
        (Some(_), _) => Err(Status::invalid_argument(format!(
            "idempotency_key and the {IDEMPOTENCY_HEADER} header differ; send one key"
        ))),
    }
}

#[service(package = "orders.v1")]
impl OrderCommandService {
    /// Places an order. Answers once the `OrderCreatedEvent` is durably in
    /// the log; the order shows in queries when the projector has applied
    /// it (pass the answer's `sequence` as a query's `min_sequence` to wait
    /// for that). With an idempotency key (the field or the
    /// `idempotency-key` header), a repeated command records nothing and
    /// answers what the first one did. `unavailable` means the log could
    /// not confirm the write: retry with the same key.
    async fn create_order(
        &self,
        ctx: &Context,
        command: CreateOrderCommand,
    ) -> Result<CommandResult, Status> {
        let key = idempotency_key(ctx, &command.idempotency_key)?;
        let event = OrderCreatedEvent {
            order_id: uuid::Uuid::new_v4().to_string(),
            user_id: command.user_id,
            items: command.items,
            shipping_address: command.shipping_address,
            created_at: Some(Timestamp::now()),
            event_version: EVENT_VERSION,
        }
        .into();
        let options = AppendOptions {
            idempotency_key: key.as_deref(),
            expected_last: None,
        };
        let appended = self.log.append(&event, options).await?;
        let recorded = appended.recorded;
        Ok(CommandResult {
            order_id: recorded.event.order_id().to_owned(),
            status: OrderStatus::Accepted,
            sequence: recorded.sequence,
            replayed: appended.duplicate,
        })
    }

    /// Cancels an order: `not_found` when no such order was placed. An
    /// order already cancelled stays so, and the answer repeats the first
    /// cancellation's sequence (`replayed`), so retries are safe.
    async fn cancel_order(&self, command: CancelOrderCommand) -> Result<CommandResult, Status> {
        let last = self
            .log
            .last_of_order(&command.order_id)
            .await?
            .ok_or_else(|| order_not_found(&command.order_id))?;
        if let Some(EventKind::Cancelled(_)) = last.event.kind {
            return Ok(CommandResult {
                order_id: command.order_id,
                status: OrderStatus::Cancelled,
                sequence: last.sequence,
                replayed: true,
            });
        }
        let event = OrderCancelledEvent {
            order_id: command.order_id.clone(),
            reason: command.reason,
            cancelled_at: Some(Timestamp::now()),
            event_version: EVENT_VERSION,
        }
        .into();
        let options = AppendOptions {
            idempotency_key: None,
            expected_last: Some(last.sequence),
        };
        let appended = self.log.append(&event, options).await?;
        Ok(CommandResult {
            order_id: command.order_id,
            status: OrderStatus::Cancelled,
            sequence: appended.recorded.sequence,
            replayed: false,
        })
    }
}
