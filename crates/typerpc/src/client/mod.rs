//! Clients: call any typerpc, gRPC or Connect server, over gRPC, gRPC-Web
//! or Connect.
//!
//! `#[service]` generates a typed client for each service
//! (`RecommendationService` gets `RecommendationServiceClient`); this
//! module holds what it is built on: the [`Client`] (a connection pool
//! and the protocol settings), [`CallOptions`] for one call, and what a
//! call returns ([`Response`], [`Streaming`]).
//!
//! ```no_run
//! # use typerpc::{service, Message, Status};
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
//! # pub struct EchoService;
//! # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use typerpc::client::{Client, Protocol};
//!
//! // gRPC over HTTP/2 by default.
//! let client = EchoServiceClient::connect("http://127.0.0.1:50051").await?;
//! let pong = client.echo(Ping { n: 1 }).await?;
//!
//! // Connect with JSON, over HTTP/1.1 or HTTP/2.
//! let connect = Client::builder("http://127.0.0.1:50051")
//!     .protocol(Protocol::Connect)
//!     .codec(typerpc::client::Codec::Json)
//!     .build()?;
//! let pong = EchoServiceClient::new(connect).echo(Ping { n: 2 }).await?;
//! # Ok(()) }
//! ```
//!
//! The client reads and writes messages with the same envelope,
//! compression, timeout, status and error-body code as the server.

mod balance;
mod builder;
mod call;
mod connect;
mod deadline;
mod dial;
mod grpc;
mod interceptor;
mod options;
mod raw;
mod response;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{Stream, StreamExt};
use http::Uri;

pub use crate::protocol::compression::Compression;
pub use crate::service::{CallShape, Codec, Protocol};
pub use balance::{Balance, Resolve};
pub use builder::{BuildError, ClientBuilder};
use interceptor::Interceptors;
pub use interceptor::{ClientCall, ClientInterceptor, ClientOutcome, Retry};
pub use options::CallOptions;
pub use response::{Response, Streaming};
pub use transport::{Body, BoxError, HttpService};

use crate::service::telemetry::{self, Side};
use crate::{JsonOptions, Message, Status};
use tracing::Instrument;

/// The HTTP version a client uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpVersion {
    /// HTTP/2: with prior knowledge (h2c) on `http://`, by ALPN on
    /// `https://`. One connection multiplexes every call.
    Http2,
    /// HTTP/1.1: one call per connection at a time, pooled. Not for gRPC;
    /// bidirectional streams (Connect, gRPC-Web) are half duplex: the
    /// server answers once the requests have all been sent.
    Http1,
}

/// A method to call: its path and whether it is idempotent (free of side
/// effects, so Connect may use GET). Generated clients hold one per RPC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodInfo {
    path: &'static str,
    idempotent: bool,
}

impl MethodInfo {
    /// A method at `path` (`/package.Service/Method`).
    pub const fn new(path: &'static str) -> MethodInfo {
        MethodInfo {
            path,
            idempotent: false,
        }
    }

    /// Marks the method idempotent.
    pub const fn idempotent(mut self) -> MethodInfo {
        self.idempotent = true;
        self
    }

    /// The path, `/package.Service/Method`.
    pub fn path(&self) -> &'static str {
        self.path
    }
}

/// A connection to a server, and how to speak to it.
///
/// Cloning is cheap (the pool and settings are shared) and clones may be
/// used from any task at once: on HTTP/2 their calls share one connection
/// as concurrent streams.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: Uri,
    /// A path the URL had (`https://host/api`), prefixed to every method.
    prefix: String,
    transport: transport::Transport,
    interceptors: Interceptors,
    protocol: Protocol,
    codec: Codec,
    http2: bool,
    timeout: Option<Duration>,
    compression: Compression,
    compress_min_bytes: usize,
    accept_compression: bool,
    connect_get: bool,
    max_message_size: usize,
    validate: bool,
    json: Arc<JsonOptions>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("protocol", &self.inner.protocol)
            .field("codec", &self.inner.codec)
            .field("http2", &self.inner.http2)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A gRPC client for `url` (`http://host:port` or `https://...`),
    /// with every other setting at its default. Connections open at the
    /// first call.
    pub fn new(url: &str) -> Result<Client, BuildError> {
        Client::builder(url).build()
    }

    /// A builder for a client of `url`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// A builder for a client that calls `router` in this process,
    /// through the whole protocol stack (headers, envelopes, compression,
    /// status) but no socket: for fast tests.
    ///
    /// ```
    /// # use typerpc::{service, Message, Status};
    /// # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
    /// # pub struct EchoService;
    /// # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let router = typerpc::Router::new().add(EchoService);
    /// let client = EchoServiceClient::new(typerpc::Client::in_memory(router).build().unwrap());
    /// assert_eq!(client.echo(Ping { n: 7 }).await.unwrap(), Ping { n: 7 });
    /// # });
    /// ```
    ///
    /// Any `tower::Service` over HTTP requests works the same way (an
    /// axum app that nests the router, say).
    pub fn in_memory<S, B>(service: S) -> ClientBuilder
    where
        S: tower_service::Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ClientBuilder::in_memory(transport::boxed_service(service))
    }

    /// The protocol this client speaks.
    pub fn protocol(&self) -> Protocol {
        self.inner.protocol
    }

    /// The URL this client calls (`http://in-memory` for in-memory ones).
    pub fn url(&self) -> String {
        let base = &self.inner.base;
        format!(
            "{}://{}{}",
            base.scheme_str().unwrap_or("http"),
            base.authority().map_or("", |a| a.as_str()),
            self.inner.prefix
        )
    }

    /// Calls a unary method. Generated clients call this (and the three
    /// below); call it directly for a method known only by its path,
    /// `MethodInfo::new("/package.Service/Method")`.
    ///
    /// Errors are the server's status with its details, headers and
    /// trailers, `unavailable` when the server cannot be reached, and
    /// `deadline_exceeded` when the deadline passes first, whether or not
    /// the server noticed.
    pub async fn unary<Req: Message, Res: Message>(
        &self,
        method: MethodInfo,
        request: Req,
        options: CallOptions,
    ) -> Result<Response<Res>, Status> {
        before_send(&request, self.inner.validate)?;
        let mut call = self.prepare(method, options, CallShape::Unary)?;
        let body = call.encode(&request)?;
        let response = self.unary_encoded(&mut call, body).await?;
        let (headers, bytes, trailers) = response.into_parts();
        Ok(Response::new(headers, call.decode(&bytes)?, trailers))
    }

    /// A unary call with its request encoded, through the interceptors
    /// (and their retries), within the deadline.
    pub(crate) async fn unary_encoded(
        &self,
        call: &mut call::Call,
        body: bytes::Bytes,
    ) -> Result<Response<bytes::Bytes>, Status> {
        let span = self.span(call);
        if span.is_disabled() {
            return self.unary_intercepted(call, body).await;
        }
        telemetry::write_trace(&span, &mut call.headers);
        let start = std::time::Instant::now();
        let result = self
            .unary_intercepted(call, body)
            .instrument(span.clone())
            .await;
        let error = result.as_ref().err();
        telemetry::finish(
            &span,
            Side::Client,
            self.inner.protocol,
            error,
            start.elapsed(),
        );
        result
    }

    /// The span of a call (see [`telemetry`]); disabled when no
    /// subscriber wants it.
    fn span(&self, call: &call::Call) -> tracing::Span {
        let authority = self.inner.base.authority().map_or("", |a| a.as_str());
        telemetry::client_span(call.method.path(), self.inner.protocol, authority)
    }

    /// A unary call through the interceptors.
    async fn unary_intercepted(
        &self,
        call: &mut call::Call,
        body: bytes::Bytes,
    ) -> Result<Response<bytes::Bytes>, Status> {
        let interceptors = &self.inner.interceptors;
        if interceptors.is_empty() {
            return call::with_deadline(call.deadline, self.attempt_unary(call, body)).await;
        }
        let start = std::time::Instant::now();
        let headers = call.headers.clone();
        let mut attempt = 1;
        loop {
            call.headers = headers.clone();
            let before = interceptors.before(&mut self.client_call(call, attempt));
            let result = match before {
                Ok(()) => {
                    call::with_deadline(call.deadline, self.attempt_unary(call, body.clone())).await
                }
                Err(status) => Err(status),
            };
            let retry = match &result {
                Err(status) => interceptors.retry(&self.client_call(call, attempt), status),
                Ok(_) => None,
            };
            if let Some(delay) = retry {
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            interceptors.after(
                &self.client_call(call, attempt),
                start,
                attempt,
                result.as_ref().err(),
            );
            return result;
        }
    }

    /// One attempt of a unary call.
    async fn attempt_unary(
        &self,
        call: &call::Call,
        body: bytes::Bytes,
    ) -> Result<Response<bytes::Bytes>, Status> {
        match self.inner.protocol {
            Protocol::Connect => connect::unary(self, call, body).await,
            _ => {
                let requests = futures_util::stream::iter([Ok(body)]).boxed();
                call::single(self.enveloped(call, requests).await?).await
            }
        }
    }

    /// The call as interceptors see it.
    fn client_call<'a>(&self, call: &'a mut call::Call, attempt: u32) -> ClientCall<'a> {
        ClientCall::new(self.call_facts(call), attempt, &mut call.headers)
    }

    fn call_facts(&self, call: &call::Call) -> interceptor::CallFacts {
        interceptor::CallFacts {
            procedure: call.method.path(),
            shape: call.shape,
            protocol: self.inner.protocol,
            codec: self.inner.codec,
            idempotent: call.method.idempotent,
            deadline: call.deadline,
        }
    }

    /// Starts a streaming call (any shape) through the interceptors:
    /// `before` now, `after` when the stream ends.
    pub(crate) async fn streaming_encoded(
        &self,
        call: &mut call::Call,
        requests: call::Requests,
    ) -> Result<Streaming<bytes::Bytes>, Status> {
        let span = self.span(call);
        if !span.is_disabled() {
            telemetry::write_trace(&span, &mut call.headers);
            let start = std::time::Instant::now();
            let protocol = self.inner.protocol;
            let result = self
                .streaming_intercepted(call, requests)
                .instrument(span.clone())
                .await;
            return match result {
                // The span ends with the stream.
                Ok(raw) => Ok(raw.on_end(move |error| {
                    telemetry::finish(&span, Side::Client, protocol, error, start.elapsed());
                })),
                Err(status) => {
                    let elapsed = start.elapsed();
                    telemetry::finish(&span, Side::Client, protocol, Some(&status), elapsed);
                    Err(status)
                }
            };
        }
        self.streaming_intercepted(call, requests).await
    }

    /// A streaming call through the interceptors.
    async fn streaming_intercepted(
        &self,
        call: &mut call::Call,
        requests: call::Requests,
    ) -> Result<Streaming<bytes::Bytes>, Status> {
        let interceptors = &self.inner.interceptors;
        if interceptors.is_empty() {
            return call::with_deadline(call.deadline, self.enveloped(call, requests)).await;
        }
        let start = std::time::Instant::now();
        let before = interceptors.before(&mut self.client_call(call, 1));
        let mut end = interceptor::StreamEnd::new(
            interceptors.clone(),
            self.call_facts(call),
            call.headers.clone(),
            start,
        );
        let result = match before {
            Ok(()) => call::with_deadline(call.deadline, self.enveloped(call, requests)).await,
            Err(status) => Err(status),
        };
        match result {
            Ok(raw) => Ok(raw.on_end(move |error| end.report(error))),
            Err(status) => {
                end.report(Some(&status));
                Err(status)
            }
        }
    }

    /// Calls a server-streaming method; resolves once the response
    /// headers have arrived.
    pub async fn server_streaming<Req: Message, Res: Message>(
        &self,
        method: MethodInfo,
        request: Req,
        options: CallOptions,
    ) -> Result<Streaming<Res>, Status> {
        before_send(&request, self.inner.validate)?;
        let mut call = self.prepare(method, options, CallShape::ServerStreaming)?;
        let body = call.encode(&request)?;
        let requests = futures_util::stream::iter([Ok(body)]).boxed();
        let raw = self.streaming_encoded(&mut call, requests).await?;
        Ok(call.typed(raw))
    }

    /// Calls a client-streaming method: sends `requests` as they come,
    /// then waits for the one response.
    pub async fn client_streaming<Req: Message, Res: Message>(
        &self,
        method: MethodInfo,
        requests: impl Stream<Item = Req> + Send + 'static,
        options: CallOptions,
    ) -> Result<Response<Res>, Status> {
        let mut call = self.prepare(method, options, CallShape::ClientStreaming)?;
        let requests = call.encode_stream(requests);
        let deadline = call.deadline;
        call::with_deadline(deadline, async {
            let raw = self.streaming_encoded(&mut call, requests).await?;
            let (headers, bytes, trailers) = call::single(raw).await?.into_parts();
            Ok(Response::new(headers, call.decode(&bytes)?, trailers))
        })
        .await
    }

    /// Calls a bidirectional method: sends `requests` as they come while
    /// responses are read (full duplex on HTTP/2; over HTTP/1.1 half
    /// duplex, the responses coming once the requests have ended).
    pub async fn bidi_streaming<Req: Message, Res: Message>(
        &self,
        method: MethodInfo,
        requests: impl Stream<Item = Req> + Send + 'static,
        options: CallOptions,
    ) -> Result<Streaming<Res>, Status> {
        let mut call = self.prepare(method, options, CallShape::BidiStreaming)?;
        let requests = call.encode_stream(requests);
        let raw = self.streaming_encoded(&mut call, requests).await?;
        Ok(call.typed(raw))
    }
}

/// The check every request passes before it is sent: its declared
/// constraints, unless the client was built with
/// [`validate_requests(false)`](ClientBuilder::validate_requests). A
/// request bound to fail is refused here with the status the server
/// would send (`invalid_argument` with a `BadRequest` detail), without a
/// round trip.
fn before_send<M: Message>(message: &M, validate: bool) -> Result<(), Status> {
    if validate {
        crate::validate::check_outgoing(message)
    } else {
        Ok(())
    }
}

/// Decodes a binary (`-bin`) metadata value as received, padded or not.
pub fn decode_binary_header(value: &http::HeaderValue) -> Option<Vec<u8>> {
    crate::protocol::grpc_status::decode_bin(value.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send<T: Send>(_: T) {}

    /// Calls run on multi-threaded runtimes and in spawned tasks.
    #[allow(dead_code)]
    fn call_futures_are_send(client: Client) {
        let method = MethodInfo::new("/a.B/C");
        let client1 = client.clone();
        is_send(async move {
            let _ = client1
                .unary::<crate::Empty, crate::Empty>(method, crate::Empty {}, CallOptions::new())
                .await;
        });
        let client2 = client.clone();
        is_send(async move {
            let requests = futures_util::stream::iter([crate::Empty {}]);
            let _ = client2
                .bidi_streaming::<crate::Empty, crate::Empty>(method, requests, CallOptions::new())
                .await;
        });
    }
}
