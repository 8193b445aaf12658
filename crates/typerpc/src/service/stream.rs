//! The two stream types of streaming methods: [`RequestStream`], what a
//! client-streaming or bidirectional handler reads, and [`ResponseStream`],
//! a boxed stream of responses for handlers that prefer a named type to
//! `impl Stream`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_util::stream::{BoxStream, Stream, StreamExt};

use crate::Status;

/// The requests of a client-streaming or bidirectional call, in order.
///
/// Each item is a decoded (and validated) request, or the error that ended
/// the stream: a message that does not decode is `invalid_argument`, one
/// over the size limit `resource_exhausted`, a client that went away
/// `canceled`. After an error the stream ends.
///
/// ```
/// use typerpc::{service, Message, RequestStream, Status};
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct Reading { pub celsius: f64 }
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct Summary { pub count: u32, pub mean: f64 }
///
/// pub struct SensorService;
///
/// #[service]
/// impl SensorService {
///     /// Averages a stream of readings.
///     async fn record(&self, mut readings: RequestStream<Reading>) -> Result<Summary, Status> {
///         let (mut count, mut sum) = (0u32, 0.0);
///         while let Some(reading) = readings.message().await? {
///             count += 1;
///             sum += reading.celsius;
///         }
///         Ok(Summary { count, mean: if count == 0 { 0.0 } else { sum / count as f64 } })
///     }
/// }
///
/// # tokio_test_block_on(async {
/// // Handlers are plain methods: tests can feed them any stream.
/// let readings = RequestStream::from_messages([Reading { celsius: 20.0 }, Reading { celsius: 22.0 }]);
/// let summary = SensorService.record(readings).await.unwrap();
/// assert_eq!(summary, Summary { count: 2, mean: 21.0 });
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct RequestStream<T> {
    inner: BoxStream<'static, Result<T, Status>>,
    done: bool,
}

impl<T> RequestStream<T> {
    /// A request stream reading from any stream of results (the server
    /// builds one per call; tests may build their own).
    pub fn new(stream: impl Stream<Item = Result<T, Status>> + Send + 'static) -> RequestStream<T> {
        RequestStream {
            inner: stream.boxed(),
            done: false,
        }
    }

    /// A request stream of these messages, for tests.
    pub fn from_messages<I>(messages: I) -> RequestStream<T>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
        T: Send + 'static,
    {
        RequestStream::new(futures_util::stream::iter(messages.into_iter().map(Ok)))
    }

    /// The next request: `Ok(None)` once the client finished sending.
    ///
    /// `while let Some(req) = requests.message().await? { ... }` reads
    /// every request and passes an error on to the caller.
    pub async fn message(&mut self) -> Result<Option<T>, Status> {
        self.next().await.transpose()
    }
}

impl<T> Stream for RequestStream<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(self.inner.poll_next_unpin(cx));
        // Nothing follows an error: the stream is broken from there on.
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        Poll::Ready(item)
    }
}

impl<T> fmt::Debug for RequestStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestStream")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// A boxed stream of responses, for server-streaming and bidirectional
/// methods that name their return type rather than write `impl Stream`.
///
/// An `Err` item ends the call with that status after the messages sent
/// before it; ending the stream ends the call with `ok`.
///
/// ```
/// use typerpc::{service, Message, ResponseStream, Status};
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct CountRequest { pub to: u32 }
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct Count { pub n: u32 }
///
/// pub struct CounterService;
///
/// #[service]
/// impl CounterService {
///     /// Counts from 1.
///     async fn count(&self, req: CountRequest) -> Result<ResponseStream<Count>, Status> {
///         let counts = (1..=req.to).map(|n| Ok(Count { n }));
///         Ok(ResponseStream::new(typerpc::stream::iter(counts)))
///     }
/// }
/// ```
pub struct ResponseStream<T> {
    inner: BoxStream<'static, Result<T, Status>>,
}

impl<T> ResponseStream<T> {
    /// Boxes a stream of responses.
    pub fn new(
        stream: impl Stream<Item = Result<T, Status>> + Send + 'static,
    ) -> ResponseStream<T> {
        ResponseStream {
            inner: stream.boxed(),
        }
    }

    /// A stream that sends nothing and ends with `ok`.
    pub fn empty() -> ResponseStream<T>
    where
        T: Send + 'static,
    {
        ResponseStream::new(futures_util::stream::empty())
    }
}

impl<T> Stream for ResponseStream<T> {
    type Item = Result<T, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> fmt::Debug for ResponseStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseStream").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_stream_ends_after_an_error() {
        let items = vec![
            Ok(1),
            Err(Status::invalid_argument("bad")),
            Ok(2), // never seen: the stream broke before it
        ];
        let mut stream = RequestStream::new(futures_util::stream::iter(items));
        assert_eq!(stream.message().await.unwrap(), Some(1));
        assert_eq!(
            stream.message().await.unwrap_err().code(),
            crate::Code::InvalidArgument
        );
        assert_eq!(stream.message().await.unwrap(), None);
    }

    #[tokio::test]
    async fn response_streams_box_any_stream() {
        let stream = ResponseStream::new(futures_util::stream::iter([Ok::<_, Status>(1), Ok(2)]));
        let items: Vec<_> = stream.map(Result::unwrap).collect().await;
        assert_eq!(items, [1, 2]);
        assert_eq!(ResponseStream::<u8>::empty().count().await, 0);
    }
}
