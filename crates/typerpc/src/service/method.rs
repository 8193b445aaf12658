//! One callable method, with its request and response types erased so
//! the router can hold every method of every service in one table.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;

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

/// The erased form of a unary method.
trait UnaryHandler: Send + Sync {
    fn call(
        &self,
        ctx: Context,
        request: Bytes,
        format: &Format,
    ) -> BoxFuture<Result<Vec<u8>, Status>>;
}

/// A typed handler function, as `#[service]` writes it.
type UnaryFn<S, Req, Res> = fn(Arc<S>, Context, Req) -> BoxFuture<Result<Res, Status>>;

struct Unary<S, Req, Res> {
    service: Arc<S>,
    function: UnaryFn<S, Req, Res>,
}

impl<S, Req, Res> UnaryHandler for Unary<S, Req, Res>
where
    S: Send + Sync + 'static,
    Req: Message,
    Res: Message,
{
    fn call(
        &self,
        ctx: Context,
        request: Bytes,
        format: &Format,
    ) -> BoxFuture<Result<Vec<u8>, Status>> {
        let request = match decode::<Req>(&request, format) {
            Ok(request) => request,
            Err(status) => return Box::pin(std::future::ready(Err(status))),
        };
        let format = format.clone();
        let future = (self.function)(Arc::clone(&self.service), ctx, request);
        Box::pin(async move {
            // A panicking handler fails its own call, not the connection,
            // and its panic text stays on the server.
            let response = match AssertUnwindSafe(future).catch_unwind().await {
                Ok(result) => result?,
                Err(_) => return Err(Status::internal("the handler panicked")),
            };
            encode(&response, &format)
        })
    }
}

fn decode<M: Message>(bytes: &[u8], format: &Format) -> Result<M, Status> {
    let message = match format {
        Format::Proto => M::decode(bytes).map_err(|e| {
            Status::invalid_argument(format!(
                "the request is not a valid {}: {e}",
                M::schema().name
            ))
        }),
        Format::Json(options) => M::from_json_with(bytes, options).map_err(|e| {
            Status::invalid_argument(format!(
                "the request is not a valid {}: {e}",
                M::schema().name
            ))
        }),
    }?;
    crate::validate::check_request(&message)?;
    Ok(message)
}

fn encode<M: Message>(message: &M, format: &Format) -> Result<Vec<u8>, Status> {
    match format {
        Format::Proto => Ok(message.encode_to_vec()),
        Format::Json(options) => {
            let mut out = Vec::with_capacity(128);
            message
                .write_json_into(&mut out, options)
                .map_err(|e| Status::internal(format!("the response has no JSON form: {e}")))?;
            Ok(out)
        }
    }
}

/// One method of a service, ready to be routed. Cloning shares the service.
#[derive(Clone)]
pub struct Method {
    schema: &'static MethodSchema,
    handler: Arc<dyn UnaryHandler>,
    register: fn(&mut TypeRegistry),
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
    pub fn unary<S, Req, Res>(
        schema: &'static MethodSchema,
        service: Arc<S>,
        function: UnaryFn<S, Req, Res>,
    ) -> Method
    where
        S: Send + Sync + 'static,
        Req: Message,
        Res: Message,
    {
        Method {
            schema,
            handler: Arc::new(Unary { service, function }),
            register: register_pair::<Req, Res>,
        }
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
    /// response. Decoding failures are `invalid_argument`; a panic in the
    /// handler is `internal`.
    pub(crate) fn call_unary(
        &self,
        ctx: Context,
        request: Bytes,
        format: &Format,
    ) -> BoxFuture<Result<Vec<u8>, Status>> {
        self.handler.call(ctx, request, format)
    }
}
