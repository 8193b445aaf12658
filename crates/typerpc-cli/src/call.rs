//! `typerpc call`: calls any method of a server, its schema fetched by
//! reflection, with requests and responses in JSON.

use std::io::Read as _;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};
use typerpc::client::{CallOptions, CallShape, HttpVersion, MethodInfo, Protocol};
use typerpc::Status;

use crate::remote;

/// What `typerpc call` was asked to do.
pub struct CallArgs {
    pub url: String,
    pub method: String,
    /// `None`, a JSON text, `@-` (stdin) or `@path`.
    pub data: Option<String>,
    pub protocol: Protocol,
    pub http: HttpVersion,
    pub headers: Vec<String>,
    pub pretty: bool,
}

/// Why a call did not succeed: the command line's fault or the server's
/// answer.
pub enum CallError {
    /// Printed as `typerpc: message`.
    Usage(String),
    /// The call's status; details are decoded with the server's schema
    /// when it has their types.
    Failed(Status, DescriptorPool),
}

pub async fn run(args: CallArgs) -> Result<(), CallError> {
    let (service, method) = split_method(&args.method).map_err(CallError::Usage)?;
    let mut reflection = remote::reflection(&args.url).map_err(CallError::Usage)?;
    let set = reflection
        .file_containing_symbol(service)
        .await
        .map_err(|e| CallError::Usage(e.to_string()))?;
    let pool = remote::pool(set).map_err(CallError::Usage)?;
    let descriptor = find_method(&pool, service, method).map_err(CallError::Usage)?;
    let shape = match (
        descriptor.is_client_streaming(),
        descriptor.is_server_streaming(),
    ) {
        (false, false) => CallShape::Unary,
        (false, true) => CallShape::ServerStreaming,
        (true, false) => CallShape::ClientStreaming,
        (true, true) => CallShape::BidiStreaming,
    };
    let requests = requests(&args.data, descriptor.input(), shape).map_err(CallError::Usage)?;
    let mut options = CallOptions::new();
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| CallError::Usage(format!("header {header:?} is not `name: value`")))?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes());
        let value = http::HeaderValue::from_str(value.trim());
        match (name, value) {
            (Ok(name), Ok(value)) => {
                options.headers_mut().append(name, value);
            }
            _ => return Err(CallError::Usage(format!("invalid header {header:?}"))),
        }
    }
    let client = remote::client(&args.url, args.protocol, args.http).map_err(CallError::Usage)?;
    // Method paths live as long as the process.
    let path: &'static str = Box::leak(format!("/{service}/{method}").into_boxed_str());
    let output = descriptor.output();
    let result = async {
        let mut responses = client
            .call_encoded(MethodInfo::new(path), shape, requests, options)
            .await?;
        while let Some(bytes) = responses.message().await? {
            let message = DynamicMessage::decode(output.clone(), bytes).map_err(|e| {
                Status::internal(format!(
                    "cannot decode the response as {}: {e}",
                    output.full_name()
                ))
            })?;
            println!("{}", to_json(&message, args.pretty));
        }
        Ok::<(), Status>(())
    }
    .await;
    result.map_err(|status| CallError::Failed(status, pool))
}

/// `package.Service/Method` (or `package.Service.Method`, with or without
/// a leading slash) as service and method.
fn split_method(text: &str) -> Result<(&str, &str), String> {
    let text = text.trim_start_matches('/');
    text.rsplit_once('/')
        .or_else(|| text.rsplit_once('.'))
        .filter(|(service, method)| !service.is_empty() && !method.is_empty())
        .ok_or_else(|| format!("{text:?} is not a method: write package.Service/Method"))
}

fn find_method(
    pool: &DescriptorPool,
    service: &str,
    method: &str,
) -> Result<MethodDescriptor, String> {
    let Some(descriptor) = pool.get_service_by_name(service) else {
        return Err(format!("{service} is not a service"));
    };
    let found = descriptor.methods().find(|m| m.name() == method);
    found.ok_or_else(|| {
        let names: Vec<String> = descriptor.methods().map(|m| m.name().to_string()).collect();
        format!(
            "unknown method {method} in service {service} (it has: {})",
            names.join(", ")
        )
    })
}

/// The encoded requests: from `-d` text or a file, all checked before
/// the call; from stdin (`@-`), as they are read.
fn requests(
    data: &Option<String>,
    input: MessageDescriptor,
    shape: CallShape,
) -> Result<BoxStream<'static, Bytes>, String> {
    let single = matches!(shape, CallShape::Unary | CallShape::ServerStreaming);
    let text = match data.as_deref() {
        None if single => "{}".to_string(),
        None => String::new(),
        Some("@-") => return Ok(stdin_requests(input)),
        Some(data) => match data.strip_prefix('@') {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
            }
            None => data.to_string(),
        },
    };
    let mut encoded = Vec::new();
    for value in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| format!("invalid JSON request: {e}"))?;
        encoded.push(transcode(&input, value)?);
    }
    if single && encoded.len() != 1 {
        return Err(format!(
            "this method takes one request, not {}",
            encoded.len()
        ));
    }
    Ok(futures_util::stream::iter(encoded).boxed())
}

/// Requests read from stdin as they come, on a thread of their own. A
/// request that is not valid ends the process: the call must not go on
/// with part of its input.
fn stdin_requests(input: MessageDescriptor) -> BoxStream<'static, Bytes> {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin().lock().bytes().map_while(Result::ok);
        let reader = ByteReader(stdin);
        for value in serde_json::Deserializer::from_reader(reader).into_iter::<serde_json::Value>()
        {
            let encoded = value
                .map_err(|e| format!("invalid JSON request on stdin: {e}"))
                .and_then(|value| transcode(&input, value));
            match encoded {
                Ok(bytes) => {
                    if sender.send(bytes).is_err() {
                        return;
                    }
                }
                Err(message) => {
                    eprintln!("typerpc: {message}");
                    std::process::exit(1);
                }
            }
        }
    });
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|bytes| (bytes, receiver))
    })
    .boxed()
}

/// Reads byte by byte, so each JSON value is handled as soon as it is
/// complete rather than when a buffer fills.
struct ByteReader<I>(I);

impl<I: Iterator<Item = u8>> std::io::Read for ByteReader<I> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (buf.first_mut(), self.0.next()) {
            (Some(slot), Some(byte)) => {
                *slot = byte;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

fn transcode(input: &MessageDescriptor, value: serde_json::Value) -> Result<Bytes, String> {
    let message = DynamicMessage::deserialize(input.clone(), value)
        .map_err(|e| format!("invalid request for {}: {e}", input.full_name()))?;
    Ok(Bytes::from(message.encode_to_vec()))
}

fn to_json(message: &DynamicMessage, pretty: bool) -> String {
    let json = if pretty {
        serde_json::to_string_pretty(message)
    } else {
        serde_json::to_string(message)
    };
    json.unwrap_or_else(|e| format!("{{\"error\": \"cannot print the response: {e}\"}}"))
}

/// The lines printed on stderr for a failed call: code and message, then
/// each detail, as JSON when the server's schema has its type or it is
/// one of the standard `google.rpc` details.
pub fn describe_failure(status: &Status, pool: &DescriptorPool) -> Vec<String> {
    let mut lines = vec![format!("{}: {}", status.code(), status.message())];
    for detail in status.details() {
        let name = detail.type_url.rsplit('/').next().unwrap_or_default();
        // The server's schema first; the standard google.rpc details always.
        let decoded = pool
            .get_message_by_name(name)
            .or_else(|| crate::details::pool().get_message_by_name(name))
            .and_then(|d| DynamicMessage::decode(d, detail.value.as_slice()).ok());
        lines.push(match decoded {
            Some(message) => format!("  {name}: {}", to_json(&message, false)),
            None => format!("  {} ({} bytes)", detail.type_url, detail.value.len()),
        });
    }
    lines
}
