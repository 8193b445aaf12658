//! Seed Pattern 1, both implementations at once: the recommendation
//! service answers gRPC (implementation A) and Connect / gRPC-Web
//! (implementation B) on one port, in one process.
//!
//! ```text
//! cargo run -p recommendation                          # 0.0.0.0:50051, every interface
//! cargo run -p recommendation -- --addr 127.0.0.1:8080 # this machine only
//! curl -H 'content-type: application/json' -d '{"user_id":"123","category":"electronics"}' \
//!   localhost:50051/recommendation.v1.RecommendationService/GetRecommendations
//! curl localhost:50051/metrics                        # Prometheus
//! curl localhost:50051/ready                          # Kubernetes readiness
//! ```
//!
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set: spans and RPC metrics go there over
//! OTLP. `deploy/recommendation.yaml` runs it on Kubernetes.
//! `http://localhost:50051/docs` shows the Connect JSON endpoints (Swagger UI)
//! and `/openapi.json` is their OpenAPI document.

const NAME: &str = "recommendation";

#[tokio::main]
async fn main() {
    let otel = example_support::init_telemetry(NAME, "recommendation-service");
    let addr = example_support::parse_addr(NAME);
    eprintln!("{NAME}: starting recommendation.v1.RecommendationService (gRPC, gRPC-Web, Connect)");
    example_support::serve(NAME, recommendation::server(), addr).await;
    example_support::shutdown_telemetry(otel).await;
}
