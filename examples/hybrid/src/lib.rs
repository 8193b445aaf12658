//! Seed Pattern 3, a hybrid public/internal API, on typerpc: one
//! [`processor::DataProcessor`] behind three front doors in one process.
//!
//! - `POST /api/v1/process`, `GET /api/v1/stats`: the public REST API
//!   (axum), Bearer auth and a per-client rate limit ([`public_api`]);
//! - `/partner/partnerconnect.v1.PartnerConnectService/ProcessPartner`:
//!   the partner Connect service, API key and per-partner rate limit in a
//!   typerpc interceptor ([`partner`]);
//! - `internal.v1.InternalService`: gRPC for the platform's own services,
//!   on an internal listener, or on the TLS port for callers with a client
//!   certificate ([`internal`], [`run`]).
//!
//! The seed ran gRPC in a separate process because it could not share one
//! with FastAPI; here one process and, with TLS, one port serve all three.

pub mod certs;
pub mod internal;
pub mod messages;
pub mod partner;
pub mod processor;
pub mod public_api;
pub mod rate_limit;
pub mod run;
