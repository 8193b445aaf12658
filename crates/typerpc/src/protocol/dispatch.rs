//! Which protocol a request speaks, decided from its HTTP method and
//! content type, and the responses for requests no protocol accepts.
//!
//! | request | protocol |
//! |---|---|
//! | POST `application/grpc`, `application/grpc+proto`, `+json` | gRPC |
//! | POST `application/grpc-web[-text]`, `+proto`, `+json` | gRPC-Web |
//! | POST `application/proto`, `application/json` | Connect unary |
//! | POST `application/connect+proto`, `application/connect+json` | Connect streaming |
//! | GET with `?message=...` | Connect unary GET (idempotent methods) |

use std::sync::Arc;

use http::{header, HeaderValue, Method as HttpMethod, Request, Response, StatusCode};

use super::{connect, connect_stream, grpc};
use crate::message::json::JsonOptions;
use crate::server::body::RpcBody;
use crate::server::router::Inner;
use crate::service::{Format, Method};

/// The message codec named by a content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    Proto,
    Json,
}

impl Codec {
    /// How the method layer encodes messages for this codec.
    pub(crate) fn format(self, json: &Arc<JsonOptions>) -> Format {
        match self {
            Codec::Proto => Format::Proto,
            Codec::Json => Format::Json(Arc::clone(json)),
        }
    }
}

/// What a request speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    Grpc { codec: Codec },
    GrpcWeb { codec: Codec, text: bool },
    ConnectUnary { codec: Codec },
    ConnectStream { codec: Codec },
    ConnectGet,
}

/// The media type without parameters (`application/json; charset=utf-8`
/// is `application/json`), compared without regard to case and without
/// allocating: this runs on every call.
fn media_type(value: Option<&HeaderValue>) -> Option<&str> {
    let value = value?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or("").trim())
}

/// `value` starts with `prefix`, ignoring ASCII case; returns the rest.
fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

fn classify(method: &HttpMethod, content_type: Option<&HeaderValue>) -> Option<Protocol> {
    if method == HttpMethod::GET {
        return Some(Protocol::ConnectGet);
    }
    let media = media_type(content_type)?;
    let grpc_codec = |suffix: &str| {
        if suffix.is_empty() || suffix.eq_ignore_ascii_case("+proto") {
            Some(Codec::Proto)
        } else if suffix.eq_ignore_ascii_case("+json") {
            Some(Codec::Json)
        } else {
            None
        }
    };
    if let Some(rest) = strip_prefix_ignore_case(media, "application/") {
        if let Some(rest) = strip_prefix_ignore_case(rest, "grpc-web-text") {
            return grpc_codec(rest).map(|codec| Protocol::GrpcWeb { codec, text: true });
        }
        if let Some(rest) = strip_prefix_ignore_case(rest, "grpc-web") {
            return grpc_codec(rest).map(|codec| Protocol::GrpcWeb { codec, text: false });
        }
        if let Some(rest) = strip_prefix_ignore_case(rest, "grpc") {
            return grpc_codec(rest).map(|codec| Protocol::Grpc { codec });
        }
        if rest.eq_ignore_ascii_case("json") {
            return Some(Protocol::ConnectUnary { codec: Codec::Json });
        }
        if rest.eq_ignore_ascii_case("proto") {
            return Some(Protocol::ConnectUnary {
                codec: Codec::Proto,
            });
        }
        if rest.eq_ignore_ascii_case("connect+json") {
            return Some(Protocol::ConnectStream { codec: Codec::Json });
        }
        if rest.eq_ignore_ascii_case("connect+proto") {
            return Some(Protocol::ConnectStream {
                codec: Codec::Proto,
            });
        }
    }
    None
}

/// Serves one request.
pub(crate) async fn handle<B>(inner: Arc<Inner>, request: Request<B>) -> Response<RpcBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let path = request.uri().path().trim_start_matches('/');
    let protocol = classify(
        request.method(),
        request.headers().get(header::CONTENT_TYPE),
    );
    let method = inner.methods.get(path);

    let Some(protocol) = protocol else {
        return unsupported(
            request.method(),
            method.is_some_and(|m| m.schema().idempotent),
        );
    };
    if request.method() != HttpMethod::POST && protocol != Protocol::ConnectGet {
        return not_allowed(method.is_some_and(|m| m.schema().idempotent));
    }
    match protocol {
        Protocol::Grpc { codec } => grpc::serve(&inner, method, request, codec, None).await,
        Protocol::GrpcWeb { codec, text } => {
            grpc::serve(&inner, method, request, codec, Some(text)).await
        }
        // Connect gives unary and streaming calls their own content types;
        // a method of the other kind is told which to use.
        Protocol::ConnectUnary { .. } | Protocol::ConnectGet
            if method.is_some_and(Method::is_streaming) =>
        {
            wrong_connect_kind(true)
        }
        Protocol::ConnectStream { .. } if method.is_some_and(|m| !m.is_streaming()) => {
            wrong_connect_kind(false)
        }
        Protocol::ConnectUnary { codec } => connect::unary(&inner, method, request, codec).await,
        Protocol::ConnectGet => connect::unary_get(&inner, method, request).await,
        Protocol::ConnectStream { codec } => {
            connect_stream::serve(&inner, method, request, codec).await
        }
    }
}

/// 415 for a Connect request of the wrong kind for its method.
fn wrong_connect_kind(method_streams: bool) -> Response<RpcBody> {
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
fn unsupported(method: &HttpMethod, idempotent: bool) -> Response<RpcBody> {
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
fn not_allowed(idempotent: bool) -> Response<RpcBody> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ct(v: &str) -> Option<HeaderValue> {
        Some(HeaderValue::from_str(v).unwrap())
    }

    #[test]
    fn content_types_choose_the_protocol() {
        let post = HttpMethod::POST;
        assert_eq!(
            classify(&post, ct("application/grpc").as_ref()),
            Some(Protocol::Grpc {
                codec: Codec::Proto
            })
        );
        assert_eq!(
            classify(&post, ct("application/grpc+json").as_ref()),
            Some(Protocol::Grpc { codec: Codec::Json })
        );
        assert_eq!(
            classify(&post, ct("application/grpc-web-text+proto").as_ref()),
            Some(Protocol::GrpcWeb {
                codec: Codec::Proto,
                text: true
            })
        );
        assert_eq!(
            classify(&post, ct("Application/JSON; charset=utf-8").as_ref()),
            Some(Protocol::ConnectUnary { codec: Codec::Json })
        );
        assert_eq!(
            classify(&post, ct("APPLICATION/Connect+Proto").as_ref()),
            Some(Protocol::ConnectStream {
                codec: Codec::Proto
            })
        );
        assert_eq!(classify(&post, ct("application/grpc+xml").as_ref()), None);
        assert_eq!(classify(&post, ct("application/grpcx").as_ref()), None);
        assert_eq!(classify(&post, ct("application/").as_ref()), None);
        assert_eq!(classify(&post, ct("text/plain").as_ref()), None);
        assert_eq!(classify(&post, None), None);
        assert_eq!(classify(&HttpMethod::GET, None), Some(Protocol::ConnectGet));
    }
}
