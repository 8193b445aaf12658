//! gRPC server reflection (`grpc.reflection.v1` and
//! `grpc.reflection.v1alpha`): the messages, the service schemas and the
//! logic answering each request.
//!
//! [`ReflectionIndex`] holds the files of a [`SchemaSet`](crate::schema::SchemaSet)
//! as encoded descriptors, rendered by the same model that writes the
//! `.proto` files, so what reflection serves equals what was written (the
//! well-known files are served as protoc compiles them). A
//! [`ReflectionSession`] answers the requests of one stream and remembers
//! which files it already sent.
//!
//! ```
//! use std::sync::Arc;
//! use typerpc::reflection::{v1, ReflectionIndex, ReflectionSession};
//! use typerpc::schema::SchemaBuilder;
//!
//! let mut builder = SchemaBuilder::new();
//! for service in typerpc::reflection::standard_services() {
//!     builder.add_service(service);
//! }
//! let index = Arc::new(ReflectionIndex::new(&builder.build().unwrap()));
//! let mut stream = ReflectionSession::new(index);
//! let response = stream
//!     .answer(v1::ServerReflectionRequest {
//!         host: String::new(),
//!         message_request: Some(v1::MessageRequest::ListServices(String::new())),
//!     })
//!     .unwrap();
//! let Some(v1::MessageResponse::ListServicesResponse(list)) = response.message_response else {
//!     panic!("expected a service list");
//! };
//! assert_eq!(list.service[0].name, "grpc.health.v1.Health");
//! ```

mod client;
mod companion;
mod index;
mod messages;
mod service;
mod session;

pub use client::{ReflectionClient, ReflectionError};
pub use index::{well_known_files, ReflectionIndex};
pub use messages::{v1, v1alpha};
pub use session::ReflectionSession;

use crate::schema::model::ServiceSchema;

/// The schemas of the services every typerpc server can expose besides the
/// user's: health, and reflection in both packages. Add them to the schema
/// an index is built from so that reflection lists and describes them.
pub fn standard_services() -> [&'static ServiceSchema; 3] {
    let [v1, v1alpha] = service::schemas();
    [crate::health::service_schema(), v1, v1alpha]
}
