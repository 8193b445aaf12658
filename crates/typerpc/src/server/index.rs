//! The answer to a plain `GET /`: what a person who opens the server in a
//! browser, or `curl`s it, needs to find their way: the services and
//! methods served, with their paths and call shapes, as JSON.

use http::{header, HeaderValue, Response, StatusCode};

use crate::protocol::RpcBody;
use crate::schema::model::ServiceSchema;

/// The router's other pages, linked from the index.
pub(crate) struct Links<'a> {
    /// The OpenAPI document's path.
    pub openapi: Option<&'a str>,
    /// The docs page's path.
    pub docs: Option<&'a str>,
}

/// The index of `services` (the user's, then the standard ones).
pub(crate) fn answer(
    services: &[&'static ServiceSchema],
    standard: &[&'static ServiceSchema],
    links: &Links<'_>,
) -> Response<RpcBody> {
    let describe = |schema: &ServiceSchema| {
        let name = format!("{}.{}", schema.package, schema.name);
        let methods: Vec<serde_json::Value> = schema
            .methods
            .iter()
            .map(|m| {
                let shape = match (m.client_streaming, m.server_streaming) {
                    (false, false) => "unary",
                    (false, true) => "server_streaming",
                    (true, false) => "client_streaming",
                    (true, true) => "bidi_streaming",
                };
                serde_json::json!({
                    "name": m.name,
                    "path": format!("/{name}/{}", m.name),
                    "shape": shape,
                    "idempotent": m.idempotent,
                })
            })
            .collect();
        serde_json::json!({ "name": name, "methods": methods })
    };
    let mut body = serde_json::json!({
        "server": "typerpc",
        "protocols": ["grpc", "grpc-web", "connect"],
        "services": services.iter().map(|s| describe(s)).collect::<Vec<_>>(),
        "standard_services": standard.iter().map(|s| format!("{}.{}", s.package, s.name)).collect::<Vec<_>>(),
        "try": "curl -H 'content-type: application/json' -d '{}' http://HOST:PORT/<path of a unary method>",
    });
    if let Some(docs) = links.docs {
        body["docs"] = serde_json::Value::String(docs.to_string());
    }
    if let Some(openapi) = links.openapi {
        body["openapi"] = serde_json::Value::String(openapi.to_string());
    }
    let mut text = serde_json::to_vec_pretty(&body).unwrap_or_default();
    text.push(b'\n');
    let mut response = Response::new(RpcBody::full(text));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
