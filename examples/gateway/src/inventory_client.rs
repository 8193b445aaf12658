//! The gateway's client for the inventory service's REST API, bounded by
//! the deadline of the request being served like the RPC clients are.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use typerpc::service::{current_deadline, earliest};
use typerpc::Status;

/// Calls `GET /inventory` and `POST /inventory/reserve`.
#[derive(Clone, Debug)]
pub struct InventoryClient {
    base: String,
    http: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

/// How much of a product is in stock, by product id.
pub type Levels = BTreeMap<String, i64>;

impl InventoryClient {
    /// A client of the inventory service at `base` (`http://host:port`),
    /// giving each call at most `timeout`.
    pub fn new(base: &str, timeout: Duration) -> InventoryClient {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_millis(500)));
        let http =
            hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
        InventoryClient {
            base: base.trim_end_matches('/').to_string(),
            http,
            timeout,
        }
    }

    /// The stock of each product in `ids` that the inventory knows.
    pub async fn levels(&self, ids: &[String]) -> Result<Levels, Status> {
        let uri = format!("{}/inventory?ids={}", self.base, ids.join(","));
        let request = http::Request::get(uri)
            .body(Full::new(Bytes::new()))
            .map_err(|e| Status::internal(e.to_string()))?;
        let (status, body) = self.send(request).await?;
        if status != http::StatusCode::OK {
            return Err(Status::unavailable(format!(
                "the inventory answered {status}"
            )));
        }
        let json: BTreeMap<String, Value> = serde_json::from_slice(&body)
            .map_err(|e| Status::internal(format!("the inventory's answer: {e}")))?;
        Ok(json
            .into_iter()
            .map(|(id, level)| (id, level["available"].as_i64().unwrap_or(0)))
            .collect())
    }

    /// Takes one of each product; `Err` with the inventory's reason when
    /// it could not (409: out of stock).
    pub async fn reserve(&self, ids: &[String]) -> Result<(), Status> {
        let body = serde_json::json!({ "product_ids": ids }).to_string();
        let request = http::Request::post(format!("{}/inventory/reserve", self.base))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Status::internal(e.to_string()))?;
        let (status, body) = self.send(request).await?;
        match status {
            http::StatusCode::OK => Ok(()),
            http::StatusCode::CONFLICT => {
                let detail = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["detail"].as_str().map(String::from))
                    .unwrap_or_default();
                Err(Status::failed_precondition(detail))
            }
            other => Err(Status::unavailable(format!(
                "the inventory answered {other}"
            ))),
        }
    }

    /// One request, within this client's timeout and the deadline of the
    /// request being served.
    async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(http::StatusCode, Bytes), Status> {
        let deadline = earliest(Some(Instant::now() + self.timeout), current_deadline())
            .unwrap_or_else(|| Instant::now() + self.timeout);
        let call = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| Status::unavailable(format!("cannot reach the inventory: {e}")))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| Status::unavailable(format!("the inventory's answer broke off: {e}")))?
                .to_bytes();
            Ok((status, body))
        };
        match tokio::time::timeout_at(deadline.into(), call).await {
            Ok(result) => result,
            Err(_) => Err(Status::deadline_exceeded(
                "the inventory did not answer in time",
            )),
        }
    }
}
