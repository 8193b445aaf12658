//! `google.rpc.BadRequest`: the standard error detail for invalid fields,
//! and the [`Status`] a validation failure becomes.
//!
//! The types match `google/rpc/error_details.proto` of googleapis field for
//! field, so any client with the standard definitions (grpcio-status,
//! googleapis-common-protos, `@bufbuild/protobuf`'s registry, tonic-types)
//! decodes the detail.

use crate::message::constraints::Violations;
use crate::Status;

/// `google.rpc.BadRequest`: which fields of a request are invalid.
///
/// ```
/// use typerpc::validate::BadRequest;
/// use typerpc::Message;
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct Page {
///     #[rpc(ge = 1, le = 100)]
///     pub limit: i32,
/// }
///
/// let status = Page { limit: 0 }.validate().unwrap_err().into_status();
/// assert_eq!(status.code(), typerpc::Code::InvalidArgument);
/// let detail: BadRequest = status.detail().unwrap();
/// assert_eq!(detail.field_violations[0].field, "limit");
/// assert_eq!(detail.field_violations[0].reason, "GE");
/// ```
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct BadRequest {
    /// Describes all violations in a client request.
    pub field_violations: Vec<FieldViolation>,
}

/// `google.rpc.BadRequest.FieldViolation`: one invalid field.
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(
    name = "BadRequest.FieldViolation",
    package = "google.rpc",
    file = "google/rpc/error_details.proto"
)]
pub struct FieldViolation {
    /// A path to the field in the request body, with proto field names
    /// (`products[2].price`).
    pub field: String,
    /// Why the field is bad, for people.
    pub description: String,
    /// The rule that failed, as an upper snake case constant (`MIN_LEN`).
    pub reason: String,
    /// The description translated for the end user, if the server has one.
    pub localized_message: Option<LocalizedMessage>,
}

/// `google.rpc.LocalizedMessage`: a message for the end user in a locale.
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/error_details.proto")]
pub struct LocalizedMessage {
    /// The locale (`en-US`, `fr-CH`), as in RFC BCP 47.
    pub locale: String,
    /// The message in that locale.
    pub message: String,
}

impl Violations {
    /// The `google.rpc.BadRequest` detail: one field violation per
    /// violation.
    pub fn to_bad_request(&self) -> BadRequest {
        BadRequest {
            field_violations: self
                .iter()
                .map(|v| FieldViolation {
                    field: v.field().to_string(),
                    description: v.description().to_string(),
                    reason: v.reason(),
                    localized_message: None,
                })
                .collect(),
        }
    }

    /// The status a server answers an invalid request with:
    /// `invalid_argument`, a message listing the violations and one
    /// `google.rpc.BadRequest` detail.
    pub fn into_status(self) -> Status {
        Status::invalid_argument(format!("invalid request: {self}"))
            .with_detail(&self.to_bad_request())
    }
}

impl From<Violations> for Status {
    fn from(violations: Violations) -> Status {
        violations.into_status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Violation;
    use crate::Message;

    /// The googleapis definition, through prost's own derive.
    #[derive(Clone, PartialEq, prost_derive::Message)]
    struct TheirBadRequest {
        #[prost(message, repeated, tag = "1")]
        field_violations: Vec<TheirFieldViolation>,
    }
    #[derive(Clone, PartialEq, prost_derive::Message)]
    struct TheirFieldViolation {
        #[prost(string, tag = "1")]
        field: String,
        #[prost(string, tag = "2")]
        description: String,
        #[prost(string, tag = "3")]
        reason: String,
        #[prost(message, optional, tag = "4")]
        localized_message: Option<TheirLocalized>,
    }
    #[derive(Clone, PartialEq, prost_derive::Message)]
    struct TheirLocalized {
        #[prost(string, tag = "1")]
        locale: String,
        #[prost(string, tag = "2")]
        message: String,
    }

    #[test]
    fn matches_googleapis() {
        let ours = BadRequest {
            field_violations: vec![FieldViolation {
                field: "a.b[1]".into(),
                description: "d".into(),
                reason: "R".into(),
                localized_message: Some(LocalizedMessage {
                    locale: "en".into(),
                    message: "m".into(),
                }),
            }],
        };
        let theirs =
            <TheirBadRequest as prost::Message>::decode(&ours.encode_to_vec()[..]).unwrap();
        assert_eq!(theirs.field_violations[0].field, "a.b[1]");
        assert_eq!(theirs.field_violations[0].reason, "R");
        assert_eq!(
            theirs.field_violations[0]
                .localized_message
                .as_ref()
                .unwrap()
                .message,
            "m"
        );
        assert_eq!(prost::Message::encode_to_vec(&theirs), ours.encode_to_vec());
    }

    #[test]
    fn status_lists_violations() {
        let mut v = Violations::default();
        v.push(Violation::new("limit", "le", "must be at most 100"));
        let status = Status::from(v);
        assert_eq!(status.code(), crate::Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "invalid request: limit: must be at most 100"
        );
        assert_eq!(status.details()[0].type_name(), "google.rpc.BadRequest");
        let detail: BadRequest = status.detail().unwrap();
        assert_eq!(detail.field_violations[0].reason, "LE");
    }
}
