//! The span exporter, wrapped so that a collector that is down is noticed
//! once: spans whose export failed are counted, and the first failure is
//! logged as a warning (then one more each time export recovers and fails
//! again), never once per call or per batch.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

/// How span export has gone so far.
#[derive(Debug, Default)]
pub struct ExportHealth {
    exported: AtomicU64,
    dropped: AtomicU64,
    /// Whether the current run of failures has been logged.
    warned: AtomicBool,
}

impl ExportHealth {
    /// Spans the collector accepted.
    pub fn exported(&self) -> u64 {
        self.exported.load(Ordering::Relaxed)
    }

    /// Spans lost because their export failed.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn succeeded(&self, spans: usize) {
        self.exported.fetch_add(spans as u64, Ordering::Relaxed);
        if self.warned.swap(false, Ordering::Relaxed) {
            tracing::info!(target: LOG_TARGET, "span export works again");
        }
    }

    fn failed(&self, spans: usize, error: &dyn std::fmt::Display) {
        self.dropped.fetch_add(spans as u64, Ordering::Relaxed);
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: LOG_TARGET,
                %error,
                spans,
                "cannot export spans to the OpenTelemetry collector; they are dropped and counted \
                 until it answers again (said once, not per call)"
            );
        }
    }
}

/// The target of the export's own logs.
const LOG_TARGET: &str = "typerpc::otel";

/// A span exporter that reports to an [`ExportHealth`].
#[derive(Debug)]
pub(crate) struct Guarded<E> {
    pub inner: E,
    pub health: Arc<ExportHealth>,
}

impl<E: SpanExporter> SpanExporter for Guarded<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        let result = self.inner.export(batch).await;
        match &result {
            Ok(()) => self.health.succeeded(spans),
            Err(error) => self.health.failed(spans, error),
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
