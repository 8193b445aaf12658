//! Load balancing over several addresses of one server: calls spread
//! round-robin, an address that fails stops getting calls and gets them
//! again once it is back; DNS and custom resolvers are looked up again
//! as they change.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use typerpc::client::{Balance, ClientCall, ClientInterceptor, Retry};
use typerpc::{service, Client, Code, Message, Router, Server, Status};

/// Which instance answered.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct Instance {
    pub id: u32,
}

/// One instance of a replicated backend.
pub struct ReplicaService {
    id: u32,
}

#[service(package = "balance.v1")]
impl ReplicaService {
    #[rpc(idempotent)]
    async fn whoami(&self, _request: ()) -> Result<Instance, Status> {
        Ok(Instance { id: self.id })
    }
}

/// A replica serving on a given address until stopped.
struct Replica {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), typerpc::Error>>,
}

impl Replica {
    async fn start(id: u32, addr: SocketAddr) -> Replica {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = Server::new().configure(|_| Router::new().add(ReplicaService { id }));
        let task = tokio::spawn(server.serve_on(listener, async {
            let _ = stopped.await;
        }));
        Replica {
            stop: Some(stop),
            task,
        }
    }

    async fn kill(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Counts attempts.
#[derive(Clone, Default)]
struct Attempts(Arc<AtomicU32>);

impl ClientInterceptor for Attempts {
    fn before(&self, _call: &mut ClientCall<'_>) -> Result<(), Status> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn tally(client: &ReplicaServiceClient, calls: usize) -> [usize; 3] {
    let mut counts = [0; 3];
    for _ in 0..calls {
        let id = client.whoami(()).await.unwrap().id;
        counts[id as usize] += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_spread_over_three_instances_skip_a_killed_one_and_return_to_it() {
    let addrs = [free_addr(), free_addr(), free_addr()];
    let mut replicas = Vec::new();
    for (id, addr) in addrs.iter().enumerate() {
        replicas.push(Replica::start(id as u32, *addr).await);
    }
    let attempts = Attempts::default();
    let client = ReplicaServiceClient::new(
        Client::builder("http://replicas.internal:50051")
            .balance(Balance::addresses(addrs).skip_failed_for(Duration::from_millis(300)))
            .intercept(attempts.clone())
            .intercept(Retry::new().max_attempts(3))
            .build()
            .unwrap(),
    );

    let counts = tally(&client, 30).await;
    assert_eq!(counts, [10, 10, 10], "round robin");

    // Instance 2 dies: at most one attempt goes to it, retried elsewhere.
    replicas.pop().unwrap().kill().await;
    let before = attempts.0.load(Ordering::SeqCst);
    let counts = tally(&client, 30).await;
    let made = attempts.0.load(Ordering::SeqCst) - before;
    assert_eq!(counts[2], 0);
    assert_eq!(counts[0] + counts[1], 30);
    assert!(counts[0] >= 10 && counts[1] >= 10, "{counts:?}");
    assert!(
        made <= 31,
        "{made} attempts for 30 calls: the dead address kept getting calls"
    );

    // It comes back; once its time out is over it gets calls again.
    let _back = Replica::start(2, addrs[2]).await;
    let wait = Instant::now() + Duration::from_secs(5);
    let mut counts = [0; 3];
    while counts[2] == 0 && Instant::now() < wait {
        tokio::time::sleep(Duration::from_millis(50)).await;
        counts = tally(&client, 6).await;
    }
    assert!(
        counts[2] > 0,
        "the restarted instance never got a call again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_retries_the_failure_names_the_address_and_the_rest_carry_on() {
    let live = free_addr();
    let dead = free_addr();
    let _replica = Replica::start(0, live).await;
    let client = ReplicaServiceClient::new(
        Client::builder("http://replicas.internal:50051")
            .balance(Balance::addresses([live, dead]).skip_failed_for(Duration::from_secs(60)))
            .build()
            .unwrap(),
    );
    let mut failures = Vec::new();
    for _ in 0..10 {
        if let Err(error) = client.whoami(()).await {
            failures.push(error);
        }
    }
    assert_eq!(failures.len(), 1, "{failures:?}");
    let error = &failures[0];
    assert_eq!(error.code(), Code::Unavailable);
    assert!(error.message().contains(&dead.to_string()), "{error}");
    assert!(error.message().contains("skipping it"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dns_name_is_resolved_to_its_addresses() {
    let addr = free_addr();
    let _replica = Replica::start(0, addr).await;
    let client = ReplicaServiceClient::new(
        Client::builder(&format!("http://localhost:{}", addr.port()))
            .balance(Balance::dns())
            .build()
            .unwrap(),
    );
    // localhost may also resolve to ::1, where nothing listens: such an
    // address fails once and is then skipped.
    let mut ok = 0;
    for _ in 0..6 {
        ok += usize::from(client.whoami(()).await.is_ok());
    }
    assert!(ok >= 5, "{ok} of 6 calls succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changing_name_is_looked_up_again_and_lookup_failures_are_clear() {
    let (a, b) = (free_addr(), free_addr());
    let _ra = Replica::start(0, a).await;
    let _rb = Replica::start(1, b).await;
    let answer: Arc<Mutex<Result<Vec<SocketAddr>, String>>> = Arc::new(Mutex::new(Ok(vec![a])));
    let source = answer.clone();
    let resolver = move |host: String, _port: u16| {
        let result = source.lock().unwrap().clone();
        async move {
            assert_eq!(host, "replicas.internal");
            result.map_err(Into::into)
        }
    };
    let client = ReplicaServiceClient::new(
        Client::builder("http://replicas.internal:50051")
            .balance(Balance::resolver(resolver).refresh_every(Duration::from_millis(100)))
            .build()
            .unwrap(),
    );
    assert_eq!(client.whoami(()).await.unwrap().id, 0);

    *answer.lock().unwrap() = Ok(vec![b]);
    let wait = Instant::now() + Duration::from_secs(5);
    while client.whoami(()).await.unwrap().id != 1 {
        assert!(Instant::now() < wait, "the new address was never used");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..5 {
        assert_eq!(
            client.whoami(()).await.unwrap().id,
            1,
            "the old address is still used"
        );
    }

    // A failed lookup keeps the addresses known.
    *answer.lock().unwrap() = Err("registry down".into());
    tokio::time::sleep(Duration::from_millis(150)).await;
    for _ in 0..5 {
        assert_eq!(client.whoami(()).await.unwrap().id, 1);
    }

    // With none known, the call says why.
    let failing = ReplicaServiceClient::new(
        Client::builder("http://nowhere.internal:50051")
            .balance(Balance::resolver(|_host: String, _port: u16| async {
                Err::<Vec<SocketAddr>, _>("registry down".into())
            }))
            .build()
            .unwrap(),
    );
    let error = failing.whoami(()).await.unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert!(
        error
            .message()
            .contains("cannot resolve nowhere.internal: registry down"),
        "{error}"
    );
}

#[test]
fn balancing_settings_that_cannot_work_are_refused_at_build_time() {
    let empty = Client::builder("http://a:1")
        .balance(Balance::addresses([]))
        .build();
    assert!(empty
        .unwrap_err()
        .to_string()
        .contains("at least one address"));
    let in_memory = Client::in_memory(Router::new().add(ReplicaService { id: 0 }))
        .balance(Balance::dns())
        .build();
    assert!(in_memory.unwrap_err().to_string().contains("in-memory"));
}
