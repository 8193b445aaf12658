//! Faults against real servers: a projector process killed mid-stream and
//! restarted, Redis restarted under a running projector, the NATS server
//! gone during a command. The machine's shared servers are never touched:
//! each test that restarts a server starts its own.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::servers::{Kind, OwnServer};
use common::{jetstream_options, order_for, server_up, unique, wait_applied, TempDir};
use futures_util::StreamExt;
use orders::events::{OrderCreatedEvent, EVENT_VERSION};
use orders::log::{AppendOptions, EmbeddedLog, EventLog, JetStreamLog};
use orders::read_model::{MemoryReadModel, ReadModel, RedisReadModel};
use orders::types::{CreateOrderCommand, Order};
use orders::{projection, OrderCommandService, OrderCommandServiceClient, Projector};
use typerpc::{Client, Code, Router};

/// The read model the log should give, folded here without a projector.
async fn expected_orders(log: &dyn EventLog) -> Vec<Order> {
    let head = log.head().await.unwrap();
    let model = MemoryReadModel::new();
    let mut events = log.follow(1);
    for _ in 0..head {
        let recorded = events.next().await.unwrap().unwrap();
        let current = model.order(recorded.event.order_id()).await.unwrap();
        let view = projection::apply(current.as_ref(), recorded.sequence, &recorded.event);
        model
            .commit(recorded.sequence, view.as_ref())
            .await
            .unwrap();
    }
    model.all_orders().await.unwrap()
}

async fn append_orders(log: &dyn EventLog, user: &str, count: u32) -> u64 {
    let mut last = 0;
    for n in 0..count {
        let event = OrderCreatedEvent {
            order_id: unique("order"),
            user_id: user.into(),
            items: order_for(user, 1 + n % 3).items,
            shipping_address: order_for(user, 1).shipping_address,
            created_at: None,
            event_version: EVENT_VERSION,
        }
        .into();
        last = log
            .append(&event, AppendOptions::default())
            .await
            .unwrap()
            .recorded
            .sequence;
    }
    last
}

fn start_projector(stream: &str, subject: &str, prefix: &str) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_orders-projector"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args([
            "--log",
            common::NATS_URL,
            "--stream",
            stream,
            "--subject",
            subject,
        ])
        .args(["--read-model", common::REDIS_URL, "--key-prefix", prefix])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_killed_mid_stream_resumes_and_applies_nothing_twice() {
    if !server_up("nats-server", "127.0.0.1:4222") || !server_up("redis-server", "127.0.0.1:6379") {
        return;
    }
    let options = jetstream_options(common::NATS_URL);
    let log = JetStreamLog::connect(&options).await.unwrap();
    let prefix = format!("{}:", unique("t"));
    let model = RedisReadModel::connect(common::REDIS_URL, &prefix)
        .await
        .unwrap();
    let total = append_orders(&log, "ann", 1500).await;

    let mut projector = start_projector(&options.stream, &options.subject, &prefix);
    // Kill it (SIGKILL: no chance to finish anything) once it has started.
    let deadline = Instant::now() + Duration::from_secs(60);
    while model.checkpoint().await.unwrap() == 0 {
        assert!(Instant::now() < deadline, "the projector applied nothing");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    projector.kill().unwrap();
    projector.wait().unwrap();
    let at_kill = model.checkpoint().await.unwrap();
    eprintln!("killed the projector at {at_kill} of {total}");
    // Whatever was applied was applied whole: the count matches the checkpoint.
    assert_eq!(model.applied().await.unwrap(), at_kill);

    // More events while it is down, then a new process.
    let total = append_orders(&log, "bob", 200).await.max(total);
    let mut projector = start_projector(&options.stream, &options.subject, &prefix);
    wait_applied(&model, total).await;
    projector.kill().unwrap();
    projector.wait().unwrap();
    assert_eq!(
        model.applied().await.unwrap(),
        total,
        "an event was applied twice"
    );
    assert_eq!(
        model.all_orders().await.unwrap(),
        expected_orders(&log).await
    );

    model.clear().await.unwrap();
    log.delete().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_catches_up_after_redis_restarts() {
    let Some(mut redis) = OwnServer::start(Kind::Redis) else {
        return;
    };
    let dir = TempDir::new();
    let log: Arc<dyn EventLog> = Arc::new(EmbeddedLog::open(&dir.0.join("events.redb")).unwrap());
    let model = Arc::new(RedisReadModel::connect(&redis.url(), "").await.unwrap());
    let projector = Projector::new(log.clone(), model.clone());
    let running = tokio::spawn(async move { projector.run("test").await });

    let first = append_orders(log.as_ref(), "ann", 20).await;
    wait_applied(model.as_ref(), first).await;

    redis.kill();
    let last = append_orders(log.as_ref(), "bob", 30).await;
    // Give the projector time to fail against the dead server.
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.restart();

    wait_applied(model.as_ref(), last).await;
    running.abort();
    assert_eq!(model.applied().await.unwrap(), last);
    assert_eq!(
        model.all_orders().await.unwrap(),
        expected_orders(log.as_ref()).await
    );
}

/// The command service over a JetStream log on a server of its own.
async fn commands_on(nats: &OwnServer) -> (JetStreamLog, OrderCommandServiceClient) {
    let mut options = jetstream_options(&nats.url());
    options.timeout = Duration::from_secs(1);
    let log = JetStreamLog::connect(&options).await.unwrap();
    let router = Router::new().add(OrderCommandService::new(Arc::new(log.clone())));
    let client = OrderCommandServiceClient::new(Client::in_memory(router).build().unwrap());
    (log, client)
}

/// How many orders the log holds for `user`.
async fn orders_of(log: &dyn EventLog, user: &str) -> Vec<String> {
    let head = log.head().await.unwrap();
    let mut events = log.follow(1);
    let mut ids = Vec::new();
    for _ in 0..head {
        let event = events.next().await.unwrap().unwrap().event;
        if let Some(orders::events::EventKind::Created(created)) = event.kind {
            if created.user_id == user {
                ids.push(created.order_id);
            }
        }
    }
    ids
}

/// Retries `command` until the broker answers (it is coming back).
async fn retry(
    client: &OrderCommandServiceClient,
    command: &CreateOrderCommand,
) -> orders::types::CommandResult {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match client.create_order(command.clone()).await {
            Ok(result) => return result,
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert!(
                    Instant::now() < deadline,
                    "the broker did not come back: {status:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_during_a_broker_outage_is_unavailable_and_a_retry_records_it_once() {
    let Some(mut nats) = OwnServer::start(Kind::Nats) else {
        return;
    };
    let (log, client) = commands_on(&nats).await;

    // The server dies: the command cannot be confirmed.
    let mut command = order_for("ann", 1);
    command.idempotency_key = "order-ann-1".into();
    nats.kill();
    let error = client.create_order(command.clone()).await.unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");

    // It comes back (same port, same store); the retry records one order.
    nats.restart();
    let first = retry(&client, &command).await;
    let again = client.create_order(command.clone()).await.unwrap();
    assert_eq!(again.order_id, first.order_id);
    assert_eq!(orders_of(&log, "ann").await, [first.order_id]);

    // The server freezes after taking the command (SIGSTOP): the client
    // times out, then the server thaws and stores what it had received.
    // The retry with the same key answers the order; still only one.
    let mut command = order_for("bob", 1);
    command.idempotency_key = "order-bob-1".into();
    nats.signal("STOP");
    let error = client.create_order(command.clone()).await.unwrap_err();
    assert_eq!(error.code(), Code::Unavailable, "{error:?}");
    nats.signal("CONT");
    let first = retry(&client, &command).await;
    assert_eq!(orders_of(&log, "bob").await, [first.order_id]);

    log.delete().await.unwrap();
}
