//! Answering the requests of one reflection stream.
//!
//! The semantics follow grpc-go's reflection server, which grpcurl and
//! `buf curl` are written against: a file is sent with its transitive
//! imports, each import only once per stream (the file asked for always),
//! unknown names get an `ErrorResponse` with NOT_FOUND and the stream goes
//! on, and a request without a question ends the stream with
//! INVALID_ARGUMENT.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::index::ReflectionIndex;
use super::messages::{v1, v1alpha};
use crate::{Code, Status};

use v1::{
    ErrorResponse, ExtensionNumberResponse, FileDescriptorResponse, ListServiceResponse,
    MessageRequest, MessageResponse, ServerReflectionRequest, ServerReflectionResponse,
    ServiceResponse,
};

/// The state of one reflection stream: the index it answers from and the
/// files already sent on it.
#[derive(Debug)]
pub struct ReflectionSession {
    index: Arc<ReflectionIndex>,
    sent: HashSet<String>,
}

impl ReflectionSession {
    /// A fresh stream answering from `index`.
    pub fn new(index: Arc<ReflectionIndex>) -> ReflectionSession {
        ReflectionSession {
            index,
            sent: HashSet::new(),
        }
    }

    /// Answers one `grpc.reflection.v1` request.
    ///
    /// # Errors
    ///
    /// INVALID_ARGUMENT when the request asks nothing (`message_request`
    /// unset); the stream should end with that status. Unknown files and
    /// symbols are not errors here: they are answered with an
    /// `ErrorResponse`.
    pub fn answer(
        &mut self,
        request: ServerReflectionRequest,
    ) -> Result<ServerReflectionResponse, Status> {
        let response = match &request.message_request {
            None => {
                return Err(Status::invalid_argument(
                    "reflection request without message_request: set one of its fields",
                ))
            }
            Some(MessageRequest::ListServices(_)) => self.list_services(),
            Some(MessageRequest::FileByFilename(path)) => match self.index.file(path) {
                Some(_) => self.files_from(path.clone()),
                None => not_found(format!("file {path:?} not found")),
            },
            Some(MessageRequest::FileContainingSymbol(symbol)) => {
                match self.index.file_containing(symbol) {
                    Some(path) => self.files_from(path.to_string()),
                    None => not_found(format!("symbol {symbol:?} not found")),
                }
            }
            Some(MessageRequest::FileContainingExtension(extension)) => not_found(format!(
                "extension {} of {:?} not found: this server declares no extensions",
                extension.extension_number, extension.containing_type
            )),
            Some(MessageRequest::AllExtensionNumbersOfType(name)) => {
                if self.index.is_message(name) {
                    MessageResponse::AllExtensionNumbersResponse(ExtensionNumberResponse {
                        base_type_name: name.clone(),
                        extension_number: Vec::new(),
                    })
                } else {
                    not_found(format!("message type {name:?} not found"))
                }
            }
        };
        Ok(ServerReflectionResponse {
            valid_host: request.host.clone(),
            original_request: Some(request),
            message_response: Some(response),
        })
    }

    /// Answers one `grpc.reflection.v1alpha` request, exactly as
    /// [`answer`](Self::answer) answers its v1 twin.
    ///
    /// # Errors
    ///
    /// As for [`answer`](Self::answer).
    pub fn answer_v1alpha(
        &mut self,
        request: v1alpha::ServerReflectionRequest,
    ) -> Result<v1alpha::ServerReflectionResponse, Status> {
        // The two packages declare the same messages with the same numbers,
        // so a value moves between them through its encoding.
        let response = self.answer(transcode(&request)?)?;
        transcode(&response)
    }

    fn list_services(&self) -> MessageResponse {
        let service = self
            .index
            .services()
            .iter()
            .map(|name| ServiceResponse { name: name.clone() })
            .collect();
        MessageResponse::ListServicesResponse(ListServiceResponse { service })
    }

    /// The file at `path` (always) and every file it imports, directly or
    /// not, that this stream has not sent yet, in breadth-first order.
    fn files_from(&mut self, path: String) -> MessageResponse {
        let mut files = Vec::new();
        let mut visited = HashSet::new();
        let mut queue = VecDeque::from([path]);
        while let Some(path) = queue.pop_front() {
            if !visited.insert(path.clone()) {
                continue;
            }
            let first = files.is_empty();
            if let Some(encoded) = self.index.file(&path) {
                if first || !self.sent.contains(&path) {
                    files.push(encoded.to_vec());
                }
            }
            queue.extend(self.index.dependencies(&path).iter().cloned());
            self.sent.insert(path);
        }
        MessageResponse::FileDescriptorResponse(FileDescriptorResponse {
            file_descriptor_proto: files,
        })
    }
}

fn not_found(message: String) -> MessageResponse {
    MessageResponse::ErrorResponse(ErrorResponse {
        error_code: Code::NotFound as i32,
        error_message: message,
    })
}

fn transcode<From: prost::Message, To: prost::Message + Default>(
    value: &From,
) -> Result<To, Status> {
    To::decode(value.encode_to_vec().as_slice())
        .map_err(|e| Status::internal(format!("reflection message conversion failed: {e}")))
}
