//! `GET /health`: every backend asked through the gRPC health service
//! (`grpc.health.v1.Health/Check`), in parallel, each within a second.
//! `healthy` when all are, `degraded` otherwise.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use typerpc::client::{CallOptions, MethodInfo};
use typerpc::health::{HealthCheckRequest, HealthCheckResponse, ServingStatus};
use typerpc::Client;

use crate::app::Gateway;

/// How long a backend may take to say it is healthy.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The handler.
pub async fn health_check(State(gateway): State<Arc<Gateway>>) -> Response {
    let checks = gateway
        .clients
        .health
        .iter()
        .map(|(name, client)| async move { (*name, serving(client).await) });
    let results = futures_util::future::join_all(checks).await;
    let mut services = Map::new();
    services.insert("api_gateway".into(), json!("healthy"));
    for (name, healthy) in &results {
        let state = if *healthy { "healthy" } else { "unhealthy" };
        services.insert(name.to_string(), json!(state));
    }
    let all = results.iter().all(|(_, healthy)| *healthy);
    let status = if all { "healthy" } else { "degraded" };
    axum::Json(json!({"status": status, "services": Value::Object(services)})).into_response()
}

/// Whether the server behind `client` says it is serving.
async fn serving(client: &Client) -> bool {
    let method = MethodInfo::new("/grpc.health.v1.Health/Check");
    let request = HealthCheckRequest {
        service: String::new(),
    };
    let options = CallOptions::new().timeout(CHECK_TIMEOUT);
    client
        .unary::<_, HealthCheckResponse>(method, request, options)
        .await
        .is_ok_and(|response| response.message().status == ServingStatus::Serving)
}
