//! Spans and logs for calls, with the `tracing` crate, named and
//! attributed after OpenTelemetry's semantic conventions for RPC.
//!
//! One span per call on each side: `rpc.server` on the server, around the
//! interceptors and the handler (so the handler's own spans are its
//! children), and `rpc.client` on the client, around every attempt. Their
//! fields are the conventions' attributes: `rpc.system` (`grpc` for gRPC
//! and gRPC-Web, `connect_rpc` for Connect), `rpc.service`, `rpc.method`,
//! the status code of each system (`rpc.grpc.status_code`, a number;
//! `rpc.connect_rpc.error_code`, a name, on errors only), the peer's
//! address, and `otel.name` / `otel.kind` / `otel.status_code`, which
//! `tracing-opentelemetry` turns into the exported span's name, kind and
//! status. With the `otel` feature the server span continues the trace of
//! an incoming W3C `traceparent`, and the client writes its own.
//!
//! When a call ends, one event says how: `DEBUG` for success, `INFO` for
//! errors that are the caller's (`invalid_argument`, `not_found`...),
//! `WARN` for `deadline_exceeded`, `unimplemented` and `unavailable`,
//! `ERROR` for `internal`, `unknown` and `data_loss`. Each message in and
//! out is a `TRACE` event (`message.type`, `message.id`,
//! `message.uncompressed_size`), there only when asked for with a filter
//! such as `RUST_LOG=typerpc=trace`.
//!
//! Targets are `typerpc::server` and `typerpc::client`. Nothing is printed
//! unless the application installs a subscriber; without one, each call
//! pays one relaxed atomic load (the global level filter) and nothing
//! else.

use std::net::SocketAddr;
use std::time::Duration;

use tracing::field::Empty;
use tracing::{Level, Span};

use super::Protocol;
use crate::{Code, Status};

/// The target of the server's spans and events.
pub const SERVER_TARGET: &str = "typerpc::server";
/// The target of the client's spans and events.
pub const CLIENT_TARGET: &str = "typerpc::client";

/// Which end of a call a span stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Server,
    Client,
}

/// `package.Service` and `Method` out of `/package.Service/Method`.
pub fn split_procedure(procedure: &str) -> (&str, &str) {
    let path = procedure.trim_start_matches('/');
    path.rsplit_once('/').unwrap_or((path, ""))
}

/// Whether a server-side status is a fault of the server, as the
/// conventions define it for a server span's status: the client's own
/// mistakes (`invalid_argument`, `not_found`...) leave the span unset.
pub fn is_server_fault(code: Code) -> bool {
    matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    )
}

/// The span of a call the server serves; disabled (and free) when no
/// subscriber wants it.
pub(crate) fn server_span(
    procedure: &str,
    protocol: Protocol,
    peer: Option<SocketAddr>,
    headers: &http::HeaderMap,
) -> Span {
    let span = tracing::info_span!(
        target: SERVER_TARGET,
        "rpc.server",
        otel.name = procedure.trim_start_matches('/'),
        otel.kind = "server",
        otel.status_code = Empty,
        otel.status_message = Empty,
        rpc.system = protocol.rpc_system(),
        rpc.service = split_procedure(procedure).0,
        rpc.method = split_procedure(procedure).1,
        rpc.grpc.status_code = Empty,
        rpc.connect_rpc.error_code = Empty,
        network.peer.address = peer.map(|p| tracing::field::display(p.ip())),
        network.peer.port = peer.map(|p| i64::from(p.port())),
        typerpc.protocol = protocol_name(protocol),
    );
    #[cfg(feature = "otel")]
    if !span.is_disabled() {
        super::propagation::continue_trace(&span, headers);
    }
    #[cfg(not(feature = "otel"))]
    let _ = headers;
    span
}

/// The span of a call the client makes, to `authority` (`host:port`).
pub(crate) fn client_span(procedure: &str, protocol: Protocol, authority: &str) -> Span {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => (host, port.parse::<u16>().ok()),
        _ => (authority, None),
    };
    tracing::info_span!(
        target: CLIENT_TARGET,
        "rpc.client",
        otel.name = procedure.trim_start_matches('/'),
        otel.kind = "client",
        otel.status_code = Empty,
        otel.status_message = Empty,
        rpc.system = protocol.rpc_system(),
        rpc.service = split_procedure(procedure).0,
        rpc.method = split_procedure(procedure).1,
        rpc.grpc.status_code = Empty,
        rpc.connect_rpc.error_code = Empty,
        server.address = host.trim_start_matches('[').trim_end_matches(']'),
        server.port = port.map(i64::from),
        typerpc.protocol = protocol_name(protocol),
    )
}

/// Writes the trace context of a client call's span into its request
/// headers (with the `otel` feature; nothing otherwise).
pub(crate) fn write_trace(span: &Span, headers: &mut http::HeaderMap) {
    #[cfg(feature = "otel")]
    if !span.is_disabled() {
        super::propagation::write_trace(span, headers);
    }
    #[cfg(not(feature = "otel"))]
    let _ = (span, headers);
}

/// Whether the end of server calls is worth watching for logs even when
/// their span is not wanted (a filter of `warn`, say).
pub(crate) fn server_logs_enabled() -> bool {
    tracing::enabled!(target: SERVER_TARGET, Level::WARN)
}

/// Records how a call ended on its span (the status code attributes and
/// the span's status) and logs one event saying so.
pub(crate) fn finish(
    span: &Span,
    side: Side,
    protocol: Protocol,
    error: Option<&Status>,
    duration: Duration,
) {
    let code = error.map_or(Code::Ok, Status::code);
    if !span.is_disabled() {
        if protocol == Protocol::Connect {
            if !code.is_ok() {
                span.record("rpc.connect_rpc.error_code", code.as_connect_str());
            }
        } else {
            span.record("rpc.grpc.status_code", code.as_i32());
        }
        let failed = match side {
            Side::Server => is_server_fault(code),
            Side::Client => !code.is_ok(),
        };
        if failed {
            span.record("otel.status_code", "ERROR");
            if let Some(error) = error {
                span.record("otel.status_message", error.message());
            }
        }
    }
    let millis = duration.as_secs_f64() * 1e3;
    macro_rules! ended {
        ($target:expr, $level:expr) => {
            match error {
                None => tracing::event!(
                    target: $target, parent: span, Level::DEBUG,
                    duration_ms = millis, "call completed"
                ),
                Some(error) => tracing::event!(
                    target: $target, parent: span, $level,
                    code = code.as_connect_str(),
                    error.message = error.message(),
                    duration_ms = millis,
                    "call failed"
                ),
            }
        };
    }
    // How loudly a failure is logged. The client's caller sees the error
    // itself, so the client logs only at `DEBUG`.
    match (side, code) {
        (Side::Client, _) => ended!(CLIENT_TARGET, Level::DEBUG),
        (_, Code::Internal | Code::Unknown | Code::DataLoss) => {
            ended!(SERVER_TARGET, Level::ERROR)
        }
        (_, Code::DeadlineExceeded | Code::Unimplemented | Code::Unavailable) => {
            ended!(SERVER_TARGET, Level::WARN)
        }
        _ => ended!(SERVER_TARGET, Level::INFO),
    }
}

/// A message went by: a `TRACE` event on the call's span, as the
/// conventions' `message` event.
pub(crate) fn message(span: &Span, received: bool, id: u64, size: usize) {
    tracing::event!(
        target: SERVER_TARGET,
        parent: span,
        Level::TRACE,
        message.type = if received { "RECEIVED" } else { "SENT" },
        message.id = id,
        message.uncompressed_size = size,
        "message"
    );
}

/// A stream of responses polled inside `span`, so that what the handler's
/// stream does while producing them belongs to the call.
pub(crate) fn in_span(responses: super::EncodedResponses, span: Span) -> super::EncodedResponses {
    use futures_util::StreamExt;
    let mut responses = responses;
    futures_util::stream::poll_fn(move |cx| {
        let _entered = span.enter();
        responses.poll_next_unpin(cx)
    })
    .boxed()
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Grpc => "grpc",
        Protocol::GrpcWeb => "grpc-web",
        Protocol::GrpcWebText => "grpc-web-text",
        Protocol::Connect => "connect",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedures_split_into_service_and_method() {
        assert_eq!(
            split_procedure("/shop.v1.CartService/AddItem"),
            ("shop.v1.CartService", "AddItem")
        );
        assert_eq!(split_procedure("nothing"), ("nothing", ""));
    }

    #[test]
    fn only_server_faults_mark_a_server_span_failed() {
        assert!(is_server_fault(Code::Internal));
        assert!(is_server_fault(Code::Unavailable));
        assert!(!is_server_fault(Code::InvalidArgument));
        assert!(!is_server_fault(Code::Ok));
    }
}
