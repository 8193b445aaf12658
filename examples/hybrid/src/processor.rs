//! The shared business logic every front door calls: one instance per
//! process, so the REST API, the partner service and the internal
//! services count the same requests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::messages::{DataPayload, ProcessResult, Stats};

/// Which door a request came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    /// The public REST API.
    Rest,
    /// The partner Connect service.
    Connect,
    /// The internal gRPC service.
    Grpc,
}

impl Door {
    /// As the seed's responses name it.
    pub fn protocol(self) -> &'static str {
        match self {
            Door::Rest => "REST",
            Door::Connect => "Connect-RPC",
            Door::Grpc => "gRPC",
        }
    }
}

/// Processes data payloads and counts what it did.
#[derive(Debug)]
pub struct DataProcessor {
    delay: Duration,
    started: Instant,
    total: AtomicU32,
    by_door: [AtomicU32; 3],
    rate_limited: AtomicU32,
}

impl DataProcessor {
    /// A processor that takes `delay` per request (the seed's 100 ms).
    pub fn new(delay: Duration) -> DataProcessor {
        DataProcessor {
            delay,
            started: Instant::now(),
            total: AtomicU32::new(0),
            by_door: Default::default(),
            rate_limited: AtomicU32::new(0),
        }
    }

    /// Core business logic used by every door: the content parsed as
    /// JSON where it is JSON (and echoed as text where not), stamped and
    /// numbered.
    pub async fn process(&self, door: Door, payload: &DataPayload) -> ProcessResult {
        let number = self.total.fetch_add(1, Ordering::Relaxed) + 1;
        self.by_door[door as usize].fetch_add(1, Ordering::Relaxed);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let processed = match serde_json::from_str::<serde_json::Value>(&payload.content) {
            Ok(content) => format!("Processed: {content}"),
            Err(_) => format!("Processed: {}", payload.content),
        };
        ProcessResult {
            processed_content: processed,
            timestamp: typerpc::Timestamp::now().to_string(),
            request_number: number,
        }
    }

    /// Counts a call a rate limit refused.
    pub fn count_rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        let door = |d: Door| self.by_door[d as usize].load(Ordering::Relaxed);
        Stats {
            total_requests: self.total.load(Ordering::Relaxed),
            rest_requests: door(Door::Rest),
            connect_requests: door(Door::Connect),
            grpc_requests: door(Door::Grpc),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            uptime_seconds: self.started.elapsed().as_secs_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn json_content_is_parsed_text_is_kept_and_every_door_is_counted() {
        let processor = DataProcessor::new(Duration::ZERO);
        let json = DataPayload {
            content: r#"{"message": "Hello"}"#.into(),
            metadata: None,
        };
        let first = processor.process(Door::Rest, &json).await;
        assert_eq!(first.processed_content, r#"Processed: {"message":"Hello"}"#);
        assert_eq!(first.request_number, 1);
        assert!(typerpc::Timestamp::parse_rfc3339(&first.timestamp).is_ok());
        let text = DataPayload {
            content: "plain words".into(),
            metadata: None,
        };
        let second = processor.process(Door::Grpc, &text).await;
        assert_eq!(second.processed_content, "Processed: plain words");
        assert_eq!(second.request_number, 2);
        processor.count_rate_limited();
        let stats = processor.stats();
        assert_eq!(
            (
                stats.total_requests,
                stats.rest_requests,
                stats.connect_requests,
                stats.grpc_requests,
                stats.rate_limited
            ),
            (2, 1, 0, 1, 1)
        );
    }
}
