//! The three front doors over one processor, in one process:
//!
//! - the **public port** (`--addr`): the REST API and, under `/partner`,
//!   the partner Connect service; no internal service is routed there,
//!   and reflection is off;
//! - the **internal port** (`--internal-addr`, a loopback or private
//!   address): the internal gRPC services with health and reflection;
//! - optionally, a **TLS port** (`--tls-addr`) serving everything on one
//!   port: the public routes to anyone, the internal services (and
//!   reflection) only to callers with a client certificate.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use typerpc::server::TlsConfig;
use typerpc::{Router, Server};

use crate::internal::{ClientCertificateRequired, InternalService};
use crate::messages::RetryInfo;
use crate::partner::{PartnerAuth, PartnerConnectService};
use crate::processor::DataProcessor;
use crate::public_api::{self, PublicApi};
use crate::rate_limit::{Rate, RateLimiter};

/// How the doors are set up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long processing one request takes (the seed's 100 ms).
    pub delay: Duration,
    /// Bearer tokens of the REST API, and their users.
    pub tokens: HashMap<String, String>,
    /// API keys of the partner service, and their partners.
    pub api_keys: HashMap<String, String>,
    /// Each REST client's rate.
    pub rest_rate: Rate,
    /// Each partner's rate.
    pub partner_rate: Rate,
}

impl Default for Settings {
    /// The seed's demo credentials (`demo-token` for `demo-user`) and a
    /// partner key (`partner-demo-key`), 10 calls a second per client.
    fn default() -> Settings {
        let one = |k: &str, v: &str| HashMap::from([(k.to_string(), v.to_string())]);
        let rate = Rate {
            burst: 10,
            period: Duration::from_secs(1),
        };
        Settings {
            delay: Duration::from_millis(100),
            tokens: one("demo-token", "demo-user"),
            api_keys: one("partner-demo-key", "demo-partner"),
            rest_rate: rate,
            partner_rate: rate,
        }
    }
}

/// The process's doors, ready to serve.
pub struct Doors {
    /// The processor they share.
    pub processor: Arc<DataProcessor>,
    /// REST and the partner service.
    public: axum::Router,
}

impl Doors {
    /// The doors over a new processor.
    pub fn new(settings: &Settings) -> Doors {
        let processor = Arc::new(DataProcessor::new(settings.delay));
        let partner = Router::new()
            .add(PartnerConnectService::new(Arc::clone(&processor)))
            .register_type::<RetryInfo>()
            .intercept(PartnerAuth {
                keys: settings.api_keys.clone(),
                limiter: RateLimiter::new(settings.partner_rate),
                processor: Arc::clone(&processor),
            });
        let rest = public_api::routes(Arc::new(PublicApi {
            processor: Arc::clone(&processor),
            tokens: settings.tokens.clone(),
            limiter: RateLimiter::new(settings.rest_rate),
        }));
        Doors {
            public: rest.nest_service("/partner", partner),
            processor,
        }
    }

    /// Every typerpc service of the process on one router, for exporting
    /// their `.proto` files (the partner service is served under
    /// `/partner`, which its schema does not show).
    pub fn services(&self) -> Router {
        Router::new()
            .add(PartnerConnectService::new(Arc::clone(&self.processor)))
            .add(InternalService::new(Arc::clone(&self.processor)))
    }

    /// The public port: REST and `/partner`, nothing internal. Health
    /// checks and probes answer for load balancers; reflection is off, so
    /// the public cannot list what the process serves.
    pub fn public(&self) -> Server {
        Server::new()
            .without_reflection()
            .fallback(self.public.clone())
    }

    /// The internal port: the internal services, with health and
    /// reflection. Bind it to an address only the platform reaches.
    pub fn internal(&self) -> Server {
        Server::new().add(InternalService::new(Arc::clone(&self.processor)))
    }

    /// Everything on one TLS port: the public routes for anyone, the
    /// internal services, health and reflection for callers whose client
    /// certificate `tls` verifies (it must accept, not require, client
    /// certificates, or the public could not connect).
    pub fn on_one_tls_port(&self, tls: TlsConfig) -> Server {
        Server::new()
            .add(InternalService::new(Arc::clone(&self.processor)))
            .configure(|router| router.intercept(ClientCertificateRequired))
            .tls(tls)
            .fallback(self.public.clone())
    }
}
