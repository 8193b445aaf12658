//! Interceptors on the server and the client, tower layers around both,
//! and the metadata of failed calls, over real loopback sockets and
//! checked with clients we did not write (tonic, `buf curl`, plain HTTP).

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use common::peers::{peer, proto_dir};
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use tonic_prost::ProstCodec;
use typerpc::client::{
    CallOptions, CallShape, Client, ClientCall, ClientInterceptor, ClientOutcome, Codec,
    HttpVersion, MethodInfo, Protocol, Retry,
};
use typerpc::service::{interceptor_fn, Before, Direction, Interceptor, Outcome};
use typerpc::testing::TestServer;
use typerpc::{service, Code, Context, Message, RequestStream, ResponseStream, Router, Status};

/// A request.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "auth.v1")]
pub struct WhoRequest {
    pub n: u32,
}

/// A reply naming the caller the interceptor found.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "auth.v1")]
pub struct WhoReply {
    pub user: String,
    pub n: u32,
}

/// The caller, as the auth interceptor verified it.
#[derive(Clone, Debug, PartialEq)]
struct User(String);

/// Counts what the handlers did, so tests can tell whether they ran.
#[derive(Default)]
struct Counters {
    handled: AtomicUsize,
    flaky: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

pub struct AccountService {
    counters: Arc<Counters>,
}

fn user(ctx: &Context) -> String {
    ctx.get::<User>().map(|u| u.0).unwrap_or_default()
}

#[service(package = "auth.v1")]
impl AccountService {
    /// The caller, with the request's number.
    async fn whoami(&self, ctx: &Context, req: WhoRequest) -> Result<WhoReply, Status> {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        Ok(WhoReply {
            user: user(ctx),
            n: req.n,
        })
    }

    /// `n` replies.
    async fn count(
        &self,
        ctx: &Context,
        req: WhoRequest,
    ) -> Result<ResponseStream<WhoReply>, Status> {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        let user = user(ctx);
        Ok(ResponseStream::new(typerpc::stream::iter((0..req.n).map(
            move |n| {
                Ok(WhoReply {
                    user: user.clone(),
                    n,
                })
            },
        ))))
    }

    /// The sum of the numbers sent.
    async fn sum(
        &self,
        ctx: &Context,
        mut reqs: RequestStream<WhoRequest>,
    ) -> Result<WhoReply, Status> {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        let mut n = 0;
        while let Some(req) = reqs.message().await? {
            n += req.n;
        }
        Ok(WhoReply { user: user(ctx), n })
    }

    /// Each number back, doubled.
    async fn double(
        &self,
        ctx: &Context,
        reqs: RequestStream<WhoRequest>,
    ) -> Result<ResponseStream<WhoReply>, Status> {
        self.counters.handled.fetch_add(1, Ordering::SeqCst);
        let user = user(ctx);
        Ok(ResponseStream::new(reqs.map(move |req| {
            req.map(|req| WhoReply {
                user: user.clone(),
                n: req.n * 2,
            })
        })))
    }

    /// Fails with `unavailable` until it has been called `n` times.
    #[rpc(idempotent)]
    async fn flaky_read(&self, req: WhoRequest) -> Result<WhoReply, Status> {
        self.flaky(req)
    }

    /// The same, but not idempotent: never retried by default.
    async fn flaky_write(&self, req: WhoRequest) -> Result<WhoReply, Status> {
        self.flaky(req)
    }

    /// Fails with metadata of every kind: headers and trailers set on the
    /// context, and a trailer carried by the status itself.
    async fn refuse(&self, ctx: &Context, _req: WhoRequest) -> Result<WhoReply, Status> {
        ctx.append_response_header("x-set-header".parse().unwrap(), "h".parse().unwrap());
        ctx.append_response_trailer("x-set-trailer".parse().unwrap(), "t".parse().unwrap());
        Err(Status::failed_precondition("not now").with_trailer("x-why", "because"))
    }

    /// Holds the call 50 ms, counting how many run at once.
    async fn slow(&self, _req: WhoRequest) -> Result<WhoReply, Status> {
        let now = self.counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.counters.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(WhoReply::default())
    }
}

impl AccountService {
    fn flaky(&self, req: WhoRequest) -> Result<WhoReply, Status> {
        let call = self.counters.flaky.fetch_add(1, Ordering::SeqCst) + 1;
        if call < req.n as usize {
            return Err(Status::unavailable(format!("call {call}: try again")));
        }
        Ok(WhoReply {
            user: String::new(),
            n: call as u32,
        })
    }
}

const TOKEN: &str = "Bearer let-me-in";

/// Lets in calls with the right bearer token, and tells the handler who
/// called; refuses others with `unauthenticated` and a
/// `www-authenticate` header. Health and reflection stay open.
fn auth() -> impl Interceptor {
    interceptor_fn(|ctx: &Context| {
        if ctx.procedure().starts_with("/grpc.") {
            return Ok(());
        }
        let token = ctx.request_headers().get("authorization");
        if token.is_some_and(|t| t == TOKEN) {
            ctx.insert(User("ada".into()));
            return Ok(());
        }
        ctx.append_response_header(
            "www-authenticate".parse().unwrap(),
            "Bearer".parse().unwrap(),
        );
        Err(Status::unauthenticated("a valid bearer token is required"))
    })
}

fn service() -> (AccountService, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    (
        AccountService {
            counters: Arc::clone(&counters),
        },
        counters,
    )
}

/// Adds the bearer token to every call.
struct Token;

impl ClientInterceptor for Token {
    fn before(&self, call: &mut ClientCall<'_>) -> Result<(), Status> {
        call.headers_mut()
            .insert("authorization", TOKEN.parse().unwrap());
        Ok(())
    }
}

/// Every protocol our client speaks, on each HTTP version it allows.
const WIRES: [(Protocol, HttpVersion); 6] = [
    (Protocol::Grpc, HttpVersion::Http2),
    (Protocol::GrpcWeb, HttpVersion::Http1),
    (Protocol::GrpcWeb, HttpVersion::Http2),
    (Protocol::GrpcWebText, HttpVersion::Http1),
    (Protocol::Connect, HttpVersion::Http1),
    (Protocol::Connect, HttpVersion::Http2),
];

/// Where an interceptor's header on a rejected call arrives: in the
/// headers on Connect; gRPC's trailers-only answer carries one block,
/// which the client reports as trailers.
fn rejection_metadata(status: &Status) -> Option<&http::HeaderValue> {
    status
        .headers()
        .get("www-authenticate")
        .or_else(|| status.trailers().get("www-authenticate"))
}

#[tokio::test]
async fn auth_interceptor_guards_every_protocol_and_the_handler_reads_the_identity() {
    let (accounts, counters) = service();
    let router = Router::new().with_health().add(accounts).intercept(auth());
    let server = TestServer::start(router).await;
    for (protocol, http) in WIRES {
        for codec in [Codec::Proto, Codec::Json] {
            let what = format!("{protocol:?} {http:?} {codec:?}");
            let builder = || {
                server
                    .client_builder()
                    .protocol(protocol)
                    .http_version(http)
                    .codec(codec)
            };
            let anonymous = AccountServiceClient::new(builder().build().unwrap());
            let before = counters.handled.load(Ordering::SeqCst);
            let error = anonymous.whoami(WhoRequest { n: 1 }).await.unwrap_err();
            assert_eq!(error.code(), Code::Unauthenticated, "{what}: {error}");
            assert_eq!(
                rejection_metadata(&error).map(|v| v.to_str().unwrap()),
                Some("Bearer"),
                "{what}: {error:?}"
            );
            // Streams are guarded too, and the handler never runs.
            let error = anonymous
                .sum(typerpc::stream::iter([WhoRequest { n: 1 }]))
                .await
                .unwrap_err();
            assert_eq!(error.code(), Code::Unauthenticated, "{what}");
            assert_eq!(counters.handled.load(Ordering::SeqCst), before, "{what}");

            let trusted = AccountServiceClient::new(builder().intercept(Token).build().unwrap());
            let reply = trusted.whoami(WhoRequest { n: 7 }).await.unwrap();
            assert_eq!(
                reply,
                WhoReply {
                    user: "ada".into(),
                    n: 7
                },
                "{what}"
            );
            let sum = trusted
                .sum(typerpc::stream::iter([
                    WhoRequest { n: 2 },
                    WhoRequest { n: 3 },
                ]))
                .await
                .unwrap();
            assert_eq!(
                sum,
                WhoReply {
                    user: "ada".into(),
                    n: 5
                },
                "{what}"
            );
            // Health stays open to probes without a token.
            let health = typerpc::health::HealthCheckRequest {
                service: String::new(),
            };
            let answer = builder()
                .build()
                .unwrap()
                .unary::<_, typerpc::health::HealthCheckResponse>(
                    MethodInfo::new("/grpc.health.v1.Health/Check"),
                    health,
                    CallOptions::new(),
                )
                .await;
            assert!(answer.is_ok(), "{what}: {answer:?}");
        }
    }
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

#[tokio::test]
async fn a_connect_rejection_is_http_401_with_the_connect_error_body() {
    let (accounts, counters) = service();
    let server = TestServer::start(Router::new().add(accounts).intercept(auth())).await;
    let executor = hyper_util::rt::TokioExecutor::new();
    let http1: HttpClient =
        hyper_util::client::legacy::Client::builder(executor.clone()).build_http();
    let http2: HttpClient = hyper_util::client::legacy::Client::builder(executor)
        .http2_only(true)
        .build_http();
    for (client, version) in [(http1, "HTTP/1.1"), (http2, "HTTP/2")] {
        for token in [None, Some("Bearer wrong"), Some(TOKEN)] {
            let mut request =
                http::Request::post(format!("{}/auth.v1.AccountService/Whoami", server.url()))
                    .header("content-type", "application/json");
            if let Some(token) = token {
                request = request.header("authorization", token);
            }
            let request = request
                .body(Full::new(Bytes::from_static(br#"{"n":4}"#)))
                .unwrap();
            let response = client.request(request).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if token == Some(TOKEN) {
                assert_eq!(status, 200, "{version}");
                assert_eq!(
                    body,
                    serde_json::json!({"user": "ada", "n": 4}),
                    "{version}"
                );
            } else {
                assert_eq!(status, 401, "{version} {token:?}");
                assert_eq!(headers["www-authenticate"], "Bearer", "{version}");
                assert_eq!(headers["content-type"], "application/json");
                assert_eq!(body["code"], "unauthenticated", "{version}");
                assert_eq!(body["message"], "a valid bearer token is required");
            }
        }
    }
    assert_eq!(counters.handled.load(Ordering::SeqCst), 2);
}

async fn tonic_channel(server: &TestServer) -> tonic::client::Grpc<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(server.url())
        .unwrap()
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

async fn tonic_call<Req: prost::Message + 'static, Res: prost::Message + Default + 'static>(
    client: &mut tonic::client::Grpc<tonic::transport::Channel>,
    path: &'static str,
    request: tonic::Request<Req>,
) -> Result<tonic::Response<Res>, tonic::Status> {
    client.ready().await.unwrap();
    client
        .unary(
            request,
            http::uri::PathAndQuery::from_static(path),
            ProstCodec::<Req, Res>::default(),
        )
        .await
}

#[tokio::test]
async fn a_tonic_client_is_refused_without_a_token_and_identified_with_one() {
    let (accounts, counters) = service();
    let server = TestServer::start(Router::new().add(accounts).intercept(auth())).await;
    let mut client = tonic_channel(&server).await;
    let path = "/auth.v1.AccountService/Whoami";
    let error = tonic_call::<WhoRequest, WhoReply>(
        &mut client,
        path,
        tonic::Request::new(WhoRequest { n: 1 }),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), tonic::Code::Unauthenticated);
    assert_eq!(error.message(), "a valid bearer token is required");
    assert_eq!(error.metadata().get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(counters.handled.load(Ordering::SeqCst), 0);

    let mut request = tonic::Request::new(WhoRequest { n: 3 });
    request
        .metadata_mut()
        .insert("authorization", TOKEN.parse().unwrap());
    let reply = tonic_call::<WhoRequest, WhoReply>(&mut client, path, request)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        reply,
        WhoReply {
            user: "ada".into(),
            n: 3
        }
    );
}

#[tokio::test]
async fn buf_curl_is_refused_without_a_token_and_identified_with_one() {
    let Some(buf) = peer("buf") else { return };
    let (accounts, _) = service();
    let router = Router::new().add(accounts).intercept(auth());
    let schema = proto_dir(&router, "interceptors-buf");
    let server = TestServer::start(router).await;
    for (protocol, http2) in [("connect", false), ("grpc", true), ("grpcweb", false)] {
        for token in [None, Some(TOKEN)] {
            let mut command = Command::new(&buf);
            command.arg("curl").arg("--schema").arg(&schema);
            command.args(["--protocol", protocol, "-d", r#"{"n": 9}"#]);
            if http2 {
                command.arg("--http2-prior-knowledge");
            }
            if let Some(token) = token {
                command.args(["-H", &format!("authorization: {token}")]);
            }
            command.arg(format!("{}/auth.v1.AccountService/Whoami", server.url()));
            let output = tokio::task::spawn_blocking(move || command.output().unwrap())
                .await
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            if token.is_some() {
                assert!(output.status.success(), "{protocol}: {stderr}");
                let reply: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert_eq!(
                    reply,
                    serde_json::json!({"user": "ada", "n": 9}),
                    "{protocol}"
                );
            } else {
                assert!(!output.status.success(), "{protocol}: {stdout}");
                assert!(stderr.contains("unauthenticated"), "{protocol}: {stderr}");
                assert!(
                    stderr.contains("a valid bearer token is required"),
                    "{protocol}: {stderr}"
                );
            }
        }
    }
}

/// Counts calls by procedure and code, and messages and bytes each way,
/// as a metrics exporter would.
#[derive(Default)]
struct Metrics {
    calls: Mutex<BTreeMap<(String, Code), u64>>,
    messages: Mutex<BTreeMap<String, (u64, u64)>>,
    bytes: Mutex<BTreeMap<String, (u64, u64)>>,
    seen: Mutex<Vec<(Direction, usize)>>,
}

/// The interceptor that fills [`Metrics`].
struct Metered(Arc<Metrics>);

impl Interceptor for Metered {
    fn after(&self, ctx: &Context, outcome: &Outcome<'_>) {
        let procedure = ctx.procedure().to_string();
        *self
            .0
            .calls
            .lock()
            .unwrap()
            .entry((procedure.clone(), outcome.code))
            .or_default() += 1;
        let mut messages = self.0.messages.lock().unwrap();
        let entry = messages.entry(procedure.clone()).or_default();
        entry.0 += outcome.request_messages;
        entry.1 += outcome.response_messages;
        let mut bytes = self.0.bytes.lock().unwrap();
        let entry = bytes.entry(procedure).or_default();
        entry.0 += outcome.request_bytes;
        entry.1 += outcome.response_bytes;
    }

    fn observes_messages(&self) -> bool {
        true
    }

    fn on_message(&self, _ctx: &Context, direction: Direction, message: &[u8]) {
        self.0.seen.lock().unwrap().push((direction, message.len()));
    }
}

#[tokio::test]
async fn a_metrics_interceptor_counts_calls_by_procedure_and_code_over_all_four_shapes() {
    let metrics = Arc::new(Metrics::default());
    let (accounts, _) = service();
    let router = Router::new()
        .intercept(auth())
        .add(accounts)
        .intercept(Metered(Arc::clone(&metrics)));
    let server = TestServer::start(router).await;
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let trusted = server.client_builder().protocol(protocol).intercept(Token);
        let client = AccountServiceClient::new(trusted.build().unwrap());
        assert_eq!(client.whoami(WhoRequest { n: 1 }).await.unwrap().n, 1);
        let replies: Vec<_> = client
            .count(WhoRequest { n: 3 })
            .await
            .unwrap()
            .map(|r| r.unwrap().n)
            .collect()
            .await;
        assert_eq!(replies, [0, 1, 2]);
        let sum = client
            .sum(typerpc::stream::iter(
                [1, 2, 3, 4].map(|n| WhoRequest { n }),
            ))
            .await
            .unwrap();
        assert_eq!(sum.n, 10);
        let doubled: Vec<_> = client
            .double(typerpc::stream::iter([5, 6].map(|n| WhoRequest { n })))
            .await
            .unwrap()
            .map(|r| r.unwrap().n)
            .collect()
            .await;
        assert_eq!(doubled, [10, 12]);
        let error = client.refuse(WhoRequest { n: 0 }).await.unwrap_err();
        assert_eq!(error.code(), Code::FailedPrecondition);
        // Refused by the auth interceptor, added before the metrics one:
        // the metrics interceptor never saw the call start, nor its end.
        let anonymous = AccountServiceClient::new(server.client(protocol));
        assert!(anonymous.whoami(WhoRequest { n: 1 }).await.is_err());
    }
    let calls = metrics.calls.lock().unwrap().clone();
    let count = |method: &str, code: Code| {
        calls
            .get(&(format!("/auth.v1.AccountService/{method}"), code))
            .copied()
            .unwrap_or(0)
    };
    for method in ["Whoami", "Count", "Sum", "Double"] {
        assert_eq!(count(method, Code::Ok), 3, "{method}: {calls:?}");
    }
    assert_eq!(count("Refuse", Code::FailedPrecondition), 3, "{calls:?}");
    assert_eq!(count("Whoami", Code::Unauthenticated), 0, "{calls:?}");
    assert_eq!(calls.values().sum::<u64>(), 15, "{calls:?}");

    let messages = metrics.messages.lock().unwrap().clone();
    let of = |method: &str| messages[&format!("/auth.v1.AccountService/{method}")];
    assert_eq!(of("Whoami"), (3, 3));
    assert_eq!(of("Count"), (3, 9));
    assert_eq!(of("Sum"), (12, 3));
    assert_eq!(of("Double"), (6, 6));
    assert_eq!(of("Refuse"), (3, 0));
    let bytes = metrics.bytes.lock().unwrap().clone();
    let whoami = bytes["/auth.v1.AccountService/Whoami"];
    // `{n: 1}` is 2 bytes of protobuf; the reply adds the user's name.
    assert_eq!(whoami.0, 6);
    assert_eq!(
        whoami.1,
        3 * WhoReply {
            user: "ada".into(),
            n: 1
        }
        .encoded_len() as u64
    );
    // Every message passed the message hook once.
    let seen = metrics.seen.lock().unwrap();
    let requests = seen
        .iter()
        .filter(|(d, _)| *d == Direction::Request)
        .count();
    let responses = seen
        .iter()
        .filter(|(d, _)| *d == Direction::Response)
        .count();
    assert_eq!((requests, responses), (27, 21));
}

/// Records the order hooks run in.
struct Trace {
    name: &'static str,
    log: Arc<Mutex<Vec<String>>>,
}

impl Interceptor for Trace {
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        // Decided after an await, as an interceptor asking another
        // service would.
        Before::wait(async move {
            tokio::task::yield_now().await;
            self.log
                .lock()
                .unwrap()
                .push(format!("before {} {}", self.name, ctx.procedure()));
            Ok(())
        })
    }

    fn after(&self, _ctx: &Context, outcome: &Outcome<'_>) {
        self.log
            .lock()
            .unwrap()
            .push(format!("after {} {:?}", self.name, outcome.code));
    }
}

#[tokio::test]
async fn interceptors_run_in_order_and_only_where_they_are_scoped() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let trace = |name| Trace {
        name,
        log: Arc::clone(&log),
    };
    let (accounts, _) = service();
    let router = Router::new()
        .add(accounts)
        .intercept(trace("server"))
        .intercept_service("auth.v1.AccountService", trace("service"))
        .intercept_method("/auth.v1.AccountService/Count", trace("method"))
        .intercept_service("other.v1.Other", trace("elsewhere"));
    let client = AccountServiceClient::new(Client::in_memory(router).build().unwrap());
    client.whoami(WhoRequest { n: 1 }).await.unwrap();
    let whoami = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(
        whoami,
        [
            "before server /auth.v1.AccountService/Whoami",
            "before service /auth.v1.AccountService/Whoami",
            "after service Ok",
            "after server Ok",
        ]
    );
    let mut stream = client.count(WhoRequest { n: 2 }).await.unwrap();
    while stream.message().await.unwrap().is_some() {}
    let count = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(
        count,
        [
            "before server /auth.v1.AccountService/Count",
            "before service /auth.v1.AccountService/Count",
            "before method /auth.v1.AccountService/Count",
            "after method Ok",
            "after service Ok",
            "after server Ok",
        ]
    );
}

#[tokio::test]
async fn tower_http_trace_and_tower_concurrency_limit_layers_wrap_the_server() {
    let requests = Arc::new(AtomicUsize::new(0));
    let responses = Arc::new(AtomicUsize::new(0));
    let trace = {
        let requests = Arc::clone(&requests);
        let responses = Arc::clone(&responses);
        tower_http::trace::TraceLayer::new_for_http()
            .on_request(move |_: &http::Request<_>, _: &tracing::Span| {
                requests.fetch_add(1, Ordering::SeqCst);
            })
            .on_response(
                move |response: &http::Response<_>, _: Duration, _: &tracing::Span| {
                    assert_eq!(response.status(), 200);
                    responses.fetch_add(1, Ordering::SeqCst);
                },
            )
    };
    let max_in_flight = |limit: Option<usize>| {
        let trace = trace.clone();
        async move {
            let (accounts, counters) = service();
            let mut server = typerpc::Server::new().add(accounts).layer(trace);
            if let Some(limit) = limit {
                server = server.layer(tower::limit::ConcurrencyLimitLayer::new(limit));
            }
            let server = TestServer::start_server(server).await;
            let client = AccountServiceClient::new(server.client(Protocol::Grpc));
            let calls = (0..6).map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.slow(WhoRequest { n: 0 }).await })
            });
            for call in futures_util::future::join_all(calls).await {
                call.unwrap().unwrap();
            }
            counters.max_in_flight.load(Ordering::SeqCst)
        }
    };
    // Without a limit the calls overlap; with a limit of one they cannot.
    assert!(max_in_flight(None).await > 1);
    assert_eq!(max_in_flight(Some(1)).await, 1);
    assert_eq!(requests.load(Ordering::SeqCst), 12);
    assert_eq!(responses.load(Ordering::SeqCst), 12);
}

/// Records every client-side outcome.
#[derive(Default)]
struct Outcomes(Mutex<Vec<(String, Code, u32)>>);

/// The interceptor that fills [`Outcomes`].
struct Recorded(Arc<Outcomes>);

impl ClientInterceptor for Recorded {
    fn after(&self, call: &ClientCall<'_>, outcome: &ClientOutcome<'_>) {
        self.0 .0.lock().unwrap().push((
            call.procedure().to_string(),
            outcome.code,
            outcome.attempts,
        ));
    }
}

#[tokio::test]
async fn the_retry_interceptor_retries_unavailable_idempotent_calls_only() {
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let (accounts, counters) = service();
        let server = TestServer::start(Router::new().add(accounts)).await;
        let outcomes = Arc::new(Outcomes::default());
        let client = server
            .client_builder()
            .protocol(protocol)
            .intercept(Recorded(Arc::clone(&outcomes)))
            .intercept(
                Retry::new()
                    .max_attempts(3)
                    .initial_backoff(Duration::from_millis(5)),
            )
            .build()
            .unwrap();
        let client = AccountServiceClient::new(client);
        // Fails twice, then works: the third attempt answers.
        let reply = client.flaky_read(WhoRequest { n: 3 }).await.unwrap();
        assert_eq!(reply.n, 3, "{protocol:?}");
        // Fails three times: the last error comes back after 3 attempts.
        counters.flaky.store(0, Ordering::SeqCst);
        let error = client.flaky_read(WhoRequest { n: 10 }).await.unwrap_err();
        assert_eq!(error.code(), Code::Unavailable);
        assert_eq!(counters.flaky.load(Ordering::SeqCst), 3);
        // Not idempotent: one attempt.
        counters.flaky.store(0, Ordering::SeqCst);
        let error = client.flaky_write(WhoRequest { n: 2 }).await.unwrap_err();
        assert_eq!(error.code(), Code::Unavailable);
        assert_eq!(counters.flaky.load(Ordering::SeqCst), 1);
        let seen: Vec<_> = outcomes
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|o| (o.1, o.2))
            .collect();
        assert_eq!(
            seen,
            [
                (Code::Ok, 3),
                (Code::Unavailable, 3),
                (Code::Unavailable, 1)
            ],
            "{protocol:?}"
        );
    }
}

#[tokio::test]
async fn retries_stop_at_the_deadline() {
    let (accounts, counters) = service();
    let server = TestServer::start(Router::new().add(accounts)).await;
    let client = server
        .client_builder()
        .intercept(
            Retry::new()
                .max_attempts(50)
                .initial_backoff(Duration::from_millis(40)),
        )
        .build()
        .unwrap();
    let options = CallOptions::new().timeout(Duration::from_millis(150));
    let error = AccountServiceClient::new(client)
        .flaky_read_with(WhoRequest { n: 100 }, options)
        .await
        .unwrap_err();
    // The last attempt's own error, not a wait cut off by the deadline.
    assert_eq!(error.code(), Code::Unavailable, "{error}");
    let attempts = counters.flaky.load(Ordering::SeqCst);
    assert!((2..=5).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn a_client_interceptor_can_refuse_a_call_before_it_is_sent() {
    struct NoWrites;
    impl ClientInterceptor for NoWrites {
        fn before(&self, call: &mut ClientCall<'_>) -> Result<(), Status> {
            if call.is_idempotent() || call.shape() != CallShape::Unary {
                Ok(())
            } else {
                Err(Status::permission_denied("read-only client"))
            }
        }
    }
    let (accounts, counters) = service();
    let client = Client::in_memory(Router::new().add(accounts))
        .intercept(NoWrites)
        .build()
        .unwrap();
    let client = AccountServiceClient::new(client);
    let error = client.flaky_write(WhoRequest { n: 0 }).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied);
    assert_eq!(counters.flaky.load(Ordering::SeqCst), 0);
    assert!(client.flaky_read(WhoRequest { n: 0 }).await.is_ok());
}

#[tokio::test]
async fn tower_layers_wrap_the_client_transport() {
    let (accounts, _) = service();
    let server = TestServer::start(Router::new().add(accounts)).await;
    let sent = Arc::new(AtomicUsize::new(0));
    let counted = {
        let sent = Arc::clone(&sent);
        tower::layer::layer_fn(move |inner: typerpc::client::HttpService| {
            let sent = Arc::clone(&sent);
            tower::util::MapRequest::new(
                inner,
                move |request: http::Request<typerpc::client::Body>| {
                    sent.fetch_add(1, Ordering::SeqCst);
                    request
                },
            )
        })
    };
    let client = server
        .client_builder()
        .layer(tower::limit::ConcurrencyLimitLayer::new(2))
        .layer(counted)
        .build()
        .unwrap();
    let client = AccountServiceClient::new(client);
    for n in 0..3 {
        assert_eq!(client.whoami(WhoRequest { n }).await.unwrap().n, n);
    }
    assert_eq!(sent.load(Ordering::SeqCst), 3);
    // A layer that fails reports its error as the call's status.
    let failing = tower::layer::layer_fn(|_inner: typerpc::client::HttpService| {
        tower::service_fn(|_request: http::Request<typerpc::client::Body>| async {
            Err::<http::Response<typerpc::client::Body>, _>(typerpc::client::BoxError::from(
                Status::resource_exhausted("local quota"),
            ))
        })
    });
    let client = server.client_builder().layer(failing).build().unwrap();
    let error = AccountServiceClient::new(client)
        .whoami(WhoRequest { n: 0 })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::ResourceExhausted);
    assert_eq!(error.message(), "local quota");
}

#[tokio::test]
async fn the_headers_and_trailers_of_a_failed_call_reach_our_client() {
    let (accounts, _) = service();
    let server = TestServer::start(Router::new().add(accounts)).await;
    for (protocol, http) in WIRES {
        let what = format!("{protocol:?} {http:?}");
        let client = server
            .client_builder()
            .protocol(protocol)
            .http_version(http)
            .build()
            .unwrap();
        let error = AccountServiceClient::new(client)
            .refuse(WhoRequest { n: 0 })
            .await
            .unwrap_err();
        assert_eq!(error.code(), Code::FailedPrecondition, "{what}");
        assert_eq!(error.message(), "not now");
        // Connect keeps headers and trailers apart; gRPC's trailers-only
        // answer is one block, read as trailers.
        let (headers, trailers) = (error.headers(), error.trailers());
        if protocol == Protocol::Connect {
            assert_eq!(headers["x-set-header"], "h", "{what}: {error:?}");
        } else {
            assert_eq!(trailers["x-set-header"], "h", "{what}: {error:?}");
            assert!(!trailers.contains_key("grpc-status"), "{what}");
        }
        assert_eq!(trailers["x-set-trailer"], "t", "{what}: {error:?}");
        assert_eq!(trailers["x-why"], "because", "{what}: {error:?}");
    }
}

#[tokio::test]
async fn a_stream_that_fails_after_messages_keeps_its_headers_and_trailers_apart() {
    let (accounts, _) = service();
    let router = Router::new()
        .add(accounts)
        .intercept(interceptor_fn(|ctx: &Context| {
            ctx.append_response_header("x-early".parse().unwrap(), "1".parse().unwrap());
            Ok(())
        }));
    let server = TestServer::start(router).await;
    for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
        let client = AccountServiceClient::new(server.client(protocol));
        // One answer, then the deadline ends the stream.
        let options = CallOptions::new().timeout(Duration::from_millis(300));
        let requests =
            typerpc::stream::iter([WhoRequest { n: 1 }]).chain(typerpc::stream::pending());
        let mut stream = client.double_with(requests, options).await.unwrap();
        assert_eq!(stream.headers()["x-early"], "1", "{protocol:?}");
        assert_eq!(stream.message().await.unwrap().unwrap().n, 2);
        let error = stream.message().await.unwrap_err();
        assert_eq!(
            error.code(),
            Code::DeadlineExceeded,
            "{protocol:?}: {error}"
        );
    }
}

#[tokio::test]
async fn tonic_reads_the_headers_and_trailers_of_a_failed_call() {
    let (accounts, _) = service();
    let server = TestServer::start(Router::new().add(accounts)).await;
    let mut client = tonic_channel(&server).await;
    let error = tonic_call::<WhoRequest, WhoReply>(
        &mut client,
        "/auth.v1.AccountService/Refuse",
        tonic::Request::new(WhoRequest { n: 0 }),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), tonic::Code::FailedPrecondition);
    assert_eq!(error.message(), "not now");
    let metadata = error.metadata();
    assert_eq!(metadata.get("x-set-header").unwrap(), "h");
    assert_eq!(metadata.get("x-set-trailer").unwrap(), "t");
    assert_eq!(metadata.get("x-why").unwrap(), "because");
}

#[tokio::test]
async fn a_failing_tower_layer_is_answered_with_a_status_in_the_request_protocol() {
    let (accounts, _) = service();
    let server = typerpc::Server::new()
        .add(accounts)
        .layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(10)));
    let server = TestServer::start_server(server).await;
    for (protocol, http) in WIRES {
        let client = server
            .client_builder()
            .protocol(protocol)
            .http_version(http)
            .build()
            .unwrap();
        let client = AccountServiceClient::new(client);
        // The handler takes 50 ms: tower's timeout fails the call first.
        let error = client.slow(WhoRequest { n: 0 }).await.unwrap_err();
        assert_eq!(
            error.code(),
            Code::DeadlineExceeded,
            "{protocol:?} {http:?}: {error}"
        );
        assert!(error.message().contains("timed out"), "{error}");
        // Fast calls pass, on the same connection.
        assert_eq!(client.whoami(WhoRequest { n: 4 }).await.unwrap().n, 4);
    }
}
