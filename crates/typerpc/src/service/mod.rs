//! Services: what `#[service]` turns an `impl` block into.
//!
//! ```
//! use typerpc::{service, Context, Message, Status};
//!
//! #[derive(Message, Clone, Debug, PartialEq)]
//! pub struct HelloRequest { pub name: String }
//!
//! #[derive(Message, Clone, Debug, PartialEq)]
//! pub struct HelloReply { pub greeting: String }
//!
//! pub struct GreeterService;
//!
//! #[service] // package greeter.v1, service GreeterService
//! impl GreeterService {
//!     /// Says hello.
//!     async fn say_hello(&self, req: HelloRequest) -> Result<HelloReply, Status> {
//!         if req.name.is_empty() {
//!             return Err(Status::invalid_argument("name is required"));
//!         }
//!         Ok(HelloReply { greeting: format!("Hello, {}!", req.name) })
//!     }
//!
//!     /// The context gives the request headers, deadline and peer, and sets
//!     /// response headers and trailers.
//!     #[rpc(idempotent)]
//!     async fn whoami(&self, ctx: &Context, _req: ()) -> Result<HelloReply, Status> {
//!         let agent = ctx.request_headers().get("user-agent").and_then(|v| v.to_str().ok());
//!         Ok(HelloReply { greeting: agent.unwrap_or("unknown").to_string() })
//!     }
//! }
//!
//! use typerpc::service::Service;
//! let schema = GreeterService::schema();
//! assert_eq!((schema.package, schema.name), ("greeter.v1", "GreeterService"));
//! assert_eq!(schema.methods[0].name, "SayHello");
//! assert!(schema.methods[1].idempotent);
//! ```
//!
//! Rules of `#[service]`:
//! - every `async fn` taking `&self` is an RPC (mark helpers `#[rpc(skip)]`
//!   or put them in another `impl` block); its name is the method name in
//!   PascalCase unless `#[rpc(name = "...")]` says otherwise;
//! - parameters: `&self`, optionally `&typerpc::Context`, then the request
//!   message; the return type is `Result<Response, typerpc::Status>`;
//! - the package is the type name without a trailing `Service`, lower-cased,
//!   plus `.v1`, unless `#[service(package = "...", name = "...")]`;
//! - `#[rpc(idempotent)]` marks a method free of side effects
//!   (`idempotency_level = NO_SIDE_EFFECTS`, which enables Connect GET).

mod context;
mod method;
mod stream;

pub use context::Context;
pub(crate) use method::{decode_response, encode, EncodedResponses, EncodedStream, Format};
pub use method::{Method, RpcResult};
pub use stream::{RequestStream, ResponseStream};

use std::sync::Arc;

use crate::schema::model::ServiceSchema;

/// A service: its schema and its methods. Implemented by `#[service]`.
pub trait Service: Send + Sync + 'static {
    /// The static description of the service.
    fn schema() -> &'static ServiceSchema
    where
        Self: Sized;

    /// The callable methods, sharing one instance of the service.
    fn methods(self: Arc<Self>) -> Vec<Method>;
}
