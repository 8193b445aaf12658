//! The RPC metrics of OpenTelemetry's semantic conventions, through the
//! OpenTelemetry metrics API: `rpc.server.duration` (milliseconds),
//! `rpc.server.request.size` and `rpc.server.response.size` (bytes per
//! call), `rpc.server.requests_per_rpc` and `rpc.server.responses_per_rpc`,
//! and their `rpc.client.*` twins on a client; each with `rpc.system`,
//! `rpc.service`, `rpc.method` and the status code attribute of the
//! system.

use opentelemetry::metrics::{Histogram, Meter};
use opentelemetry::KeyValue;

use crate::client::{ClientCall, ClientInterceptor, ClientOutcome};
use crate::service::telemetry::split_procedure;
use crate::service::{Context, Interceptor, Outcome, Protocol};
use crate::Code;

/// The conventions' instruments, on one side of calls.
#[derive(Clone, Debug)]
struct Instruments {
    duration: Histogram<f64>,
    request_size: Histogram<u64>,
    response_size: Histogram<u64>,
    requests_per_rpc: Histogram<u64>,
    responses_per_rpc: Histogram<u64>,
}

impl Instruments {
    fn new(meter: &Meter, side: &str) -> Instruments {
        Instruments {
            duration: meter
                .f64_histogram(format!("rpc.{side}.duration"))
                .with_unit("ms")
                .with_description("Duration of RPC calls")
                .build(),
            request_size: meter
                .u64_histogram(format!("rpc.{side}.request.size"))
                .with_unit("By")
                .with_description("Size of request messages per call, uncompressed")
                .build(),
            response_size: meter
                .u64_histogram(format!("rpc.{side}.response.size"))
                .with_unit("By")
                .with_description("Size of response messages per call, uncompressed")
                .build(),
            requests_per_rpc: meter
                .u64_histogram(format!("rpc.{side}.requests_per_rpc"))
                .with_unit("{count}")
                .with_description("Request messages per call")
                .build(),
            responses_per_rpc: meter
                .u64_histogram(format!("rpc.{side}.responses_per_rpc"))
                .with_unit("{count}")
                .with_description("Response messages per call")
                .build(),
        }
    }
}

/// The attributes of one call.
fn attributes(procedure: &str, protocol: Protocol, code: Code) -> [KeyValue; 4] {
    let (service, method) = split_procedure(procedure);
    [
        KeyValue::new("rpc.system", protocol.rpc_system()),
        KeyValue::new("rpc.service", service.to_string()),
        KeyValue::new("rpc.method", method.to_string()),
        match protocol {
            Protocol::Connect => KeyValue::new("rpc.connect_rpc.error_code", code.as_connect_str()),
            _ => KeyValue::new("rpc.grpc.status_code", i64::from(code.as_i32())),
        },
    ]
}

/// Records the server's RPC metrics: an interceptor, for
/// `router.intercept(RpcMetrics::server())`.
#[derive(Clone, Debug)]
pub struct RpcMetrics(Instruments);

impl RpcMetrics {
    /// The server's instruments, on the global meter provider (the one
    /// [`Otel::from_env`](super::Otel::from_env) sets).
    pub fn server() -> RpcMetrics {
        RpcMetrics::with_meter(&opentelemetry::global::meter("typerpc"))
    }

    /// The server's instruments, on `meter`.
    pub fn with_meter(meter: &Meter) -> RpcMetrics {
        RpcMetrics(Instruments::new(meter, "server"))
    }
}

impl Interceptor for RpcMetrics {
    fn after(&self, ctx: &Context, outcome: &Outcome<'_>) {
        let attributes = attributes(ctx.procedure(), ctx.protocol(), outcome.code);
        let i = &self.0;
        i.duration
            .record(outcome.duration.as_secs_f64() * 1e3, &attributes);
        i.request_size.record(outcome.request_bytes, &attributes);
        i.response_size.record(outcome.response_bytes, &attributes);
        i.requests_per_rpc
            .record(outcome.request_messages, &attributes);
        i.responses_per_rpc
            .record(outcome.response_messages, &attributes);
    }
}

/// Records a client's `rpc.client.duration`: a client interceptor, for
/// `ClientBuilder::intercept(ClientRpcMetrics::client())`.
#[derive(Clone, Debug)]
pub struct ClientRpcMetrics(Histogram<f64>);

impl ClientRpcMetrics {
    /// The client's instrument, on the global meter provider.
    pub fn client() -> ClientRpcMetrics {
        let meter = opentelemetry::global::meter("typerpc");
        ClientRpcMetrics(Instruments::new(&meter, "client").duration)
    }
}

impl ClientInterceptor for ClientRpcMetrics {
    fn after(&self, call: &ClientCall<'_>, outcome: &ClientOutcome<'_>) {
        let attributes = attributes(call.procedure(), call.protocol(), outcome.code);
        self.0
            .record(outcome.duration.as_secs_f64() * 1e3, &attributes);
    }
}
