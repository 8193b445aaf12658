//! The admin port: the router's plain-HTTP endpoints (`/healthz`,
//! `/ready`, `/metrics`) on a port of their own, over HTTP/1.1, for
//! deployments that keep them off the port the world reaches.
//!
//! Every other path is 404. It runs until the main server has drained:
//! liveness keeps answering and readiness says `draining` meanwhile.

use std::convert::Infallible;

use http::{Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::endpoint::boxed;
use super::router::Router;
use crate::protocol::RpcBody;

/// Serves the endpoints of `router` on `listener` until `stop` changes.
pub(crate) async fn serve(listener: TcpListener, router: Router, stop: watch::Receiver<bool>) {
    let mut accepting = stop.clone();
    loop {
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
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stop.changed() => {}
            }
        });
    }
}

fn not_found() -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::full("not found\n"));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
