//! A bounded benchmark of the write path: commands per second with
//! durable appends, and the latency from sending a command to seeing the
//! order in the read model (p50, p99). Everything runs in this process
//! (the command service through the in-memory client, the projector as a
//! task); the log and the read model are the ones named.
//!
//! ```text
//! orders-bench --log embedded:/tmp/bench.redb --commands 2000 --concurrency 16
//! orders-bench --log nats://127.0.0.1:4222 --stream BENCH --subject bench.events
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use orders::config::{exit_with, LogArgs, ReadModelArgs};
use orders::types::{CreateOrderCommand, OrderItem, ShippingAddress};
use orders::{OrderCommandService, OrderCommandServiceClient, Projector};
use typerpc::{Client, Router};

const NAME: &str = "orders-bench";

/// The benchmark's bounds.
#[derive(Parser)]
#[command(name = NAME)]
struct Args {
    #[command(flatten)]
    log: LogArgs,
    #[command(flatten)]
    read_model: ReadModelArgs,
    /// How many commands to send.
    #[arg(long, default_value_t = 2000)]
    commands: usize,
    /// How many commands in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Stop sending after this many seconds, whatever the count.
    #[arg(long, default_value_t = 30)]
    max_seconds: u64,
}

fn command(user: &str) -> CreateOrderCommand {
    CreateOrderCommand {
        user_id: user.into(),
        items: vec![OrderItem {
            product_id: "p-1".into(),
            quantity: 1,
            unit_price_cents: 999,
        }],
        shipping_address: Some(ShippingAddress {
            name: "Bench".into(),
            line1: "1 Main St".into(),
            line2: String::new(),
            city: "Springfield".into(),
            postal_code: "12345".into(),
            country: "US".into(),
        }),
        idempotency_key: String::new(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let log = args
        .log
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    let model = args
        .read_model
        .open()
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    let user = format!("bench-{}", std::process::id());
    let projector = Projector::new(log.clone(), model.clone());
    let projecting = tokio::spawn(async move { projector.run(NAME).await });

    // When each order became visible, from the read model's change feed.
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut changes = model
        .watch(&user)
        .await
        .unwrap_or_else(|s| exit_with(NAME, &s));
    let recorder = seen.clone();
    let watching = tokio::spawn(async move {
        while let Some(change) = changes.next().await {
            let now = Instant::now();
            // A watcher that fell behind has missed changes: the latencies
            // would be wrong, so the benchmark stops.
            let order = change.unwrap_or_else(|s| exit_with(NAME, &s));
            recorder
                .lock()
                .unwrap()
                .entry(order.order_id)
                .or_insert(now);
        }
    });

    let router = Router::new().add(OrderCommandService::new(log));
    let client = OrderCommandServiceClient::new(Client::in_memory(router).build().unwrap());
    let stop_at = Instant::now() + Duration::from_secs(args.max_seconds);
    let start = Instant::now();
    let sent: Vec<(String, Instant, Duration)> = futures_util::stream::iter(0..args.commands)
        .take_while(|_| std::future::ready(Instant::now() < stop_at))
        .map(|_| {
            let client = client.clone();
            let command = command(&user);
            async move {
                let sent = Instant::now();
                let result = client.create_order(command).await;
                (result, sent, sent.elapsed())
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .filter_map(|(result, sent, took)| async move {
            match result {
                Ok(result) => Some((result.order_id, sent, took)),
                Err(status) => {
                    eprintln!("{NAME}: a command failed: {status:?}");
                    None
                }
            }
        })
        .collect()
        .await;
    let elapsed = start.elapsed();

    // Wait (bounded) for the read model to show every order.
    let settle = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().len() < sent.len() && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    projecting.abort();
    watching.abort();

    let mut command_latency: Vec<Duration> = sent.iter().map(|(_, _, took)| *took).collect();
    command_latency.sort();
    let seen = seen.lock().unwrap();
    let mut visible: Vec<Duration> = sent
        .iter()
        .filter_map(|(id, at, _)| seen.get(id).map(|v| v.saturating_duration_since(*at)))
        .collect();
    visible.sort();
    println!(
        "log {} · read model {} · {} commands, {} in flight",
        args.log.log,
        args.read_model.read_model,
        sent.len(),
        args.concurrency
    );
    println!(
        "commands/s: {:.0} (durable appends)",
        sent.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "command latency: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&command_latency, 0.50).as_secs_f64() * 1e3,
        percentile(&command_latency, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "command → visible in the read model: p50 {:.2} ms, p99 {:.2} ms ({} of {} seen)",
        percentile(&visible, 0.50).as_secs_f64() * 1e3,
        percentile(&visible, 0.99).as_secs_f64() * 1e3,
        visible.len(),
        sent.len()
    );
}
