//! The Prometheus interceptor and its `/metrics` endpoint.
//!
//! Labels are looked up once per method and protocol family, not per call:
//! `prometheus-client` keys a series by an owned label set, which would
//! mean allocating the method's names on every call. Each method's series
//! are kept in a table keyed by its procedure, and a call costs a hash of
//! the procedure, a read lock and a few atomic adds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use http::{header, HeaderValue, Response, StatusCode};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::exposition;
use crate::protocol::RpcBody;
use crate::server::endpoint::{HeadEndpoint, Placement};
use crate::service::telemetry::split_procedure;
use crate::service::{Before, Context, Interceptor, Outcome, Protocol};
use crate::{Code, Router};

/// Labels of a method's series.
type Labels = Vec<(&'static str, String)>;
/// A family of histograms, each made by a plain function.
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// How many codes there are (`ok` and the 16 errors).
const CODES: usize = 17;

/// Call durations, in seconds: 0.5 ms to about 16 s.
fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Message bytes per call: 16 B to 16 MiB.
fn size_histogram() -> Histogram {
    Histogram::new(exponential_buckets(16.0, 4.0, 11))
}

/// Counts calls for Prometheus and answers its scrapes. Cheap to clone:
/// clones share the same series.
#[derive(Clone)]
pub struct Prometheus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prometheus").finish_non_exhaustive()
    }
}

struct Inner {
    registry: Mutex<Registry>,
    families: Families,
    /// Each method's series, by procedure.
    methods: RwLock<HashMap<Box<str>, Arc<MethodSeries>>>,
}

#[derive(Clone)]
struct Families {
    requests: Family<Labels, Counter>,
    duration: Histograms,
    in_flight: Family<Labels, Gauge>,
    request_messages: Family<Labels, Counter>,
    response_messages: Family<Labels, Counter>,
    request_size: Histograms,
    response_size: Histograms,
}

/// The series of one method, made as its calls first need them.
struct MethodSeries {
    service: String,
    method: String,
    /// gRPC (and gRPC-Web), then Connect.
    systems: [OnceLock<SystemSeries>; 2],
}

/// The series of one method in one `rpc_system`.
struct SystemSeries {
    labels: Labels,
    requests: [OnceLock<Counter>; CODES],
    duration: Histogram,
    in_flight: Gauge,
    request_messages: Counter,
    response_messages: Counter,
    request_size: Histogram,
    response_size: Histogram,
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus::new()
    }
}

impl Prometheus {
    /// Metrics in a registry of their own.
    pub fn new() -> Prometheus {
        let families = Families {
            requests: Family::default(),
            duration: Family::new_with_constructor(duration_histogram as fn() -> Histogram),
            in_flight: Family::default(),
            request_messages: Family::default(),
            response_messages: Family::default(),
            request_size: Family::new_with_constructor(size_histogram as fn() -> Histogram),
            response_size: Family::new_with_constructor(size_histogram as fn() -> Histogram),
        };
        let mut registry = Registry::default();
        let f = families.clone();
        registry.register(
            "rpc_server_requests",
            "RPC calls handled, by method and code",
            f.requests,
        );
        registry.register(
            "rpc_server_duration_seconds",
            "RPC call duration, from routing to the last byte of the response",
            f.duration,
        );
        registry.register(
            "rpc_server_in_flight",
            "RPC calls started and not yet over",
            f.in_flight,
        );
        registry.register(
            "rpc_server_request_messages",
            "RPC request messages received",
            f.request_messages,
        );
        registry.register(
            "rpc_server_response_messages",
            "RPC response messages sent",
            f.response_messages,
        );
        registry.register(
            "rpc_server_request_size_bytes",
            "Bytes of request messages per RPC call, uncompressed",
            f.request_size,
        );
        registry.register(
            "rpc_server_response_size_bytes",
            "Bytes of response messages per RPC call, uncompressed",
            f.response_size,
        );
        Prometheus {
            inner: Arc::new(Inner {
                registry: Mutex::new(registry),
                families,
                methods: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The registry the metrics live in, to add the application's own:
    /// `metrics.registry(|r| r.register("jobs", "Jobs run", jobs.clone()))`.
    pub fn registry<T>(&self, f: impl FnOnce(&mut Registry) -> T) -> T {
        let mut registry = self
            .inner
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        f(&mut registry)
    }

    /// The exposition, in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let registry = self
            .inner
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }

    fn method(&self, procedure: &str) -> Arc<MethodSeries> {
        if let Some(series) = self
            .inner
            .methods
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(procedure)
        {
            return Arc::clone(series);
        }
        let (service, method) = split_procedure(procedure);
        let series = Arc::new(MethodSeries {
            service: service.to_string(),
            method: method.to_string(),
            systems: Default::default(),
        });
        let mut methods = self
            .inner
            .methods
            .write()
            .unwrap_or_else(|p| p.into_inner());
        Arc::clone(methods.entry(procedure.into()).or_insert(series))
    }
}

impl MethodSeries {
    fn system(&self, families: &Families, protocol: Protocol) -> &SystemSeries {
        let at = usize::from(protocol == Protocol::Connect);
        self.systems[at].get_or_init(|| {
            let labels: Labels = vec![
                ("rpc_system", protocol.rpc_system().to_string()),
                ("rpc_service", self.service.clone()),
                ("rpc_method", self.method.clone()),
            ];
            SystemSeries {
                requests: Default::default(),
                duration: families.duration.get_or_create_owned(&labels),
                in_flight: families.in_flight.get_or_create_owned(&labels),
                request_messages: families.request_messages.get_or_create_owned(&labels),
                response_messages: families.response_messages.get_or_create_owned(&labels),
                request_size: families.request_size.get_or_create_owned(&labels),
                response_size: families.response_size.get_or_create_owned(&labels),
                labels,
            }
        })
    }
}

impl SystemSeries {
    fn requests(&self, families: &Families, code: Code) -> &Counter {
        let at = (code.as_i32() as usize).min(CODES - 1);
        self.requests[at].get_or_init(|| {
            let mut labels = self.labels.clone();
            labels.push(("code", code.as_connect_str().to_string()));
            families.requests.get_or_create_owned(&labels)
        })
    }
}

impl Interceptor for Prometheus {
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        let method = self.method(ctx.procedure());
        method
            .system(&self.inner.families, ctx.protocol())
            .in_flight
            .inc();
        Before::proceed()
    }

    fn after(&self, ctx: &Context, outcome: &Outcome<'_>) {
        let families = &self.inner.families;
        let method = self.method(ctx.procedure());
        let series = method.system(families, ctx.protocol());
        series.in_flight.dec();
        series.requests(families, outcome.code).inc();
        series.duration.observe(outcome.duration.as_secs_f64());
        series.request_messages.inc_by(outcome.request_messages);
        series.response_messages.inc_by(outcome.response_messages);
        series.request_size.observe(outcome.request_bytes as f64);
        series.response_size.observe(outcome.response_bytes as f64);
    }
}

impl HeadEndpoint for Prometheus {
    fn answer(&self, request: &http::request::Parts) -> Response<RpcBody> {
        let mut response =
            if request.method == http::Method::GET || request.method == http::Method::HEAD {
                let text = self.render();
                let (body, content_type) =
                    if exposition::wants_openmetrics(request.headers.get(header::ACCEPT)) {
                        (text, exposition::OPENMETRICS)
                    } else {
                        (exposition::to_text_004(&text), exposition::TEXT_004)
                    };
                let mut response = Response::new(RpcBody::full(body));
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                response
            } else {
                let mut response = Response::new(RpcBody::full("use GET\n"));
                *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                response
            };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

impl Router {
    /// Counts every call in `metrics` (an interceptor on every method,
    /// health and reflection included) and answers `GET /metrics` with
    /// them.
    pub fn metrics(self, metrics: &Prometheus) -> Router {
        self.metrics_at("/metrics", metrics)
    }

    /// [`metrics`](Self::metrics), answering at `path` instead.
    pub fn metrics_at(self, path: &str, metrics: &Prometheus) -> Router {
        self.intercept_shared(Arc::new(metrics.clone())).endpoint(
            path,
            Placement::Operational,
            Arc::new(metrics.clone()),
        )
    }
}
