//! Seed Pattern 4: event-driven CQRS on typerpc.
//!
//! Commands go over RPC to the [`OrderCommandService`], which appends
//! events to a durable [event log](log) and answers with the event's log
//! sequence. The [`Projector`] follows the log and applies each event to
//! the [read model](read_model) once. The [`OrderQueryService`] answers
//! from the read model, and streams changes to watchers.
//!
//! | role | binary | talks to |
//! |---|---|---|
//! | command service | `orders-command` | the log |
//! | projector | `orders-projector` | the log, the read model |
//! | query service | `orders-query` | the read model |
//! | all three in one process | `orders` | the embedded log and the in-memory read model by default |
//!
//! The log is embedded (a redb file) or NATS JetStream; the read model is
//! in memory or Redis. Queries are eventually consistent; see
//! [`query`] for how a caller reads its own writes.

pub mod command;
pub mod config;
pub mod errors;
pub mod events;
pub mod log;
pub mod projection;
pub mod projector;
pub mod query;
pub mod read_model;
pub mod status;
pub mod types;

pub use command::{OrderCommandService, OrderCommandServiceClient};
pub use projector::Projector;
pub use query::{OrderQueryService, OrderQueryServiceClient, QueryOptions};
pub use status::{ProjectorService, ProjectorServiceClient};
