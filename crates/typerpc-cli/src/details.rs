//! The standard error details of `google/rpc/error_details.proto`, so a
//! failed call's details decode even when the server's reflection does not
//! serve that file. The types are written here as typerpc messages (the
//! field names and numbers of the published file), and their descriptors
//! come from typerpc's schema of them.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost_reflect::DescriptorPool;
use typerpc::schema::SchemaBuilder;
use typerpc::validate::{BadRequest, LocalizedMessage};
use typerpc::{Duration, Message};

const FILE: &str = "google/rpc/error_details.proto";

/// `google.rpc.ErrorInfo`: the cause of an error, structured.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct ErrorInfo {
    pub reason: String,
    pub domain: String,
    pub metadata: HashMap<String, String>,
}

/// `google.rpc.RetryInfo`: when a client may retry.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct RetryInfo {
    pub retry_delay: Option<Duration>,
}

/// `google.rpc.DebugInfo`: debugging information from the server.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct DebugInfo {
    pub stack_entries: Vec<String>,
    pub detail: String,
}

/// `google.rpc.QuotaFailure`: which quota checks failed.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct QuotaFailure {
    pub violations: Vec<QuotaViolation>,
}

/// `google.rpc.QuotaFailure.Violation`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    name = "QuotaFailure.Violation",
    package = "google.rpc",
    file = "google/rpc/error_details.proto"
)]
pub struct QuotaViolation {
    pub subject: String,
    pub description: String,
}

/// `google.rpc.PreconditionFailure`: which preconditions failed.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct PreconditionFailure {
    pub violations: Vec<PreconditionViolation>,
}

/// `google.rpc.PreconditionFailure.Violation`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    name = "PreconditionFailure.Violation",
    package = "google.rpc",
    file = "google/rpc/error_details.proto"
)]
pub struct PreconditionViolation {
    #[rpc(name = "type")]
    pub kind: String,
    pub subject: String,
    pub description: String,
}

/// `google.rpc.RequestInfo`: which request failed, for a bug report.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct RequestInfo {
    pub request_id: String,
    pub serving_data: String,
}

/// `google.rpc.ResourceInfo`: the resource being accessed.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct ResourceInfo {
    pub resource_type: String,
    pub resource_name: String,
    pub owner: String,
    pub description: String,
}

/// `google.rpc.Help`: links to documentation.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct Help {
    pub links: Vec<HelpLink>,
}

/// `google.rpc.Help.Link`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    name = "Help.Link",
    package = "google.rpc",
    file = "google/rpc/error_details.proto"
)]
pub struct HelpLink {
    pub description: String,
    pub url: String,
}

/// The descriptors of every standard detail type.
pub fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut builder = SchemaBuilder::new();
        builder
            .add_message(ErrorInfo::schema())
            .add_message(RetryInfo::schema())
            .add_message(DebugInfo::schema())
            .add_message(QuotaFailure::schema())
            .add_message(PreconditionFailure::schema())
            .add_message(BadRequest::schema())
            .add_message(RequestInfo::schema())
            .add_message(ResourceInfo::schema())
            .add_message(Help::schema())
            .add_message(LocalizedMessage::schema());
        let set = builder
            .build()
            .unwrap_or_else(|e| panic!("the schema of {FILE}: {e}"));
        DescriptorPool::from_file_descriptor_set(set.file_descriptor_set())
            .unwrap_or_else(|e| panic!("the descriptors of {FILE}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_detail_is_in_one_file() {
        let pool = pool();
        let file = pool
            .get_file_by_name(FILE)
            .expect("google/rpc/error_details.proto");
        assert_eq!(file.package_name(), "google.rpc");
        let mut names: Vec<_> = file.messages().map(|m| m.full_name().to_string()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "google.rpc.BadRequest",
                "google.rpc.DebugInfo",
                "google.rpc.ErrorInfo",
                "google.rpc.Help",
                "google.rpc.LocalizedMessage",
                "google.rpc.PreconditionFailure",
                "google.rpc.QuotaFailure",
                "google.rpc.RequestInfo",
                "google.rpc.ResourceInfo",
                "google.rpc.RetryInfo",
            ]
        );
        let violation = pool
            .get_message_by_name("google.rpc.PreconditionFailure.Violation")
            .unwrap();
        let numbered: Vec<_> = violation
            .fields()
            .map(|f| (f.name().to_string(), f.number()))
            .collect();
        assert_eq!(
            numbered,
            [
                ("type".to_string(), 1),
                ("subject".to_string(), 2),
                ("description".to_string(), 3)
            ]
        );
        let retry = pool.get_message_by_name("google.rpc.RetryInfo").unwrap();
        assert_eq!(
            retry
                .get_field(1)
                .unwrap()
                .kind()
                .as_message()
                .unwrap()
                .full_name(),
            "google.protobuf.Duration"
        );
    }
}
