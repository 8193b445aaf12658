//! What the tests share: the backends (embedded and in memory, or the
//! machine's NATS JetStream and Redis under names no other test uses),
//! servers of their own for fault tests, and sample commands.
#![allow(dead_code)]

pub mod servers;

use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orders::log::{EmbeddedLog, EventLog, JetStreamLog, JetStreamOptions};
use orders::read_model::{MemoryReadModel, ReadModel, RedisReadModel};
use orders::types::{CreateOrderCommand, OrderItem, ShippingAddress};
use orders::{
    OrderCommandService, OrderCommandServiceClient, OrderQueryService, OrderQueryServiceClient,
    Projector, QueryOptions,
};
use typerpc::{Client, Router};

/// The machine's NATS server (with JetStream).
pub const NATS_URL: &str = "nats://127.0.0.1:4222";
/// The machine's Redis server.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// A name no other test (or test run) uses.
pub fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{what}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// True when `addr` accepts connections. When it does not: a failure
/// under `CI=true` (scripts/test starts the servers), a skip otherwise.
pub fn server_up(name: &str, addr: &str) -> bool {
    if TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(1)).is_ok() {
        return true;
    }
    let message = format!("{name} is not running on {addr}; scripts/test starts it");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipping: {message}");
    false
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(unique("orders-test"));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Which log and read model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    /// A redb file in a temporary directory, and memory.
    Embedded,
    /// The machine's JetStream and Redis, under unique names.
    Servers,
}

/// A log, a read model, and how to remove them.
pub struct Backends {
    pub log: Arc<dyn EventLog>,
    pub model: Arc<dyn ReadModel>,
    jetstream: Option<JetStreamLog>,
    redis: Option<RedisReadModel>,
    _dir: Option<TempDir>,
    /// For opening a second read model beside the first.
    pub backend: Backend,
}

impl Backends {
    /// `None` when the servers are not running outside CI.
    pub async fn open(backend: Backend) -> Option<Backends> {
        match backend {
            Backend::Embedded => {
                let dir = TempDir::new();
                let log = EmbeddedLog::open(&dir.0.join("events.redb")).unwrap();
                Some(Backends {
                    log: Arc::new(log),
                    model: Arc::new(MemoryReadModel::new()),
                    jetstream: None,
                    redis: None,
                    _dir: Some(dir),
                    backend,
                })
            }
            Backend::Servers => {
                if !server_up("nats-server", "127.0.0.1:4222")
                    || !server_up("redis-server", "127.0.0.1:6379")
                {
                    return None;
                }
                let log = connect_jetstream().await;
                let redis = RedisReadModel::connect(REDIS_URL, &format!("{}:", unique("t")))
                    .await
                    .unwrap();
                Some(Backends {
                    log: Arc::new(log.clone()),
                    model: Arc::new(redis.clone()),
                    jetstream: Some(log),
                    redis: Some(redis),
                    _dir: None,
                    backend,
                })
            }
        }
    }

    /// Another empty read model of the same kind (cleared on `cleanup`
    /// only if the caller clears it).
    pub async fn fresh_model(&self) -> Arc<dyn ReadModel> {
        match self.backend {
            Backend::Embedded => Arc::new(MemoryReadModel::new()),
            Backend::Servers => Arc::new(
                RedisReadModel::connect(REDIS_URL, &format!("{}:", unique("t")))
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Deletes the stream, its key bucket and the Redis keys.
    pub async fn cleanup(self) {
        if let Some(log) = self.jetstream {
            log.delete().await.unwrap();
        }
        if let Some(redis) = self.redis {
            redis.clear().await.unwrap();
        }
    }
}

/// A log on the machine's JetStream; creating streams while many tests
/// do the same has failed once in a while, so a failure is retried twice
/// (and printed) before the test fails.
async fn connect_jetstream() -> JetStreamLog {
    let mut attempt = 0;
    loop {
        match JetStreamLog::connect(&jetstream_options(NATS_URL)).await {
            Ok(log) => return log,
            Err(status) if attempt < 2 => {
                eprintln!("connecting to JetStream failed, retrying: {status:?}");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(status) => panic!("connecting to JetStream: {status:?}"),
        }
    }
}

/// A JetStream stream and subject of their own.
pub fn jetstream_options(url: &str) -> JetStreamOptions {
    let name = unique("T");
    JetStreamOptions {
        url: url.into(),
        subject: format!("{name}.events"),
        stream: name,
        timeout: Duration::from_secs(5),
    }
}

/// The services over `backends`, with the projector running beside them.
pub struct Stack {
    pub commands: OrderCommandServiceClient,
    pub queries: OrderQueryServiceClient,
    pub router: Router,
    projector: tokio::task::JoinHandle<()>,
}

impl Stack {
    pub fn start(backends: &Backends, options: QueryOptions) -> Stack {
        let router = Router::new()
            .add(OrderCommandService::new(backends.log.clone()))
            .add(OrderQueryService::new(backends.model.clone(), options));
        let client = Client::in_memory(router.clone()).build().unwrap();
        let projector = Projector::new(backends.log.clone(), backends.model.clone());
        let projector = tokio::spawn(async move { projector.run("test").await });
        Stack {
            commands: OrderCommandServiceClient::new(client.clone()),
            queries: OrderQueryServiceClient::new(client),
            router,
            projector,
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.projector.abort();
    }
}

/// A valid order of `items` items for `user`.
pub fn order_for(user: &str, items: u32) -> CreateOrderCommand {
    CreateOrderCommand {
        user_id: user.into(),
        items: (1..=items)
            .map(|n| OrderItem {
                product_id: format!("p-{n}"),
                quantity: n,
                unit_price_cents: 250,
            })
            .collect(),
        shipping_address: Some(ShippingAddress {
            name: "Ada Lovelace".into(),
            line1: "12 St James's Square".into(),
            line2: String::new(),
            city: "London".into(),
            postal_code: "SW1Y 4JH".into(),
            country: "GB".into(),
        }),
        idempotency_key: String::new(),
    }
}

/// Waits until the read model has applied `sequence` (at most 30 s).
pub async fn wait_applied(model: &dyn ReadModel, sequence: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let checkpoint = model.checkpoint().await.unwrap_or(0);
        if checkpoint >= sequence {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the read model stayed at {checkpoint}, below {sequence}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
