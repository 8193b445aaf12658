//! One call per `ClientCompatRequest`, as the official guide's pseudocode
//! has it for each stream type: request messages sent one by one after
//! `request_delay_ms`, the call cancelled where `cancel` says (by dropping
//! it: a typerpc call is cancelled the way any Rust future is, and the
//! outcome is reported as `canceled`), and requests never sent counted.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use http::{HeaderName, HeaderValue};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use typerpc::client::{CallOptions, Client, MethodInfo, Streaming};
use typerpc::{Message, Status};

use super::{empty_result, report};
use crate::types::{
    BidiStreamRequest, BidiStreamResponse, ClientCompatRequest, ClientCompatRequestCancelTiming,
    ClientResponseResult, ClientStreamRequest, ClientStreamResponse, ConformancePayload,
    IdempotentUnaryRequest, IdempotentUnaryResponse, ServerStreamRequest, ServerStreamResponse,
    StreamType, UnaryRequest, UnaryResponse, UnimplementedRequest, UnimplementedResponse,
};

/// The one service a client under test calls.
pub const SERVICE: &str = "connectrpc.conformance.v1.ConformanceService";

const UNARY: MethodInfo = MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/Unary");
const IDEMPOTENT_UNARY: MethodInfo =
    MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/IdempotentUnary").idempotent();
const UNIMPLEMENTED: MethodInfo =
    MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/Unimplemented");
const SERVER_STREAM: MethodInfo =
    MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/ServerStream");
const CLIENT_STREAM: MethodInfo =
    MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/ClientStream");
const BIDI_STREAM: MethodInfo =
    MethodInfo::new("/connectrpc.conformance.v1.ConformanceService/BidiStream");

/// A response message's payload (an absent one reads as empty).
pub trait HasPayload {
    /// The payload, or an empty one.
    fn into_payload(self) -> ConformancePayload;
}

macro_rules! has_payload {
    ($($ty:ty),*) => {$(
        impl HasPayload for $ty {
            fn into_payload(self) -> ConformancePayload {
                self.payload.unwrap_or_default()
            }
        }
    )*};
}
has_payload!(
    UnaryResponse,
    IdempotentUnaryResponse,
    ServerStreamResponse,
    ClientStreamResponse,
    BidiStreamResponse
);

impl HasPayload for UnimplementedResponse {
    fn into_payload(self) -> ConformancePayload {
        ConformancePayload::default()
    }
}

/// Makes the call `request` describes. `Err` is a call that could not be
/// made at all (unknown method, request messages of the wrong type).
pub async fn call(
    client: &Client,
    request: &ClientCompatRequest,
) -> Result<ClientResponseResult, String> {
    if let Some(service) = &request.service {
        if service != SERVICE {
            return Err(format!("unknown service {service}"));
        }
    }
    let method = request.method.as_deref().unwrap_or_default();
    let plan = Plan::new(request)?;
    match (method, request.stream_type) {
        ("Unary", _) => unary::<UnaryRequest, UnaryResponse>(client, UNARY, plan).await,
        ("IdempotentUnary", _) => {
            unary::<IdempotentUnaryRequest, IdempotentUnaryResponse>(client, IDEMPOTENT_UNARY, plan)
                .await
        }
        ("Unimplemented", _) => {
            unary::<UnimplementedRequest, UnimplementedResponse>(client, UNIMPLEMENTED, plan).await
        }
        ("ServerStream", _) => {
            server_stream::<ServerStreamRequest, ServerStreamResponse>(client, SERVER_STREAM, plan)
                .await
        }
        ("ClientStream", _) => {
            client_stream::<ClientStreamRequest, ClientStreamResponse>(client, CLIENT_STREAM, plan)
                .await
        }
        ("BidiStream", StreamType::FullDuplexBidiStream) => {
            full_duplex::<BidiStreamRequest, BidiStreamResponse>(client, BIDI_STREAM, plan).await
        }
        ("BidiStream", _) => {
            half_duplex::<BidiStreamRequest, BidiStreamResponse>(client, BIDI_STREAM, plan).await
        }
        (other, _) => Err(format!("unknown method {other:?}")),
    }
}

/// What a request asks of the call itself.
struct Plan<'a> {
    request: &'a ClientCompatRequest,
    options: CallOptions,
    delay: Duration,
    cancel: Option<ClientCompatRequestCancelTiming>,
}

impl<'a> Plan<'a> {
    fn new(request: &'a ClientCompatRequest) -> Result<Plan<'a>, String> {
        let mut options = CallOptions::new();
        for header in &request.request_headers {
            let name = HeaderName::from_bytes(header.name.as_bytes())
                .map_err(|e| format!("request header name {:?}: {e}", header.name))?;
            for value in &header.value {
                let value = HeaderValue::from_str(value)
                    .map_err(|e| format!("request header {}: {e}", header.name))?;
                options.headers_mut().append(name.clone(), value);
            }
        }
        if let Some(ms) = request.timeout_ms {
            options = options.timeout(Duration::from_millis(u64::from(ms)));
        }
        Ok(Plan {
            request,
            options,
            delay: Duration::from_millis(u64::from(request.request_delay_ms)),
            cancel: request
                .cancel
                .as_ref()
                .and_then(|cancel| cancel.cancel_timing.clone()),
        })
    }

    /// The request messages, unpacked from their `Any`s.
    fn messages<Req: Message>(&self) -> Result<VecDeque<Req>, String> {
        self.request
            .request_messages
            .iter()
            .map(|any| match any.unpack::<Req>() {
                Ok(Some(message)) => Ok(message),
                Ok(None) => Err(format!(
                    "a request message is {}, not {}",
                    any.type_url,
                    Req::schema().name
                )),
                Err(e) => Err(format!("a request message does not decode: {e}")),
            })
            .collect()
    }

    fn cancel_after_close_send(&self) -> Option<Duration> {
        match self.cancel {
            Some(ClientCompatRequestCancelTiming::AfterCloseSendMs(ms)) => {
                Some(Duration::from_millis(u64::from(ms)))
            }
            _ => None,
        }
    }

    fn cancel_before_close_send(&self) -> bool {
        matches!(
            self.cancel,
            Some(ClientCompatRequestCancelTiming::BeforeCloseSend(_))
        )
    }

    fn cancel_after_responses(&self) -> Option<usize> {
        match self.cancel {
            Some(ClientCompatRequestCancelTiming::AfterNumResponses(n)) => Some(n as usize),
            _ => None,
        }
    }
}

/// The status a call the client cancelled ends with.
fn canceled() -> Status {
    Status::canceled("the client cancelled the call")
}

/// Records a failed call (or a failed start of one): its status, and the
/// metadata that came with it.
fn failed(result: &mut ClientResponseResult, status: &Status) {
    if result.response_headers.is_empty() {
        result.response_headers = report::headers(status.headers());
    }
    result.response_trailers = report::headers(status.trailers());
    result.error = Some(report::error(status));
}

/// Runs `future`, or gives `canceled()` once `after` has passed.
async fn or_cancel_after<T>(
    after: Option<Duration>,
    future: impl Future<Output = Result<T, Status>>,
) -> Result<T, Status> {
    match after {
        None => future.await,
        Some(after) => {
            tokio::select! {
                outcome = future => outcome,
                () = tokio::time::sleep(after) => Err(canceled()),
            }
        }
    }
}

async fn unary<Req, Res>(
    client: &Client,
    method: MethodInfo,
    plan: Plan<'_>,
) -> Result<ClientResponseResult, String>
where
    Req: Message,
    Res: Message + HasPayload,
{
    let mut messages = plan.messages::<Req>()?;
    let message = match (messages.pop_front(), messages.is_empty()) {
        (Some(message), true) => message,
        _ => return Err("a unary call takes exactly one request message".into()),
    };
    let call = client.unary::<Req, Res>(method, message, plan.options.clone());
    let mut result = empty_result();
    match or_cancel_after(plan.cancel_after_close_send(), call).await {
        Ok(response) => {
            let (headers, message, trailers) = response.into_parts();
            result.response_headers = report::headers(&headers);
            result.payloads.push(message.into_payload());
            result.response_trailers = report::headers(&trailers);
        }
        Err(status) => failed(&mut result, &status),
    }
    Ok(result)
}

/// Reads a response stream to its end into `result`, cancelling after
/// the number of responses the plan says.
async fn read_responses<Res: HasPayload>(
    responses: &mut Streaming<Res>,
    plan: &Plan<'_>,
    result: &mut ClientResponseResult,
) {
    result.response_headers = report::headers(responses.headers());
    read_rest(responses, plan, result).await;
}

/// Reads what is left of a response stream into `result`.
async fn read_rest<Res: HasPayload>(
    responses: &mut Streaming<Res>,
    plan: &Plan<'_>,
    result: &mut ClientResponseResult,
) {
    loop {
        if plan.cancel_after_responses() == Some(result.payloads.len()) {
            failed(result, &canceled());
            return;
        }
        match responses.message().await {
            Ok(Some(message)) => result.payloads.push(message.into_payload()),
            Ok(None) => {
                result.response_trailers =
                    report::headers(&responses.trailers().unwrap_or_default());
                return;
            }
            Err(status) => {
                failed(result, &status);
                if let Some(trailers) = responses.trailers() {
                    if result.response_trailers.is_empty() {
                        result.response_trailers = report::headers(&trailers);
                    }
                }
                return;
            }
        }
    }
}

async fn server_stream<Req, Res>(
    client: &Client,
    method: MethodInfo,
    plan: Plan<'_>,
) -> Result<ClientResponseResult, String>
where
    Req: Message,
    Res: Message + HasPayload,
{
    let mut messages = plan.messages::<Req>()?;
    let message = match (messages.pop_front(), messages.is_empty()) {
        (Some(message), true) => message,
        _ => return Err("a server stream takes exactly one request message".into()),
    };
    let mut result = empty_result();
    let outcome = or_cancel_after(plan.cancel_after_close_send(), async {
        let mut responses = client
            .server_streaming::<Req, Res>(method, message, plan.options.clone())
            .await?;
        read_responses(&mut responses, &plan, &mut result).await;
        Ok(())
    })
    .await;
    if let Err(status) = outcome {
        failed(&mut result, &status);
    }
    Ok(result)
}

/// The request side of a client or bidi stream: a channel the call reads
/// its request body from, fed one message at a time.
struct Requests<Req> {
    sender: Option<UnboundedSender<Req>>,
    pending: VecDeque<Req>,
    delay: Duration,
    /// Messages the call no longer took.
    refused: usize,
}

impl<Req: Send + 'static> Requests<Req> {
    fn new(pending: VecDeque<Req>, delay: Duration) -> (Requests<Req>, BoxStream<'static, Req>) {
        let (sender, receiver) = unbounded_channel();
        let body = stream::unfold(receiver, |mut receiver| async move {
            receiver.recv().await.map(|message| (message, receiver))
        })
        .boxed();
        let requests = Requests {
            sender: Some(sender),
            pending,
            delay,
            refused: 0,
        };
        (requests, body)
    }

    /// Waits the delay, then sends the next message; `false` when there is
    /// none left or the call no longer takes them. Dropped while waiting,
    /// it sends nothing.
    async fn send_next(&mut self) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let Some(message) = self.pending.pop_front() else {
            return false;
        };
        match &self.sender {
            Some(sender) if sender.send(message).is_ok() => true,
            _ => {
                self.refused += 1;
                false
            }
        }
    }

    /// Sends every message while polling `call`: `Some` when the call
    /// ended first.
    async fn send_all<T>(&mut self, call: &mut Call<'_, T>) -> Option<Result<T, Status>> {
        while !self.pending.is_empty() {
            tokio::select! {
                sent = self.send_next() => if !sent {
                    return None;
                },
                outcome = call.as_mut() => return Some(outcome),
            }
        }
        None
    }

    /// The messages never sent.
    fn unsent(&self) -> i32 {
        i32::try_from(self.pending.len() + self.refused).unwrap_or(i32::MAX)
    }

    /// Ends the request stream ("close send").
    fn close(&mut self) {
        self.sender = None;
    }
}

/// A call in progress, polled while requests are being sent so a call
/// that ends early is noticed.
type Call<'a, T> = Pin<Box<dyn Future<Output = Result<T, Status>> + Send + 'a>>;

async fn client_stream<Req, Res>(
    client: &Client,
    method: MethodInfo,
    plan: Plan<'_>,
) -> Result<ClientResponseResult, String>
where
    Req: Message,
    Res: Message + HasPayload,
{
    let (mut requests, body) = Requests::new(plan.messages::<Req>()?, plan.delay);
    let mut call: Call<'_, _> =
        Box::pin(client.client_streaming::<Req, Res>(method, body, plan.options.clone()));
    let mut result = empty_result();
    let ended = requests.send_all(&mut call).await;
    let outcome = match ended {
        Some(outcome) => outcome,
        None if plan.cancel_before_close_send() => {
            drop(call);
            Err(canceled())
        }
        None => {
            requests.close();
            or_cancel_after(plan.cancel_after_close_send(), call).await
        }
    };
    result.num_unsent_requests = requests.unsent();
    match outcome {
        Ok(response) => {
            let (headers, message, trailers) = response.into_parts();
            result.response_headers = report::headers(&headers);
            result.payloads.push(message.into_payload());
            result.response_trailers = report::headers(&trailers);
        }
        Err(status) => failed(&mut result, &status),
    }
    Ok(result)
}

async fn half_duplex<Req, Res>(
    client: &Client,
    method: MethodInfo,
    plan: Plan<'_>,
) -> Result<ClientResponseResult, String>
where
    Req: Message,
    Res: Message + HasPayload,
{
    let (mut requests, body) = Requests::new(plan.messages::<Req>()?, plan.delay);
    let mut call: Call<'_, _> =
        Box::pin(client.bidi_streaming::<Req, Res>(method, body, plan.options.clone()));
    let mut result = empty_result();
    let ended = requests.send_all(&mut call).await;
    if ended.is_none() && plan.cancel_before_close_send() {
        drop(call);
        result.num_unsent_requests = requests.unsent();
        failed(&mut result, &canceled());
        return Ok(result);
    }
    requests.close();
    let outcome = or_cancel_after(plan.cancel_after_close_send(), async {
        let mut responses = match ended {
            Some(outcome) => outcome?,
            None => call.await?,
        };
        read_responses(&mut responses, &plan, &mut result).await;
        Ok(())
    })
    .await;
    if let Err(status) = outcome {
        failed(&mut result, &status);
    }
    result.num_unsent_requests = requests.unsent();
    Ok(result)
}

async fn full_duplex<Req, Res>(
    client: &Client,
    method: MethodInfo,
    plan: Plan<'_>,
) -> Result<ClientResponseResult, String>
where
    Req: Message,
    Res: Message + HasPayload,
{
    let (mut requests, body) = Requests::new(plan.messages::<Req>()?, plan.delay);
    let mut call: Option<Call<'_, Streaming<Res>>> = Some(Box::pin(
        client.bidi_streaming::<Req, Res>(method, body, plan.options.clone()),
    ));
    let mut responses: Option<Streaming<Res>> = None;
    let mut result = empty_result();
    // One request, then one response, while there are requests.
    while !requests.pending.is_empty() {
        requests.send_next().await;
        let stream = match (&mut responses, call.take()) {
            (Some(stream), _) => stream,
            (None, Some(started)) => match started.await {
                Ok(stream) => {
                    result.response_headers = report::headers(stream.headers());
                    responses.insert(stream)
                }
                Err(status) => {
                    failed(&mut result, &status);
                    result.num_unsent_requests = requests.unsent();
                    return Ok(result);
                }
            },
            (None, None) => unreachable!("the call is started before the first response"),
        };
        match stream.message().await {
            Ok(Some(message)) => result.payloads.push(message.into_payload()),
            Ok(None) => break,
            Err(status) => {
                failed(&mut result, &status);
                result.num_unsent_requests = requests.unsent();
                return Ok(result);
            }
        }
        if plan.cancel_after_responses() == Some(result.payloads.len()) {
            failed(&mut result, &canceled());
            result.num_unsent_requests = requests.unsent();
            return Ok(result);
        }
    }
    if plan.cancel_before_close_send() {
        failed(&mut result, &canceled());
        result.num_unsent_requests = requests.unsent();
        return Ok(result);
    }
    requests.close();
    let outcome = or_cancel_after(plan.cancel_after_close_send(), async {
        let mut stream = match (responses, call) {
            (Some(stream), _) => stream,
            (None, Some(started)) => started.await?,
            (None, None) => unreachable!("the call is started before it is read"),
        };
        read_rest(&mut stream, &plan, &mut result).await;
        Ok(())
    })
    .await;
    if let Err(status) = outcome {
        failed(&mut result, &status);
    }
    result.num_unsent_requests = requests.unsent();
    Ok(result)
}
