//! The gateway balances its user-service calls over three instances and
//! stops sending to one that was killed. The instances run in this test's
//! process (on loopback ports, reached over TCP like any other) so that
//! each can count the calls it serves.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gateway::backends::user::UserService;
use gateway::run::{serve_gateway, spawn_backends};
use typerpc::service::interceptor_fn;
use typerpc::{Context, Server};

/// A user-service instance that counts the calls it serves.
struct Instance {
    addr: std::net::SocketAddr,
    calls: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), typerpc::Error>>,
}

impl Instance {
    async fn start() -> Instance {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let count = interceptor_fn(move |ctx: &Context| {
            if ctx.procedure().ends_with("/GetUser") {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        });
        let server = Server::new()
            .add(UserService::default())
            .configure(|router| router.intercept(count));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.serve_on(listener, async {
            let _ = stopped.await;
        }));
        Instance {
            addr,
            calls,
            stop: Some(stop),
            task,
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    async fn kill(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        (&mut self.task).await.unwrap().unwrap();
    }
}

async fn home(port: u16, n: usize) {
    for _ in 0..n {
        let answer = tokio::task::spawn_blocking(move || support::get(port, "/mobile/home/123"))
            .await
            .unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_calls_spread_over_three_instances_and_skip_a_killed_one() {
    let mut instances = [
        Instance::start().await,
        Instance::start().await,
        Instance::start().await,
    ];
    let mut backends = spawn_backends().await.unwrap();
    backends.user = instances
        .iter()
        .map(|i| i.addr.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        serve_gateway(
            listener,
            &backends,
            Duration::from_secs(3),
            std::future::pending(),
        )
        .await
    });

    home(port, 30).await;
    let counts: Vec<usize> = instances.iter().map(Instance::calls).collect();
    assert_eq!(counts, [10, 10, 10], "calls were not spread evenly");

    instances[2].kill().await;
    let before: Vec<usize> = instances.iter().map(Instance::calls).collect();
    home(port, 30).await;
    let after: Vec<usize> = instances.iter().map(Instance::calls).collect();
    let served = (after[0] - before[0]) + (after[1] - before[1]);
    assert_eq!(served, 30, "every home call was served by a live instance");
    assert!(
        after[0] - before[0] >= 10 && after[1] - before[1] >= 10,
        "{before:?} -> {after:?}"
    );
}
