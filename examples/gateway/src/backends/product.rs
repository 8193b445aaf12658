//! The product service (Connect JSON): product details by id, many at a
//! time.

use std::time::Duration;

use typerpc::{service, Message, Status};

/// The products wanted.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct BulkProductsRequest {
    /// Product ids; unknown ones are left out of the answer.
    #[rpc(max_items = 100)]
    pub ids: Vec<String>,
}

/// One product's details.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ProductDetails {
    /// The product id (`e-1`).
    pub id: String,
    /// What it is called.
    pub name: String,
    /// Its price.
    pub price: f64,
}

/// The products found, in the order asked.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct BulkProductsResponse {
    /// The products found.
    pub products: Vec<ProductDetails>,
}

/// Product details from a fixed catalogue (the recommendation service's
/// products).
#[derive(Debug, Default)]
pub struct ProductService {
    delay: Duration,
}

impl ProductService {
    /// A product service that answers after `delay`.
    pub fn new(delay: Duration) -> ProductService {
        ProductService { delay }
    }
}

/// The catalogue: id, name, price.
const CATALOGUE: [(&str, &str, f64); 5] = [
    ("e-1", "Noise-cancelling headphones", 199.0),
    ("e-2", "USB-C charger", 29.5),
    ("e-3", "E-reader", 119.0),
    ("b-1", "The Rust Programming Language", 39.95),
    ("b-2", "Designing Data-Intensive Applications", 45.0),
];

#[service] // package product.v1, service ProductService
impl ProductService {
    /// Details of several products at once.
    #[rpc(idempotent)]
    async fn get_bulk_products(
        &self,
        request: BulkProductsRequest,
    ) -> Result<BulkProductsResponse, Status> {
        super::simulate_latency(self.delay).await;
        let products = request
            .ids
            .iter()
            .filter_map(|id| CATALOGUE.iter().find(|(known, _, _)| known == id))
            .map(|(id, name, price)| ProductDetails {
                id: id.to_string(),
                name: name.to_string(),
                price: *price,
            })
            .collect();
        Ok(BulkProductsResponse { products })
    }
}
