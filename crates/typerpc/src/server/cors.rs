//! CORS, so browsers on other origins can call Connect and gRPC-Web
//! methods: preflight requests are answered, and responses expose the
//! headers the protocols put status and trailers in.

use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};

use crate::protocol::RpcBody;

/// Headers browsers may send on calls.
const ALLOW_HEADERS: &str = "content-type, connect-protocol-version, connect-timeout-ms, connect-content-encoding, connect-accept-encoding, grpc-timeout, grpc-encoding, grpc-accept-encoding, x-grpc-web, x-user-agent, authorization";
/// Response headers scripts may read.
const EXPOSE_HEADERS: &str = "grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding, content-encoding, connect-content-encoding";

/// Which origins may call from a browser, and which of the response's
/// headers their scripts may read.
///
/// Scripts can always read the headers the protocols carry status and
/// trailers in, and any `x-...` or Connect `trailer-...` header a response
/// has; [`Cors::expose_headers`] adds other names.
///
/// ```
/// use typerpc::server::Cors;
///
/// let cors = Cors::origins(["https://app.example"]).expose_headers(["request-id"]);
/// # let _ = cors;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cors {
    origins: Origins,
    expose: Vec<HeaderName>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Origins {
    /// Any origin (`Access-Control-Allow-Origin` echoes the caller's).
    Any,
    /// Only these origins (`https://app.example.com`).
    List(Vec<String>),
}

impl Cors {
    /// Any origin may call (`Access-Control-Allow-Origin` echoes the
    /// caller's).
    pub fn any_origin() -> Cors {
        Cors {
            origins: Origins::Any,
            expose: Vec::new(),
        }
    }

    /// Only the listed origins (`https://app.example.com`) may call.
    pub fn origins<I: IntoIterator<Item = S>, S: Into<String>>(origins: I) -> Cors {
        Cors {
            origins: Origins::List(origins.into_iter().map(Into::into).collect()),
            expose: Vec::new(),
        }
    }

    /// Lets browser scripts also read these response headers (added to
    /// `Access-Control-Expose-Headers` whenever a response has them).
    ///
    /// # Panics
    ///
    /// If a name is not a valid header name.
    pub fn expose_headers<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, names: I) -> Cors {
        for name in names {
            let name = name.as_ref();
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .unwrap_or_else(|_| panic!("{name:?} is not a valid header name"));
            if !self.expose.contains(&parsed) {
                self.expose.push(parsed);
            }
        }
        self
    }

    fn allowed<'h>(&self, headers: &'h HeaderMap) -> Option<&'h HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        match &self.origins {
            Origins::Any => Some(origin),
            Origins::List(list) => list
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
            // Custom headers, Connect's `trailer-*` and the names the
            // application listed are exposed too.
            let mut expose = EXPOSE_HEADERS.to_string();
            for name in out.keys() {
                if name.as_str().starts_with("trailer-")
                    || name.as_str().starts_with("x-")
                    || self.expose.contains(name)
                {
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

    fn exposed(cors: &Cors, response_headers: &[(&'static str, &'static str)]) -> Vec<String> {
        let mut response = Response::new(RpcBody::empty());
        *response.headers_mut() = headers(response_headers);
        cors.decorate(
            &headers(&[("origin", "https://app.example")]),
            &mut response,
        );
        response.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .split(", ")
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn responses_expose_custom_and_listed_headers() {
        let plain = Cors::any_origin();
        let listed = Cors::any_origin().expose_headers(["request-id", "Room-Size"]);
        let response = [
            ("x-room-size", "2"),
            ("request-id", "42"),
            ("room-size", "2"),
            ("server", "typerpc"),
            ("trailer-rows", "3"),
        ];
        let exposed_plain = exposed(&plain, &response);
        assert!(exposed_plain.contains(&"grpc-status".to_string()));
        assert!(exposed_plain.contains(&"x-room-size".to_string()));
        assert!(exposed_plain.contains(&"trailer-rows".to_string()));
        assert!(!exposed_plain.contains(&"request-id".to_string()));
        let exposed_listed = exposed(&listed, &response);
        for name in ["x-room-size", "request-id", "room-size", "trailer-rows"] {
            assert!(exposed_listed.contains(&name.to_string()), "{name}");
        }
        assert!(!exposed_listed.contains(&"server".to_string()));
        // A listed name the response does not have is not announced.
        assert!(!exposed(&listed, &[]).contains(&"request-id".to_string()));
        // Another origin gets no CORS headers at all.
        let mut response = Response::new(RpcBody::empty());
        Cors::origins(["https://app.example"]).decorate(
            &headers(&[("origin", "https://evil.example")]),
            &mut response,
        );
        assert!(response.headers().is_empty());
    }

    #[test]
    #[should_panic(expected = "is not a valid header name")]
    fn an_invalid_header_name_is_refused() {
        let _ = Cors::any_origin().expose_headers(["not a name"]);
    }
}
