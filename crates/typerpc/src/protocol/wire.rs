//! Each protocol described once, for the server and the client alike:
//! which content type names it, which headers carry its timeout and its
//! compression, and how a request is recognised.
//!
//! | request | protocol | form |
//! |---|---|---|
//! | POST `application/grpc`, `application/grpc+proto`, `+json` | gRPC | enveloped |
//! | POST `application/grpc-web[-text]`, `+proto`, `+json` | gRPC-Web | enveloped |
//! | POST `application/proto`, `application/json` | Connect | unary |
//! | POST `application/connect+proto`, `application/connect+json` | Connect | enveloped (streaming) |
//! | GET with `?message=...` | Connect | unary GET (idempotent methods) |
//!
//! How a call ends (HTTP/2 trailers, a trailers frame, an end-of-stream
//! message) is [`Ending`](super::response_writer::Ending); how errors are
//! written and read is `grpc_status` and `connect_error`.

use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use http::{HeaderName, HeaderValue, Method as HttpMethod};

use crate::service::{Codec, Protocol};

// Header names as constants: a lookup by a `&str` parses the name on
// every call, one by a `HeaderName` does not.

/// `grpc-timeout`: the gRPC deadline.
pub(crate) const GRPC_TIMEOUT: HeaderName = HeaderName::from_static("grpc-timeout");
/// `connect-timeout-ms`: the Connect deadline in milliseconds.
pub(crate) const CONNECT_TIMEOUT: HeaderName = HeaderName::from_static("connect-timeout-ms");
/// `connect-protocol-version`: `1`, on Connect requests.
pub(crate) const CONNECT_PROTOCOL_VERSION: HeaderName =
    HeaderName::from_static("connect-protocol-version");
pub(crate) const GRPC_ENCODING: HeaderName = HeaderName::from_static("grpc-encoding");
pub(crate) const GRPC_ACCEPT_ENCODING: HeaderName = HeaderName::from_static("grpc-accept-encoding");
const CONNECT_CONTENT_ENCODING: HeaderName = HeaderName::from_static("connect-content-encoding");
const CONNECT_ACCEPT_ENCODING: HeaderName = HeaderName::from_static("connect-accept-encoding");

/// How a request carries its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// Enveloped messages in the body: gRPC, gRPC-Web, Connect streaming.
    Enveloped,
    /// One bare message in the body: Connect unary POST.
    ConnectUnary,
    /// One message in the query string: Connect unary GET.
    ConnectGet,
}

/// What a request speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wire {
    pub protocol: Protocol,
    pub codec: Codec,
    pub form: Form,
}

impl Wire {
    /// The wire of a request, from its HTTP method and content type. A
    /// Connect GET names its codec in the query: it reads as JSON until
    /// the query is parsed.
    pub(crate) fn classify(
        method: &HttpMethod,
        content_type: Option<&HeaderValue>,
    ) -> Option<Wire> {
        if method == HttpMethod::GET {
            return Some(Wire {
                protocol: Protocol::Connect,
                codec: Codec::Json,
                form: Form::ConnectGet,
            });
        }
        if let Some(wire) = content_type.and_then(|value| Wire::common(value.as_bytes())) {
            return Some(wire);
        }
        let media = media_type(content_type)?;
        let rest = strip_prefix_ignore_case(media, "application/")?;
        let grpc = |protocol, suffix: &str| {
            let codec = if suffix.is_empty() || suffix.eq_ignore_ascii_case("+proto") {
                Codec::Proto
            } else if suffix.eq_ignore_ascii_case("+json") {
                Codec::Json
            } else {
                return None;
            };
            Some(Wire {
                protocol,
                codec,
                form: Form::Enveloped,
            })
        };
        if let Some(suffix) = strip_prefix_ignore_case(rest, "grpc-web-text") {
            return grpc(Protocol::GrpcWebText, suffix);
        }
        if let Some(suffix) = strip_prefix_ignore_case(rest, "grpc-web") {
            return grpc(Protocol::GrpcWeb, suffix);
        }
        if let Some(suffix) = strip_prefix_ignore_case(rest, "grpc") {
            return grpc(Protocol::Grpc, suffix);
        }
        let connect = |codec, form| {
            Some(Wire {
                protocol: Protocol::Connect,
                codec,
                form,
            })
        };
        if rest.eq_ignore_ascii_case("json") {
            connect(Codec::Json, Form::ConnectUnary)
        } else if rest.eq_ignore_ascii_case("proto") {
            connect(Codec::Proto, Form::ConnectUnary)
        } else if rest.eq_ignore_ascii_case("connect+json") {
            connect(Codec::Json, Form::Enveloped)
        } else if rest.eq_ignore_ascii_case("connect+proto") {
            connect(Codec::Proto, Form::Enveloped)
        } else {
            None
        }
    }

    /// The content types nearly every request sends, spelled exactly so:
    /// recognised by one comparison, before the general parsing (case,
    /// parameters, suffixes) that the rest need.
    fn common(content_type: &[u8]) -> Option<Wire> {
        let (protocol, codec, form) = match content_type {
            b"application/grpc" | b"application/grpc+proto" => {
                (Protocol::Grpc, Codec::Proto, Form::Enveloped)
            }
            b"application/json" => (Protocol::Connect, Codec::Json, Form::ConnectUnary),
            b"application/proto" => (Protocol::Connect, Codec::Proto, Form::ConnectUnary),
            b"application/grpc-web+proto" => (Protocol::GrpcWeb, Codec::Proto, Form::Enveloped),
            _ => return None,
        };
        Some(Wire {
            protocol,
            codec,
            form,
        })
    }

    /// The wire a client uses for a call: Connect streams enveloped and
    /// sends unary calls bare; gRPC envelopes everything.
    pub(crate) fn for_call(protocol: Protocol, codec: Codec, streaming: bool) -> Wire {
        let form = if protocol == Protocol::Connect && !streaming {
            Form::ConnectUnary
        } else {
            Form::Enveloped
        };
        Wire {
            protocol,
            codec,
            form,
        }
    }

    /// gRPC or gRPC-Web.
    pub(crate) fn is_grpc(self) -> bool {
        self.protocol != Protocol::Connect
    }

    /// The content type of requests and responses on this wire (a GET
    /// response has its codec's unary type).
    pub(crate) fn content_type(self) -> HeaderValue {
        // Constants: built at compile time rather than checked on every
        // response.
        const GRPC_PROTO: HeaderValue = HeaderValue::from_static("application/grpc+proto");
        const GRPC_JSON: HeaderValue = HeaderValue::from_static("application/grpc+json");
        const WEB_PROTO: HeaderValue = HeaderValue::from_static("application/grpc-web+proto");
        const WEB_JSON: HeaderValue = HeaderValue::from_static("application/grpc-web+json");
        const WEB_TEXT_PROTO: HeaderValue =
            HeaderValue::from_static("application/grpc-web-text+proto");
        const WEB_TEXT_JSON: HeaderValue =
            HeaderValue::from_static("application/grpc-web-text+json");
        const CONNECT_PROTO: HeaderValue = HeaderValue::from_static("application/connect+proto");
        const CONNECT_JSON: HeaderValue = HeaderValue::from_static("application/connect+json");
        const PROTO: HeaderValue = HeaderValue::from_static("application/proto");
        const JSON: HeaderValue = HeaderValue::from_static("application/json");
        match (self.protocol, self.form, self.codec) {
            (Protocol::Grpc, _, Codec::Proto) => GRPC_PROTO,
            (Protocol::Grpc, _, Codec::Json) => GRPC_JSON,
            (Protocol::GrpcWeb, _, Codec::Proto) => WEB_PROTO,
            (Protocol::GrpcWeb, _, Codec::Json) => WEB_JSON,
            (Protocol::GrpcWebText, _, Codec::Proto) => WEB_TEXT_PROTO,
            (Protocol::GrpcWebText, _, Codec::Json) => WEB_TEXT_JSON,
            (Protocol::Connect, Form::Enveloped, Codec::Proto) => CONNECT_PROTO,
            (Protocol::Connect, Form::Enveloped, Codec::Json) => CONNECT_JSON,
            (Protocol::Connect, _, Codec::Proto) => PROTO,
            (Protocol::Connect, _, Codec::Json) => JSON,
        }
    }

    /// The media type a response must have, without the codec suffix
    /// (`application/grpc` accepts `application/grpc+proto`).
    pub(crate) fn response_media_prefix(self) -> &'static str {
        match (self.protocol, self.form) {
            (Protocol::Grpc, _) => "application/grpc",
            (Protocol::GrpcWeb, _) => "application/grpc-web",
            (Protocol::GrpcWebText, _) => "application/grpc-web-text",
            (Protocol::Connect, Form::Enveloped) => "application/connect+",
            (Protocol::Connect, _) => match self.codec {
                Codec::Proto => "application/proto",
                Codec::Json => "application/json",
            },
        }
    }

    /// The header naming the compression of the messages, and the one
    /// listing what the sender accepts back.
    pub(crate) fn compression_headers(self) -> (HeaderName, HeaderName) {
        match (self.protocol, self.form) {
            (Protocol::Connect, Form::Enveloped) => {
                (CONNECT_CONTENT_ENCODING, CONNECT_ACCEPT_ENCODING)
            }
            (Protocol::Connect, _) => (CONTENT_ENCODING, ACCEPT_ENCODING),
            _ => (GRPC_ENCODING, GRPC_ACCEPT_ENCODING),
        }
    }

    /// The header carrying the deadline.
    pub(crate) fn timeout_header(self) -> HeaderName {
        if self.is_grpc() {
            GRPC_TIMEOUT
        } else {
            CONNECT_TIMEOUT
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(method: &HttpMethod, content_type: &str) -> Option<(Protocol, Codec, Form)> {
        let value = HeaderValue::from_str(content_type).unwrap();
        Wire::classify(method, Some(&value)).map(|w| (w.protocol, w.codec, w.form))
    }

    #[test]
    fn content_types_choose_the_protocol() {
        let post = &HttpMethod::POST;
        use Form::*;
        assert_eq!(
            classify(post, "application/grpc"),
            Some((Protocol::Grpc, Codec::Proto, Enveloped))
        );
        assert_eq!(
            classify(post, "application/grpc+json"),
            Some((Protocol::Grpc, Codec::Json, Enveloped))
        );
        assert_eq!(
            classify(post, "application/grpc-web-text+proto"),
            Some((Protocol::GrpcWebText, Codec::Proto, Enveloped))
        );
        assert_eq!(
            classify(post, "Application/JSON; charset=utf-8"),
            Some((Protocol::Connect, Codec::Json, ConnectUnary))
        );
        assert_eq!(
            classify(post, "APPLICATION/Connect+Proto"),
            Some((Protocol::Connect, Codec::Proto, Enveloped))
        );
        for refused in [
            "application/grpc+xml",
            "application/grpcx",
            "application/",
            "text/plain",
        ] {
            assert_eq!(classify(post, refused), None, "{refused}");
        }
        assert_eq!(Wire::classify(post, None), None);
        assert_eq!(
            Wire::classify(&HttpMethod::GET, None).map(|w| w.form),
            Some(ConnectGet)
        );
    }

    #[test]
    fn every_wire_names_the_content_type_it_is_recognised_by() {
        for protocol in [
            Protocol::Grpc,
            Protocol::GrpcWeb,
            Protocol::GrpcWebText,
            Protocol::Connect,
        ] {
            for codec in [Codec::Proto, Codec::Json] {
                for streaming in [false, true] {
                    let wire = Wire::for_call(protocol, codec, streaming);
                    let back = Wire::classify(&HttpMethod::POST, Some(&wire.content_type()));
                    assert_eq!(back, Some(wire));
                    let ct = wire.content_type();
                    assert!(ct
                        .to_str()
                        .unwrap()
                        .starts_with(wire.response_media_prefix()));
                }
            }
        }
    }
}
