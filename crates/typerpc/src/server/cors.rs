//! CORS, so browsers on other origins can call Connect and gRPC-Web
//! methods: preflight requests are answered, and responses expose the
//! headers the protocols put status and trailers in.

use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};

use crate::protocol::RpcBody;

/// Headers browsers may send on calls.
const ALLOW_HEADERS: &str = "content-type, connect-protocol-version, connect-timeout-ms, connect-content-encoding, connect-accept-encoding, grpc-timeout, grpc-encoding, grpc-accept-encoding, x-grpc-web, x-user-agent, authorization";
/// Response headers scripts may read.
const EXPOSE_HEADERS: &str = "grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding, content-encoding, connect-content-encoding";

/// Which origins may call from a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cors {
    /// Any origin (`Access-Control-Allow-Origin` echoes the caller's).
    AnyOrigin,
    /// Only these origins (`https://app.example.com`).
    Origins(Vec<String>),
}

impl Cors {
    /// Any origin may call.
    pub fn any_origin() -> Cors {
        Cors::AnyOrigin
    }

    /// Only the listed origins may call.
    pub fn origins<I: IntoIterator<Item = S>, S: Into<String>>(origins: I) -> Cors {
        Cors::Origins(origins.into_iter().map(Into::into).collect())
    }

    fn allowed<'h>(&self, headers: &'h HeaderMap) -> Option<&'h HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        match self {
            Cors::AnyOrigin => Some(origin),
            Cors::Origins(list) => list
                .iter()
                .any(|o| o.as_bytes() == origin.as_bytes())
                .then_some(origin),
        }
    }

    /// The answer to a preflight (`OPTIONS` with
    /// `Access-Control-Request-Method`), or `None` if this is not one.
    pub(crate) fn preflight(
        &self,
        method: &Method,
        headers: &HeaderMap,
    ) -> Option<Response<RpcBody>> {
        if method != Method::OPTIONS || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let mut response = Response::new(RpcBody::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        if let Some(origin) = self.allowed(headers) {
            let out = response.headers_mut();
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            out.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST, GET"),
            );
            let requested = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();
            out.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                requested.unwrap_or(HeaderValue::from_static(ALLOW_HEADERS)),
            );
            out.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("7200"),
            );
            out.append(header::VARY, HeaderValue::from_static("origin"));
        }
        Some(response)
    }

    /// Adds the CORS headers of an actual call's response.
    pub(crate) fn decorate(&self, request: &HeaderMap, response: &mut Response<RpcBody>) {
        if let Some(origin) = self.allowed(request) {
            let out = response.headers_mut();
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            // Custom headers and Connect's `trailer-*` are exposed too.
            let mut expose = EXPOSE_HEADERS.to_string();
            for name in out.keys() {
                if name.as_str().starts_with("trailer-") || name.as_str().starts_with("x-") {
                    expose.push_str(", ");
                    expose.push_str(name.as_str());
                }
            }
            if let Ok(value) = HeaderValue::from_str(&expose) {
                out.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, value);
            }
            out.append(header::VARY, HeaderValue::from_static("origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn preflight_for_allowed_and_other_origins() {
        let cors = Cors::origins(["https://app.example"]);
        let ok = cors
            .preflight(
                &Method::OPTIONS,
                &headers(&[
                    ("origin", "https://app.example"),
                    ("access-control-request-method", "POST"),
                ]),
            )
            .unwrap();
        assert_eq!(ok.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            ok.headers()["access-control-allow-origin"],
            "https://app.example"
        );
        let other = cors
            .preflight(
                &Method::OPTIONS,
                &headers(&[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", "POST"),
                ]),
            )
            .unwrap();
        assert!(!other.headers().contains_key("access-control-allow-origin"));
        assert!(cors.preflight(&Method::POST, &HeaderMap::new()).is_none());
    }
}
