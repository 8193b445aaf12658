//! The read model in Redis, under the seed's keys:
//!
//! | key | type | holds |
//! |---|---|---|
//! | `order:{id}` | string | the order, as proto3 JSON |
//! | `user_orders:{user_id}` | sorted set | order ids, scored by creation sequence (stable pages) |
//! | `orders:checkpoint` | string | the last log sequence applied |
//! | `orders:applied` | string | how many events were applied |
//!
//! and the channel `order_changes:{user_id}`, where every change of a
//! user's order is published. Every key and channel takes an optional
//! prefix, so several read models share one server. An event is applied
//! by one Lua script: the change, the checkpoint and the notification
//! happen together or not at all.

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, StreamExt};
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use typerpc::{Message, Status};

use super::ReadModel;
use crate::types::Order;

/// Applies one event: skipped when not past the checkpoint.
const COMMIT: &str = r"
local checkpoint = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) <= checkpoint then return 0 end
if ARGV[2] == '1' then
  redis.call('SET', KEYS[3], ARGV[3])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5])
  redis.call('PUBLISH', ARGV[6], ARGV[3])
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
return 1
";

/// Orders in Redis.
#[derive(Clone)]
pub struct RedisReadModel {
    client: redis::Client,
    connection: ConnectionManager,
    prefix: String,
    commit: redis::Script,
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> Status {
    Status::unavailable(format!("Redis read model: {what}: {error}"))
}

impl RedisReadModel {
    /// Connects to `url` (`redis://127.0.0.1:6379`); every key starts with
    /// `prefix` (empty: the seed's key names). The connection is
    /// re-established after the server restarts.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisReadModel, Status> {
        let client = redis::Client::open(url).map_err(|e| unavailable(url, e))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(2)
            .set_max_delay(500);
        let connection = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(|e| unavailable(&format!("connecting to {url}"), e))?;
        Ok(RedisReadModel {
            client,
            connection,
            prefix: prefix.to_owned(),
            commit: redis::Script::new(COMMIT),
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn parse(json: &str) -> Result<Order, Status> {
        Order::from_json(json)
            .map_err(|e| Status::data_loss(format!("Redis read model: a stored order: {e}")))
    }

    async fn number(&self, name: &str) -> Result<u64, Status> {
        let value: Option<u64> = self
            .connection
            .clone()
            .get(self.key(name))
            .await
            .map_err(|e| unavailable(name, e))?;
        Ok(value.unwrap_or(0))
    }

    async fn orders(&self, ids: &[String]) -> Result<Vec<Order>, Status> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids
            .iter()
            .map(|id| self.key(&format!("order:{id}")))
            .collect();
        let values: Vec<Option<String>> = self
            .connection
            .clone()
            .mget(keys)
            .await
            .map_err(|e| unavailable("reading orders", e))?;
        values
            .iter()
            .flatten()
            .map(|json| Self::parse(json))
            .collect()
    }

    async fn keys_matching(&self, pattern: &str) -> Result<Vec<String>, Status> {
        let mut connection = self.connection.clone();
        let mut keys: Vec<String> = Vec::new();
        let mut iter: redis::AsyncIter<'_, String> = connection
            .scan_match(pattern)
            .await
            .map_err(|e| unavailable("scanning keys", e))?;
        while let Some(key) = iter.next_item().await {
            keys.push(key.map_err(|e| unavailable("scanning keys", e))?);
        }
        Ok(keys)
    }
}

/// Escapes the glob characters of a prefix for `SCAN MATCH`.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl ReadModel for RedisReadModel {
    fn checkpoint(&self) -> BoxFuture<'_, Result<u64, Status>> {
        Box::pin(self.number("orders:checkpoint"))
    }

    fn applied(&self) -> BoxFuture<'_, Result<u64, Status>> {
        Box::pin(self.number("orders:applied"))
    }

    fn order<'a>(&'a self, order_id: &'a str) -> BoxFuture<'a, Result<Option<Order>, Status>> {
        Box::pin(async move {
            let json: Option<String> = self
                .connection
                .clone()
                .get(self.key(&format!("order:{order_id}")))
                .await
                .map_err(|e| unavailable("reading an order", e))?;
            json.as_deref().map(Self::parse).transpose()
        })
    }

    fn user_orders<'a>(
        &'a self,
        user_id: &'a str,
        after: u64,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Order>, Status>> {
        Box::pin(async move {
            let ids: Vec<String> = self
                .connection
                .clone()
                .zrangebyscore_limit(
                    self.key(&format!("user_orders:{user_id}")),
                    format!("({after}"),
                    "+inf",
                    0,
                    isize::try_from(limit).unwrap_or(isize::MAX),
                )
                .await
                .map_err(|e| unavailable("reading a user's orders", e))?;
            self.orders(&ids).await
        })
    }

    fn commit<'a>(
        &'a self,
        sequence: u64,
        view: Option<&'a Order>,
    ) -> BoxFuture<'a, Result<bool, Status>> {
        Box::pin(async move {
            let mut invocation = self.commit.prepare_invoke();
            invocation
                .key(self.key("orders:checkpoint"))
                .key(self.key("orders:applied"));
            match view {
                Some(order) => {
                    let json = order
                        .to_json()
                        .map_err(|e| Status::internal(format!("encoding an order: {e}")))?;
                    invocation
                        .key(self.key(&format!("order:{}", order.order_id)))
                        .key(self.key(&format!("user_orders:{}", order.user_id)))
                        .arg(sequence)
                        .arg("1")
                        .arg(json)
                        .arg(order.created_sequence)
                        .arg(&order.order_id)
                        .arg(self.key(&format!("order_changes:{}", order.user_id)));
                }
                None => {
                    let unused = self.key("orders:none");
                    invocation.key(&unused).key(&unused).arg(sequence).arg("0");
                }
            }
            let applied: i64 = invocation
                .invoke_async(&mut self.connection.clone())
                .await
                .map_err(|e| unavailable("applying an event", e))?;
            Ok(applied == 1)
        })
    }

    fn watch<'a>(
        &'a self,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<BoxStream<'static, Result<Order, Status>>, Status>> {
        Box::pin(async move {
            let mut pubsub = self
                .client
                .get_async_pubsub()
                .await
                .map_err(|e| unavailable("subscribing", e))?;
            pubsub
                .subscribe(self.key(&format!("order_changes:{user_id}")))
                .await
                .map_err(|e| unavailable("subscribing", e))?;
            let orders = pubsub.into_on_message().map(|message| {
                let json: String = message
                    .get_payload()
                    .map_err(|e| Status::internal(format!("a change notification: {e}")))?;
                Self::parse(&json)
            });
            // The subscription ends only when the connection does: say so,
            // since changes made until it is back would be missed.
            let lost = futures_util::stream::once(async {
                Err(Status::unavailable(
                    "the connection to the read model's change feed was lost; watch again",
                ))
            });
            Ok(orders.chain(lost).boxed())
        })
    }

    fn all_orders(&self) -> BoxFuture<'_, Result<Vec<Order>, Status>> {
        Box::pin(async move {
            let pattern = format!("{}order:*", glob_escape(&self.prefix));
            let order_prefix = self.key("order:");
            let mut ids: Vec<String> = self
                .keys_matching(&pattern)
                .await?
                .into_iter()
                .filter_map(|key| key.strip_prefix(&order_prefix).map(str::to_owned))
                .collect();
            ids.sort();
            self.orders(&ids).await
        })
    }

    fn clear(&self) -> BoxFuture<'_, Result<(), Status>> {
        Box::pin(async move {
            let prefix = glob_escape(&self.prefix);
            let mut keys = self.keys_matching(&format!("{prefix}order:*")).await?;
            keys.extend(
                self.keys_matching(&format!("{prefix}user_orders:*"))
                    .await?,
            );
            keys.push(self.key("orders:checkpoint"));
            keys.push(self.key("orders:applied"));
            let mut connection = self.connection.clone();
            for chunk in keys.chunks(500) {
                let _: () = connection
                    .del(chunk)
                    .await
                    .map_err(|e| unavailable("clearing", e))?;
            }
            Ok(())
        })
    }
}
