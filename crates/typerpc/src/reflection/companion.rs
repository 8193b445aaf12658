//! Reflection as a router companion: `Router::with_reflection` attaches
//! both reflection services, describing every service of the router (the
//! user's and the standard ones) with a fresh index whenever they change.

use std::any::Any;
use std::sync::Arc;

use super::service::{IndexSource, ReflectionV1, ReflectionV1alpha};
use crate::schema::model::ServiceSchema;
use crate::server::router::{Catalog, Companion};
use crate::service::{Method, Service};
use crate::Router;

/// The reflection services attached to a router.
struct Reflection;

impl Companion for Reflection {
    fn serve(&self, catalog: &Catalog<'_>) -> Vec<(&'static ServiceSchema, Vec<Method>)> {
        // The index is built on the first reflection call, not here.
        let services = catalog
            .services
            .iter()
            .chain(catalog.standard)
            .copied()
            .collect();
        // Every typerpc server can send `google.rpc.BadRequest` (a failed
        // validation): describe it, so that grpcurl and friends decode
        // the detail instead of calling it an unknown type.
        let mut extra_types = catalog.extra_types.to_vec();
        let bad_request = <crate::validate::BadRequest as crate::Message>::schema();
        if !extra_types.iter().any(|t| std::ptr::eq(*t, bad_request)) {
            extra_types.push(bad_request);
        }
        let source = IndexSource::new(services, extra_types);
        let v1 = Arc::new(ReflectionV1 {
            source: Arc::clone(&source),
        });
        let v1alpha = Arc::new(ReflectionV1alpha { source });
        vec![
            (ReflectionV1::schema(), v1.methods()),
            (ReflectionV1alpha::schema(), v1alpha.methods()),
        ]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Router {
    /// Serves gRPC server reflection (`grpc.reflection.v1` and
    /// `grpc.reflection.v1alpha`), describing every service of the router
    /// with the descriptors its `.proto` files are written from, so
    /// grpcurl, `buf curl` and Postman need no `.proto` files.
    /// [`Server`](crate::Server) turns this on by default.
    pub fn with_reflection(self) -> Router {
        if self.companion::<Reflection>().is_some() {
            return self;
        }
        self.attach(Arc::new(Reflection))
    }

    /// Stops serving reflection.
    pub fn without_reflection(self) -> Router {
        self.detach::<Reflection>()
    }
}
