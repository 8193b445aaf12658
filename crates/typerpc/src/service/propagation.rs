//! W3C trace context (`traceparent`, `tracestate`) and baggage across
//! process boundaries, with the `otel` feature: read from the headers of
//! the calls a server receives, written on those a client sends, so that a
//! gateway calling a backend makes one trace.
//!
//! The propagators are the W3C ones, the default of OpenTelemetry's
//! `OTEL_PROPAGATORS` (`tracecontext,baggage`), used directly rather than
//! through the global propagator: that one does nothing until an
//! application sets it, and a trace that silently stops at the first hop
//! is the most common tracing bug there is.

use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::{
    Extractor, Injector, TextMapCompositePropagator, TextMapPropagator,
};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

fn propagator() -> &'static TextMapCompositePropagator {
    static PROPAGATOR: OnceLock<TextMapCompositePropagator> = OnceLock::new();
    PROPAGATOR.get_or_init(|| {
        TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
        ])
    })
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct HeadersMut<'a>(&'a mut HeaderMap);

impl Injector for HeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Makes `span` continue the trace the request's headers carry. A missing
/// or malformed `traceparent` leaves the span the root of a new trace.
pub(crate) fn continue_trace(span: &Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") && !headers.contains_key("baggage") {
        return;
    }
    let context = propagator().extract(&Headers(headers));
    let remote = context.span().span_context().clone();
    if remote.is_valid() || !context.baggage().is_empty() {
        let _ = span.set_parent(context);
    }
}

/// Writes the trace context of `span` (and its baggage) into the headers
/// of an outgoing call.
pub(crate) fn write_trace(span: &Span, headers: &mut HeaderMap) {
    let context = span.context();
    if context.span().span_context().is_valid() {
        propagator().inject_context(&context, &mut HeadersMut(headers));
    }
}
