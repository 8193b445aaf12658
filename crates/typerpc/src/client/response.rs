//! What a call returns: the message with the response's metadata, or a
//! stream of messages whose trailers arrive at its end.

use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_util::stream::{BoxStream, Stream, StreamExt};
use http::HeaderMap;

use crate::Status;

/// A unary (or client-streaming) response with its metadata, from the
/// `_with` methods of a generated client.
#[derive(Clone, Debug)]
pub struct Response<T> {
    headers: HeaderMap,
    message: T,
    trailers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(headers: HeaderMap, message: T, trailers: HeaderMap) -> Response<T> {
        Response {
            headers,
            message,
            trailers,
        }
    }

    /// The response headers (`-bin` values are base64: decode them with
    /// [`typerpc::client::decode_binary_header`](super::decode_binary_header)).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response trailers, without the protocol's own (`grpc-status`
    /// and friends).
    pub fn trailers(&self) -> &HeaderMap {
        &self.trailers
    }

    /// The message.
    pub fn message(&self) -> &T {
        &self.message
    }

    /// The message, dropping the metadata.
    pub fn into_message(self) -> T {
        self.message
    }

    /// Headers, message and trailers.
    pub fn into_parts(self) -> (HeaderMap, T, HeaderMap) {
        (self.headers, self.message, self.trailers)
    }
}

/// The responses of a server-streaming or bidirectional call, decoded as
/// they are read.
///
/// Each item is a response or the error that ended the call (after which
/// the stream ends); the stream ending without an error means the call
/// succeeded. The response headers are known from the start, the
/// trailers once the stream has ended.
///
/// `while let Some(item) = stream.message().await? { ... }` reads every
/// response and passes an error on.
pub struct Streaming<T> {
    headers: HeaderMap,
    inner: BoxStream<'static, Result<T, Status>>,
    trailers: std::sync::Arc<std::sync::Mutex<Option<HeaderMap>>>,
    done: bool,
}

impl<T> Streaming<T> {
    pub(crate) fn new(
        headers: HeaderMap,
        inner: BoxStream<'static, Result<T, Status>>,
        trailers: std::sync::Arc<std::sync::Mutex<Option<HeaderMap>>>,
    ) -> Streaming<T> {
        Streaming {
            headers,
            inner,
            trailers,
            done: false,
        }
    }

    /// The same stream with each message turned into another type.
    pub(crate) fn map_messages<U>(
        self,
        mut f: impl FnMut(T) -> Result<U, Status> + Send + 'static,
    ) -> Streaming<U>
    where
        T: 'static,
    {
        Streaming {
            headers: self.headers,
            inner: self.inner.map(move |item| item.and_then(&mut f)).boxed(),
            trailers: self.trailers,
            done: self.done,
        }
    }

    /// The same stream, calling `end` once when it ends (`None`) or fails
    /// (`Some(error)`); dropping the stream first drops `end` uncalled.
    pub(crate) fn on_end<F>(self, end: F) -> Streaming<T>
    where
        T: 'static,
        F: FnOnce(Option<&Status>) + Send + Unpin + 'static,
    {
        Streaming {
            headers: self.headers,
            inner: OnEnd {
                inner: self.inner,
                end: Some(end),
            }
            .boxed(),
            trailers: self.trailers,
            done: self.done,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The trailers, once the stream has ended (`None` before, or when
    /// the call broke before any arrived).
    pub fn trailers(&self) -> Option<HeaderMap> {
        self.trailers.lock().ok().and_then(|t| t.clone())
    }

    /// The next response: `Ok(None)` once the call ended successfully.
    pub async fn message(&mut self) -> Result<Option<T>, Status> {
        self.next().await.transpose()
    }
}

impl<T> Stream for Streaming<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(self.inner.poll_next_unpin(cx));
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        Poll::Ready(item)
    }
}

impl<T> fmt::Debug for Streaming<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streaming")
            .field("headers", &self.headers)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// A stream that says once how it ended.
struct OnEnd<T, F> {
    inner: BoxStream<'static, Result<T, Status>>,
    end: Option<F>,
}

impl<T, F> Stream for OnEnd<T, F>
where
    F: FnOnce(Option<&Status>) + Unpin,
{
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let item = std::task::ready!(self.inner.poll_next_unpin(cx));
        match &item {
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                if let Some(end) = self.end.take() {
                    end(Some(error));
                }
            }
            None => {
                if let Some(end) = self.end.take() {
                    end(None);
                }
            }
        }
        Poll::Ready(item)
    }
}
