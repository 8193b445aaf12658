//! The response body every protocol writes: for unary calls one data chunk
//! of known length and, for gRPC, trailers; for streaming calls a stream
//! of frames.
//!
//! Knowing the exact length lets hyper send `Content-Length` on HTTP/1.1
//! and a single DATA frame with END_STREAM on HTTP/2, instead of chunked
//! encoding and an extra empty frame. Bodies followed by trailers (gRPC)
//! announce no length.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};

/// The body of a typerpc response.
#[derive(Default)]
pub struct RpcBody {
    data: Option<Bytes>,
    trailers: Option<HeaderMap>,
    /// The frames of a streaming response; `data` and `trailers` are then
    /// unused.
    frames: Option<BoxStream<'static, Frame<Bytes>>>,
    /// Another service's body (the router's fallback), passed through
    /// with its length; the other fields are then unused.
    foreign: Option<ForeignBody>,
}

/// A body from outside typerpc.
type ForeignBody =
    http_body_util::combinators::UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

impl std::fmt::Debug for RpcBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcBody")
            .field("data", &self.data)
            .field("trailers", &self.trailers)
            .field("streaming", &self.frames.is_some())
            .field("foreign", &self.foreign.is_some())
            .finish()
    }
}

impl RpcBody {
    /// An empty body.
    pub fn empty() -> RpcBody {
        RpcBody::default()
    }

    /// A body of `data` and nothing else.
    pub fn full(data: impl Into<Bytes>) -> RpcBody {
        let data = data.into();
        RpcBody {
            data: (!data.is_empty()).then_some(data),
            trailers: None,
            frames: None,
            foreign: None,
        }
    }

    /// A body of frames produced as the stream yields them.
    pub(crate) fn streaming(frames: impl Stream<Item = Frame<Bytes>> + Send + 'static) -> RpcBody {
        RpcBody {
            data: None,
            trailers: None,
            frames: Some(frames.boxed()),
            foreign: None,
        }
    }

    /// Another service's body, passed through as it is. An error reading
    /// it ends the body early (and is logged): the status line has gone.
    pub(crate) fn foreign(body: ForeignBody) -> RpcBody {
        RpcBody {
            foreign: Some(body),
            ..RpcBody::default()
        }
    }

    /// `data` followed by HTTP trailers (gRPC).
    pub fn with_trailers(data: impl Into<Bytes>, trailers: HeaderMap) -> RpcBody {
        let data = data.into();
        RpcBody {
            data: (!data.is_empty()).then_some(data),
            trailers: Some(trailers),
            frames: None,
            foreign: None,
        }
    }
}

impl Body for RpcBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(body) = &mut self.foreign {
            let frame = std::task::ready!(Pin::new(body).poll_frame(cx));
            return Poll::Ready(match frame {
                Some(Ok(frame)) => Some(Ok(frame)),
                Some(Err(error)) => {
                    tracing::debug!(
                        target: crate::service::telemetry::SERVER_TARGET,
                        %error,
                        "a fallback response body failed; ending it early"
                    );
                    self.foreign = None;
                    None
                }
                None => {
                    self.foreign = None;
                    None
                }
            });
        }
        if let Some(frames) = &mut self.frames {
            let frame = std::task::ready!(frames.poll_next_unpin(cx));
            if frame.is_none() {
                self.frames = None;
            }
            return Poll::Ready(frame.map(Ok));
        }
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        Poll::Ready(self.trailers.take().map(|t| Ok(Frame::trailers(t))))
    }

    fn is_end_stream(&self) -> bool {
        if let Some(body) = &self.foreign {
            return body.is_end_stream();
        }
        self.data.is_none() && self.trailers.is_none() && self.frames.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        if let Some(body) = &self.foreign {
            return body.size_hint();
        }
        if self.frames.is_some() {
            return SizeHint::new();
        }
        let len = self.data.as_ref().map_or(0, |d| d.len() as u64);
        if self.trailers.is_some() {
            // No `content-length` on gRPC responses: some clients stop
            // reading at that length and never see the trailers.
            let mut hint = SizeHint::new();
            hint.set_lower(len);
            hint
        } else {
            SizeHint::with_exact(len)
        }
    }
}

/// How much of a request body the server reads and throws away, at most,
/// before answering an error over HTTP/1.1, and for how long.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads and throws away the rest of a request body, up to a bound in
/// bytes and in time. Over HTTP/1.1 a server that answers before the
/// request body is in, and then closes, makes the client that is still
/// writing see a broken pipe instead of the answer; reading the rest
/// first lets it read the status, as grpc-go and connect-go do. The
/// bound keeps a hostile client from holding the server: past it the
/// connection closes anyway.
pub(crate) async fn drain<B>(body: std::pin::Pin<&mut B>)
where
    B: http_body::Body,
{
    drain_within(body, DRAIN_BYTES, DRAIN_TIME).await
}

/// The most an HTTP/2 request body may declare (`content-length`) for the
/// server to read it before an early answer, and how long it waits.
const H2_DRAIN_BYTES: u64 = 64 * 1024;
const H2_DRAIN_TIME: std::time::Duration = std::time::Duration::from_millis(500);

/// Before an early answer over HTTP/2 (an unknown method, an interceptor's
/// refusal): reads a small declared body that is on its way. Answering
/// while the client is still sending makes the server reset the stream
/// (`RST_STREAM`), and some clients (curl among them) then drop the
/// answer they were sent. Bodies that declare no length or a large one
/// are not waited for: those clients get the answer and the reset.
pub(crate) async fn drain_small_h2<B>(body: std::pin::Pin<&mut B>, declared: Option<u64>)
where
    B: http_body::Body,
{
    if body.is_end_stream() || declared.is_none_or(|n| n > H2_DRAIN_BYTES) {
        return;
    }
    drain_within(body, H2_DRAIN_BYTES as usize, H2_DRAIN_TIME).await
}

/// The `content-length` a request declares.
pub(crate) fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Reads and throws away up to `bytes` of a body for up to `time`.
async fn drain_within<B>(body: std::pin::Pin<&mut B>, bytes: usize, time: std::time::Duration)
where
    B: http_body::Body,
{
    let mut body = body;
    let mut draining = Draining::new(bytes, time);
    std::future::poll_fn(|cx| draining.poll(cx, body.as_mut())).await
}

/// Reading the rest of a request body to throw it away, within a bound in
/// bytes and in time (see [`drain`]); a poll, for readers written as
/// futures of their own.
#[derive(Debug)]
pub(crate) struct Draining {
    left: usize,
    time: std::time::Duration,
    /// Started at the first wait.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Draining {
    pub(crate) fn new(bytes: usize, time: std::time::Duration) -> Draining {
        Draining {
            left: bytes,
            time,
            sleep: None,
        }
    }

    /// The bounds of [`drain`]: what an HTTP/1.1 error answer waits for.
    pub(crate) fn http1() -> Draining {
        Draining::new(DRAIN_BYTES, DRAIN_TIME)
    }

    /// Ready once the body has ended or failed, or a bound is reached.
    pub(crate) fn poll<B: http_body::Body>(
        &mut self,
        cx: &mut Context<'_>,
        mut body: Pin<&mut B>,
    ) -> Poll<()> {
        use bytes::Buf;
        loop {
            match body.as_mut().poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        match self.left.checked_sub(data.remaining()) {
                            Some(left) => self.left = left,
                            None => return Poll::Ready(()),
                        }
                    }
                }
                Poll::Ready(_) => return Poll::Ready(()),
                Poll::Pending => {
                    let time = self.time;
                    let sleep = self
                        .sleep
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(time)));
                    return std::future::Future::poll(sleep.as_mut(), cx);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn yields_data_then_trailers_with_an_exact_size() {
        let mut trailers = HeaderMap::new();
        trailers.insert("grpc-status", "0".parse().unwrap());
        let body = RpcBody::with_trailers(Bytes::from_static(b"abc"), trailers.clone());
        assert_eq!(body.size_hint().exact(), None);
        assert_eq!(
            RpcBody::full(Bytes::from_static(b"abc"))
                .size_hint()
                .exact(),
            Some(3)
        );
        let collected = body.collect().await.unwrap();
        assert_eq!(collected.trailers(), Some(&trailers));
        assert_eq!(collected.to_bytes(), Bytes::from_static(b"abc"));
        assert!(RpcBody::empty().is_end_stream());
    }
}
