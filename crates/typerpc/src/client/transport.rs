//! Getting a request to the server and its response back: over a pooled
//! HTTP connection (TCP, optionally TLS), or straight into a [`Router`]
//! in the same process.
//!
//! The pool is hyper-util's: connections are reused, and on HTTP/2 every
//! call of every clone of a client shares one connection per origin as
//! concurrent streams.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::dial::Dial;
use crate::status::error_chain;
use crate::Status;

/// An error of a transport or a body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of the HTTP requests a client sends and of the responses it
/// reads.
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// Where a client's calls go, as a `tower::Service`: what
/// [`ClientBuilder::layer`](super::ClientBuilder::layer) wraps, and what
/// [`Client::in_memory`](super::Client::in_memory) calls.
pub type HttpService = tower::util::BoxCloneSyncService<Request<Body>, Response<Body>, BoxError>;

/// Where calls go.
#[derive(Clone)]
pub(crate) enum Transport {
    /// The pooled hyper client, called directly: the common case pays for
    /// no boxing.
    Http(Box<hyper_util::client::legacy::Client<Connector, Body>>),
    /// Any tower service: a router in this process, or the HTTP client
    /// wrapped in the user's layers.
    Service(HttpService),
}

/// Boxes a tower service over HTTP, whatever its body and error types.
pub(crate) fn boxed_service<S, B>(service: S) -> HttpService
where
    S: tower_service::Service<Request<Body>, Response = Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    use tower::ServiceExt;
    HttpService::new(
        service
            .map_response(|response: Response<B>| {
                response.map(|body| body.map_err(Into::into).boxed_unsync())
            })
            .map_err(Into::into),
    )
}

/// The pooled HTTP client as a tower service, for layers to wrap.
#[derive(Clone)]
struct HttpClient(hyper_util::client::legacy::Client<Connector, Body>);

impl tower_service::Service<Request<Body>> for HttpClient {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let future = self.0.request(request);
        Box::pin(async move {
            match future.await {
                Ok(response) => Ok(response
                    .map(|body| body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync())),
                Err(error) => Err(Box::new(Status::unavailable(error_chain(&error))) as BoxError),
            }
        })
    }
}

impl Transport {
    /// A pooled HTTP transport. `http2_only` speaks HTTP/2 with prior
    /// knowledge on plain TCP (h2c); with TLS the version is whatever ALPN
    /// chose among those `tls` offers.
    pub(crate) fn http(
        http2_only: bool,
        tls: Option<Arc<rustls::ClientConfig>>,
        dial: Dial,
    ) -> Transport {
        Transport::Http(Box::new(http_client(http2_only, Connector { tls, dial })))
    }

    /// Sends a request; the response arrives once its headers have.
    /// Failing to reach the server is `unavailable`.
    pub(crate) async fn send(&self, request: Request<Body>) -> Result<Response<Body>, Status> {
        match self {
            Transport::Http(client) => match client.request(request).await {
                Ok(response) => Ok(response
                    .map(|body| body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync())),
                Err(error) => Err(Status::unavailable(error_chain(&error))),
            },
            Transport::Service(service) => call_service(service.clone(), request)
                .await
                .map_err(|error| status_of_error(&*error)),
        }
    }

    /// This transport as a tower service, for layers to wrap.
    pub(crate) fn into_service(self) -> HttpService {
        match self {
            Transport::Http(client) => HttpService::new(HttpClient(*client)),
            Transport::Service(service) => service,
        }
    }
}

/// A pooled hyper client that opens its connections with `connector`.
pub(crate) fn http_client(
    http2_only: bool,
    connector: Connector,
) -> hyper_util::client::legacy::Client<Connector, Body> {
    let mut builder = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
    builder
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .http2_only(http2_only)
        // RPC streams are long-lived and small messages many: avoid
        // stalls on window updates, as the server does.
        .http2_initial_stream_window_size(1024 * 1024)
        .http2_initial_connection_window_size(2 * 1024 * 1024);
    // No HTTP/2 PINGs: TCP keepalive (see `dial`) finds a server that
    // vanished, without hyper timestamping every frame.
    builder.build(connector)
}

/// Calls a boxed service once it is ready. The future is boxed with its
/// types spelled out: left to inference inside `send`, tower's generic
/// `Oneshot` makes the caller's future lose `Send`.
fn call_service(
    mut service: HttpService,
    request: Request<Body>,
) -> Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>> {
    Box::pin(async move {
        std::future::poll_fn(|cx| tower_service::Service::poll_ready(&mut service, cx)).await?;
        tower_service::Service::call(&mut service, request).await
    })
}

/// The status of a transport's error: what a layer's error names (see
/// [`Status::from_error`]), or else `unavailable` with its causes.
fn status_of_error(error: &(dyn std::error::Error + Send + Sync + 'static)) -> Status {
    Status::known_from_error(error).unwrap_or_else(|| Status::unavailable(error_chain(error)))
}

/// Opens TCP connections, with TLS for `https` URIs.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    pub(crate) dial: Dial,
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<Conn>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<TokioIo<Conn>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let tls = self.tls.clone();
        let dial = self.dial;
        Box::pin(async move {
            let host = uri.host().ok_or("the URL has no host")?.to_string();
            let https = uri.scheme_str() == Some("https");
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            // IPv6 literals come bracketed in URIs.
            let bare = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let connect = async {
                let tcp = dial.tcp(&bare, port).await?;
                if !https {
                    return Ok(TokioIo::new(Conn::Plain(tcp)));
                }
                let config = tls.ok_or("https URL, but the client has no TLS configuration")?;
                let name = rustls::pki_types::ServerName::try_from(bare.clone())?;
                let stream = tokio_rustls::TlsConnector::from(config)
                    .connect(name, tcp)
                    .await?;
                Ok(TokioIo::new(Conn::Tls(Box::new(stream))))
            };
            dial.within_timeout(&bare, port, connect).await
        })
    }
}

/// A connection, plain or TLS.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        match self {
            Conn::Plain(tcp) => tcp.connected(),
            Conn::Tls(tls) => {
                let (tcp, session) = tls.get_ref();
                if session.alpn_protocol() == Some(b"h2") {
                    tcp.connected().negotiated_h2()
                } else {
                    tcp.connected()
                }
            }
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Conn::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Conn::Plain(s) => s.is_write_vectored(),
            Conn::Tls(s) => s.is_write_vectored(),
        }
    }
}
