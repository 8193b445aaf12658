//! Seed Pattern 2: an API gateway (backend for frontend) that gives a
//! mobile app one call for what takes several backends.
//!
//! - [`backends`]: the user (gRPC), product (Connect), inventory (REST),
//!   recommendation (Pattern 1), payment and order services.
//! - [`app`]: the gateway's axum routes: `GET /mobile/home/{user_id}`,
//!   `POST /mobile/checkout`, `GET /health`.
//! - [`clients`]: how it calls the backends, with deadlines propagated,
//!   timeouts, retries and load balancing from typerpc's client.
//! - [`run`]: serving each piece, or all of them in one process.
//!
//! `main.rs` is the command line: `gateway all` for the quick start,
//! `gateway user --addr ...` and friends for one backend per process,
//! `gateway serve --user ... --product ...` for the gateway alone.

pub mod activity;
pub mod app;
pub mod backends;
pub mod checkout;
pub mod checkout_request;
pub mod clients;
pub mod deadline;
pub mod errors;
pub mod health;
pub mod home;
pub mod inventory_client;
pub mod run;
