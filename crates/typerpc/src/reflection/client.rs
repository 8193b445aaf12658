//! A reflection client: asks any server (typerpc, tonic, grpc-go,
//! grpcio...) for its services and their files, over one bidirectional
//! stream, in `grpc.reflection.v1` or, when the server answers
//! `unimplemented`, `grpc.reflection.v1alpha`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use futures_util::stream::StreamExt;
use prost::Message as _;
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use tokio::sync::mpsc;

use super::messages::v1::ServerReflectionResponse;
use super::messages::v1::{MessageRequest, MessageResponse, ServerReflectionRequest};
use crate::client::{CallOptions, MethodInfo, Streaming};
use crate::{Client, Code, Status};

const V1: MethodInfo = MethodInfo::new("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
// The two packages declare the same messages with the same numbers: the
// v1 types encode v1alpha requests and decode its responses.
const V1ALPHA: MethodInfo =
    MethodInfo::new("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

/// Why a reflection request failed.
#[derive(Clone, Debug)]
pub enum ReflectionError {
    /// The server could not be reached.
    Unreachable {
        /// The server's URL.
        url: String,
        /// Why, as the system put it (`connection refused`).
        reason: String,
    },
    /// The server serves neither reflection package.
    NotServed {
        /// The server's URL.
        url: String,
    },
    /// The server knows no such symbol or file.
    NotFound {
        /// The server's URL.
        url: String,
        /// What was asked for (`symbol "shop.v1.Shop"`).
        what: String,
    },
    /// The call failed, or the server answered with something else than
    /// reflection responses.
    Failed(Status),
}

impl fmt::Display for ReflectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReflectionError::Unreachable { url, reason } => {
                write!(f, "cannot reach {url}: {reason}")
            }
            ReflectionError::NotServed { url } => write!(
                f,
                "the server at {url} does not serve reflection (grpc.reflection.v1 or v1alpha)"
            ),
            ReflectionError::NotFound { url, what } => {
                write!(f, "the server at {url} knows no {what}")
            }
            ReflectionError::Failed(status) => write!(
                f,
                "reflection failed: {}: {}",
                status.code(),
                status.message()
            ),
        }
    }
}

impl std::error::Error for ReflectionError {}

/// An open reflection stream.
struct Open {
    requests: mpsc::UnboundedSender<ServerReflectionRequest>,
    responses: Streaming<ServerReflectionResponse>,
}

/// A client of a server's reflection service.
///
/// Every request travels on one stream, opened by the first; the files
/// received are remembered, since servers send each file once per stream.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use typerpc::reflection::ReflectionClient;
///
/// let mut reflection = ReflectionClient::new(typerpc::Client::new("http://127.0.0.1:50051")?);
/// for service in reflection.list_services().await? {
///     let files = reflection.file_containing_symbol(&service).await?;
///     println!("{service}: {} files", files.file.len());
/// }
/// # Ok(()) }
/// ```
pub struct ReflectionClient {
    client: Client,
    stream: Option<Open>,
    files: BTreeMap<String, FileDescriptorProto>,
}

impl fmt::Debug for ReflectionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReflectionClient")
            .field("client", &self.client)
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

impl ReflectionClient {
    /// A reflection client calling through `client` (which must use HTTP/2:
    /// reflection is a bidirectional stream).
    pub fn new(client: Client) -> ReflectionClient {
        ReflectionClient {
            client,
            stream: None,
            files: BTreeMap::new(),
        }
    }

    /// The fully-qualified names of the services the server exposes,
    /// sorted.
    pub async fn list_services(&mut self) -> Result<Vec<String>, ReflectionError> {
        let request = MessageRequest::ListServices(String::new());
        match self.ask(request).await? {
            MessageResponse::ListServicesResponse(list) => {
                let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
            other => Err(unexpected(&other)),
        }
    }

    /// The file named `name` and every file it imports, directly or not,
    /// each after its imports.
    pub async fn file_by_filename(
        &mut self,
        name: &str,
    ) -> Result<FileDescriptorSet, ReflectionError> {
        let request = MessageRequest::FileByFilename(name.to_string());
        let first = self.fetch(request, || format!("file {name:?}")).await?;
        self.with_imports(&[first]).await
    }

    /// The file declaring `symbol` (a service, method, message, enum or
    /// field, fully qualified: `shop.v1.Shop`) and every file it imports,
    /// each after its imports.
    pub async fn file_containing_symbol(
        &mut self,
        symbol: &str,
    ) -> Result<FileDescriptorSet, ReflectionError> {
        let request = MessageRequest::FileContainingSymbol(symbol.to_string());
        let first = self.fetch(request, || format!("symbol {symbol:?}")).await?;
        self.with_imports(&[first]).await
    }

    /// The files declaring every service the server lists, with their
    /// imports, each after its imports.
    pub async fn all_files(&mut self) -> Result<FileDescriptorSet, ReflectionError> {
        let mut roots = Vec::new();
        for service in self.list_services().await? {
            let request = MessageRequest::FileContainingSymbol(service.clone());
            roots.push(
                self.fetch(request, || format!("symbol {service:?}"))
                    .await?,
            );
        }
        self.with_imports(&roots).await
    }

    /// Asks for files, remembers every one received and returns the name
    /// of the first (the one asked for).
    async fn fetch(
        &mut self,
        request: MessageRequest,
        what: impl FnOnce() -> String,
    ) -> Result<String, ReflectionError> {
        match self.ask(request).await? {
            MessageResponse::FileDescriptorResponse(response) => {
                let mut first = None;
                for encoded in response.file_descriptor_proto {
                    let file = FileDescriptorProto::decode(encoded.as_slice()).map_err(|e| {
                        ReflectionError::Failed(Status::internal(format!(
                            "the server sent an invalid file descriptor: {e}"
                        )))
                    })?;
                    let name = file.name().to_string();
                    first.get_or_insert(name.clone());
                    self.files.insert(name, file);
                }
                first.ok_or_else(|| {
                    ReflectionError::Failed(Status::internal("the server sent no file"))
                })
            }
            MessageResponse::ErrorResponse(error)
                if Code::from_i32(error.error_code) == Code::NotFound =>
            {
                Err(ReflectionError::NotFound {
                    url: self.client.url(),
                    what: what(),
                })
            }
            other => Err(unexpected(&other)),
        }
    }

    /// `roots` and their transitive imports, imports first; fetches the
    /// files not received yet.
    async fn with_imports(
        &mut self,
        roots: &[String],
    ) -> Result<FileDescriptorSet, ReflectionError> {
        let mut ordered = Vec::new();
        let mut done = HashSet::new();
        for root in roots {
            self.visit(root.clone(), &mut done, &mut ordered).await?;
        }
        Ok(FileDescriptorSet { file: ordered })
    }

    /// Depth-first, imports before the file (iterative: no async recursion).
    async fn visit(
        &mut self,
        root: String,
        done: &mut HashSet<String>,
        ordered: &mut Vec<FileDescriptorProto>,
    ) -> Result<(), ReflectionError> {
        let mut stack = vec![(root, false)];
        while let Some((name, expanded)) = stack.pop() {
            if done.contains(&name) {
                continue;
            }
            if !self.files.contains_key(&name) {
                let request = MessageRequest::FileByFilename(name.clone());
                self.fetch(request, || format!("file {name:?}")).await?;
            }
            let file = &self.files[&name];
            if expanded {
                done.insert(name);
                ordered.push(file.clone());
                continue;
            }
            let imports: Vec<String> = file.dependency.iter().rev().cloned().collect();
            stack.push((name, true));
            stack.extend(
                imports
                    .into_iter()
                    .filter(|import| !done.contains(import))
                    .map(|import| (import, false)),
            );
        }
        Ok(())
    }

    /// Sends one request and reads its answer, opening the stream first
    /// if needed.
    async fn ask(&mut self, request: MessageRequest) -> Result<MessageResponse, ReflectionError> {
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(request),
        };
        let response = match self.stream.as_mut() {
            Some(open) => {
                if open.requests.send(request).is_err() {
                    return Err(ReflectionError::Failed(Status::internal(
                        "the reflection stream closed",
                    )));
                }
                next(&mut open.responses)
                    .await
                    .map_err(|s| self.classify(s))?
            }
            None => self.open(request).await?,
        };
        response.message_response.ok_or_else(|| {
            ReflectionError::Failed(Status::internal(
                "the server sent an empty reflection response",
            ))
        })
    }

    /// Opens the stream with its first request: v1, then v1alpha.
    async fn open(
        &mut self,
        request: ServerReflectionRequest,
    ) -> Result<ServerReflectionResponse, ReflectionError> {
        for method in [V1, V1ALPHA] {
            let (sender, receiver) = mpsc::unbounded_channel();
            // Queued before the call starts: servers may send no headers
            // until they have a request to answer.
            let _ = sender.send(request.clone());
            let requests = futures_util::stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|request| (request, receiver))
            });
            let started = self
                .client
                .bidi_streaming(method, requests, CallOptions::new())
                .await;
            let first = match started {
                Ok(mut responses) => next(&mut responses).await.map(|first| (first, responses)),
                Err(status) => Err(status),
            };
            match first {
                Ok((first, responses)) => {
                    self.stream = Some(Open {
                        requests: sender,
                        responses,
                    });
                    return Ok(first);
                }
                Err(status) if status.code() == Code::Unimplemented => continue,
                Err(status) => return Err(self.classify(status)),
            }
        }
        Err(ReflectionError::NotServed {
            url: self.client.url(),
        })
    }

    fn classify(&self, status: Status) -> ReflectionError {
        if status.code() == Code::Unavailable && self.stream.is_none() {
            return ReflectionError::Unreachable {
                url: self.client.url(),
                reason: root_cause(status.message()),
            };
        }
        ReflectionError::Failed(status)
    }
}

async fn next(
    responses: &mut Streaming<ServerReflectionResponse>,
) -> Result<ServerReflectionResponse, Status> {
    match responses.next().await {
        Some(item) => item,
        None => Err(Status::internal("the server closed the reflection stream")),
    }
}

fn unexpected(response: &MessageResponse) -> ReflectionError {
    let message = match response {
        MessageResponse::ErrorResponse(error) => format!(
            "the server answered {}: {}",
            Code::from_i32(error.error_code),
            error.error_message
        ),
        _ => "the server answered another request".to_string(),
    };
    ReflectionError::Failed(Status::internal(message))
}

/// The innermost cause of a transport error, without the OS error number:
/// `client error (Connect): tcp connect error: Connection refused (os
/// error 111)` is `connection refused`.
fn root_cause(message: &str) -> String {
    let last = message.rsplit(": ").next().unwrap_or(message);
    let last = match last.find(" (os error") {
        Some(at) => &last[..at],
        None => last,
    };
    let mut chars = last.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::root_cause;

    #[test]
    fn root_cause_is_the_last_part() {
        assert_eq!(
            root_cause(
                "client error (Connect): tcp connect error: Connection refused (os error 111)"
            ),
            "connection refused"
        );
        assert_eq!(root_cause("boom"), "boom");
    }
}
