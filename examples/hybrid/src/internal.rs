//! The internal gRPC services: what other services of the platform call,
//! and what the public must not reach. They are served on their own
//! listener bound to an internal address (`--internal-addr`), and on the
//! TLS port only to callers that present a client certificate the
//! platform's CA signed ([`ClientCertificateRequired`]).

use std::sync::Arc;

use typerpc::service::{Before, Interceptor};
use typerpc::{service, Context, Status};

use crate::messages::{ProcessRequest, ProcessResponse, Stats};
use crate::partner::process;
use crate::processor::{DataProcessor, Door};

/// Processing and counters for the platform's own services.
pub struct InternalService {
    processor: Arc<DataProcessor>,
}

impl InternalService {
    /// The internal service over the shared processor.
    pub fn new(processor: Arc<DataProcessor>) -> InternalService {
        InternalService { processor }
    }
}

#[service(package = "internal.v1")]
impl InternalService {
    /// Processes data for another internal service.
    async fn process_internal(&self, request: ProcessRequest) -> Result<ProcessResponse, Status> {
        process(&self.processor, Door::Grpc, request).await
    }

    /// The processor's counters.
    #[rpc(idempotent)]
    async fn get_stats(&self, _request: ()) -> Result<Stats, Status> {
        Ok(self.processor.stats())
    }
}

/// Lets in only callers that presented a client certificate. The TLS
/// layer has already verified it against the configured CA (a
/// certificate it cannot verify fails the handshake), so its presence is
/// the proof; without one the call is `unauthenticated`.
pub struct ClientCertificateRequired;

impl Interceptor for ClientCertificateRequired {
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        match ctx.peer_certificates() {
            Some(chain) if !chain.is_empty() => Before::proceed(),
            _ => Before::reject(Status::unauthenticated(
                "internal services need a client certificate signed by the platform's CA",
            )),
        }
    }
}
