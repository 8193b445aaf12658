//! The messages and enums of `connectrpc.conformance.v1`, one module per
//! official `.proto` file.

pub mod client_compat;
pub mod config;
pub mod server_compat;
pub mod service;
pub mod suite;

pub use client_compat::*;
pub use config::*;
pub use server_compat::*;
pub use service::*;
pub use suite::*;
