//! The router's OpenAPI document and docs page, endpoints answering
//! plain `GET`s.

use std::any::Any;

use http::{header, HeaderValue, Method, Request, Response, StatusCode};

use super::endpoint::{Endpoint, EndpointBody, EndpointFuture};
use super::Router;
use crate::openapi::DocsPage;
use crate::protocol::RpcBody;

/// The OpenAPI document of the router's services.
pub(crate) struct OpenApiDocument;

impl Endpoint for OpenApiDocument {
    fn call(&self, router: Router, request: Request<EndpointBody>) -> EndpointFuture {
        let response = match refuse_verb(request.method()) {
            Some(refusal) => refusal,
            None => openapi(&router),
        };
        Box::pin(std::future::ready(response))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The docs page, showing the router's OpenAPI document.
pub(crate) struct DocsPageEndpoint(pub DocsPage);

impl Endpoint for DocsPageEndpoint {
    fn call(&self, router: Router, request: Request<EndpointBody>) -> EndpointFuture {
        let response = match refuse_verb(request.method()) {
            Some(refusal) => refusal,
            None => {
                let openapi = router
                    .endpoint_path::<OpenApiDocument>()
                    .unwrap_or("/openapi.json");
                page(&self.0, request.uri().path(), openapi)
            }
        };
        Box::pin(std::future::ready(response))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// 405 for a verb other than GET or HEAD.
fn refuse_verb(method: &Method) -> Option<Response<RpcBody>> {
    if method == Method::GET || method == Method::HEAD {
        return None;
    }
    let mut response = respond(
        StatusCode::METHOD_NOT_ALLOWED,
        "text/plain; charset=utf-8",
        b"use GET\n".to_vec(),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    Some(response)
}

/// The OpenAPI document of `router`'s services, or a 500 that says why
/// there is none.
fn openapi(router: &Router) -> Response<RpcBody> {
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
fn page(page: &DocsPage, page_path: &str, openapi_path: &str) -> Response<RpcBody> {
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
