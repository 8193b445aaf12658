//! `grpc.reflection.v1.ServerReflection` and its `v1alpha` twin, answering
//! each stream with a [`ReflectionSession`] over an index of the router's
//! whole schema.
//!
//! The index is built on the first reflection call, not when the service
//! is added: services added to the router later must be described too.
//! The router gives every new set of services a fresh [`IndexSource`].

use std::sync::{Arc, OnceLock};

use typerpc::stream::StreamExt;

use super::index::ReflectionIndex;
use super::messages::{v1, v1alpha};
use super::session::ReflectionSession;
use crate::schema::model::{MessageSchema, ServiceSchema};
use crate::schema::SchemaBuilder;
use crate::{service, RequestStream, ResponseStream, Status};

/// What the reflection index is built from, and the index once built.
#[derive(Debug)]
pub(crate) struct IndexSource {
    services: Vec<&'static ServiceSchema>,
    extra_types: Vec<&'static MessageSchema>,
    index: OnceLock<Result<Arc<ReflectionIndex>, String>>,
}

impl IndexSource {
    pub(crate) fn new(
        services: Vec<&'static ServiceSchema>,
        extra_types: Vec<&'static MessageSchema>,
    ) -> Arc<IndexSource> {
        Arc::new(IndexSource {
            services,
            extra_types,
            index: OnceLock::new(),
        })
    }

    fn index(&self) -> Result<Arc<ReflectionIndex>, Status> {
        let built = self.index.get_or_init(|| {
            let mut builder = SchemaBuilder::new();
            for service in &self.services {
                builder.add_service(service);
            }
            for message in &self.extra_types {
                builder.add_message(message);
            }
            builder
                .build()
                .map(|set| Arc::new(ReflectionIndex::new(&set)))
                .map_err(|e| e.to_string())
        });
        built
            .clone()
            .map_err(|e| Status::internal(format!("the server's schema is inconsistent: {e}")))
    }
}

/// Reflection in `grpc.reflection.v1`.
#[derive(Debug)]
pub(crate) struct ReflectionV1 {
    pub(crate) source: Arc<IndexSource>,
}

/// Server reflection: the services of this server and the descriptors of
/// their files, for grpcurl, `buf curl`, Postman and other clients.
#[service(package = "grpc.reflection.v1", name = "ServerReflection")]
impl ReflectionV1 {
    /// Answers each request of the stream in order.
    async fn server_reflection_info(
        &self,
        requests: RequestStream<v1::ServerReflectionRequest>,
    ) -> Result<ResponseStream<v1::ServerReflectionResponse>, Status> {
        let mut session = ReflectionSession::new(self.source.index()?);
        Ok(answer_each(requests, move |request| {
            session.answer(request)
        }))
    }
}

/// Reflection in `grpc.reflection.v1alpha`, for older clients.
#[derive(Debug)]
pub(crate) struct ReflectionV1alpha {
    pub(crate) source: Arc<IndexSource>,
}

/// Server reflection, the pre-v1 package older clients still ask first.
#[service(package = "grpc.reflection.v1alpha", name = "ServerReflection")]
impl ReflectionV1alpha {
    /// Answers each request of the stream in order.
    async fn server_reflection_info(
        &self,
        requests: RequestStream<v1alpha::ServerReflectionRequest>,
    ) -> Result<ResponseStream<v1alpha::ServerReflectionResponse>, Status> {
        let mut session = ReflectionSession::new(self.source.index()?);
        Ok(answer_each(requests, move |request| {
            session.answer_v1alpha(request)
        }))
    }
}

/// Answers requests one by one; the first error ends the call (the server
/// stops reading a response stream at its first error).
fn answer_each<Req, Res>(
    requests: RequestStream<Req>,
    mut answer: impl FnMut(Req) -> Result<Res, Status> + Send + 'static,
) -> ResponseStream<Res>
where
    Req: Send + 'static,
    Res: Send + 'static,
{
    ResponseStream::new(requests.map(move |request| request.and_then(&mut answer)))
}

/// The schemas of both reflection services.
pub(crate) fn schemas() -> [&'static ServiceSchema; 2] {
    use crate::service::Service;
    [ReflectionV1::schema(), ReflectionV1alpha::schema()]
}
