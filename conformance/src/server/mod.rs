//! `connectrpc.conformance.v1.ConformanceService`, the service the
//! conformance suite's reference client calls, written the way users
//! write typerpc services: a `#[service]` impl over the crate's types.
//!
//! Every RPC answers as its request's response definition says (see the
//! comments of the official `service.proto`): response headers before the
//! first message, trailers after the last (on errors too), delays, data,
//! errors with their details, and what the server saw of the call echoed
//! back as a `ConformancePayload.RequestInfo`: the request headers, the
//! time left before the deadline, the requests themselves as `Any`, and
//! for a Connect GET the query parameters.

mod echo;
mod startup;
mod streams;

pub use startup::{read_delimited, router, start, write_delimited, Started, StartupError};

use futures_util::StreamExt;
use typerpc::{service, Any, Context, RequestStream, ResponseStream, Status};

use crate::types::*;
use echo::{answer_unary, request_info, send_headers, send_trailers};
use streams::{Reading, Responder};

/// The conformance service. It keeps no state: every call is described
/// entirely by its requests.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConformanceService;

#[service(package = "connectrpc.conformance.v1", name = "ConformanceService")]
impl ConformanceService {
    /// Answers as the request's definition says: the payload (with the
    /// request info) or the error (with the request info in its details).
    async fn unary(&self, ctx: &Context, req: UnaryRequest) -> Result<UnaryResponse, Status> {
        let info = request_info(ctx, vec![Any::pack(&req)]);
        let payload = answer_unary(ctx, req.response_definition, info).await?;
        Ok(UnaryResponse {
            payload: Some(payload),
        })
    }

    /// Sends the definition's responses, the request info in the first,
    /// then its error if any. Headers leave as soon as this returns,
    /// before the first delay.
    async fn server_stream(
        &self,
        ctx: &Context,
        req: ServerStreamRequest,
    ) -> Result<ResponseStream<ServerStreamResponse>, Status> {
        let received = vec![Any::pack(&req)];
        let definition = req.response_definition;
        if let Some(definition) = &definition {
            send_headers(ctx, &definition.response_headers);
            send_trailers(ctx, &definition.response_trailers);
        }
        let responder = Responder::new(ctx.clone(), definition, received, Reading::AllFirst(None));
        Ok(ResponseStream::new(responder.into_stream().map(|item| {
            item.map(|payload| ServerStreamResponse {
                payload: Some(payload),
            })
        })))
    }

    /// Reads every request (the first holds the definition), then answers
    /// as `Unary` does, echoing all the requests in order.
    async fn client_stream(
        &self,
        ctx: &Context,
        mut reqs: RequestStream<ClientStreamRequest>,
    ) -> Result<ClientStreamResponse, Status> {
        let mut definition = None;
        let mut received = Vec::new();
        while let Some(req) = reqs.message().await? {
            if received.is_empty() {
                definition = req.response_definition.clone();
            }
            received.push(Any::pack(&req));
        }
        let info = request_info(ctx, received);
        let payload = answer_unary(ctx, definition, info).await?;
        Ok(ClientStreamResponse {
            payload: Some(payload),
        })
    }

    /// Reads the first request (its definition and `full_duplex`), sends
    /// the headers, then either alternates request and response
    /// (full duplex) or reads every request before responding (half
    /// duplex).
    async fn bidi_stream(
        &self,
        ctx: &Context,
        mut reqs: RequestStream<BidiStreamRequest>,
    ) -> Result<ResponseStream<BidiStreamResponse>, Status> {
        let Some(first) = reqs.message().await? else {
            return Ok(ResponseStream::empty());
        };
        let definition = first.response_definition.clone();
        if let Some(definition) = &definition {
            send_headers(ctx, &definition.response_headers);
            send_trailers(ctx, &definition.response_trailers);
        }
        let reading = if first.full_duplex {
            Reading::Alternating(reqs)
        } else {
            Reading::AllFirst(Some(reqs))
        };
        let responder = Responder::new(ctx.clone(), definition, vec![Any::pack(&first)], reading);
        Ok(ResponseStream::new(responder.into_stream().map(|item| {
            item.map(|payload| BidiStreamResponse {
                payload: Some(payload),
            })
        })))
    }

    /// Not implemented, on purpose: the suite checks for `unimplemented`.
    async fn unimplemented(
        &self,
        _req: UnimplementedRequest,
    ) -> Result<UnimplementedResponse, Status> {
        Err(Status::unimplemented(
            "connectrpc.conformance.v1.ConformanceService.Unimplemented is not implemented",
        ))
    }

    /// As `Unary`, callable with a Connect GET: the request info then
    /// carries the query parameters.
    #[rpc(idempotent)]
    async fn idempotent_unary(
        &self,
        ctx: &Context,
        req: IdempotentUnaryRequest,
    ) -> Result<IdempotentUnaryResponse, Status> {
        let info = request_info(ctx, vec![Any::pack(&req)]);
        let payload = answer_unary(ctx, req.response_definition, info).await?;
        Ok(IdempotentUnaryResponse {
            payload: Some(payload),
        })
    }
}
