//! The server's one pipeline: every protocol, every call shape.
//!
//! ```text
//! recognise the wire ─ route ─ read the head (deadline, compression)
//!   ─ context ─ interceptors (before) ─ read the request ─ decode, validate
//!   ─ handler, within the deadline ─ write the response ─ interceptors (after)
//! ```
//!
//! What differs between protocols is asked of `grpc` and `connect` at the
//! few points where they differ: how a unary request body holds its
//! message, how a successful unary response and an error are written. What
//! differs between call shapes is only whether messages are read and
//! written as one or as streams.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::Either;
use futures_util::stream::StreamExt;
use futures_util::FutureExt;
use http::{
    header, HeaderMap, HeaderName, HeaderValue, Method as HttpMethod, Request, Response, Version,
};
use tracing::{Instrument, Span};

use super::body::RpcBody;
use super::compression::Compression;
use super::config::Config;
use super::connect::{self, GetQuery};
use super::observe::{CallWatch, Observer};
use super::request_reader::{self, Framing};
use super::response_writer::{Ending, ResponseFrames, Writing, COMPRESS_MIN_BYTES};
use super::unary_read::{Collected, ReadUnary};
use super::wire::{Form, Wire};
use super::{grpc, refusals, timeout};
use crate::service::deadline::within_deadline;
use crate::service::telemetry;
use crate::service::{
    CallFacts, CallShape, Caller, Chain, Context, EncodedResponses, Method, Protocol, Room,
};
use crate::Status;

/// A method as the router holds it: the method, its procedure name and
/// its interceptors.
#[derive(Clone)]
pub(crate) struct Route {
    pub method: Method,
    /// `/package.Service/Method`.
    pub procedure: Arc<str>,
    pub shape: CallShape,
    pub chain: Chain,
}

impl Route {
    pub(crate) fn new(method: Method, procedure: String) -> Route {
        let schema = method.schema();
        Route {
            shape: CallShape::of(schema.client_streaming, schema.server_streaming),
            method,
            procedure: Arc::from(procedure),
            chain: Chain::default(),
        }
    }
}

/// A route's number in the table of the router that holds it.
pub(crate) type RouteId = usize;

/// What owns the routes and the configuration: the router. A call's
/// future holds it (moved in, not cloned) and names its route by number,
/// so that the future borrows nothing and needs nothing around it.
pub(crate) trait Routes: Send + Sync + 'static {
    /// The configuration every call reads.
    fn config(&self) -> &Config;

    /// The route numbered `id`.
    fn route(&self, id: RouteId) -> &Route;
}

/// What the request head says about the call.
struct Head {
    deadline: Option<Instant>,
    request_compression: Compression,
    response_compression: Compression,
}

/// Serves one request; `route` is the method its path names, if any, and
/// `caller` who sent it when the server knows (otherwise the request's
/// extensions say).
///
/// Every unary call's future is this one, allocated once per call and
/// moved whole at each step: what only some calls need (interceptors, a
/// streaming call, an early answer) is boxed on its own, so that the
/// future stays the size of the common path.
pub(crate) fn serve<R, B>(
    routes: Arc<R>,
    route: Option<RouteId>,
    request: Request<B>,
    caller: Option<Caller>,
) -> impl Future<Output = Response<RpcBody>> + Send + 'static
where
    R: Routes,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // Written as a function that returns one of two futures rather than
    // as an `async fn`, which would keep a copy of its arguments beside
    // the future it awaits.
    let (parts, body) = request.into_parts();
    let http1 = parts.version < Version::HTTP_2;
    match prepare(routes, route, parts, caller) {
        Ok(call) if call.watch.is_none() && !call.method().is_streaming() => {
            Either::Left(call.unary(body, http1))
        }
        prepared => Either::Right(Box::pin(async move {
            let call = match prepared {
                Ok(call) => call,
                Err(early) => return early.after_body(body, http1).await,
            };
            let call = match call.before().await {
                Ok(call) => call,
                Err(early) => return early.after_body(body, http1).await,
            };
            if call.method().is_streaming() {
                call.streaming(body, http1).await
            } else {
                call.unary(body, http1).await
            }
        })),
    }
}

/// An answer given before the request body was read.
struct EarlyAnswer {
    response: Response<RpcBody>,
    /// The body's `content-length`, for an answer over HTTP/2.
    declared_length: Option<u64>,
}

impl EarlyAnswer {
    #[cold]
    #[inline(never)]
    fn new(response: Response<RpcBody>, headers: &HeaderMap) -> EarlyAnswer {
        EarlyAnswer {
            response,
            declared_length: super::body::declared_length(headers),
        }
    }

    /// The answer, once what must be read of the body is: over HTTP/1.1
    /// the rest of it, so that a client still writing it gets the answer
    /// rather than a broken pipe; over HTTP/2 a small body on its way
    /// (see `drain_small_h2`).
    async fn after_body<B: http_body::Body>(self, body: B, http1: bool) -> Response<RpcBody> {
        if http1 {
            super::body::drain(std::pin::pin!(body)).await;
        } else {
            super::body::drain_small_h2(std::pin::pin!(body), self.declared_length).await;
        }
        self.response
    }
}

/// Everything before the request body is read, except the interceptors'
/// `before`: the wire, the route, the head and the context. An answer is
/// an early error.
fn prepare<R: Routes>(
    routes: Arc<R>,
    route_id: Option<RouteId>,
    parts: http::request::Parts,
    caller: Option<Caller>,
) -> Result<Call<R>, Box<EarlyAnswer>> {
    let route = route_id.map(|id| routes.route(id));
    let early = |response| Box::new(EarlyAnswer::new(response, &parts.headers));
    let idempotent = route.is_some_and(|r| r.method.schema().idempotent);
    let Some(mut wire) = Wire::classify(&parts.method, parts.headers.get(header::CONTENT_TYPE))
    else {
        return Err(early(refusals::unsupported(&parts.method, idempotent)));
    };
    if parts.method != HttpMethod::POST && wire.form != Form::ConnectGet {
        return Err(early(refusals::not_allowed(idempotent)));
    }
    if wire.protocol == Protocol::Connect {
        // Connect gives unary and streaming calls their own content
        // types; a method of the other kind is told which to use.
        match (wire.form, route.map(|r| r.method.is_streaming())) {
            (Form::ConnectUnary | Form::ConnectGet, Some(true)) => {
                return Err(early(refusals::wrong_connect_kind(true)))
            }
            (Form::Enveloped, Some(false)) => {
                return Err(early(refusals::wrong_connect_kind(false)))
            }
            _ => {}
        }
    }
    let refuse = |wire, status| {
        early(error_response(
            wire,
            status,
            HeaderMap::new(),
            HeaderMap::new(),
        ))
    };
    if wire.protocol == Protocol::Grpc && parts.version != Version::HTTP_2 {
        // gRPC needs HTTP/2 trailers; gRPC-Web exists for HTTP/1.1.
        return Err(refuse(
            wire,
            Status::internal("gRPC requires HTTP/2; use gRPC-Web or Connect over HTTP/1.1"),
        ));
    }
    if wire.form == Form::ConnectGet && route.is_none() {
        // A browser or probe asking for a path that is no method.
        return Err(early(connect::unimplemented(parts.uri.path())));
    }
    if wire.form == Form::ConnectGet && !idempotent {
        // Before the query is read: a GET of this method is wrong
        // whatever its query says.
        return Err(early(connect::get_not_idempotent()));
    }
    // A Connect GET names its codec and carries its message in the query.
    let query = if wire.form == Form::ConnectGet {
        match GetQuery::parse(parts.uri.query().unwrap_or("")) {
            Ok(query) => {
                wire.codec = query.codec;
                Some(query)
            }
            Err(status) => return Err(refuse(wire, status)),
        }
    } else {
        None
    };
    let (Some(id), Some(route)) = (route_id, route) else {
        let path = parts.uri.path();
        return Err(early(match wire.protocol {
            Protocol::Connect => connect::unimplemented(path),
            _ => grpc::trailers_only(
                wire,
                &Status::unimplemented(format!("no method {path}")),
                HeaderMap::new(),
            ),
        }));
    };
    let head = match read_head(wire, &parts.headers, query.as_ref()) {
        Ok(head) => head,
        Err(status) => return Err(refuse(wire, status)),
    };

    let ctx = Context::for_call(
        parts,
        head.deadline,
        CallFacts {
            procedure: Arc::clone(&route.procedure),
            shape: route.shape,
            protocol: wire.protocol,
            codec: wire.codec,
        },
        caller,
    );
    // The call's span, when a `tracing` subscriber wants it; otherwise a
    // disabled span, which costs nothing to carry.
    let span = telemetry::server_span(
        &route.procedure,
        wire.protocol,
        ctx.peer_addr(),
        ctx.request_headers(),
    );
    let watch = if route.chain.is_empty() && span.is_disabled() && !telemetry::server_logs_enabled()
    {
        None
    } else {
        Some(Box::new(CallWatch::new(
            route.chain.clone(),
            ctx.clone(),
            span,
            Instant::now(),
        )))
    };
    Ok(Call {
        routes,
        route: id,
        wire,
        head,
        query,
        ctx,
        watch,
    })
}

/// The answer to a call that something around the router failed (a
/// tower layer: a timeout, a load shedder), in the protocol the request
/// speaks; plain text for a request that speaks none.
pub(crate) fn failed_outside(
    method: &HttpMethod,
    content_type: Option<&HeaderValue>,
    status: Status,
) -> Response<RpcBody> {
    match Wire::classify(method, content_type) {
        Some(wire) => error_response(wire, status, HeaderMap::new(), HeaderMap::new()),
        None => {
            let mut response = Response::new(RpcBody::full(format!("typerpc: {status}\n")));
            *response.status_mut() =
                http::StatusCode::from_u16(status.code().connect_http_status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
    }
}

/// The answer to a call that the server refused before routing it (past
/// its bound on calls in flight), in the request's protocol, given once
/// what must be read of its body is (as for any early answer).
pub(crate) async fn refused_outside<B: http_body::Body>(
    request: Request<B>,
    status: Status,
) -> Response<RpcBody> {
    let (parts, body) = request.into_parts();
    let response = failed_outside(
        &parts.method,
        parts.headers.get(header::CONTENT_TYPE),
        status,
    );
    let http1 = parts.version < Version::HTTP_2;
    EarlyAnswer::new(response, &parts.headers)
        .after_body(body, http1)
        .await
}

/// Reads the deadline and the compression of both directions. The
/// response is compressed as the client accepts, or, when it does not
/// say, as the request was.
fn read_head(wire: Wire, headers: &HeaderMap, query: Option<&GetQuery>) -> Result<Head, Status> {
    let (encoding_header, accept_header) = wire.compression_headers();
    let timeout_header = wire.timeout_header();
    let version_header = super::wire::CONNECT_PROTOCOL_VERSION;
    let [version, timeout, encoding, accept] = find_headers(
        headers,
        [
            (wire.protocol == Protocol::Connect).then_some(&version_header),
            Some(&timeout_header),
            Some(&encoding_header),
            Some(&accept_header),
        ],
    );
    if wire.protocol == Protocol::Connect {
        connect::check_version(version)?;
    }
    let deadline = match timeout {
        None => None,
        Some(value) if wire.is_grpc() => Some(Instant::now() + timeout::parse_grpc_timeout(value)?),
        Some(value) => Some(Instant::now() + timeout::parse_connect_timeout(value)?),
    };
    let request_compression = match query {
        Some(query) => match query.compression.as_deref() {
            None => Compression::Identity,
            Some(name) => {
                let value = HeaderValue::from_str(name)
                    .map_err(|_| Status::invalid_argument("invalid compression parameter"))?;
                Compression::from_header(&value)?
            }
        },
        None => match encoding {
            Some(value) => Compression::from_header(value)?,
            None => Compression::Identity,
        },
    };
    Ok(Head {
        deadline,
        request_compression,
        response_compression: Compression::for_response(accept, request_compression),
    })
}

/// The first value of each of `names` (`None`: not wanted), in one pass
/// over the headers: a lookup each would hash every name, on every call.
fn find_headers<'h, const N: usize>(
    headers: &'h HeaderMap,
    names: [Option<&HeaderName>; N],
) -> [Option<&'h HeaderValue>; N] {
    let mut found = [None; N];
    for (name, value) in headers {
        for (slot, wanted) in found.iter_mut().zip(names) {
            if slot.is_none() && wanted == Some(name) {
                *slot = Some(value);
            }
        }
    }
    found
}

/// An error answer in the wire's form; the status's own headers and
/// trailers join those given.
#[cold]
#[inline(never)]
fn error_response(
    wire: Wire,
    mut status: Status,
    mut headers: HeaderMap,
    mut trailers: HeaderMap,
) -> Response<RpcBody> {
    let (status_headers, status_trailers) = status.take_metadata();
    headers.extend(status_headers);
    trailers.extend(status_trailers);
    match (wire.protocol, wire.form) {
        (Protocol::Connect, Form::Enveloped) => {
            // A Connect stream answers 200 and says how it went in the
            // end-of-stream message.
            let writing = writing(wire, Compression::Identity);
            let ending = writing.ending(Some(&status), trailers);
            let data = ending.into_data().unwrap_or_default();
            let mut response = Response::new(RpcBody::full(data));
            stream_head(wire, Compression::Identity, headers, &mut response);
            response
        }
        (Protocol::Connect, _) => connect::error_response(&status, headers, trailers),
        _ => {
            headers.extend(trailers);
            grpc::trailers_only(wire, &status, headers)
        }
    }
}

/// How a stream of responses is written on `wire`.
fn writing(wire: Wire, compression: Compression) -> Writing {
    Writing {
        compression,
        compress_min_bytes: COMPRESS_MIN_BYTES,
        text: wire.protocol == Protocol::GrpcWebText,
        ending: match wire.protocol {
            Protocol::Grpc => Ending::GrpcTrailers,
            Protocol::GrpcWeb | Protocol::GrpcWebText => Ending::WebTrailers,
            Protocol::Connect => Ending::ConnectEndStream,
        },
    }
}

/// The head of a streamed response: the handler's headers, then the
/// protocol's, which win.
fn stream_head(
    wire: Wire,
    compression: Compression,
    handler_headers: HeaderMap,
    response: &mut Response<RpcBody>,
) {
    let headers = response.headers_mut();
    headers.extend(handler_headers);
    headers.insert(header::CONTENT_TYPE, wire.content_type());
    let (encoding, accept) = wire.compression_headers();
    headers.insert(accept, Compression::accept_header());
    if compression != Compression::Identity {
        headers.insert(encoding, HeaderValue::from_static(compression.name()));
    }
}

/// A routed call.
struct Call<R> {
    /// What holds the call's route and the configuration.
    routes: Arc<R>,
    route: RouteId,
    wire: Wire,
    head: Head,
    /// A Connect GET's query, which holds its message.
    query: Option<GetQuery>,
    ctx: Context,
    /// The interceptors' view, if the method has any.
    watch: Option<Box<CallWatch>>,
}

impl<R: Routes> Call<R> {
    fn config(&self) -> &Config {
        self.routes.config()
    }

    fn method(&self) -> &Method {
        &self.routes.route(self.route).method
    }

    /// The interceptors' `before`, in the call's span; a refusal is the
    /// call's answer.
    async fn before(self) -> Result<Self, Box<EarlyAnswer>> {
        let Some(watch) = &self.watch else {
            return Ok(self);
        };
        let before = watch.before().instrument(watch.span().clone()).await;
        if let Err(status) = before {
            watch.finish(Some(&status));
            let metadata = self.ctx.take_response_metadata();
            let response = error_response(self.wire, status, metadata.headers, metadata.trailers);
            return Err(Box::new(EarlyAnswer::new(
                response,
                self.ctx.request_headers(),
            )));
        }
        Ok(self)
    }

    /// One message in, one out. A function returning an `async` block,
    /// not an `async fn`: that would keep a second copy of the call.
    #[allow(clippy::manual_async_fn)]
    fn unary<B>(
        mut self,
        body: B,
        http1: bool,
    ) -> impl Future<Output = Response<RpcBody>> + Send + 'static
    where
        B: http_body::Body + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        async move {
            let limit = self.config().limits.max_message_size;
            let compression = self.head.request_compression;
            let timeout = self.config().body_timeout;
            let request = match self.wire.form {
                Form::ConnectGet => {
                    let message = self.query.take().map(|q| q.message).unwrap_or_default();
                    compression.decompress(&message, limit)
                }
                Form::ConnectUnary => ReadUnary::new(body, Collected::new(limit), http1, timeout)
                    .await
                    .and_then(|body| compression.decompress_bytes(body, limit)),
                Form::Enveloped => {
                    grpc::read_unary_request(body, self.wire, limit, compression, http1, timeout)
                        .await
                }
            };
            let request = match request {
                Ok(request) => request,
                Err(status) => return self.failed(status, None),
            };
            if let Some(watch) = &self.watch {
                watch.request(&request);
            }
            let format = self.config().format(self.wire.codec);
            let room = match self.wire.protocol {
                Protocol::Connect => Room::NONE,
                _ => grpc::response_room(self.wire),
            };
            let mut future = self
                .method()
                .call_unary(self.ctx.clone(), request, format, room);
            let span = self.span();
            if !span.is_disabled() {
                future = Box::pin(future.instrument(span));
            }
            let response = match within_deadline(self.head.deadline, future).await {
                Ok(response) => response,
                Err(status) => return self.failed(status, None),
            };
            if let Some(watch) = &self.watch {
                watch.response(&response[room.head..]);
                watch.finish(None);
            }
            let metadata = self.ctx.take_response_metadata();
            let compression = self.head.response_compression;
            match self.wire.protocol {
                Protocol::Connect => connect::unary_response(
                    self.wire,
                    response,
                    compression,
                    metadata.headers,
                    metadata.trailers,
                ),
                _ => grpc::unary_response(
                    self.wire,
                    response,
                    compression,
                    metadata.headers,
                    metadata.trailers,
                ),
            }
        }
    }

    /// Requests read as the handler asks for them, responses written as
    /// it yields them.
    async fn streaming<B>(mut self, body: B, http1: bool) -> Response<RpcBody>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let framing = Framing {
            limit: self.config().limits.max_message_size,
            compression: self.head.request_compression,
            text: self.wire.protocol == Protocol::GrpcWebText,
            drain_on_error: http1,
            body_timeout: self.config().body_timeout,
        };
        let mut requests = request_reader::messages(body, framing);
        // Shared from here on by the request reader and the writer.
        let observer: Option<Observer> = self.watch.take().map(|watch| Arc::new(*watch));
        if let Some(observer) = observer.clone() {
            requests = requests
                .inspect(move |item| {
                    if let Ok(message) = item {
                        observer.request(message);
                    }
                })
                .boxed();
        }
        let format = self.config().format(self.wire.codec);
        let span = observer
            .as_ref()
            .map_or_else(Span::none, |o| o.span().clone());
        let mut future = self
            .method()
            .call_streaming(self.ctx.clone(), requests, format);
        if !span.is_disabled() {
            future = Box::pin(future.instrument(span.clone()));
        }
        let mut responses = match within_deadline(self.head.deadline, future).await {
            Ok(responses) => responses,
            Err(status) => return self.failed(status, observer.as_deref()),
        };
        if self.head.deadline.is_some() {
            // Calls the handler's stream makes as it runs are bounded too,
            // from its first poll on.
            responses = crate::service::deadline::propagate_deadline_to_stream(
                self.head.deadline,
                responses,
            )
            .boxed();
        }
        if self.wire.is_grpc() {
            // A stream that has already failed, or already ended, before
            // its first message is answered trailers-only, as grpc-go and
            // connect-go do, unless the handler set response headers: those
            // go out as headers of their own, as when a grpc-go handler
            // calls `SendHeader` (a gRPC client would otherwise read them
            // as trailers and see no headers at all).
            let headers_set = self.ctx.has_response_headers();
            match responses.next().now_or_never() {
                Some(Some(Err(status))) if !headers_set => {
                    return self.failed(status, observer.as_deref())
                }
                Some(None) if !headers_set => return self.ended_empty(observer.as_deref()),
                Some(Some(item)) => {
                    responses = futures_util::stream::once(async { item })
                        .chain(responses)
                        .boxed();
                }
                Some(None) => responses = futures_util::stream::empty().boxed(),
                None => {}
            }
        }
        if !span.is_disabled() {
            // The handler's stream runs in its span too, as it is polled.
            responses = telemetry::in_span(responses, span);
        }
        self.respond_stream(responses, observer)
    }

    /// The call's span (disabled when there is none).
    fn span(&self) -> Span {
        self.watch
            .as_ref()
            .map_or_else(Span::none, |watch| watch.span().clone())
    }

    fn respond_stream(
        self,
        responses: EncodedResponses,
        observer: Option<Observer>,
    ) -> Response<RpcBody> {
        let compression = self.head.response_compression;
        let writing = writing(self.wire, compression);
        let headers = self.ctx.take_response_headers();
        let frames =
            ResponseFrames::new(responses, writing, self.ctx, self.head.deadline, observer);
        let mut response = Response::new(RpcBody::streaming(frames));
        stream_head(self.wire, compression, headers, &mut response);
        response
    }

    /// A gRPC stream that ended successfully without a message.
    fn ended_empty(self, watch: Option<&CallWatch>) -> Response<RpcBody> {
        if let Some(watch) = watch.or(self.watch.as_deref()) {
            watch.finish(None);
        }
        let metadata = self.ctx.take_response_metadata();
        let mut headers = metadata.headers;
        headers.extend(metadata.trailers);
        grpc::trailers_only(self.wire, &Status::ok(), headers)
    }

    /// The call failed before its first response message. A streaming
    /// call's watch is shared by then, and given.
    #[cold]
    #[inline(never)]
    fn failed(self, status: Status, watch: Option<&CallWatch>) -> Response<RpcBody> {
        if let Some(watch) = watch.or(self.watch.as_deref()) {
            watch.finish(Some(&status));
        }
        let metadata = self.ctx.take_response_metadata();
        error_response(self.wire, status, metadata.headers, metadata.trailers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_found_in_one_pass_first_value_first() {
        let mut headers = HeaderMap::new();
        headers.append("grpc-timeout", HeaderValue::from_static("1S"));
        headers.append("grpc-encoding", HeaderValue::from_static("gzip"));
        headers.append("grpc-encoding", HeaderValue::from_static("zstd"));
        headers.append("x-other", HeaderValue::from_static("x"));
        let timeout = HeaderName::from_static("grpc-timeout");
        let encoding = HeaderName::from_static("grpc-encoding");
        let absent = HeaderName::from_static("grpc-accept-encoding");
        let [t, e, a, unwanted] = find_headers(
            &headers,
            [Some(&timeout), Some(&encoding), Some(&absent), None],
        );
        assert_eq!(t.unwrap(), "1S");
        assert_eq!(e.unwrap(), "gzip");
        assert!(a.is_none() && unwanted.is_none());
    }
}
