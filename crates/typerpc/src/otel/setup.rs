//! Setting OpenTelemetry up from the environment: the tracer and meter
//! providers, their OTLP exporters, and the `tracing` layer.

use std::sync::Arc;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing::Subscriber;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::export::{ExportHealth, Guarded};

/// Why OpenTelemetry could not be set up.
#[derive(Debug)]
pub struct OtelError(String);

impl std::fmt::Display for OtelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpenTelemetry: {}", self.0)
    }
}

impl std::error::Error for OtelError {}

/// OpenTelemetry's providers, exporting over OTLP; registered as the
/// global ones, so that [`RpcMetrics`](super::RpcMetrics) and the
/// application's own instruments use them. Call
/// [`shutdown`](Self::shutdown) before exiting to send what is left.
#[derive(Debug)]
pub struct Otel {
    tracer: SdkTracerProvider,
    meter: SdkMeterProvider,
    health: Arc<ExportHealth>,
}

impl Otel {
    /// Providers configured by the standard `OTEL_*` variables:
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (or the per-signal
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `..._METRICS_ENDPOINT`),
    /// `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`,
    /// `OTEL_SERVICE_NAME` (else `service_name`),
    /// `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`,
    /// `OTEL_METRIC_EXPORT_INTERVAL`; `OTEL_SDK_DISABLED=true` exports
    /// nothing. Export is OTLP over HTTP with protobuf.
    pub fn from_env(service_name: &str) -> Result<Otel, OtelError> {
        let mut resource = Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name(service_name.to_string());
        }
        let resource = resource.build();
        let health = Arc::new(ExportHealth::default());
        let disabled =
            std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        let mut tracer = SdkTracerProvider::builder().with_resource(resource.clone());
        let mut meter = SdkMeterProvider::builder().with_resource(resource);
        if !disabled {
            let spans = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .build()
                .map_err(|e| OtelError(format!("span exporter: {e}")))?;
            tracer = tracer.with_batch_exporter(Guarded {
                inner: spans,
                health: Arc::clone(&health),
            });
            let metrics = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .build()
                .map_err(|e| OtelError(format!("metric exporter: {e}")))?;
            meter = meter.with_periodic_exporter(metrics);
        }
        let otel = Otel {
            tracer: tracer.build(),
            meter: meter.build(),
            health,
        };
        opentelemetry::global::set_tracer_provider(otel.tracer.clone());
        opentelemetry::global::set_meter_provider(otel.meter.clone());
        Ok(otel)
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans, for
    /// `tracing_subscriber::registry().with(otel.layer())`.
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + 'static
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.tracer.tracer("typerpc"))
            .with_threads(false)
            .with_location(false)
    }

    /// The tracer provider.
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.tracer
    }

    /// The meter provider.
    pub fn meter_provider(&self) -> &SdkMeterProvider {
        &self.meter
    }

    /// How span export has gone: spans exported, spans dropped.
    pub fn export_health(&self) -> &ExportHealth {
        &self.health
    }

    /// Spans lost because the collector could not take them.
    pub fn spans_dropped(&self) -> u64 {
        self.health.dropped()
    }

    /// Exports what is queued now (spans and metrics), waiting for it.
    pub fn flush(&self) {
        let _ = self.tracer.force_flush();
        let _ = self.meter.force_flush();
    }

    /// Sends what is left and stops exporting.
    pub fn shutdown(self) {
        let _ = self.tracer.shutdown();
        let _ = self.meter.shutdown();
    }
}
