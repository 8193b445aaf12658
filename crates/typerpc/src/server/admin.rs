//! The admin port: the router's plain-HTTP endpoints (`/healthz`,
//! `/ready`, `/metrics`) on a port of their own, over HTTP/1.1, for
//! deployments that keep them off the port the world reaches.
//!
//! Every other path is 404. It runs until the main server has drained:
//! liveness keeps answering and readiness says `draining` meanwhile.
//!
//! Probes and scrapers are few and quick, so the port takes at most
//! [`MAX_CONNECTIONS`] at once (then it waits, as the main port does at
//! its limit) and holds each to the main port's HTTP/1.1 bounds: a head
//! must arrive within `http1_header_read_timeout`, which also closes a
//! keep-alive connection that sends nothing more, and may carry at most
//! `max_http1_headers` headers.

use std::convert::Infallible;
use std::sync::Arc;

use http::{Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::endpoint::boxed;
use super::router::Router;
use super::settings::ConnectionSettings;
use crate::protocol::RpcBody;

/// Connections the admin port serves at once.
pub(crate) const MAX_CONNECTIONS: usize = 64;

/// Serves the endpoints of `router` on `listener` until `stop` changes,
/// with the HTTP/1.1 bounds of `settings`.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    settings: ConnectionSettings,
    stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut accepting = stop.clone();
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = accepting.changed() => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(
                        target: crate::service::telemetry::SERVER_TARGET,
                        %error,
                        "admin port: accepting a connection failed"
                    );
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = accepting.changed() => return,
        };
        let router = router.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
                let endpoint = router.operational_endpoint(request.uri().path());
                let router = router.clone();
                async move {
                    let response = match endpoint {
                        Some(endpoint) => endpoint.call(router, boxed(request)).await,
                        None => not_found(),
                    };
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(settings.http1_header_read_timeout)
                .max_headers(settings.max_http1_headers)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stop.changed() => {}
            }
            drop(permit);
        });
    }
}

fn not_found() -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::full("not found\n"));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
