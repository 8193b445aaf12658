//! The client under test for the suite's runner
//! (`connectconformance --mode client`): each `ClientCompatRequest` becomes
//! one call through typerpc's [`Client`](typerpc::client::Client) to the
//! runner's reference server, and its outcome a `ClientCompatResponse`.
//!
//! [`settings`] turns a request's connection fields into a client,
//! [`invoke`] makes the call the way the official guide's pseudocode does
//! for each stream type (delays, cancellation, unsent requests), and
//! [`report`] turns headers, payloads and statuses into the suite's
//! messages.

pub mod invoke;
pub mod report;
pub mod settings;

use crate::types::{ClientCompatRequest, ClientCompatResponse, ClientCompatResponseResult};
use crate::types::{ClientErrorResult, ClientResponseResult};

/// Runs one test case: builds the client, makes the call, and reports.
///
/// A request the client cannot make (an unknown method, a compression
/// typerpc does not have, a request message of the wrong type) is an
/// `error` result; everything that happened once the call started,
/// including an RPC error, is a `response` result.
pub async fn run_case(request: ClientCompatRequest) -> ClientCompatResponse {
    let test_name = request.test_name.clone();
    let result = match settings::client(&request) {
        Ok(client) => match invoke::call(&client, &request).await {
            Ok(outcome) => ClientCompatResponseResult::Response(outcome),
            Err(message) => ClientCompatResponseResult::Error(ClientErrorResult { message }),
        },
        Err(message) => ClientCompatResponseResult::Error(ClientErrorResult { message }),
    };
    ClientCompatResponse {
        test_name,
        result: Some(result),
    }
}

/// An empty result to fill in.
pub(crate) fn empty_result() -> ClientResponseResult {
    ClientResponseResult {
        response_headers: Vec::new(),
        payloads: Vec::new(),
        error: None,
        response_trailers: Vec::new(),
        num_unsent_requests: 0,
        http_status_code: None,
        feedback: Vec::new(),
    }
}
