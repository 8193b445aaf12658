//! One call from start to end, for every protocol that envelopes its
//! messages (gRPC, gRPC-Web, Connect streaming; Connect unary has its own
//! path in `connect.rs`): encode and envelope the requests as the caller
//! produces them, send, check the response head, then read messages
//! until the protocol's ending says how the call went.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use http::{HeaderMap, HeaderValue, Request, Version};
use http_body_util::BodyExt;

use super::options::CallOptions;
use super::response::{Response, Streaming};
use super::transport::{Body, BoxError};
use super::{before_send, connect, grpc, Client, Codec, MethodInfo, Protocol};
use crate::protocol::compression::Compression;
use crate::protocol::envelope::{FLAG_END_STREAM, FLAG_WEB_TRAILERS};
use crate::protocol::request_reader::{self, Framing, Part};
use crate::protocol::response_writer::{Ending, Writing};
use crate::protocol::web_text;
use crate::protocol::wire::Wire;
use crate::service::{decode_response, encode, Format};
use crate::{Message, Status};

/// Encoded request messages on their way out.
pub(crate) type Requests = BoxStream<'static, Result<Bytes, Status>>;

/// What a call needs to know, settled before it starts.
pub(crate) struct Call {
    pub method: MethodInfo,
    pub shape: super::CallShape,
    pub wire: Wire,
    pub format: Format,
    pub codec: Codec,
    pub compression: Compression,
    /// Request messages smaller than this go uncompressed.
    pub compress_min_bytes: usize,
    pub deadline: Option<Instant>,
    pub headers: HeaderMap,
    pub get: bool,
    pub limit: usize,
    pub accept_compression: bool,
    /// Check each request's declared constraints before sending it.
    pub validate: bool,
}

impl Client {
    pub(super) fn prepare(
        &self,
        method: MethodInfo,
        options: CallOptions,
        shape: super::CallShape,
    ) -> Result<Call, Status> {
        let streaming = shape != super::CallShape::Unary;
        let inner = &self.inner;
        let timeout = options.timeout.or(inner.timeout);
        let deadline = super::deadline::for_call(timeout, method.path())?;
        Ok(Call {
            method,
            shape,
            wire: Wire::for_call(inner.protocol, inner.codec, streaming),
            format: match inner.codec {
                Codec::Proto => Format::Proto,
                Codec::Json => Format::Json(inner.json.clone()),
            },
            codec: inner.codec,
            compression: options.compression.unwrap_or(inner.compression),
            compress_min_bytes: inner.compress_min_bytes,
            deadline,
            headers: options.headers,
            get: options.get.unwrap_or(inner.connect_get) && method.idempotent,
            limit: inner.max_message_size,
            accept_compression: inner.accept_compression,
            validate: inner.validate,
        })
    }

    /// A request to `call`'s method, with the caller's headers; the
    /// protocol adds its own.
    pub(super) fn request(
        &self,
        call: &Call,
        path_and_query: &str,
        body: Body,
    ) -> Result<Request<Body>, Status> {
        let inner = &self.inner;
        let uri = format!(
            "{}://{}{}{}",
            inner.base.scheme_str().unwrap_or("http"),
            inner.base.authority().map_or("", |a| a.as_str()),
            inner.prefix,
            path_and_query
        );
        let mut request = Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri
            .parse()
            .map_err(|e| Status::internal(format!("cannot call {uri:?}: {e}")))?;
        if inner.http2 {
            *request.version_mut() = Version::HTTP_2;
        }
        *request.headers_mut() = call.headers.clone();
        request.headers_mut().insert(
            http::header::USER_AGENT,
            HeaderValue::from_static(concat!("typerpc/", env!("CARGO_PKG_VERSION"))),
        );
        Ok(request)
    }

    /// Starts an enveloped call: sends the requests as they come and
    /// resolves once the response head is in, to its undecoded messages.
    pub(super) async fn enveloped(
        &self,
        call: &Call,
        requests: Requests,
    ) -> Result<Streaming<Bytes>, Status> {
        let protocol = self.inner.protocol;
        let text = protocol == Protocol::GrpcWebText;
        let writing = Writing {
            compression: call.compression,
            compress_min_bytes: call.compress_min_bytes,
            text,
            ending: Ending::GrpcTrailers,
        };
        // A request that cannot be sent (it fails validation, say) aborts
        // the body; the caller is then told why, rather than whatever the
        // server makes of a body cut short.
        let request_error: Arc<Mutex<Option<Status>>> = Arc::default();
        let record = Arc::clone(&request_error);
        let frames = requests.map(move |message| {
            let mut out = BytesMut::new();
            let written = message.and_then(|message| writing.envelope(&message, &mut out));
            if let Err(status) = written {
                if let Ok(mut slot) = record.lock() {
                    slot.get_or_insert(status.clone());
                }
                return Err(BoxError::from(status));
            }
            // gRPC-Web text: each chunk is a base64 string of its own.
            let chunk = if text {
                web_text::encode(&out)
            } else {
                out.freeze()
            };
            Ok(http_body::Frame::data(chunk))
        });
        let body = http_body_util::StreamBody::new(frames).boxed_unsync();
        let prefer_request_error = |status: Status| -> Status {
            request_error
                .lock()
                .ok()
                .and_then(|slot| slot.clone())
                .unwrap_or(status)
        };
        let mut request = self.request(call, call.method.path, body)?;
        match protocol {
            Protocol::Connect => connect::stream_headers(call, request.headers_mut()),
            _ => grpc::headers(call, request.headers_mut()),
        }
        let response = self
            .inner
            .transport
            .send(request)
            .await
            .map_err(prefer_request_error)?;
        let head = match protocol {
            Protocol::Connect => connect::stream_head(response, call.limit)
                .await
                .map(|(head, compression)| grpc::Head::Stream(head, compression)),
            _ => grpc::head(response, call.wire).await,
        };
        let (head, compression) = match head.map_err(prefer_request_error)? {
            grpc::Head::Stream(head, compression) => (head, compression),
            grpc::Head::Ended(headers, block) => {
                return Ok(Streaming::new(
                    headers,
                    futures_util::stream::empty().boxed(),
                    Arc::new(Mutex::new(Some(grpc::without_status(block)))),
                ))
            }
        };
        let (parts, body) = head.into_parts();
        let ending = match protocol {
            Protocol::Grpc => End::Trailers,
            Protocol::GrpcWeb | Protocol::GrpcWebText => End::WebTrailers,
            Protocol::Connect => End::ConnectEndStream,
        };
        let control = match ending {
            End::Trailers => 0,
            End::WebTrailers => FLAG_WEB_TRAILERS,
            End::ConnectEndStream => FLAG_END_STREAM,
        };
        let framing = Framing {
            limit: call.limit,
            compression,
            text,
            // The server has finished with us by then: nothing to answer.
            drain_on_error: false,
            // The call's deadline bounds a response.
            body_timeout: None,
        };
        let trailers = Arc::new(Mutex::new(None));
        let reader = Reader {
            headers: parts.headers.clone(),
            parts: request_reader::parts(body, framing, control),
            ending,
            compression,
            limit: call.limit,
            trailers: Arc::clone(&trailers),
            deadline: call.deadline,
            request_error,
            done: false,
        };
        let messages = futures_util::stream::unfold(reader, |mut reader| async move {
            let item = reader.next().await?;
            Some((item, reader))
        });
        Ok(Streaming::new(parts.headers, messages.boxed(), trailers))
    }
}

impl Call {
    pub(super) fn encode<M: Message>(&self, message: &M) -> Result<Bytes, Status> {
        encode(message, &self.format).map(Bytes::from)
    }

    pub(super) fn decode<M: Message>(&self, bytes: &[u8]) -> Result<M, Status> {
        decode_response(bytes, &self.format)
    }

    /// Encodes each request as the caller produces it.
    pub(super) fn encode_stream<M: Message>(
        &self,
        requests: impl Stream<Item = M> + Send + 'static,
    ) -> Requests {
        let format = self.format.clone();
        let validate = self.validate;
        requests
            .map(move |request| {
                before_send(&request, validate)?;
                encode(&request, &format).map(Bytes::from)
            })
            .boxed()
    }

    /// Decodes the responses of a raw stream as they are read.
    pub(super) fn typed<M: Message>(&self, raw: Streaming<Bytes>) -> Streaming<M> {
        let format = self.format.clone();
        raw.map_messages(move |bytes| decode_response(&bytes, &format))
    }
}

/// Runs `future` until `deadline`; past it, `deadline_exceeded`.
pub(super) async fn with_deadline<T>(
    deadline: Option<Instant>,
    future: impl Future<Output = Result<T, Status>>,
) -> Result<T, Status> {
    match deadline {
        None => future.await,
        Some(deadline) => match tokio::time::timeout_at(deadline.into(), future).await {
            // A call that broke once the deadline had passed broke because
            // of it: the server gives up at the deadline too (resetting the
            // stream, closing the connection), and its doing so can be
            // seen a moment before the timer here fires.
            Ok(Err(_)) if Instant::now() >= deadline => Err(deadline_exceeded()),
            Ok(result) => result,
            Err(_) => Err(deadline_exceeded()),
        },
    }
}

fn deadline_exceeded() -> Status {
    Status::deadline_exceeded("the deadline passed before the call completed")
}

/// The one response of a unary or client-streaming call, with its
/// metadata: exactly one message, then a successful ending.
pub(super) async fn single(mut raw: Streaming<Bytes>) -> Result<Response<Bytes>, Status> {
    let Some(message) = raw.message().await? else {
        return Err(Status::unimplemented(
            "protocol error: the call succeeded without a response message",
        ));
    };
    if raw.message().await?.is_some() {
        return Err(Status::unimplemented(
            "protocol error: more than one response message for a unary call",
        ));
    }
    let trailers = raw.trailers().unwrap_or_default();
    Ok(Response::new(raw.headers().clone(), message, trailers))
}

/// Where the status of an enveloped response is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Trailers,
    WebTrailers,
    ConnectEndStream,
}

/// Reads messages until the ending, and turns the ending into the end of
/// the stream (success) or a last error item.
struct Reader {
    /// The response headers, for the status of a call that fails.
    headers: HeaderMap,
    parts: BoxStream<'static, Result<Part, Status>>,
    ending: End,
    compression: Compression,
    limit: usize,
    trailers: Arc<Mutex<Option<HeaderMap>>>,
    deadline: Option<Instant>,
    /// Why sending the requests failed, if it did: the better error.
    request_error: Arc<Mutex<Option<Status>>>,
    done: bool,
}

impl Reader {
    async fn next(&mut self) -> Option<Result<Bytes, Status>> {
        if self.done {
            return None;
        }
        let item = match with_deadline(self.deadline, async { Ok(self.parts.next().await) }).await {
            Ok(item) => item,
            Err(status) => Some(Err(status)),
        };
        let outcome = match item {
            Some(Ok(Part::Message(message))) => return Some(Ok(message)),
            // Broken once the deadline had passed: the deadline's doing
            // (see `with_deadline`).
            Some(Err(_)) if self.deadline.is_some_and(|d| Instant::now() >= d) => {
                Err(deadline_exceeded())
            }
            Some(Err(status)) => Err(status),
            None => Err(Status::internal(
                "protocol error: the response ended without a status",
            )),
            Some(Ok(Part::Trailers(trailers))) if self.ending == End::Trailers => {
                self.finish(grpc::status_of(&trailers), grpc::without_status(trailers))
            }
            // gRPC-Web puts trailers in the body, Connect the end of the
            // stream: HTTP trailers carry nothing then.
            Some(Ok(Part::Trailers(_))) => Err(Status::internal(
                "protocol error: the response ended without a status",
            )),
            Some(Ok(Part::Control(frame))) if self.ending == End::WebTrailers => {
                // The trailers frame is compressed like a message when
                // its compression bit is set (connect-go does so).
                let compressed = frame.is_compressed();
                match self.compression.decompress_message(
                    compressed,
                    frame.into_payload(),
                    self.limit,
                ) {
                    Ok(block) => {
                        let trailers = grpc::parse_web_trailers(&block);
                        self.finish(grpc::status_of(&trailers), grpc::without_status(trailers))
                    }
                    Err(status) => Err(status),
                }
            }
            Some(Ok(Part::Control(frame))) => {
                let compressed = frame.is_compressed();
                match self
                    .compression
                    .decompress_message(compressed, frame.into_payload(), self.limit)
                    .and_then(|json| crate::protocol::connect_error::end_stream_from_json(&json))
                {
                    Ok(end) => self.finish(end.error.unwrap_or_else(Status::ok), end.metadata),
                    Err(status) => Err(status),
                }
            }
        };
        self.done = true;
        let request_error = self.request_error.lock().ok().and_then(|slot| slot.clone());
        outcome
            .err()
            .map(|status| Err(request_error.unwrap_or(status)))
    }

    /// Records the trailers; the status, unless `ok`, is the last item.
    fn finish(&mut self, status: Status, trailers: HeaderMap) -> Result<(), Status> {
        if let Ok(mut slot) = self.trailers.lock() {
            *slot = Some(trailers);
        }
        if status.code().is_ok() {
            Ok(())
        } else {
            let trailers = self.trailers.lock().ok().and_then(|t| t.clone());
            Err(status.with_metadata(self.headers.clone(), trailers.unwrap_or_default()))
        }
    }
}
