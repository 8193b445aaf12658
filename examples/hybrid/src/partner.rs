//! The partner Connect service, mounted at `/partner`
//! (`/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner`):
//! partners call it with an API key in `X-API-Key`, checked by a typerpc
//! interceptor, each partner with its own rate limit.
//!
//! ```text
//! curl -X POST localhost:8000/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner \
//!   -H "Content-Type: application/json" -H "X-API-Key: partner-demo-key" \
//!   -d '{"data": {"content": "{\"message\": \"Hello from Connect RPC\"}", "metadata": "test"}, "priority": "normal"}'
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use typerpc::service::{Before, Interceptor};
use typerpc::{service, Context, Status};

use crate::messages::{ProcessRequest, ProcessResponse, RetryInfo};
use crate::processor::{DataProcessor, Door};
use crate::rate_limit::RateLimiter;

/// The header partners send their key in.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Partner integrations.
pub struct PartnerConnectService {
    processor: Arc<DataProcessor>,
}

impl PartnerConnectService {
    /// The partner service over the shared processor.
    pub fn new(processor: Arc<DataProcessor>) -> PartnerConnectService {
        PartnerConnectService { processor }
    }
}

#[service(package = "partnerconnect.v1")]
impl PartnerConnectService {
    /// Processes a partner's data; the caller is the partner the API key
    /// names.
    async fn process_partner(&self, request: ProcessRequest) -> Result<ProcessResponse, Status> {
        process(&self.processor, Door::Connect, request).await
    }
}

/// What the partner and internal services do with a request: the same
/// processing, answered as `ProcessResponse`.
pub(crate) async fn process(
    processor: &DataProcessor,
    door: Door,
    request: ProcessRequest,
) -> Result<ProcessResponse, Status> {
    let start = Instant::now();
    let Some(payload) = request.data else {
        return Err(Status::invalid_argument("data: a payload is required"));
    };
    let result = processor.process(door, &payload).await;
    Ok(ProcessResponse {
        result: Some(result),
        processing_time_ms: start.elapsed().as_secs_f64() * 1000.0,
        protocol: door.protocol().into(),
    })
}

/// Which partner is calling, as [`PartnerAuth`] found it; handlers read
/// it with `ctx.get::<Partner>()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner(pub String);

/// Lets in calls whose `X-API-Key` names a partner (`unauthenticated`
/// without a key, `permission_denied` with a wrong one), then applies
/// that partner's rate limit (`resource_exhausted`, with a
/// `google.rpc.RetryInfo` detail saying how long to wait).
pub struct PartnerAuth {
    /// API keys and the partner each belongs to.
    pub keys: HashMap<String, String>,
    /// The per-partner limit.
    pub limiter: RateLimiter,
    /// Counts refused calls.
    pub processor: Arc<DataProcessor>,
}

impl PartnerAuth {
    fn admit(&self, ctx: &Context) -> Result<(), Status> {
        let key = ctx
            .request_headers()
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Status::unauthenticated("an API key is required in X-API-Key"))?;
        let partner = self
            .keys
            .get(key)
            .ok_or_else(|| Status::permission_denied("the API key is not valid"))?;
        if let Err(wait) = self.limiter.check(&format!("partner:{partner}")) {
            self.processor.count_rate_limited();
            let retry = RetryInfo {
                retry_delay: Some(typerpc::Duration::new(
                    wait.as_secs() as i64,
                    wait.subsec_nanos() as i32,
                )),
            };
            return Err(Status::resource_exhausted(format!(
                "rate limit exceeded for partner {partner}: {}; retry in {} ms",
                self.limiter.rate(),
                wait.as_millis().max(1)
            ))
            .with_detail(&retry));
        }
        ctx.insert(Partner(partner.clone()));
        Ok(())
    }
}

impl Interceptor for PartnerAuth {
    fn before<'a>(&'a self, ctx: &'a Context) -> Before<'a> {
        self.admit(ctx).into()
    }
}
