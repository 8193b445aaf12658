//! Seed Pattern 1: the recommendation service's types and implementation.
//! `main.rs` serves it; the tests call it over every protocol.

use typerpc::metrics::Prometheus;
use typerpc::otel::RpcMetrics;
use typerpc::server::Cors;
use typerpc::{service, Message, Server, Status, Timestamp};

/// The server `main` runs (and the tests start): the service, CORS for the
/// seed's browser app on another origin, Prometheus metrics at `/metrics`
/// and OpenTelemetry's RPC metrics, and for people reading the API the
/// OpenAPI document at `/openapi.json` and Swagger UI at `/docs`. With the
/// `mcp` feature, AI agents find the methods as MCP tools at `/mcp`.
pub fn server() -> Server {
    Server::new()
        .add(RecommendationService::new())
        .configure(|router| {
            let router = router
                .cors(Cors::any_origin())
                .intercept(RpcMetrics::server())
                .with_openapi("/openapi.json")
                .with_docs("/docs");
            #[cfg(feature = "mcp")]
            let router = router.with_mcp("/mcp", typerpc::mcp::McpTools::all());
            router
        })
        // GET /metrics on the same port, for Prometheus.
        .metrics(&Prometheus::new())
}

/// What a caller wants recommendations for.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ProductRequest {
    /// Who the recommendations are for.
    #[rpc(min_len = 1, max_len = 64)]
    pub user_id: String,
    /// The category to recommend from (`electronics`, `books`).
    #[rpc(min_len = 1, pattern = "^[a-z0-9_-]*$")]
    pub category: String,
    /// How many products to return; 10 when the caller leaves it out.
    #[rpc(default = 10, ge = 1, le = 100)]
    pub limit: i32,
}

/// A recommended product.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub price: f64,
    /// The recommendation score.
    pub score: f64,
}

/// Recommended products, best first.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct RecommendationResponse {
    pub products: Vec<Product>,
    pub generated_at: Option<Timestamp>,
}

/// Recommends products. A real service would call a model and a cache;
/// this one ranks a fixed catalogue so the example runs anywhere.
pub struct RecommendationService {
    catalogue: Vec<(String, Product)>,
}

impl RecommendationService {
    /// A service over a small built-in catalogue.
    pub fn new() -> Self {
        let item = |category: &str, id: &str, name: &str, price: f64, score: f64| {
            (
                category.to_string(),
                Product {
                    id: id.into(),
                    name: name.into(),
                    price,
                    score,
                },
            )
        };
        RecommendationService {
            catalogue: vec![
                item(
                    "electronics",
                    "e-1",
                    "Noise-cancelling headphones",
                    199.0,
                    0.97,
                ),
                item("electronics", "e-2", "USB-C charger", 29.5, 0.91),
                item("electronics", "e-3", "E-reader", 119.0, 0.88),
                item("books", "b-1", "The Rust Programming Language", 39.95, 0.95),
                item(
                    "books",
                    "b-2",
                    "Designing Data-Intensive Applications",
                    45.0,
                    0.93,
                ),
            ],
        }
    }

    fn ranked(&self, category: Option<&str>, limit: usize) -> Vec<Product> {
        let mut products: Vec<Product> = self
            .catalogue
            .iter()
            .filter(|(c, _)| category.is_none_or(|wanted| wanted == c))
            .map(|(_, p)| p.clone())
            .collect();
        products.sort_by(|a, b| b.score.total_cmp(&a.score));
        products.truncate(limit);
        products
    }
}

impl Default for RecommendationService {
    fn default() -> Self {
        Self::new()
    }
}

#[service] // package recommendation.v1, service RecommendationService
impl RecommendationService {
    /// Recommended products for one user in one category.
    async fn get_recommendations(
        &self,
        request: ProductRequest,
    ) -> Result<RecommendationResponse, Status> {
        // The constraints on `ProductRequest` were checked before this
        // runs: `user_id` and `category` are set, `limit` is 1 to 100.
        let limit = usize::try_from(request.limit).unwrap_or_default();
        Ok(RecommendationResponse {
            products: self.ranked(Some(&request.category), limit),
            generated_at: Some(Timestamp::now()),
        })
    }

    /// What is popular right now, across categories.
    #[rpc(idempotent)]
    async fn get_trending(&self, _request: ()) -> Result<RecommendationResponse, Status> {
        Ok(RecommendationResponse {
            products: self.ranked(None, 3),
            generated_at: Some(Timestamp::now()),
        })
    }
}
