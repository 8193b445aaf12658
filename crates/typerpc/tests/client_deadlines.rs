//! The client's time limits: a handler's outgoing calls are bounded by
//! the deadline of the call it serves; per-call and connect timeouts;
//! retries that stay within the deadline and recover from a server
//! restarted meanwhile.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use typerpc::client::{CallOptions, ClientCall, ClientInterceptor, ClientOutcome, Retry};
use typerpc::testing::TestServer;
use typerpc::{service, Client, Code, Context, Message, Router, Server, Status};

/// How long to sleep, and what the backend saw.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct Nap {
    pub millis: u64,
}

/// A backend that sleeps as asked, noting the time it was given.
pub struct BackendService {
    seen: Arc<Mutex<Vec<Option<Duration>>>>,
}

#[service(package = "deadlines.v1")]
impl BackendService {
    #[rpc(idempotent)]
    async fn sleep(&self, ctx: &Context, nap: Nap) -> Result<Nap, Status> {
        let left = ctx
            .deadline()
            .map(|d| d.saturating_duration_since(Instant::now()));
        self.seen.lock().unwrap().push(left);
        tokio::time::sleep(Duration::from_millis(nap.millis)).await;
        Ok(nap)
    }
}

/// A front service that relays to the backend, with a generous timeout
/// of its own: only the incoming deadline can cut it short.
pub struct FrontService {
    backend: BackendServiceClient,
    outcome: Arc<Mutex<Option<(Code, Duration)>>>,
}

#[service(package = "deadlines.v1")]
impl FrontService {
    async fn relay(&self, nap: Nap) -> Result<Nap, Status> {
        let start = Instant::now();
        let result = self
            .backend
            .sleep_with(nap, CallOptions::new().timeout(Duration::from_secs(30)))
            .await;
        let code = result.as_ref().err().map_or(Code::Ok, Status::code);
        *self.outcome.lock().unwrap() = Some((code, start.elapsed()));
        result.map(|response| response.into_message())
    }
}

/// A streaming front: each item calls the backend while the stream runs,
/// after the handler's function has returned.
pub struct StreamingFrontService {
    backend: BackendServiceClient,
}

#[service(package = "deadlines.v1")]
impl StreamingFrontService {
    async fn relay_each(
        &self,
        nap: Nap,
    ) -> Result<impl typerpc::Stream<Item = Result<Nap, Status>>, Status> {
        use typerpc::stream::StreamExt;
        let backend = self.backend.clone();
        Ok(typerpc::stream::iter(0..2).then(move |_| {
            let (backend, nap) = (backend.clone(), nap.clone());
            async move {
                let options = CallOptions::new().timeout(Duration::from_secs(30));
                backend
                    .sleep_with(nap, options)
                    .await
                    .map(|r| r.into_message())
            }
        }))
    }
}

fn backend() -> (BackendService, Arc<Mutex<Vec<Option<Duration>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    (BackendService { seen: seen.clone() }, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incoming_deadline_bounds_the_calls_its_handler_makes() {
    let (service, seen) = backend();
    let backend_server = TestServer::start(Router::new().add(service)).await;
    let outcome = Arc::new(Mutex::new(None));
    let front = FrontService {
        backend: BackendServiceClient::new(Client::new(&backend_server.url()).unwrap()),
        outcome: outcome.clone(),
    };
    let front_server = TestServer::start(Router::new().add(front)).await;
    let client = FrontServiceClient::new(Client::new(&front_server.url()).unwrap());

    let start = Instant::now();
    let error = client
        .relay_with(
            Nap { millis: 5_000 },
            CallOptions::new().timeout(Duration::from_millis(50)),
        )
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(error.code(), Code::DeadlineExceeded, "{error}");
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // The backend was told the front's remaining time, not 30 s.
    let wait = Instant::now() + Duration::from_secs(5);
    while seen.lock().unwrap().is_empty() && Instant::now() < wait {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let given = seen.lock().unwrap()[0].expect("the backend call had a deadline");
    assert!(
        given <= Duration::from_millis(50),
        "the backend got {given:?}"
    );

    // The front's own call to the backend ended with deadline_exceeded at
    // about 50 ms (the front's handler may be dropped first, then nothing
    // is recorded: that too shows the call did not run for 30 s).
    tokio::time::sleep(Duration::from_millis(200)).await;
    if let Some((code, elapsed)) = *outcome.lock().unwrap() {
        assert_eq!(code, Code::DeadlineExceeded);
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }

    // Without an incoming deadline the backend gets the front's own 30 s.
    let reply = client.relay(Nap { millis: 1 }).await.unwrap();
    assert_eq!(reply, Nap { millis: 1 });
    let given = seen.lock().unwrap()[1].expect("a deadline");
    assert!(given > Duration::from_secs(20), "{given:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_handlers_stream_is_bounded_by_the_incoming_deadline() {
    use typerpc::stream::StreamExt;
    let (service, seen) = backend();
    let backend_server = TestServer::start(Router::new().add(service)).await;
    let front = StreamingFrontService {
        backend: BackendServiceClient::new(Client::new(&backend_server.url()).unwrap()),
    };
    let front_server = TestServer::start(Router::new().add(front)).await;
    let client = StreamingFrontServiceClient::new(Client::new(&front_server.url()).unwrap());
    let replies: Vec<_> = client
        .relay_each_with(
            Nap { millis: 1 },
            CallOptions::new().timeout(Duration::from_secs(2)),
        )
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().all(Result::is_ok), "{replies:?}");
    // Both backend calls were made while the stream ran, and both got the
    // incoming 2 s rather than their own 30 s.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for given in seen {
        let given = given.expect("a deadline");
        assert!(given <= Duration::from_secs(2), "the backend got {given:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_call_timeout_cuts_a_slow_call() {
    let (service, _) = backend();
    let server = TestServer::start(Router::new().add(service)).await;
    let client = BackendServiceClient::new(
        Client::builder(&server.url())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    );
    let start = Instant::now();
    let error = client
        .sleep_with(
            Nap { millis: 5_000 },
            CallOptions::new().timeout(Duration::from_millis(50)),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::DeadlineExceeded);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connect_timeout_gives_up_on_a_server_that_never_answers() {
    // A listener that never accepts: TCP connects (the kernel's backlog)
    // but the TLS handshake never completes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let client = BackendServiceClient::new(
        Client::builder(&format!("https://localhost:{port}"))
            .tls_root_certificates_pem(cert.cert.pem().as_bytes())
            .connect_timeout(Duration::from_millis(200))
            .build()
            .unwrap(),
    );
    let start = Instant::now();
    let error = client.sleep(Nap { millis: 1 }).await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(error.code(), Code::Unavailable, "{error}");
    assert!(error.message().contains("connect timeout"), "{error}");
    assert!(
        took >= Duration::from_millis(150) && took < Duration::from_secs(3),
        "{took:?}"
    );
    drop(silent);
}

/// Counts the attempts of every call.
#[derive(Clone, Default)]
struct Attempts(Arc<AtomicU32>);

impl ClientInterceptor for Attempts {
    fn before(&self, _call: &mut ClientCall<'_>) -> Result<(), Status> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn after(&self, _call: &ClientCall<'_>, _outcome: &ClientOutcome<'_>) {}
}

fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stop_at_the_deadline() {
    let addr = free_addr(); // nothing listens there
    let attempts = Attempts::default();
    let client = BackendServiceClient::new(
        Client::builder(&format!("http://{addr}"))
            .intercept(attempts.clone())
            .intercept(
                Retry::new()
                    .max_attempts(1_000)
                    .initial_backoff(Duration::from_millis(20))
                    .max_backoff(Duration::from_millis(40)),
            )
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap(),
    );
    let start = Instant::now();
    let error = client.sleep(Nap { millis: 1 }).await.unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(error.code(), Code::Unavailable | Code::DeadlineExceeded),
        "{error}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    let made = attempts.0.load(Ordering::SeqCst);
    assert!(made > 1 && made < 1_000, "{made} attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_recover_from_a_server_restarted_mid_call() {
    let addr = free_addr();
    let serve = |addr: SocketAddr| async move {
        let (service, _) = backend();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(Server::new().add(service).serve_on(listener, async {
            let _ = stopped.await;
        }));
        (stop, task)
    };
    let (stop, task) = serve(addr).await;
    let attempts = Attempts::default();
    let client = BackendServiceClient::new(
        Client::builder(&format!("http://{addr}"))
            .intercept(attempts.clone())
            .intercept(
                Retry::new()
                    .max_attempts(20)
                    .initial_backoff(Duration::from_millis(50))
                    .max_backoff(Duration::from_millis(100)),
            )
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    );
    assert_eq!(client.sleep(Nap { millis: 1 }).await.unwrap().millis, 1);

    // The server goes away; a call starts; the server comes back.
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    let before = attempts.0.load(Ordering::SeqCst);
    let call = tokio::spawn(async move { client.sleep(Nap { millis: 2 }).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_stop, _task) = serve(addr).await;
    let reply = call.await.unwrap().unwrap();
    assert_eq!(reply.millis, 2);
    let retried = attempts.0.load(Ordering::SeqCst) - before;
    assert!(
        retried > 1,
        "the call succeeded at once: the restart was not tested"
    );
}
