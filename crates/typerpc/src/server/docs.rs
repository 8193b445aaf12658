//! The router's OpenAPI document and docs page, answered to plain `GET`s.

use http::{header, HeaderValue, Response, StatusCode};

use super::Router;
use crate::openapi::DocsPage;
use crate::protocol::RpcBody;

/// The OpenAPI document of `router`'s services, or a 500 that says why
/// there is none.
pub(crate) fn openapi(router: &Router) -> Response<RpcBody> {
    match router.openapi() {
        Ok(doc) => {
            let mut text = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            text.push(b'\n');
            respond(StatusCode::OK, "application/json", text)
        }
        Err(e) => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            format!("no OpenAPI document: the services do not form a valid schema: {e}\n")
                .into_bytes(),
        ),
    }
}

/// The docs page at `page_path`, showing the document at `openapi_path`.
pub(crate) fn page(page: &DocsPage, page_path: &str, openapi_path: &str) -> Response<RpcBody> {
    let url = crate::openapi::relative_url(page_path, openapi_path);
    respond(
        StatusCode::OK,
        "text/html; charset=utf-8",
        page.html(&url).into_bytes(),
    )
}

fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<RpcBody> {
    let mut response = Response::new(RpcBody::full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
