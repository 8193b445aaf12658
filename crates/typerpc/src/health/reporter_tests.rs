use std::time::Duration;

use futures_util::StreamExt;

use super::*;
use crate::Code;

const SHOP: &str = "shop.v1.ShopService";

#[test]
fn the_server_is_serving_and_services_are_unknown_at_first() {
    let health = HealthReporter::new();
    assert_eq!(health.check("").unwrap(), ServingStatus::Serving);
    let err = health.check(SHOP).unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains(SHOP), "{}", err.message());
    assert_eq!(health.statuses(), [(String::new(), ServingStatus::Serving)]);
}

#[test]
fn statuses_set_through_one_clone_show_in_all() {
    let health = HealthReporter::new();
    let other = health.clone();
    other.set_not_serving(SHOP);
    assert_eq!(health.check(SHOP).unwrap(), ServingStatus::NotServing);
    health.set_serving(SHOP);
    assert_eq!(other.check(SHOP).unwrap(), ServingStatus::Serving);
    health.clear(SHOP);
    assert_eq!(other.check(SHOP).unwrap_err().code(), Code::NotFound);
    health.set_status(SHOP, ServingStatus::Serving);
    health.set_status(SHOP, ServingStatus::ServiceUnknown);
    assert_eq!(other.check(SHOP).unwrap_err().code(), Code::NotFound);
}

#[test]
fn shutdown_reports_everything_not_serving_and_resume_restores() {
    let health = HealthReporter::new();
    health.set_serving(SHOP);
    health.shutdown();
    assert!(health.is_shutting_down());
    assert_eq!(health.check("").unwrap(), ServingStatus::NotServing);
    assert_eq!(health.check(SHOP).unwrap(), ServingStatus::NotServing);
    // Set during shutdown: remembered, not shown.
    health.set_serving("late.v1.Late");
    assert_eq!(
        health.check("late.v1.Late").unwrap(),
        ServingStatus::NotServing
    );
    health.resume();
    assert_eq!(health.check(SHOP).unwrap(), ServingStatus::Serving);
    assert_eq!(
        health.check("late.v1.Late").unwrap(),
        ServingStatus::Serving
    );
    assert_eq!(
        health.statuses(),
        [
            (String::new(), ServingStatus::Serving),
            ("late.v1.Late".to_string(), ServingStatus::Serving),
            (SHOP.to_string(), ServingStatus::Serving),
        ]
    );
}

#[tokio::test]
async fn watch_sends_the_current_status_then_each_change() {
    let health = HealthReporter::new();
    let mut watch = health.watch(SHOP);
    assert_eq!(watch.next().await, Some(ServingStatus::ServiceUnknown));
    health.set_serving(SHOP);
    assert_eq!(watch.next().await, Some(ServingStatus::Serving));
    // Setting the same status again is not a change.
    health.set_serving(SHOP);
    health.set_not_serving(SHOP);
    assert_eq!(watch.next().await, Some(ServingStatus::NotServing));
    health.shutdown();
    health.set_serving(SHOP);
    // Shutdown was already NOT_SERVING for this service: nothing new.
    let quiet = tokio::time::timeout(Duration::from_millis(50), watch.next()).await;
    assert!(quiet.is_err(), "no change expected, got {quiet:?}");
    health.resume();
    assert_eq!(watch.next().await, Some(ServingStatus::Serving));
    health.clear(SHOP);
    assert_eq!(watch.next().await, Some(ServingStatus::ServiceUnknown));
}

#[tokio::test]
async fn a_change_and_its_reversal_between_reads_are_not_reported() {
    let health = HealthReporter::new();
    let mut watch = health.watch("");
    assert_eq!(watch.current(), ServingStatus::Serving);
    health.set_not_serving("");
    health.set_serving("");
    let quiet = tokio::time::timeout(Duration::from_millis(50), watch.next()).await;
    assert!(quiet.is_err(), "no change expected, got {quiet:?}");
}

#[tokio::test]
async fn the_watch_stream_ends_when_the_reporter_is_gone() {
    let health = HealthReporter::new();
    let stream = health.watch("").into_stream();
    health.shutdown();
    drop(health);
    let seen: Vec<_> = stream.collect().await;
    assert_eq!(seen, [ServingStatus::NotServing]);
}

#[test]
fn channels_nobody_watches_are_dropped() {
    let health = HealthReporter::new();
    for i in 0..100 {
        drop(health.watch(&format!("made.up.Service{i}")));
    }
    let kept = health.watch("");
    assert_eq!(health.state().channels.len(), 1);
    drop(kept);
}
