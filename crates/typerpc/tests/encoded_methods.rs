//! Methods known only at run time, served by the same pipeline as typed
//! ones: a gateway that forwards every method of a service it knows only
//! by its schema, encoded messages in and out, to a backend.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::shapes::{failure, Req, ShapesService, ShapesServiceClient};
use futures_util::StreamExt;
use typerpc::client::{CallOptions, CallShape, Client, Codec, MethodInfo, Protocol};
use typerpc::service::{
    BoxFuture, EncodedHandler, EncodedResponses, EncodedStream, Interceptor, Method, Outcome,
    Service,
};
use typerpc::testing::TestServer;
use typerpc::{Code, Context, Router, Status};

/// Forwards one method to the backend in the codec the call arrived in.
struct Forward {
    proto: Client,
    json: Client,
    method: MethodInfo,
    shape: CallShape,
}

impl EncodedHandler for Forward {
    fn call(
        &self,
        ctx: Context,
        requests: EncodedStream,
    ) -> BoxFuture<Result<EncodedResponses, Status>> {
        let client = match ctx.codec() {
            Codec::Proto => self.proto.clone(),
            Codec::Json => self.json.clone(),
        };
        let (method, shape) = (self.method, self.shape);
        Box::pin(async move {
            let mut options = CallOptions::new();
            if let Some(left) = ctx.time_remaining() {
                options = options.timeout(left);
            }
            let requests = requests.take_while(|r| std::future::ready(r.is_ok()));
            let requests = requests.map(|r| r.unwrap_or_default());
            let responses = client
                .call_encoded(method, shape, requests, options)
                .await?;
            Ok(responses.map(|r| r.map(|bytes| bytes.to_vec())).boxed())
        })
    }
}

/// Counts calls, to show the gateway's interceptors run for forwarded
/// methods too.
struct Count(Arc<AtomicUsize>);

impl Interceptor for Count {
    fn after(&self, _ctx: &Context, _outcome: &Outcome<'_>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A gateway router for every method of `schema`, forwarded to `backend`.
fn gateway(backend: &TestServer, schema: &'static typerpc::schema::model::ServiceSchema) -> Router {
    let client = |codec| {
        backend
            .client_builder()
            .codec(codec)
            .validate_requests(false)
            .build()
            .unwrap()
    };
    let (proto, json) = (client(Codec::Proto), client(Codec::Json));
    let methods = schema
        .methods
        .iter()
        .map(|m| {
            let path: &'static str = Box::leak(
                format!("/{}.{}/{}", schema.package, schema.name, m.name).into_boxed_str(),
            );
            let mut method = MethodInfo::new(path);
            if m.idempotent {
                method = method.idempotent();
            }
            let forward = Forward {
                proto: proto.clone(),
                json: json.clone(),
                method,
                shape: CallShape::of(m.client_streaming, m.server_streaming),
            };
            Method::encoded(m, forward)
        })
        .collect();
    Router::new().add_methods(schema, methods)
}

#[tokio::test]
async fn a_gateway_forwards_every_shape_of_a_service_it_knows_only_by_schema() {
    let backend = TestServer::start(common::shapes::router()).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let router = gateway(&backend, ShapesService::schema())
        .register_type::<common::shapes::ErrorDetail>()
        .intercept(Count(Arc::clone(&calls)));
    assert!(router.has_method("shapes.v1.ShapesService/Bidi"));
    let front = TestServer::start(router).await;
    for (protocol, codec) in [
        (Protocol::Grpc, Codec::Proto),
        (Protocol::GrpcWeb, Codec::Json),
        (Protocol::Connect, Codec::Json),
        (Protocol::Connect, Codec::Proto),
    ] {
        let what = format!("{protocol:?} {codec:?}");
        let client = front
            .client_builder()
            .protocol(protocol)
            .codec(codec)
            .register_type::<common::shapes::ErrorDetail>()
            .build()
            .unwrap();
        let client = ShapesServiceClient::new(client);
        let req = |text: &str, count| Req {
            text: text.into(),
            count,
            ..Req::default()
        };
        assert_eq!(
            client.unary(req("one", 0)).await.unwrap().text,
            "one",
            "{what}"
        );
        let streamed: Vec<_> = client
            .server_stream(req("s", 3))
            .await
            .unwrap()
            .map(|r| r.unwrap().index)
            .collect()
            .await;
        assert_eq!(streamed, [0, 1, 2], "{what}");
        let joined = client
            .client_stream(typerpc::stream::iter([req("a", 0), req("b", 0)]))
            .await
            .unwrap();
        assert_eq!((joined.text.as_str(), joined.index), ("a,b", 2), "{what}");
        let echoed: Vec<_> = client
            .bidi(typerpc::stream::iter([req("x", 0), req("y", 0)]))
            .await
            .unwrap()
            .map(|r| r.unwrap().text)
            .collect()
            .await;
        assert_eq!(echoed, ["x", "y"], "{what}");
        // The backend's error, with its detail, comes through unchanged.
        let error = client
            .unary(Req {
                fail_code: Code::NotFound as i32,
                ..req("gone", 0)
            })
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::NotFound, "{what}");
        assert_eq!(error.message(), failure(5, "gone").message());
        assert_eq!(
            error.detail::<common::shapes::ErrorDetail>(),
            failure(5, "gone").detail(),
            "{what}"
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4 * 5);
}
