//! The Connect endpoints as OpenAPI operations: `POST /{package}.{Service}/{Method}`
//! with a JSON body for unary methods, `GET` with the Connect query for
//! idempotent ones, the protocol's headers, and the Connect error body for
//! every HTTP status an error can take.

use std::collections::BTreeMap;

use prost_types::{FileDescriptorProto, MethodDescriptorProto};
use serde_json::{json, Map, Value};

use super::notes::Notes;
use super::types::Types;
use crate::status::Code;

/// The component holding the Connect error body.
pub(crate) const ERROR: &str = "connect.Error";

/// The operations of `service` (a full name), as path items, and its tag.
pub(crate) fn service_paths(
    file: &FileDescriptorProto,
    service: &prost_types::ServiceDescriptorProto,
    types: &mut Types<'_>,
    notes: &Notes,
    paths: &mut Map<String, Value>,
) -> Value {
    let package = file.package();
    let full = if package.is_empty() {
        service.name().to_string()
    } else {
        format!("{package}.{}", service.name())
    };
    for method in &service.method {
        let doc = notes.doc(&format!("{full}.{}", method.name()));
        let item = if method.client_streaming() || method.server_streaming() {
            streaming(&full, method, doc, types)
        } else {
            unary(&full, method, doc, types)
        };
        paths.insert(format!("/{full}/{}", method.name()), item);
    }
    let mut tag = json!({ "name": full });
    let doc = notes.doc(&full);
    if !doc.is_empty() {
        tag["description"] = Value::String(doc.to_string());
    }
    tag
}

fn idempotent(method: &MethodDescriptorProto) -> bool {
    use prost_types::method_options::IdempotencyLevel;
    method
        .options
        .as_ref()
        .is_some_and(|o| o.idempotency_level() == IdempotencyLevel::NoSideEffects)
}

fn unary(service: &str, method: &MethodDescriptorProto, doc: &str, types: &mut Types<'_>) -> Value {
    let input = types.reference(method.input_type());
    let output = types.reference(method.output_type());
    let mut responses = errors();
    responses.insert(
        "200".into(),
        json!({
            "description": "The response message.",
            "content": { "application/json": { "schema": output } },
        }),
    );
    let responses = Value::Object(responses);
    let mut post = json!({
        "tags": [service],
        "operationId": format!("{service}.{}", method.name()),
        "summary": method.name(),
        "parameters": headers(),
        "requestBody": {
            "required": true,
            "description": "The request message in proto3 JSON; `{}` sends every field's default.",
            "content": { "application/json": { "schema": input } },
        },
        "responses": responses,
    });
    if !doc.is_empty() {
        post["description"] = Value::String(doc.to_string());
    }
    let mut item = json!({ "post": post });
    if idempotent(method) {
        let mut parameters = vec![
            json!({
                "name": "message", "in": "query", "required": true,
                "description": "The request message in proto3 JSON.",
                "content": { "application/json": { "schema": input } },
            }),
            json!({
                "name": "encoding", "in": "query", "required": true,
                "description": "The codec of `message`: `json` here (Connect clients may also send `proto` with `base64=1`).",
                "schema": { "type": "string", "enum": ["json"] },
            }),
            json!({
                "name": "connect", "in": "query", "required": false,
                "description": "The Connect protocol version.",
                "schema": { "type": "string", "enum": ["v1"] },
            }),
        ];
        parameters.extend(headers().as_array().into_iter().flatten().skip(1).cloned());
        // The message rides in the URI, which the HTTP layer bounds
        // (over HTTP/1.1, 64 KiB) before the call begins.
        let mut get_responses = responses.clone();
        get_responses["414"] = json!({
            "description": "The URI is longer than the server accepts: send a message this large by POST.",
        });
        let mut get = json!({
            "tags": [service],
            "operationId": format!("{service}.{}.get", method.name()),
            "summary": format!("{} (GET: free of side effects, cacheable)", method.name()),
            "parameters": parameters,
            "responses": get_responses,
        });
        if !doc.is_empty() {
            get["description"] = Value::String(doc.to_string());
        }
        item["get"] = get;
    }
    item
}

fn streaming(
    service: &str,
    method: &MethodDescriptorProto,
    doc: &str,
    types: &mut Types<'_>,
) -> Value {
    let shape = match (method.client_streaming(), method.server_streaming()) {
        (true, true) => "bidirectional streaming",
        (true, false) => "client streaming",
        _ => "server streaming",
    };
    let input = types.reference(method.input_type());
    let output = types.reference(method.output_type());
    let note = format!(
        "A {shape} method: not callable with a plain JSON body. Call it with a Connect streaming client \
         (`application/connect+json`: each message framed in a 5-byte envelope), gRPC or gRPC-Web. \
         The schemas show one request and one response message."
    );
    let description = if doc.is_empty() {
        note
    } else {
        format!("{doc}\n\n{note}")
    };
    json!({
        "post": {
            "tags": [service],
            "operationId": format!("{service}.{}", method.name()),
            "summary": format!("{} ({shape})", method.name()),
            "description": description,
            "x-typerpc-streaming": shape,
            "requestBody": {
                "required": true,
                "content": { "application/connect+json": { "schema": input } },
            },
            "responses": {
                "200": {
                    "description": "Enveloped response messages, then an end-of-stream message.",
                    "content": { "application/connect+json": { "schema": output } },
                },
            },
        }
    })
}

/// The Connect request headers.
fn headers() -> Value {
    json!([
        {
            "name": "Connect-Protocol-Version", "in": "header", "required": false,
            "description": "The Connect protocol version; typerpc accepts calls without it.",
            "schema": { "type": "string", "enum": ["1"] },
        },
        {
            "name": "Connect-Timeout-Ms", "in": "header", "required": false,
            "description": "The deadline in milliseconds: up to 10 digits.",
            "schema": { "type": "string", "pattern": r"^[ \t]*[0-9]{1,10}[ \t]*$" },
        },
    ])
}

/// One response per HTTP status an error can take, each naming the codes
/// that map to it.
fn errors() -> Map<String, Value> {
    let mut by_status: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for number in 1..=16 {
        let code = Code::from_i32(number);
        by_status
            .entry(code.connect_http_status())
            .or_default()
            .push(code.as_connect_str());
    }
    let mut out = Map::new();
    out.insert(
        "415".into(),
        json!({
            "description": "The request's content type is not one the method speaks (send `Content-Type: application/json`).",
            "content": { "text/plain": { "schema": { "type": "string" } } },
        }),
    );
    for (status, codes) in by_status {
        let list = codes
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.insert(
            status.to_string(),
            json!({
                "description": format!("A Connect error: {list}."),
                "content": { "application/json": { "schema": { "$ref": format!("{}{ERROR}", super::types::COMPONENTS) } } },
            }),
        );
    }
    out
}

/// The Connect error body.
pub(crate) fn error_schema() -> Value {
    let codes: Vec<&str> = (1..=16)
        .map(|n| Code::from_i32(n).as_connect_str())
        .collect();
    json!({
        "title": "Error",
        "description": "The body of a Connect error response.",
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": { "type": "string", "enum": codes },
            "message": { "type": "string" },
            "details": {
                "type": "array",
                "description": "Typed details (google.rpc.BadRequest for validation errors, ...).",
                "items": {
                    "type": "object",
                    "required": ["type", "value"],
                    "properties": {
                        "type": { "type": "string", "description": "The detail's full message name." },
                        "value": { "type": "string", "contentEncoding": "base64", "description": "The detail, binary protobuf." },
                        "debug": { "description": "The detail as JSON, when the server can show it." },
                    },
                },
            },
        },
    })
}
