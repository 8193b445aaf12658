//! Seed Pattern 5, service mesh integration: the seed's `PaymentService`
//! (`ProcessPayment`: amount, currency, user id → transaction id, status,
//! processed at) with the child spans the seed makes (`validate_payment`,
//! `charge_payment`) and the payment's attributes on its span; and a
//! `CheckoutService` that calls it with the typed client, so one trace
//! crosses from one process to the other.
//!
//! What the seed wires by hand in every service comes with the server:
//! a span per call named after OpenTelemetry's conventions, W3C trace
//! context in and out, OTLP export, Prometheus metrics at `/metrics`, and
//! the probes `/healthz` and `/ready` beside the gRPC health service.

use std::sync::atomic::{AtomicU64, Ordering};

use tracing::Instrument;
use typerpc::{service, Message, Status, Timestamp};

/// A payment to make.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "mesh.v1")]
pub struct PaymentRequest {
    /// How much, in `currency`; more than zero.
    #[rpc(gt = 0.0, finite)]
    pub amount: f64,
    /// ISO 4217 code, such as `EUR`.
    #[rpc(pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// Who pays.
    #[rpc(min_len = 1)]
    pub user_id: String,
}

/// How a payment went.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "mesh.v1")]
pub struct PaymentResponse {
    /// The payment's identifier.
    pub transaction_id: String,
    /// `completed`.
    pub status: String,
    /// When it was processed.
    pub processed_at: Option<Timestamp>,
}

/// The currencies this payment service takes.
pub const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];

/// Processes payments.
#[derive(Debug, Default)]
pub struct PaymentService {
    next: AtomicU64,
}

impl PaymentService {
    /// A payment service.
    pub fn new() -> PaymentService {
        PaymentService::default()
    }

    async fn validate_payment(&self, request: &PaymentRequest) -> Result<(), Status> {
        if !CURRENCIES.contains(&request.currency.as_str()) {
            return Err(Status::invalid_argument(format!(
                "currency {} is not taken here; use one of {}",
                request.currency,
                CURRENCIES.join(", ")
            )));
        }
        Ok(())
    }

    async fn charge_payment(&self, request: &PaymentRequest) -> Result<String, Status> {
        let number = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(user.id = %request.user_id, "charged");
        Ok(format!("tx-{}-{number:06}", request.user_id))
    }
}

#[service(package = "mesh.v1")]
impl PaymentService {
    /// Charges a user: validates, then charges, each in a span of its own.
    async fn process_payment(&self, request: PaymentRequest) -> Result<PaymentResponse, Status> {
        // The seed's span and attributes; a child of the call's span.
        let span = tracing::info_span!(
            "process_payment",
            payment.amount = request.amount,
            payment.currency = %request.currency,
            user.id = %request.user_id,
        );
        async {
            self.validate_payment(&request)
                .instrument(tracing::info_span!("validate_payment"))
                .await?;
            let transaction_id = self
                .charge_payment(&request)
                .instrument(tracing::info_span!("charge_payment"))
                .await?;
            Ok(PaymentResponse {
                transaction_id,
                status: "completed".into(),
                processed_at: Some(Timestamp::now()),
            })
        }
        .instrument(span)
        .await
    }
}

/// A checkout to complete.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "mesh.v1")]
pub struct CheckoutRequest {
    /// Who checks out.
    pub user_id: String,
    /// The basket's total.
    pub total: f64,
    /// Its currency.
    pub currency: String,
}

/// A completed checkout.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "mesh.v1")]
pub struct CheckoutResponse {
    /// The order's identifier.
    pub order_id: String,
    /// The payment of the order.
    pub transaction_id: String,
}

/// Checks baskets out, paying through the payment service.
#[derive(Clone, Debug)]
pub struct CheckoutService {
    payments: PaymentServiceClient,
}

impl CheckoutService {
    /// A checkout service paying through `payments`.
    pub fn new(payments: PaymentServiceClient) -> CheckoutService {
        CheckoutService { payments }
    }
}

#[service(package = "mesh.v1")]
impl CheckoutService {
    /// Pays for the basket with the payment service; its errors are the
    /// caller's.
    async fn checkout(&self, request: CheckoutRequest) -> Result<CheckoutResponse, Status> {
        let payment = self
            .payments
            .process_payment(PaymentRequest {
                amount: request.total,
                currency: request.currency,
                user_id: request.user_id.clone(),
            })
            .await?;
        Ok(CheckoutResponse {
            order_id: format!("order-{}", payment.transaction_id.trim_start_matches("tx-")),
            transaction_id: payment.transaction_id,
        })
    }
}
