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

use crate::{Router, Status};

/// Errors of bodies in either direction.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request or response body.
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

/// Where calls go.
#[derive(Clone)]
pub(crate) enum Transport {
    Http(Box<hyper_util::client::legacy::Client<Connector, Body>>),
    InMemory(Router),
}

impl Transport {
    /// A pooled HTTP transport. `http2_only` speaks HTTP/2 with prior
    /// knowledge on plain TCP (h2c); with TLS the version is whatever ALPN
    /// chose among those `tls` offers.
    pub(crate) fn http(http2_only: bool, tls: Option<Arc<rustls::ClientConfig>>) -> Transport {
        let mut builder = hyper_util::client::legacy::Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .http2_only(http2_only)
            // RPC streams are long-lived and small messages many: avoid
            // stalls on window updates, as the server does.
            .http2_initial_stream_window_size(1024 * 1024)
            .http2_initial_connection_window_size(2 * 1024 * 1024)
            .http2_keep_alive_interval(std::time::Duration::from_secs(60))
            .http2_keep_alive_while_idle(false);
        Transport::Http(Box::new(builder.build(Connector { tls })))
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
            Transport::InMemory(router) => {
                let mut router = router.clone();
                let response = tower_service::Service::call(&mut router, request)
                    .await
                    .unwrap_or_else(|never| match never {});
                Ok(response.map(|body| body.map_err(|never| match never {}).boxed_unsync()))
            }
        }
    }
}

/// An error and its causes on one line: hyper's top-level errors alone
/// ("client error (Connect)") do not say what went wrong.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Opens TCP connections, with TLS for `https` URIs.
#[derive(Clone)]
pub(crate) struct Connector {
    tls: Option<Arc<rustls::ClientConfig>>,
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
        Box::pin(async move {
            let host = uri.host().ok_or("the URL has no host")?.to_string();
            let https = uri.scheme_str() == Some("https");
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            // IPv6 literals come bracketed in URIs.
            let bare = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let tcp = TcpStream::connect((bare.as_str(), port)).await?;
            // Small RPC messages should leave at once.
            let _ = tcp.set_nodelay(true);
            if !https {
                return Ok(TokioIo::new(Conn::Plain(tcp)));
            }
            let config = tls.ok_or("https URL, but the client has no TLS configuration")?;
            let name = rustls::pki_types::ServerName::try_from(bare)?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await?;
            Ok(TokioIo::new(Conn::Tls(Box::new(stream))))
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
