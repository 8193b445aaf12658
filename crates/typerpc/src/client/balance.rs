//! Load balancing one client's calls over several addresses of one
//! backend: a static list, or what a DNS name resolves to (re-resolved
//! periodically), skipping addresses whose connections fail until they
//! have had time to recover.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::Duration;
//! use typerpc::client::{Balance, Client};
//!
//! // Three instances; the URL's host still names the service (the Host
//! // header, TLS server name).
//! let addrs: Vec<SocketAddr> = vec![
//!     "10.0.0.1:50051".parse().unwrap(),
//!     "10.0.0.2:50051".parse().unwrap(),
//!     "10.0.0.3:50051".parse().unwrap(),
//! ];
//! let fixed = Client::builder("http://user-service:50051")
//!     .balance(Balance::addresses(addrs))
//!     .build()
//!     .unwrap();
//!
//! // Every address `user-service` resolves to (a Kubernetes headless
//! // Service, say), looked up again every 10 s.
//! let dns = Client::builder("http://user-service:50051")
//!     .balance(Balance::dns().refresh_every(Duration::from_secs(10)))
//!     .build()
//!     .unwrap();
//! # let _ = (fixed, dns);
//! ```
//!
//! Calls go round-robin over the addresses in use. An address whose
//! connection fails (refused, reset, timed out) fails that call with
//! `unavailable`, saying which address, and is skipped for a while (1 s
//! by default, doubling on each failure in a row up to 8 times as long);
//! then it gets calls again, and one success clears its record. When
//! every address is being skipped, the one skipped longest ago is tried
//! rather than failing without trying. Each address has its own
//! connection pool. Combine with [`Retry`](super::Retry): the retried
//! attempt of an idempotent call goes to another address.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use http::{Request, Response};
use http_body_util::BodyExt;

use super::dial::Dial;
use super::transport::{http_client, Body, BoxError, Connector};
use crate::status::error_chain;
use crate::Status;

/// Looks up the addresses of a host, for [`Balance::resolver`].
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of `host` at `port`.
    fn resolve(
        &self,
        host: &str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>, BoxError>> + Send>>;
}

impl<F, Fut> Resolve for F
where
    F: Fn(String, u16) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<SocketAddr>, BoxError>> + Send + 'static,
{
    fn resolve(
        &self,
        host: &str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>, BoxError>> + Send>> {
        Box::pin(self(host.to_string(), port))
    }
}

/// How a client spreads its calls over the addresses of its server; give
/// it to [`ClientBuilder::balance`](super::ClientBuilder::balance).
#[derive(Clone)]
pub struct Balance {
    source: Source,
    refresh: Duration,
    skip_failed_for: Duration,
}

#[derive(Clone)]
enum Source {
    Addresses(Vec<SocketAddr>),
    Dns,
    Resolver(Arc<dyn Resolve>),
}

impl std::fmt::Debug for Balance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Addresses(addrs) => format!("addresses {addrs:?}"),
            Source::Dns => "dns".to_string(),
            Source::Resolver(_) => "resolver".to_string(),
        };
        f.debug_struct("Balance")
            .field("source", &source)
            .field("refresh", &self.refresh)
            .field("skip_failed_for", &self.skip_failed_for)
            .finish()
    }
}

impl Balance {
    fn new(source: Source) -> Balance {
        Balance {
            source,
            refresh: Duration::from_secs(30),
            skip_failed_for: Duration::from_secs(1),
        }
    }

    /// These addresses, always. The URL's host and port are only the
    /// server's name (the `Host` header, the TLS server name).
    pub fn addresses(addrs: impl IntoIterator<Item = SocketAddr>) -> Balance {
        Balance::new(Source::Addresses(addrs.into_iter().collect()))
    }

    /// Every address the URL's host resolves to in DNS, resolved at the
    /// first call and again every 30 s (see
    /// [`refresh_every`](Self::refresh_every)). A failed lookup keeps the
    /// addresses found before.
    pub fn dns() -> Balance {
        Balance::new(Source::Dns)
    }

    /// The addresses `resolver` gives for the URL's host, looked up like
    /// [`dns`](Self::dns): for service registries, and for tests.
    pub fn resolver(resolver: impl Resolve) -> Balance {
        Balance::new(Source::Resolver(Arc::new(resolver)))
    }

    /// How often the host is resolved again (default 30 s). The lookup
    /// runs in the background; calls go on meanwhile.
    pub fn refresh_every(mut self, every: Duration) -> Balance {
        self.refresh = every;
        self
    }

    /// How long an address whose connection failed gets no calls at
    /// first (default 1 s); the time doubles with each failure in a row,
    /// up to 8 times this.
    pub fn skip_failed_for(mut self, duration: Duration) -> Balance {
        self.skip_failed_for = duration;
        self
    }

    /// Checks what can be checked before the first call.
    pub(super) fn check(&self) -> Result<(), String> {
        match &self.source {
            Source::Addresses(addrs) if addrs.is_empty() => {
                Err("Balance::addresses needs at least one address".into())
            }
            _ if self.refresh.is_zero() => {
                Err("Balance::refresh_every needs a positive time".into())
            }
            _ => Ok(()),
        }
    }
}

/// The transport of a balanced client: a tower service that sends each
/// request to one address.
#[derive(Clone)]
pub(crate) struct Balancer {
    shared: Arc<Shared>,
}

struct Shared {
    host: String,
    port: u16,
    http2_only: bool,
    tls: Option<Arc<rustls::ClientConfig>>,
    dial: Dial,
    balance: Balance,
    state: Mutex<State>,
    next: AtomicUsize,
    /// One lookup at a time.
    resolving: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    endpoints: Vec<Arc<Endpoint>>,
    resolved_at: Option<Instant>,
    refreshing: bool,
    last_error: Option<String>,
}

/// One address, its connection pool and its record of failures.
struct Endpoint {
    addr: SocketAddr,
    client: hyper_util::client::legacy::Client<Connector, Body>,
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    failures: u32,
    skip_until: Option<Instant>,
}

impl Balancer {
    pub(crate) fn new(
        host: &str,
        port: u16,
        http2_only: bool,
        tls: Option<Arc<rustls::ClientConfig>>,
        dial: Dial,
        balance: Balance,
    ) -> Balancer {
        let shared = Arc::new(Shared {
            host: host.to_string(),
            port,
            http2_only,
            tls,
            dial,
            balance,
            state: Mutex::default(),
            next: AtomicUsize::new(0),
            resolving: tokio::sync::Mutex::new(()),
        });
        if let Source::Addresses(addrs) = &shared.balance.source {
            let endpoints = addrs.iter().map(|addr| shared.endpoint(*addr)).collect();
            let mut state = shared.lock();
            state.endpoints = endpoints;
            state.resolved_at = Some(Instant::now());
        }
        Balancer { shared }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn endpoint(&self, addr: SocketAddr) -> Arc<Endpoint> {
        let dial = Dial {
            pinned: Some(addr),
            ..self.dial
        };
        let connector = Connector {
            tls: self.tls.clone(),
            dial,
        };
        Arc::new(Endpoint {
            addr,
            client: http_client(self.http2_only, connector),
            health: Mutex::default(),
        })
    }

    /// Resolves the host now (unless another call just did) and installs
    /// the addresses, keeping the pools of those already known.
    async fn resolve(self: &Arc<Self>) {
        let _one = self.resolving.lock().await;
        let looked_up = match &self.balance.source {
            Source::Addresses(_) => return,
            Source::Dns => tokio::net::lookup_host((self.host.as_str(), self.port))
                .await
                .map(|addrs| addrs.collect::<Vec<_>>())
                .map_err(BoxError::from),
            Source::Resolver(resolver) => resolver.resolve(&self.host, self.port).await,
        };
        let mut state = self.lock();
        state.refreshing = false;
        match looked_up {
            Ok(mut addrs) if !addrs.is_empty() => {
                addrs.sort();
                addrs.dedup();
                let known = std::mem::take(&mut state.endpoints);
                state.endpoints = addrs
                    .into_iter()
                    .map(|addr| match known.iter().find(|e| e.addr == addr) {
                        Some(endpoint) => Arc::clone(endpoint),
                        None => self.endpoint(addr),
                    })
                    .collect();
                state.resolved_at = Some(Instant::now());
                state.last_error = None;
            }
            Ok(_) => state.last_error = Some(format!("{} resolved to no address", self.host)),
            Err(error) => {
                state.last_error = Some(format!(
                    "cannot resolve {}: {}",
                    self.host,
                    error_chain(&*error)
                ))
            }
        }
        if !state.endpoints.is_empty() && state.last_error.is_some() {
            // Keep the addresses known; look again at the next refresh.
            state.resolved_at = Some(Instant::now());
        }
    }

    /// The address for the next call.
    async fn pick(self: &Arc<Self>) -> Result<Arc<Endpoint>, Status> {
        let needs_lookup = self.lock().endpoints.is_empty();
        if needs_lookup {
            self.resolve().await;
        }
        let now = Instant::now();
        let mut state = self.lock();
        if state.endpoints.is_empty() {
            let why = state.last_error.clone().unwrap_or_default();
            return Err(Status::unavailable(format!(
                "no address to call for {}:{}: {why}",
                self.host, self.port
            )));
        }
        let due = state
            .resolved_at
            .is_some_and(|at| now.duration_since(at) >= self.balance.refresh);
        if due && !state.refreshing && !matches!(self.balance.source, Source::Addresses(_)) {
            state.refreshing = true;
            let shared = Arc::clone(self);
            tokio::spawn(async move { shared.resolve().await });
        }
        let usable: Vec<&Arc<Endpoint>> =
            state.endpoints.iter().filter(|e| e.usable(now)).collect();
        let turn = self.next.fetch_add(1, Ordering::Relaxed);
        let chosen = if usable.is_empty() {
            // Everything is failing: try the one skipped longest ago.
            state
                .endpoints
                .iter()
                .min_by_key(|e| e.skip_until())
                .expect("endpoints is not empty")
        } else {
            usable[turn % usable.len()]
        };
        Ok(Arc::clone(chosen))
    }

    /// Sends `request` to one address.
    async fn send(self: Arc<Self>, request: Request<Body>) -> Result<Response<Body>, BoxError> {
        let endpoint = self.pick().await?;
        match endpoint.client.request(request).await {
            Ok(response) => {
                endpoint.succeeded();
                Ok(response
                    .map(|body| body.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync()))
            }
            Err(error) => {
                let skipped = endpoint.failed(self.balance.skip_failed_for);
                let others = self.lock().endpoints.len().saturating_sub(1);
                Err(Box::new(Status::unavailable(format!(
                    "{}:{} at {} failed: {}; skipping it for {skipped:?} ({others} other address{} in use)",
                    self.host,
                    self.port,
                    endpoint.addr,
                    error_chain(&error),
                    if others == 1 { "" } else { "es" },
                ))))
            }
        }
    }
}

impl Endpoint {
    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn usable(&self, now: Instant) -> bool {
        self.health().skip_until.is_none_or(|until| until <= now)
    }

    fn skip_until(&self) -> Option<Instant> {
        self.health().skip_until
    }

    fn succeeded(&self) {
        let mut health = self.health();
        health.failures = 0;
        health.skip_until = None;
    }

    /// Records a failure; how long the address is skipped.
    fn failed(&self, base: Duration) -> Duration {
        let mut health = self.health();
        health.failures = health.failures.saturating_add(1);
        let skip = base.saturating_mul(1 << (health.failures - 1).min(3));
        health.skip_until = Some(Instant::now() + skip);
        skip
    }
}

impl tower_service::Service<Request<Body>> for Balancer {
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        Box::pin(Arc::clone(&self.shared).send(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_address_is_skipped_longer_each_time_until_it_succeeds() {
        let shared = Balancer::new(
            "svc",
            1,
            true,
            None,
            Dial::default(),
            Balance::addresses(["127.0.0.1:1".parse().unwrap()]),
        )
        .shared;
        let endpoint = Arc::clone(&shared.lock().endpoints[0]);
        let base = Duration::from_millis(100);
        assert_eq!(endpoint.failed(base), base);
        assert_eq!(endpoint.failed(base), base * 2);
        assert!(!endpoint.usable(Instant::now()));
        for _ in 0..5 {
            endpoint.failed(base);
        }
        assert_eq!(endpoint.failed(base), base * 8);
        endpoint.succeeded();
        assert!(endpoint.usable(Instant::now()));
        assert_eq!(endpoint.failed(base), base);
    }

    #[test]
    fn empty_lists_and_zero_refresh_are_refused() {
        assert!(Balance::addresses([]).check().is_err());
        assert!(Balance::dns()
            .refresh_every(Duration::ZERO)
            .check()
            .is_err());
        assert!(Balance::dns().check().is_ok());
    }
}
