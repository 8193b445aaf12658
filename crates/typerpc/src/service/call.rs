//! The facts of one call that every layer from the service up may know:
//! which protocol and codec carry it and how many messages go each way.
//! Handlers and interceptors read them from the [`Context`](super::Context);
//! the client is configured with the same types.

/// The wire protocol of a call.
///
/// gRPC is the client's default: every gRPC server understands it, and
/// over HTTP/2 it carries every call shape, both directions at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// gRPC (HTTP/2 only).
    Grpc,
    /// gRPC-Web (binary): trailers in the body, so HTTP/1.1 works too.
    GrpcWeb,
    /// gRPC-Web with base64 bodies (`application/grpc-web-text`), for
    /// proxies and clients that cannot carry binary.
    GrpcWebText,
    /// Connect: plain HTTP for unary calls (and GET for idempotent ones),
    /// enveloped messages for streams.
    Connect,
}

impl Protocol {
    /// The name OpenTelemetry's `rpc.system` attribute uses: `grpc` for
    /// gRPC and gRPC-Web, `connect_rpc` for Connect.
    pub fn rpc_system(self) -> &'static str {
        match self {
            Protocol::Connect => "connect_rpc",
            _ => "grpc",
        }
    }

    /// Whether this is gRPC-Web (binary or text).
    pub fn is_grpc_web(self) -> bool {
        matches!(self, Protocol::GrpcWeb | Protocol::GrpcWebText)
    }
}

/// How messages are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Protobuf binary (the default).
    Proto,
    /// proto3 JSON.
    Json,
}

impl Codec {
    /// The codec's name in content types (`proto`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            Codec::Proto => "proto",
            Codec::Json => "json",
        }
    }
}

/// The shape of a method: how many messages go each way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallShape {
    /// One request, one response.
    Unary,
    /// One request, a stream of responses.
    ServerStreaming,
    /// A stream of requests, one response.
    ClientStreaming,
    /// Streams both ways at once (needs HTTP/2).
    BidiStreaming,
}

impl CallShape {
    /// The shape of a method that streams requests and/or responses.
    pub fn of(client_streaming: bool, server_streaming: bool) -> CallShape {
        match (client_streaming, server_streaming) {
            (false, false) => CallShape::Unary,
            (false, true) => CallShape::ServerStreaming,
            (true, false) => CallShape::ClientStreaming,
            (true, true) => CallShape::BidiStreaming,
        }
    }

    /// Whether the client sends a stream.
    pub fn client_streams(self) -> bool {
        matches!(self, CallShape::ClientStreaming | CallShape::BidiStreaming)
    }

    /// Whether the server answers with a stream.
    pub fn server_streams(self) -> bool {
        matches!(self, CallShape::ServerStreaming | CallShape::BidiStreaming)
    }
}
