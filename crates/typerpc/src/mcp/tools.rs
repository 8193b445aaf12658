//! Which methods are tools, what each tool looks like (name, description,
//! JSON Schemas), and a call: an in-memory Connect JSON call through the
//! router, so every interceptor runs as for any other client.

use std::collections::HashSet;

use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::client::{CallOptions, CallShape, Codec, MethodInfo, Protocol};
use crate::schema::naming::screaming_snake;
use crate::validate::BadRequest;
use crate::{Client, Router, Status};

/// One method offered as a tool.
#[derive(Clone, Debug)]
pub struct ToolSpec {
    /// The tool's name: the method's in snake case (`get_recommendations`),
    /// after the service's (`RecommendationService_get_recommendations`)
    /// when two services have a method of that name.
    pub name: String,
    /// The method's path, `/package.Service/Method`.
    pub path: &'static str,
    /// The method's doc comment.
    pub description: String,
    /// The request message's JSON Schema, self-contained (`$defs`).
    pub input_schema: Map<String, Value>,
    /// The response message's JSON Schema, likewise.
    pub output_schema: Map<String, Value>,
    /// Whether the method is `#[rpc(idempotent)]`.
    pub idempotent: bool,
}

/// The tools `selection` picks from `router`'s services: every unary
/// method when it is empty, else the methods it names
/// (`package.Service/Method`) and every unary method of the services it
/// names (`package.Service`).
///
/// # Errors
///
/// The services do not form a valid schema, or the selection names a
/// method or service the router does not have, or a streaming method
/// (which a tool call, one request and one response, cannot be).
pub fn tools(router: &Router, selection: &[String]) -> Result<Vec<ToolSpec>, String> {
    let doc = router
        .openapi()
        .map_err(|e| format!("invalid schema: {e}"))?;
    let components = doc["components"]["schemas"].clone();
    let mut wanted: HashSet<String> = selection
        .iter()
        .map(|s| s.trim_start_matches('/').to_string())
        .collect();
    let mut specs = Vec::new();
    for service in router.services() {
        let full = format!("{}.{}", service.package, service.name);
        let whole = wanted.remove(&full);
        for method in service.methods {
            let path = format!("{full}/{}", method.name);
            let named = wanted.remove(&path);
            let streaming = method.client_streaming || method.server_streaming;
            if named && streaming {
                return Err(format!(
                    "{path} is a streaming method: a tool call sends one request and gets one response"
                ));
            }
            if streaming || !(selection.is_empty() || whole || named) {
                continue;
            }
            let operation = &doc["paths"][format!("/{path}")]["post"];
            let input = operation["requestBody"]["content"]["application/json"]["schema"].clone();
            let output =
                operation["responses"]["200"]["content"]["application/json"]["schema"].clone();
            specs.push(ToolSpec {
                name: screaming_snake(method.name).to_lowercase(),
                path: Box::leak(format!("/{path}").into_boxed_str()),
                description: method.doc.trim().to_string(),
                input_schema: self_contained(&input, &components),
                output_schema: self_contained(&output, &components),
                idempotent: method.idempotent,
            });
        }
    }
    if let Some(unknown) = wanted.into_iter().next() {
        return Err(format!("the router has no method or service {unknown:?}"));
    }
    // Method names two services share take their service's name.
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for spec in &specs {
        *seen.entry(spec.name.clone()).or_default() += 1;
    }
    for spec in &mut specs {
        if seen[&spec.name] > 1 {
            let service = spec.path[1..].split('/').next().unwrap_or("");
            let service = service.rsplit('.').next().unwrap_or(service);
            spec.name = format!("{service}_{}", spec.name);
        }
    }
    Ok(specs)
}

/// The component `reference` points at, with every component it uses under
/// `$defs` and its references rewritten to them.
fn self_contained(reference: &Value, components: &Value) -> Map<String, Value> {
    let name = reference["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or_default();
    let mut needed = Vec::new();
    collect(name, components, &mut needed);
    let mut root = match rewrite(components[name].clone()) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let defs: Map<String, Value> = needed
        .into_iter()
        .filter(|n| n != name)
        .map(|n| {
            let schema = rewrite(components[n.as_str()].clone());
            (n, schema)
        })
        .collect();
    // A recursive message refers to itself: keep it under `$defs` too.
    let recursive = root
        .values()
        .any(|v| v.to_string().contains(&format!("\"#/$defs/{name}\"")));
    let mut defs = defs;
    if recursive {
        defs.insert(name.to_string(), Value::Object(root.clone()));
    }
    if !defs.is_empty() {
        root.insert("$defs".into(), Value::Object(defs));
    }
    root
}

/// The names of the components `name` uses, itself first.
fn collect(name: &str, components: &Value, out: &mut Vec<String>) {
    if name.is_empty() || out.iter().any(|n| n == name) {
        return;
    }
    out.push(name.to_string());
    let mut refs = Vec::new();
    refs_in(&components[name], &mut refs);
    for r in refs {
        collect(&r, components, out);
    }
}

fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.push(name.to_string());
                }
            }
            map.values().for_each(|v| refs_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

fn rewrite(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => (
                        k,
                        Value::String(r.replace("#/components/schemas/", "#/$defs/")),
                    ),
                    (_, v) => (k, rewrite(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(rewrite).collect()),
        other => other,
    }
}

/// The request headers an MCP request carries that a call passes on to
/// the method (authorization and any others), without those of the
/// MCP transport itself.
pub(crate) fn forwarded_headers(headers: &HeaderMap) -> HeaderMap {
    const TRANSPORT: [&str; 14] = [
        "host",
        "content-type",
        "content-length",
        "accept",
        "accept-encoding",
        "connection",
        "transfer-encoding",
        "te",
        "upgrade",
        "mcp-session-id",
        "mcp-protocol-version",
        "last-event-id",
        "origin",
        "keep-alive",
    ];
    let mut out = HeaderMap::new();
    for (name, value) in headers {
        if !TRANSPORT.contains(&name.as_str()) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// What a tool call returns: the response as JSON, or the call's error.
pub(crate) type Outcome = Result<Value, Status>;

/// Calls `spec`'s method on `router` with `arguments` as the request, as
/// a Connect JSON client in memory would, with `headers`.
pub(crate) async fn call(
    router: &Router,
    spec: &ToolSpec,
    arguments: Map<String, Value>,
    headers: HeaderMap,
) -> Outcome {
    let client = Client::in_memory(router.clone())
        .protocol(Protocol::Connect)
        .codec(Codec::Json)
        .build()
        .map_err(|e| Status::internal(format!("in-memory client: {e}")))?;
    let body = Bytes::from(serde_json::to_vec(&Value::Object(arguments)).unwrap_or_default());
    let mut options = CallOptions::new();
    *options.headers_mut() = headers;
    let mut method = MethodInfo::new(spec.path);
    if spec.idempotent {
        method = method.idempotent();
    }
    let mut responses = client
        .call_encoded(
            method,
            CallShape::Unary,
            futures_util::stream::iter([body]),
            options,
        )
        .await?;
    let message = responses
        .message()
        .await?
        .ok_or_else(|| Status::internal("the method sent no response"))?;
    serde_json::from_slice(&message)
        .map_err(|e| Status::internal(format!("the response is not JSON: {e}")))
}

/// The text of a failed call: the code and message, and one line per
/// invalid field (`user_id: must be at least 1 character long`).
pub(crate) fn error_text(status: &Status) -> String {
    let mut text = format!("{}: {}", status.code().as_connect_str(), status.message());
    if let Some(bad) = status.detail::<BadRequest>() {
        for violation in bad.field_violations {
            text.push_str(&format!("\n{}: {}", violation.field, violation.description));
        }
    }
    text
}
