//! A small service for the targets that send whole requests through the
//! in-memory server: one method of each call shape, echoing what it gets,
//! and a request helper that drives the router to the end of its answer.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, StreamBody};
use tower::ServiceExt;
use typerpc::{service, Message, RequestStream, ResponseStream, Router, Status};

/// The one message type.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "fuzz.v1")]
pub struct Ping {
    pub text: String,
    pub n: i32,
}

/// Echoes in every call shape.
pub struct FuzzService;

#[service]
impl FuzzService {
    /// The request back (idempotent, so Connect GET reaches it).
    #[rpc(idempotent)]
    async fn echo(&self, ping: Ping) -> Result<Ping, Status> {
        Ok(ping)
    }

    /// The texts of every request, joined; `n` is their count.
    async fn collect(&self, mut pings: RequestStream<Ping>) -> Result<Ping, Status> {
        let mut out = Ping::default();
        while let Some(ping) = pings.message().await? {
            out.text.push_str(&ping.text);
            out.n += 1;
        }
        Ok(out)
    }

    /// The request `n` times (at most 4).
    async fn repeat(&self, ping: Ping) -> Result<ResponseStream<Ping>, Status> {
        let times = ping.n.clamp(0, 4) as usize;
        Ok(ResponseStream::new(typerpc::stream::iter(
            std::iter::repeat_n(ping, times).map(Ok),
        )))
    }

    /// Each request back as it arrives.
    async fn chat(&self, pings: RequestStream<Ping>) -> Result<ResponseStream<Ping>, Status> {
        Ok(ResponseStream::new(pings))
    }
}

/// The largest message the router takes: small, so a target cannot make
/// it allocate much.
pub const MESSAGE_LIMIT: usize = 64 * 1024;

/// What a whole answer came to.
#[derive(Debug)]
pub struct Answer {
    /// The response head.
    pub response: http::response::Parts,
    /// The body's bytes.
    pub body: Bytes,
    /// HTTP trailers, if any.
    pub trailers: Option<http::HeaderMap>,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fn router() -> Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER
        .get_or_init(|| {
            Router::new()
                .add(FuzzService)
                .max_message_size(MESSAGE_LIMIT)
        })
        .clone()
}

/// Sends a request whose body arrives in `chunks`, through the in-memory
/// router, and reads the whole answer. Panics (a finding) if the answer
/// takes more than ten seconds: every method here answers at once.
pub fn send(head: http::request::Builder, chunks: Vec<Bytes>) -> Answer {
    let frames = chunks
        .into_iter()
        .map(|chunk| Ok::<_, std::convert::Infallible>(http_body::Frame::data(chunk)));
    let body = StreamBody::new(futures_util::stream::iter(frames));
    let request: Request<_> = head.body(body).expect("a valid request head");
    runtime().block_on(async {
        let answer = async {
            let response: Response<_> = router().oneshot(request).await.expect("infallible");
            let (response, body) = response.into_parts();
            let collected = body.collect().await.expect("the body reads to its end");
            let trailers = collected.trailers().cloned();
            Answer {
                response,
                body: collected.to_bytes(),
                trailers,
            }
        };
        tokio::time::timeout(Duration::from_secs(10), answer)
            .await
            .expect("the server answers in time")
    })
}

/// Splits `data` into chunks whose sizes cycle through `sizes` (each taken
/// as 1 to 256 bytes), so the same bytes arrive cut in many ways.
pub fn chunks(data: &[u8], sizes: &[u8]) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let size = sizes
            .get(i % sizes.len().max(1))
            .map_or(rest.len(), |&s| usize::from(s) + 1);
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        out.push(Bytes::copy_from_slice(chunk));
        rest = tail;
        i += 1;
    }
    out
}
