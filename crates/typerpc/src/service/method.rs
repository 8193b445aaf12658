//! One callable method, with its request and response types erased so
//! the router can hold every method of every service in one table.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use futures_util::FutureExt;

use super::stream::{RequestStream, ResponseStream};
use super::Context;
use crate::message::json::JsonOptions;
use crate::schema::model::MethodSchema;
use crate::{Message, Status, TypeRegistry};

/// A boxed, sendable future: what a handler returns once erased.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a `#[service]` method returns: `Result<Response, Status>`.
#[diagnostic::on_unimplemented(
    message = "an RPC method must return `Result<Response, typerpc::Status>`, not `{Self}`",
    note = "the response type must derive `typerpc::Message` (use `()` for google.protobuf.Empty)"
)]
pub trait RpcResult {
    /// The response message.
    type Response: Message;
    /// The result itself.
    fn into_result(self) -> Result<Self::Response, Status>;
}

impl<M: Message> RpcResult for Result<M, Status> {
    type Response = M;
    #[inline]
    fn into_result(self) -> Result<M, Status> {
        self
    }
}

/// How request and response messages are encoded on this call.
#[derive(Clone, Debug)]
pub(crate) enum Format {
    /// Protobuf binary.
    Proto,
    /// proto3 JSON.
    Json(Arc<JsonOptions>),
}

/// Room an encoded response leaves around the message for the
/// protocol's framing, so that the protocol writes its envelope in place
/// instead of copying the message into a second buffer: gRPC's 5-byte
/// header before it, gRPC-Web's trailers frame after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Room {
    /// Bytes before the message, left zero for the protocol to fill.
    pub head: usize,
    /// Spare capacity after the message.
    pub tail: usize,
}

impl Room {
    /// No framing: the message alone (Connect).
    pub const NONE: Room = Room { head: 0, tail: 0 };

    /// A buffer of the room's head, zeroed, with capacity for a message
    /// of `len` bytes and the tail.
    fn buffer(self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.head + len + self.tail);
        out.resize(self.head, 0);
        out
    }

    /// `message` with this room around it, for a response encoded
    /// without it (a streaming handler answering a unary call).
    fn around(self, message: Vec<u8>) -> Vec<u8> {
        if self == Room::NONE {
            return message;
        }
        let mut out = self.buffer(message.len());
        out.extend_from_slice(&message);
        out
    }
}

/// A boxed future that borrows what it was called with (the handler and
/// the call's format) rather than sharing them by reference counts.
type CallFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The erased form of a unary method. The response comes back with
/// `room` around it.
trait UnaryHandler: Send + Sync {
    fn call<'a>(
        &'a self,
        ctx: Context,
        request: Bytes,
        format: &'a Format,
        room: Room,
    ) -> CallFuture<'a, Result<Vec<u8>, Status>>;
}

/// A typed unary handler, as `#[service]` writes it: a closure calling
/// the method. Its future is not boxed on its own but held inline in the
/// one future [`UnaryHandler::call`] boxes, which saves an allocation and
/// an indirect call on every unary call.
struct Unary<S, F, Req> {
    service: Arc<S>,
    function: F,
    request: PhantomData<fn(Req)>,
}

impl<S, F, Fut, Req, Res> UnaryHandler for Unary<S, F, Req>
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Res, Status>> + Send + 'static,
    Req: Message,
    Res: Message,
{
    fn call<'a>(
        &'a self,
        ctx: Context,
        request: Bytes,
        format: &'a Format,
        room: Room,
    ) -> CallFuture<'a, Result<Vec<u8>, Status>> {
        let request = match decode::<Req>(&request, format) {
            Ok(request) => request,
            Err(status) => return Box::pin(std::future::ready(Err(status))),
        };
        let future = (self.function)(Arc::clone(&self.service), ctx, request);
        Box::pin(async move {
            // A panicking handler fails its own call, not the connection,
            // and its panic text stays on the server.
            let response = match AssertUnwindSafe(future).catch_unwind().await {
                Ok(result) => result?,
                Err(_) => return Err(Status::internal("the handler panicked")),
            };
            encode_in(&response, format, room)
        })
    }
}

/// Encoded request messages, out of their envelopes and decompressed, in
/// the call's codec ([`Context::codec`]).
pub type EncodedStream = BoxStream<'static, Result<Bytes, Status>>;

/// Encoded response messages in the call's codec, not yet compressed or
/// enveloped.
pub type EncodedResponses = BoxStream<'static, Result<Vec<u8>, Status>>;

/// A method that works on encoded messages, for front-ends that know a
/// method only at run time: a gateway forwarding calls it knows by their
/// descriptors, or another language registering handlers. The pipeline
/// serves it exactly as a typed method: every protocol, the interceptors,
/// deadlines, compression and limits; only decoding, validation and
/// encoding are the handler's. Messages are in [`Context::codec`].
///
/// Every call shape goes through this one function: a unary or
/// server-streaming method gets a stream of exactly one request, and a
/// unary or client-streaming method must answer exactly one response.
pub trait EncodedHandler: Send + Sync + 'static {
    /// Serves one call.
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
    ) -> BoxFuture<Result<EncodedResponses, Status>>;
}

/// An [`EncodedHandler`] as the pipeline holds a streaming method.
struct Encoded<H>(H);

impl<H: EncodedHandler> StreamingHandler for Encoded<H> {
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
        _format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        let future = self.0.call(ctx, requests);
        Box::pin(async move {
            let responses = guarded(future).await?;
            Ok(AssertUnwindSafe(responses)
                .catch_unwind()
                .map(|item| item.unwrap_or_else(|_| Err(Status::internal("the handler panicked"))))
                .boxed())
        })
    }
}

/// A typed server-streaming handler, as `#[service]` writes it.
type ServerStreamingFn<S, Req, Res> =
    fn(Arc<S>, Context, Req) -> BoxFuture<Result<ResponseStream<Res>, Status>>;
/// A typed client-streaming handler, as `#[service]` writes it.
type ClientStreamingFn<S, Req, Res> =
    fn(Arc<S>, Context, RequestStream<Req>) -> BoxFuture<Result<Res, Status>>;
/// A typed bidirectional handler, as `#[service]` writes it.
type BidiStreamingFn<S, Req, Res> =
    fn(Arc<S>, Context, RequestStream<Req>) -> BoxFuture<Result<ResponseStream<Res>, Status>>;

/// The erased form of a streaming method of any shape.
trait StreamingHandler: Send + Sync {
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
        format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>>;
}

/// What every typed handler knows of its types.
trait TypedHandler {
    fn register(&self) -> fn(&mut TypeRegistry);
}

struct ServerStreaming<S, Req, Res> {
    service: Arc<S>,
    function: ServerStreamingFn<S, Req, Res>,
}

struct ClientStreaming<S, Req, Res> {
    service: Arc<S>,
    function: ClientStreamingFn<S, Req, Res>,
}

struct BidiStreaming<S, Req, Res> {
    service: Arc<S>,
    function: BidiStreamingFn<S, Req, Res>,
}

macro_rules! typed_handler {
    ($($name:ident),*) => {$(
        impl<S, Req: Message, Res: Message> TypedHandler for $name<S, Req, Res> {
            fn register(&self) -> fn(&mut TypeRegistry) {
                register_pair::<Req, Res>
            }
        }
    )*};
}
typed_handler!(ServerStreaming, ClientStreaming, BidiStreaming);

impl<S, Req, Res> StreamingHandler for ServerStreaming<S, Req, Res>
where
    S: Send + Sync + 'static,
    Req: Message,
    Res: Message,
{
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
        format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        let service = Arc::clone(&self.service);
        let function = self.function;
        let format = format.clone();
        Box::pin(async move {
            let request = decode::<Req>(&exactly_one(requests).await?, &format)?;
            let responses = guarded(function(service, ctx, request)).await?;
            Ok(encode_stream(responses, format))
        })
    }
}

impl<S, Req, Res> StreamingHandler for ClientStreaming<S, Req, Res>
where
    S: Send + Sync + 'static,
    Req: Message,
    Res: Message,
{
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
        format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        let requests = decode_stream::<Req>(requests, format.clone());
        let future = guarded((self.function)(Arc::clone(&self.service), ctx, requests));
        let format = format.clone();
        Box::pin(async move {
            let response = encode(&future.await?, &format);
            Ok(futures_util::stream::iter([response]).boxed())
        })
    }
}

impl<S, Req, Res> StreamingHandler for BidiStreaming<S, Req, Res>
where
    S: Send + Sync + 'static,
    Req: Message,
    Res: Message,
{
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
        format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        let requests = decode_stream::<Req>(requests, format.clone());
        let future = guarded((self.function)(Arc::clone(&self.service), ctx, requests));
        let format = format.clone();
        Box::pin(async move { Ok(encode_stream(future.await?, format)) })
    }
}

/// Runs a handler's future so that a panic fails the call with an opaque
/// `internal`, not the connection, and its text stays on the server.
async fn guarded<T>(future: BoxFuture<Result<T, Status>>) -> Result<T, Status> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(_) => Err(Status::internal("the handler panicked")),
    }
}

/// The single request of a unary or server-streaming call: exactly one
/// message, then the end of the stream. Anything else is `unimplemented`,
/// as grpc-go and connect-go answer (the client speaks another shape).
async fn exactly_one(mut requests: EncodedStream) -> Result<Bytes, Status> {
    let Some(first) = requests.next().await.transpose()? else {
        return Err(Status::unimplemented(
            "the request has no message; this method takes exactly one",
        ));
    };
    if requests.next().await.transpose()?.is_some() {
        return Err(Status::unimplemented(
            "the request has more than one message; this method takes exactly one",
        ));
    }
    Ok(first)
}

/// Decodes each request as the handler asks for it.
fn decode_stream<M: Message>(requests: EncodedStream, format: Format) -> RequestStream<M> {
    RequestStream::new(
        requests.map(move |item| item.and_then(|bytes| decode::<M>(&bytes, &format))),
    )
}

/// Encodes each response as the protocol asks for it; a panic while the
/// handler's stream produces a message ends the call with `internal`.
fn encode_stream<M: Message>(responses: ResponseStream<M>, format: Format) -> EncodedResponses {
    AssertUnwindSafe(responses)
        .catch_unwind()
        .map(move |item| match item {
            Ok(Ok(message)) => encode(&message, &format),
            Ok(Err(status)) => Err(status),
            Err(_) => Err(Status::internal("the handler panicked")),
        })
        .boxed()
}

/// Decodes a request on the server and checks its declared constraints:
/// every request message, unary or streamed, passes here before the
/// handler sees it.
fn decode<M: Message>(bytes: &[u8], format: &Format) -> Result<M, Status> {
    let message = decode_or(bytes, format, |e| {
        Status::invalid_argument(format!(
            "the request is not a valid {}: {e}",
            M::schema().name
        ))
    })?;
    crate::validate::check_request(&message)?;
    Ok(message)
}

/// Decodes a response on the client: a response that does not decode is
/// `internal` (the server broke the contract, not the caller), as gRPC
/// clients report it.
pub(crate) fn decode_response<M: Message>(bytes: &[u8], format: &Format) -> Result<M, Status> {
    decode_or(bytes, format, |e| {
        Status::internal(format!(
            "the response is not a valid {}: {e}",
            M::schema().name
        ))
    })
}

fn decode_or<M: Message>(
    bytes: &[u8],
    format: &Format,
    error: impl FnOnce(String) -> Status,
) -> Result<M, Status> {
    match format {
        Format::Proto => M::decode(bytes).map_err(|e| error(e.to_string())),
        Format::Json(options) => {
            M::from_json_with(bytes, options).map_err(|e| error(e.to_string()))
        }
    }
}

/// Encodes a message in the call's format (both the server's responses
/// and the client's requests).
pub(crate) fn encode<M: Message>(message: &M, format: &Format) -> Result<Vec<u8>, Status> {
    encode_in(message, format, Room::NONE)
}

/// Encodes a message in the call's format with `room` around it.
fn encode_in<M: Message>(message: &M, format: &Format, room: Room) -> Result<Vec<u8>, Status> {
    match format {
        Format::Proto => {
            let mut out = room.buffer(message.encoded_len());
            message.encode_raw(&mut out);
            Ok(out)
        }
        Format::Json(options) => with_json_scratch(|json| {
            message
                .write_json_into(json, options)
                .map_err(|e| Status::internal(format!("the message has no JSON form: {e}")))?;
            let mut out = room.buffer(json.len());
            out.extend_from_slice(json);
            Ok(out)
        }),
    }
}

/// A thread's buffer for writing JSON, whose size is not known before it
/// is written. The text is then copied out into a vector of exactly its
/// length, which becomes `Bytes` without another allocation; written
/// straight into a vector, the text would take a guessed capacity, grow
/// as it goes, and cost a second allocation as `Bytes` (whose cheap form
/// needs the length to equal the capacity).
fn with_json_scratch<T>(write: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    /// A buffer grown past this is not kept for the next message.
    const KEEP: usize = 64 * 1024;
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| {
        // Writing a message's JSON may encode another (an `Any` holds
        // one): the nested write gets a buffer of its own.
        let Ok(mut out) = scratch.try_borrow_mut() else {
            return write(&mut Vec::new());
        };
        out.clear();
        let result = write(&mut out);
        if out.capacity() > KEEP {
            *out = Vec::new();
        }
        result
    })
}

/// One method of a service, ready to be routed. Cloning shares the service.
#[derive(Clone)]
pub struct Method {
    schema: &'static MethodSchema,
    handler: Handler,
    register: fn(&mut TypeRegistry),
}

/// Unary methods keep a path of their own: one message in, one out, no
/// streams to allocate, which is most calls.
#[derive(Clone)]
enum Handler {
    Unary(Arc<dyn UnaryHandler>),
    Streaming(Arc<dyn StreamingHandler>),
}

impl std::fmt::Debug for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Method")
            .field("name", &self.schema.name)
            .finish()
    }
}

fn register_pair<Req: Message, Res: Message>(registry: &mut TypeRegistry) {
    registry.register::<Req>();
    registry.register::<Res>();
}

impl Method {
    /// A unary method. Called by `#[service]`'s expansion.
    #[doc(hidden)]
    pub fn unary<S, Req, Res, F, Fut>(
        schema: &'static MethodSchema,
        service: Arc<S>,
        function: F,
    ) -> Method
    where
        S: Send + Sync + 'static,
        Req: Message,
        Res: Message,
        F: Fn(Arc<S>, Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Res, Status>> + Send + 'static,
    {
        let handler = Unary {
            service,
            function,
            request: PhantomData,
        };
        Method {
            schema,
            handler: Handler::Unary(Arc::new(handler)),
            register: register_pair::<Req, Res>,
        }
    }

    /// A server-streaming method. Called by `#[service]`'s expansion.
    #[doc(hidden)]
    pub fn server_streaming<S, Req, Res>(
        schema: &'static MethodSchema,
        service: Arc<S>,
        function: ServerStreamingFn<S, Req, Res>,
    ) -> Method
    where
        S: Send + Sync + 'static,
        Req: Message,
        Res: Message,
    {
        Method::streaming(schema, ServerStreaming { service, function })
    }

    /// A client-streaming method. Called by `#[service]`'s expansion.
    #[doc(hidden)]
    pub fn client_streaming<S, Req, Res>(
        schema: &'static MethodSchema,
        service: Arc<S>,
        function: ClientStreamingFn<S, Req, Res>,
    ) -> Method
    where
        S: Send + Sync + 'static,
        Req: Message,
        Res: Message,
    {
        Method::streaming(schema, ClientStreaming { service, function })
    }

    /// A bidirectional-streaming method. Called by `#[service]`'s expansion.
    #[doc(hidden)]
    pub fn bidi_streaming<S, Req, Res>(
        schema: &'static MethodSchema,
        service: Arc<S>,
        function: BidiStreamingFn<S, Req, Res>,
    ) -> Method
    where
        S: Send + Sync + 'static,
        Req: Message,
        Res: Message,
    {
        Method::streaming(schema, BidiStreaming { service, function })
    }

    /// A method served by a handler of encoded messages (see
    /// [`EncodedHandler`]), described by `schema`. Its request and
    /// response types are the schema's; the handler decodes and encodes
    /// them itself.
    pub fn encoded(schema: &'static MethodSchema, handler: impl EncodedHandler) -> Method {
        Method {
            schema,
            register: |_| {},
            handler: Handler::Streaming(Arc::new(Encoded(handler))),
        }
    }

    fn streaming<H: StreamingHandler + TypedHandler + 'static>(
        schema: &'static MethodSchema,
        handler: H,
    ) -> Method {
        Method {
            schema,
            register: handler.register(),
            handler: Handler::Streaming(Arc::new(handler)),
        }
    }

    /// Whether either side streams (the protocol layer serves the call with
    /// streams rather than single messages).
    pub fn is_streaming(&self) -> bool {
        self.schema.client_streaming || self.schema.server_streaming
    }

    /// The method's schema (name, types, idempotency).
    pub fn schema(&self) -> &'static MethodSchema {
        self.schema
    }

    /// Registers the request and response types for `Any` in JSON.
    pub(crate) fn register_types(&self, registry: &mut TypeRegistry) {
        (self.register)(registry)
    }

    /// Calls the method with an encoded request; returns the encoded
    /// response with `room` around it. Decoding failures are `invalid_argument`; a panic in the
    /// handler is `internal`.
    pub(crate) fn call_unary<'a>(
        &'a self,
        ctx: Context,
        request: Bytes,
        format: &'a Format,
        room: Room,
    ) -> CallFuture<'a, Result<Vec<u8>, Status>> {
        match &self.handler {
            Handler::Unary(handler) => handler.call(ctx, request, format, room),
            Handler::Streaming(handler) => {
                // Not reached by the protocols, which ask `is_streaming`
                // first; answered properly all the same.
                let requests = futures_util::stream::iter([Ok(request)]).boxed();
                let responses = handler.call(ctx, requests, format);
                Box::pin(async move {
                    let mut responses = responses.await?;
                    let first = responses.next().await.transpose()?;
                    first
                        .map(|message| room.around(message))
                        .ok_or_else(|| Status::internal("the handler sent no response"))
                })
            }
        }
    }

    /// Calls the method with a stream of encoded requests (already out of
    /// their envelopes and decompressed); resolves, once the handler
    /// returns, to the stream of encoded responses. Works for every shape:
    /// a unary method reads exactly one request and answers one response.
    pub(crate) fn call_streaming(
        &self,
        ctx: Context,
        requests: EncodedStream,
        format: &Format,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        match &self.handler {
            Handler::Streaming(handler) => handler.call(ctx, requests, format),
            Handler::Unary(handler) => {
                let handler = Arc::clone(handler);
                let format = format.clone();
                Box::pin(async move {
                    let request = exactly_one(requests).await?;
                    let response = handler.call(ctx, request, &format, Room::NONE).await?;
                    Ok(futures_util::stream::iter([Ok(response)]).boxed())
                })
            }
        }
    }
}
