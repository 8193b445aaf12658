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
//! All four call shapes:
//!
//! ```
//! use typerpc::stream::{self, StreamExt};
//! use typerpc::{service, Message, RequestStream, ResponseStream, Status, Stream};
//!
//! #[derive(Message, Clone, Debug, PartialEq)]
//! pub struct Tick { pub n: u32 }
//!
//! pub struct ClockService;
//!
//! #[service]
//! impl ClockService {
//!     /// Unary.
//!     async fn now(&self, _req: ()) -> Result<Tick, Status> {
//!         Ok(Tick { n: 0 })
//!     }
//!
//!     /// Server streaming: `n` ticks.
//!     async fn ticks(&self, req: Tick) -> Result<impl Stream<Item = Result<Tick, Status>>, Status> {
//!         Ok(stream::iter((1..=req.n).map(|n| Ok(Tick { n }))))
//!     }
//!
//!     /// Client streaming: counts the ticks sent.
//!     async fn count(&self, mut ticks: RequestStream<Tick>) -> Result<Tick, Status> {
//!         let mut n = 0;
//!         while ticks.message().await?.is_some() {
//!             n += 1;
//!         }
//!         Ok(Tick { n })
//!     }
//!
//!     /// Bidirectional: answers each tick with the next one.
//!     async fn next(&self, ticks: RequestStream<Tick>) -> Result<ResponseStream<Tick>, Status> {
//!         Ok(ResponseStream::new(ticks.map(|t| t.map(|t| Tick { n: t.n + 1 }))))
//!     }
//! }
//!
//! use typerpc::service::Service;
//! let methods = ClockService::schema().methods;
//! assert!(methods[1].server_streaming && !methods[1].client_streaming);
//! assert!(methods[2].client_streaming && !methods[2].server_streaming);
//! assert!(methods[3].client_streaming && methods[3].server_streaming);
//! ```
//!
//! Rules of `#[service]`:
//! - every `async fn` taking `&self` is an RPC (mark helpers `#[rpc(skip)]`
//!   or put them in another `impl` block); its name is the method name in
//!   PascalCase unless `#[rpc(name = "...")]` says otherwise;
//! - parameters: `&self`, optionally `&typerpc::Context`, then the request
//!   message; the return type is `Result<Response, typerpc::Status>`;
//! - streaming: a request parameter of type
//!   [`RequestStream<Req>`](RequestStream) makes the client stream; a return
//!   type of `Result<impl Stream<Item = Result<Res, Status>>, Status>` or
//!   `Result<ResponseStream<Res>, Status>` makes the server stream (the
//!   macro adds `+ Send + 'static` to an `impl Stream` that lacks them).
//!   Response headers set on the context before the method returns go out
//!   before the first message; trailers set until the stream ends (keep a
//!   clone of the context in the stream) go out after the last;
//! - the package is the type name without a trailing `Service`, lower-cased,
//!   plus `.v1`, unless `#[service(package = "...", name = "...")]`;
//! - `#[rpc(idempotent)]` marks a method free of side effects
//!   (`idempotency_level = NO_SIDE_EFFECTS`, which enables Connect GET).
//!
//! # The generated client
//!
//! `#[service]` on `impl GreeterService` also generates
//! `pub struct GreeterServiceClient`, cheap to clone, with for each RPC:
//!
//! - `say_hello(&self, req) -> Result<HelloReply, Status>`, the common case;
//! - `say_hello_with(&self, req, CallOptions) -> Result<Response<HelloReply>, Status>`,
//!   with a timeout, headers and compression for this call, returning the
//!   response headers and trailers too.
//!
//! Server-streaming and bidirectional methods return a
//! [`Streaming`](crate::client::Streaming) of responses; client-streaming
//! and bidirectional ones take any `Stream` of requests. Build one with
//! `GreeterServiceClient::connect(url).await` (gRPC) or
//! `GreeterServiceClient::new(client)` around any
//! [`Client`](crate::Client).
//!
//! ```
//! # use typerpc::{service, Message, Status};
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct HelloRequest { pub name: String }
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct HelloReply { pub greeting: String }
//! # pub struct GreeterService;
//! # #[service] impl GreeterService {
//! #     async fn say_hello(&self, req: HelloRequest) -> Result<HelloReply, Status> {
//! #         Ok(HelloReply { greeting: format!("Hello, {}!", req.name) })
//! #     }
//! # }
//! use std::time::Duration;
//! use typerpc::client::{CallOptions, Protocol};
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let server = typerpc::testing::TestServer::start(typerpc::Router::new().add(GreeterService)).await;
//! let client = GreeterServiceClient::new(server.client(Protocol::Connect));
//!
//! let reply = client.say_hello(HelloRequest { name: "Ada".into() }).await?;
//! assert_eq!(reply.greeting, "Hello, Ada!");
//!
//! let options = CallOptions::new().timeout(Duration::from_secs(1)).header("x-request-id", "7");
//! let response = client.say_hello_with(HelloRequest { name: "Bo".into() }, options).await?;
//! assert_eq!(response.message().greeting, "Hello, Bo!");
//! assert!(response.headers().contains_key("content-type"));
//! # Ok::<(), typerpc::Status>(())
//! # }).unwrap();
//! ```

mod call;
mod context;
pub(crate) mod deadline;
mod interceptor;
mod method;
mod peer;
#[cfg(feature = "otel")]
pub(crate) mod propagation;
mod stream;
pub mod telemetry;

pub use call::{CallShape, Codec, Protocol};
pub(crate) use context::CallFacts;
pub use context::{Context, ResponseMetadata};
pub use deadline::{current_deadline, earliest, propagate_deadline};
pub(crate) use interceptor::Chain;
pub use interceptor::{interceptor_fn, Before, Direction, Interceptor, InterceptorFn, Outcome};
pub(crate) use method::{decode_response, encode, Format, Room};
pub use method::{BoxFuture, EncodedHandler, EncodedResponses, EncodedStream, Method, RpcResult};
pub(crate) use peer::Caller;
pub use peer::{PeerAddr, PeerCertificates};
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
