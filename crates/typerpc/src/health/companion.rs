//! Health checking as a router companion: `Router::with_health` and
//! friends. The router knows nothing of health; this module attaches the
//! service, marks every service the router gets as SERVING, answers
//! plain-HTTP probes and reports NOT_SERVING when the server shuts down.

use std::any::Any;
use std::sync::{Arc, Mutex};

use super::{HealthReporter, HealthService};
use crate::schema::model::ServiceSchema;
use crate::server::endpoint::Placement;
use crate::server::router::{Catalog, Companion};
use crate::service::{Method, Service};
use crate::Router;

/// The health service attached to a router.
struct Health {
    reporter: HealthReporter,
    service: Arc<HealthService>,
    /// Services already marked SERVING once: a status changed since is
    /// the application's and stays.
    known: Mutex<Vec<&'static ServiceSchema>>,
}

impl Companion for Health {
    fn serve(&self, catalog: &Catalog<'_>) -> Vec<(&'static ServiceSchema, Vec<Method>)> {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        for schema in catalog.services {
            if !known.iter().any(|k| std::ptr::eq(*k, *schema)) {
                known.push(schema);
                self.reporter
                    .set_serving(&format!("{}.{}", schema.package, schema.name));
            }
        }
        vec![(super::service_schema(), Arc::clone(&self.service).methods())]
    }

    fn shutdown(&self) {
        self.reporter.shutdown();
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Router {
    /// Serves `grpc.health.v1.Health` (`Check`, `List`, `Watch`): the
    /// server as a whole (`""`) and every service added, before or after,
    /// start as SERVING. Change statuses through [`health`](Self::health).
    /// [`Server`](crate::Server) turns this on by default and reports
    /// NOT_SERVING when graceful shutdown starts.
    pub fn with_health(self) -> Router {
        if self.companion::<Health>().is_some() {
            return self;
        }
        let reporter = HealthReporter::new();
        self.attach(Arc::new(Health {
            service: Arc::new(HealthService::new(reporter.clone())),
            reporter,
            known: Mutex::new(Vec::new()),
        }))
    }

    /// Stops serving the health service.
    pub fn without_health(self) -> Router {
        // The probes read the health statuses: they go with them.
        self.detach::<Health>()
            .without_endpoints::<super::probe::Live>()
            .without_endpoints::<super::probe::Ready>()
            .without_endpoints::<super::probe::HealthProbe>()
    }

    /// The health statuses this router reports, when the health service is
    /// on: `router.health().unwrap().set_not_serving("shop.v1.CartService")`.
    pub fn health(&self) -> Option<&HealthReporter> {
        self.companion::<Health>().map(|h| &h.reporter)
    }

    /// Answers plain-HTTP health probes (Kubernetes `httpGet`) at `path`
    /// (for example `/healthz`): `GET` gives 200 `SERVING` while the server
    /// serves and 503 `NOT_SERVING` otherwise (during shutdown, say);
    /// `?service=package.Service` asks about one service (404 if unknown).
    /// Turns the health service on.
    pub fn health_probe(self, path: impl Into<String>) -> Router {
        let router = self.with_health();
        let Some(reporter) = router.health().cloned() else {
            return router;
        };
        let probe = Arc::new(super::probe::HealthProbe(reporter));
        router.endpoint(path, Placement::Operational, probe)
    }

    /// Answers Kubernetes' `httpGet` probes: `GET /healthz` (live) is 200
    /// whenever the server answers, draining included; `GET /ready` is 200
    /// when every service is SERVING and the server is not shutting down,
    /// 503 (naming what is not serving) otherwise. Turns the health
    /// service on, which Kubernetes' native `grpc` probe calls.
    /// [`Server`](crate::Server) serves them by default.
    pub fn probes(self) -> Router {
        let router = self.with_health();
        let Some(reporter) = router.health().cloned() else {
            return router;
        };
        router
            .endpoint(
                "/healthz",
                Placement::Operational,
                Arc::new(super::probe::Live),
            )
            .endpoint(
                "/ready",
                Placement::Operational,
                Arc::new(super::probe::Ready(reporter)),
            )
    }
}
