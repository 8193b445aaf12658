//! The HTTP answers to requests that no protocol accepts: a content type
//! no protocol speaks (415), a verb the method does not take (405), a
//! Connect request of the wrong kind for its method (415). Each says what
//! would have worked.

use http::{header, HeaderValue, Method as HttpMethod, Response, StatusCode};

use super::body::RpcBody;

/// 415 for a Connect request of the wrong kind for its method.
#[cold]
#[inline(never)]
pub(crate) fn wrong_connect_kind(method_streams: bool) -> Response<RpcBody> {
    let text = if method_streams {
        "typerpc: this is a streaming method; Connect calls it with application/connect+proto or application/connect+json\n"
    } else {
        "typerpc: this is a unary method; Connect calls it with application/proto or application/json\n"
    };
    let accept = if method_streams {
        "application/connect+proto, application/connect+json, application/grpc, application/grpc-web"
    } else {
        "application/proto, application/json, application/grpc, application/grpc-web"
    };
    let mut response = Response::new(RpcBody::full(text));
    *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let headers = response.headers_mut();
    headers.insert("accept-post", HeaderValue::from_static(accept));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// 415 for a content type no protocol speaks, naming what is accepted.
#[cold]
#[inline(never)]
pub(crate) fn unsupported(method: &HttpMethod, idempotent: bool) -> Response<RpcBody> {
    if method != HttpMethod::POST {
        return not_allowed(idempotent);
    }
    let mut response = Response::new(RpcBody::full(
        "typerpc: unsupported content type; use application/json or application/proto (Connect unary), application/connect+json or application/connect+proto (Connect streaming), application/grpc[+proto|+json] (gRPC) or application/grpc-web[-text][+proto|+json] (gRPC-Web)\n",
    ));
    *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let headers = response.headers_mut();
    headers.insert(
        "accept-post",
        HeaderValue::from_static(
            "application/json, application/proto, application/connect+json, application/connect+proto, application/grpc, application/grpc+proto, application/grpc+json, application/grpc-web, application/grpc-web+proto, application/grpc-web+json, application/grpc-web-text",
        ),
    );
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// 405 for a verb the method does not take.
#[cold]
#[inline(never)]
pub(crate) fn not_allowed(idempotent: bool) -> Response<RpcBody> {
    let allow = if idempotent { "GET, POST" } else { "POST" };
    let mut response = Response::new(RpcBody::full(format!(
        "typerpc: method not allowed; use {allow}\n"
    )));
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
