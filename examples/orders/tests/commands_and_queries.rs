//! The whole command → log → projector → read model → query path, the
//! same tests against the embedded defaults and against the machine's
//! NATS JetStream and Redis (under names of their own, removed after).

mod common;

use std::time::Duration;

use common::{order_for, unique, wait_applied, Backend, Backends, Stack};
use futures_util::StreamExt;
use orders::errors::ResourceInfo;
use orders::log::AppendOptions;
use orders::types::{
    CancelOrderCommand, GetOrderRequest, ListUserOrdersRequest, Order, OrderStatus,
    WatchOrdersRequest,
};
use orders::{Projector, QueryOptions};
use typerpc::client::CallOptions;
use typerpc::validate::BadRequest;
use typerpc::Code;

async fn invalid_commands_are_refused_with_field_violations(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());

    let mut empty = order_for("ann", 1);
    empty.items.clear();
    let error = stack.commands.create_order(empty).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
    let detail: BadRequest = error.detail().expect("a BadRequest detail");
    assert_eq!(detail.field_violations.len(), 1, "{detail:?}");
    assert_eq!(detail.field_violations[0].field, "items");

    let mut zero = order_for("ann", 2);
    zero.items[1].quantity = 0;
    zero.shipping_address = None;
    let error = stack.commands.create_order(zero).await.unwrap_err();
    let detail: BadRequest = error.detail().expect("a BadRequest detail");
    let fields: Vec<&str> = detail
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, ["items[1].quantity", "shipping_address"]);

    // Nothing reached the log.
    assert_eq!(backends.log.head().await.unwrap(), 0);
    drop(stack);
    backends.cleanup().await;
}

async fn create_get_list_cancel(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());
    let user = unique("user");

    let mut created = Vec::new();
    for n in 1..=5 {
        created.push(
            stack
                .commands
                .create_order(order_for(&user, n))
                .await
                .unwrap(),
        );
    }
    let last = created.last().unwrap().sequence;
    assert!(created.windows(2).all(|w| w[0].sequence < w[1].sequence));

    // Reading one's own write: wait for the command's sequence.
    let order = stack
        .queries
        .get_order(GetOrderRequest {
            order_id: created[2].order_id.clone(),
            min_sequence: created[2].sequence,
        })
        .await
        .unwrap();
    assert_eq!(order.user_id, user);
    assert_eq!(order.status, OrderStatus::Accepted);
    assert_eq!(order.items.len(), 3);
    assert_eq!(order.total_cents, (1 + 2 + 3) * 250);
    assert_eq!(order.version, created[2].sequence);

    // Pages of two, oldest first, covering every order once.
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = stack
            .queries
            .list_user_orders(ListUserOrdersRequest {
                user_id: user.clone(),
                page_size: 2,
                page_token: token,
                min_sequence: last,
            })
            .await
            .unwrap();
        assert!(page.orders.len() <= 2);
        assert!(page.applied_sequence >= last);
        seen.extend(page.orders.into_iter().map(|o| o.order_id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let expected: Vec<String> = created.iter().map(|c| c.order_id.clone()).collect();
    assert_eq!(seen, expected);

    // Cancel; a second cancel repeats the first; the view follows.
    let cancel = CancelOrderCommand {
        order_id: created[0].order_id.clone(),
        reason: "changed my mind".into(),
    };
    let cancelled = stack.commands.cancel_order(cancel.clone()).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(!cancelled.replayed);
    let again = stack.commands.cancel_order(cancel).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.sequence, cancelled.sequence);
    let order = stack
        .queries
        .get_order(GetOrderRequest {
            order_id: created[0].order_id.clone(),
            min_sequence: cancelled.sequence,
        })
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.cancel_reason, "changed my mind");
    assert!(order.cancelled_at.is_some());
    assert_eq!(order.version, cancelled.sequence);

    // Unknown orders: not_found naming the id, for queries and commands.
    let missing = uuid_like();
    let error = stack
        .queries
        .get_order(GetOrderRequest {
            order_id: missing.clone(),
            min_sequence: cancelled.sequence,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
    assert!(error.message().contains(&missing), "{}", error.message());
    let info: ResourceInfo = error.detail().expect("a ResourceInfo detail");
    assert_eq!(info.resource_name, missing);
    let error = stack
        .commands
        .cancel_order(CancelOrderCommand {
            order_id: missing.clone(),
            reason: String::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::NotFound);

    // A bad page token is the caller's error.
    let error = stack
        .queries
        .list_user_orders(ListUserOrdersRequest {
            user_id: user.clone(),
            page_size: 2,
            page_token: "abc".into(),
            min_sequence: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);

    drop(stack);
    backends.cleanup().await;
}

fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000000".into()
}

async fn idempotency_keys_make_retries_safe(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());
    let user = unique("user");

    let mut command = order_for(&user, 1);
    command.idempotency_key = unique("key");
    let first = stack.commands.create_order(command.clone()).await.unwrap();
    assert!(!first.replayed);
    let head = backends.log.head().await.unwrap();
    let second = stack.commands.create_order(command.clone()).await.unwrap();
    assert!(second.replayed);
    assert_eq!(second.order_id, first.order_id);
    assert_eq!(second.sequence, first.sequence);
    assert_eq!(
        backends.log.head().await.unwrap(),
        head,
        "a duplicate appended"
    );

    // The header works the same way, and agrees with the field or fails.
    let key = unique("key");
    let mut plain = order_for(&user, 2);
    let options = || CallOptions::new().header("idempotency-key", &key);
    let first = stack
        .commands
        .create_order_with(plain.clone(), options())
        .await
        .unwrap()
        .into_message();
    let second = stack
        .commands
        .create_order_with(plain.clone(), options())
        .await
        .unwrap()
        .into_message();
    assert_eq!(second.order_id, first.order_id);
    assert!(second.replayed);
    plain.idempotency_key = "something-else".into();
    let error = stack
        .commands
        .create_order_with(plain, options())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);

    // Without a key, two commands are two orders.
    let a = stack
        .commands
        .create_order(order_for(&user, 1))
        .await
        .unwrap();
    let b = stack
        .commands
        .create_order(order_for(&user, 1))
        .await
        .unwrap();
    assert_ne!(a.order_id, b.order_id);

    // Only the distinct orders reach the read model.
    let page = stack
        .queries
        .list_user_orders(ListUserOrdersRequest {
            user_id: user,
            page_size: 100,
            page_token: String::new(),
            min_sequence: b.sequence,
        })
        .await
        .unwrap();
    assert_eq!(page.orders.len(), 4);

    drop(stack);
    backends.cleanup().await;
}

async fn watchers_see_each_change(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());
    let user = unique("user");

    let mut changes = stack
        .queries
        .watch_orders(WatchOrdersRequest {
            user_id: user.clone(),
        })
        .await
        .unwrap();
    // Another user's order is not this watcher's business.
    stack
        .commands
        .create_order(order_for("someone-else", 1))
        .await
        .unwrap();
    let created = stack
        .commands
        .create_order(order_for(&user, 2))
        .await
        .unwrap();
    let cancelled = stack
        .commands
        .cancel_order(CancelOrderCommand {
            order_id: created.order_id.clone(),
            reason: "no longer needed".into(),
        })
        .await
        .unwrap();

    let first = next_change(&mut changes).await;
    assert_eq!(first.order_id, created.order_id);
    assert_eq!(first.status, OrderStatus::Accepted);
    assert_eq!(first.version, created.sequence);
    let second = next_change(&mut changes).await;
    assert_eq!(second.order_id, created.order_id);
    assert_eq!(second.status, OrderStatus::Cancelled);
    assert_eq!(second.version, cancelled.sequence);

    drop(changes);
    drop(stack);
    backends.cleanup().await;
}

async fn next_change(changes: &mut typerpc::client::Streaming<Order>) -> Order {
    tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .expect("a change within 10 s")
        .expect("the stream stays open")
        .unwrap()
}

async fn replays_give_the_same_read_model(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());
    let mut last = 0;
    for n in 0..30 {
        let user = format!("user-{}", n % 4);
        let created = stack
            .commands
            .create_order(order_for(&user, 1 + n % 3))
            .await
            .unwrap();
        last = created.sequence;
        if n % 5 == 0 {
            last = stack
                .commands
                .cancel_order(CancelOrderCommand {
                    order_id: created.order_id,
                    reason: format!("reason {n}"),
                })
                .await
                .unwrap()
                .sequence;
        }
    }
    wait_applied(backends.model.as_ref(), last).await;
    drop(stack);
    let live = backends.model.all_orders().await.unwrap();
    assert_eq!(live.len(), 30);
    assert_eq!(backends.model.applied().await.unwrap(), last);

    // A second read model, built from the start of the log.
    let rebuilt = backends.fresh_model().await;
    let projector = Projector::new(backends.log.clone(), rebuilt.clone());
    let run = tokio::spawn(async move { projector.run("replay").await });
    wait_applied(rebuilt.as_ref(), last).await;
    run.abort();
    assert_eq!(rebuilt.all_orders().await.unwrap(), live);
    assert_eq!(rebuilt.applied().await.unwrap(), last);

    // Every event delivered again: nothing changes, nothing is counted.
    let projector = Projector::new(backends.log.clone(), rebuilt.clone());
    let mut events = backends.log.follow(1);
    for _ in 0..last {
        let recorded = events.next().await.unwrap().unwrap();
        assert!(!projector.apply(&recorded).await.unwrap(), "applied twice");
    }
    assert_eq!(rebuilt.all_orders().await.unwrap(), live);
    assert_eq!(rebuilt.applied().await.unwrap(), last);
    rebuilt.clear().await.unwrap();
    backends.cleanup().await;
}

async fn reading_past_the_projector_is_a_clear_error(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let options = QueryOptions {
        max_wait: Duration::from_millis(200),
    };
    let stack = Stack::start(&backends, options);
    let error = stack
        .queries
        .get_order(GetOrderRequest {
            order_id: "whatever".into(),
            min_sequence: 1_000_000,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert!(
        error.message().contains("not yet 1000000"),
        "{}",
        error.message()
    );
    drop(stack);
    backends.cleanup().await;
}

async fn a_lost_race_for_an_order_is_aborted(backend: Backend) {
    let Some(backends) = Backends::open(backend).await else {
        return;
    };
    let stack = Stack::start(&backends, QueryOptions::default());
    let created = stack
        .commands
        .create_order(order_for("ann", 1))
        .await
        .unwrap();
    // A writer that read the order before it was created loses.
    let event = backends
        .log
        .last_of_order(&created.order_id)
        .await
        .unwrap()
        .unwrap()
        .event;
    let stale = AppendOptions {
        idempotency_key: None,
        expected_last: Some(created.sequence - 1),
    };
    let error = backends.log.append(&event, stale).await.unwrap_err();
    assert_eq!(error.code(), Code::Aborted, "{error:?}");
    drop(stack);
    backends.cleanup().await;
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Embedded).await;
                }
            )*
        }
        mod jetstream_and_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Servers).await;
                }
            )*
        }
    };
}

on_both_backends!(
    invalid_commands_are_refused_with_field_violations,
    create_get_list_cancel,
    idempotency_keys_make_retries_safe,
    watchers_see_each_change,
    replays_give_the_same_read_model,
    reading_past_the_projector_is_a_clear_error,
    a_lost_race_for_an_order_is_aborted,
);
