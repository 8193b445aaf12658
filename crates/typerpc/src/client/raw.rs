//! Calls with messages already encoded: for tools that know a method only
//! at run time (the `typerpc call` command transcodes JSON with a schema
//! fetched by reflection), through the same protocol code as typed calls.

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};

use super::response::Streaming;
use super::{call, CallOptions, CallShape, Client, MethodInfo};
use crate::Status;

impl Client {
    /// Calls `method` with requests already encoded in this client's codec
    /// and returns the responses undecoded, checked by the protocol as a
    /// typed call's are (for unary and client-streaming shapes, exactly
    /// one response).
    ///
    /// Unary and server-streaming calls send the first request only.
    #[doc(hidden)]
    pub async fn call_encoded(
        &self,
        method: MethodInfo,
        shape: CallShape,
        requests: impl Stream<Item = Bytes> + Send + 'static,
        options: CallOptions,
    ) -> Result<Streaming<Bytes>, Status> {
        let mut call = self.prepare(method, options, shape)?;
        let requests = requests.map(Ok);
        if shape == CallShape::Unary {
            let mut requests = requests.boxed();
            let body = requests.next().await.unwrap_or(Ok(Bytes::new()))?;
            return Ok(one(self.unary_encoded(&mut call, body).await?));
        }
        let requests = match shape {
            CallShape::ServerStreaming => requests.take(1).boxed(),
            _ => requests.boxed(),
        };
        let deadline = call.deadline;
        call::with_deadline(deadline, async {
            let raw = self.streaming_encoded(&mut call, requests).await?;
            if shape == CallShape::ClientStreaming {
                Ok(one(call::single(raw).await?))
            } else {
                Ok(raw)
            }
        })
        .await
    }
}

/// A stream of one message, ended successfully with the response's
/// trailers.
fn one(response: super::Response<Bytes>) -> Streaming<Bytes> {
    let (headers, message, trailers) = response.into_parts();
    Streaming::new(
        headers,
        futures_util::stream::iter([Ok(message)]).boxed(),
        std::sync::Arc::new(std::sync::Mutex::new(Some(trailers))),
    )
}
