//! The payment service (gRPC): charges a card.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use typerpc::{service, Message, Status};

/// A charge to make.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct PaymentRequest {
    /// Who pays.
    #[rpc(min_len = 1)]
    pub user_id: String,
    /// The card, as a token from the payment provider's SDK.
    #[rpc(min_len = 1)]
    pub card_token: String,
    /// How much.
    #[rpc(gt = 0.0)]
    pub amount: f64,
}

/// The charge made.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct PaymentResult {
    /// The payment's id, for the order.
    pub payment_id: String,
}

/// Charges cards; the token `tok_declined` is always declined.
#[derive(Debug, Default)]
pub struct PaymentService {
    delay: Duration,
    next_id: AtomicU64,
}

impl PaymentService {
    /// A payment service that answers after `delay`.
    pub fn new(delay: Duration) -> PaymentService {
        PaymentService {
            delay,
            next_id: AtomicU64::new(1),
        }
    }
}

#[service] // package payment.v1, service PaymentService
impl PaymentService {
    /// Charges the card; `failed_precondition` when it is declined.
    async fn process_payment(&self, request: PaymentRequest) -> Result<PaymentResult, Status> {
        super::simulate_latency(self.delay).await;
        if request.card_token == "tok_declined" {
            return Err(Status::failed_precondition("the card was declined"));
        }
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        Ok(PaymentResult {
            payment_id: format!("pay-{n}"),
        })
    }
}
