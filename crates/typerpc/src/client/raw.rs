//! Calls with messages already encoded: for tools that know a method only
//! at run time (the `typerpc call` command transcodes JSON with a schema
//! fetched by reflection), through the same protocol code as typed calls.

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};

use super::response::Streaming;
use super::{call, connect, CallOptions, Client, MethodInfo, Protocol};
use crate::Status;

/// The shape of a method: how many messages go each way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallShape {
    /// One request, one response.
    Unary,
    /// One request, a stream of responses.
    ServerStreaming,
    /// A stream of requests, one response.
    ClientStreaming,
    /// Streams both ways at once (needs HTTP/2).
    BidiStreaming,
}

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
        let call = self.prepare(method, options, shape == CallShape::BidiStreaming)?;
        let requests = requests.map(Ok);
        let requests = match shape {
            CallShape::Unary | CallShape::ServerStreaming => requests.take(1).boxed(),
            CallShape::ClientStreaming | CallShape::BidiStreaming => requests.boxed(),
        };
        let single = matches!(shape, CallShape::Unary | CallShape::ClientStreaming);
        call::with_deadline(call.deadline, async {
            if shape == CallShape::Unary && self.inner.protocol == Protocol::Connect {
                let mut requests = requests;
                let body = requests.next().await.unwrap_or(Ok(Bytes::new()))?;
                let response = connect::unary(self, &call, body).await?;
                return Ok(one(response));
            }
            let raw = self.enveloped(&call, requests).await?;
            if single {
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
