//! `google.rpc.Status`: how a status with details travels in binary.
//!
//! gRPC sends it base64-encoded in the `grpc-status-details-bin` trailer;
//! any protobuf peer can decode it with the googleapis definition, which
//! this type matches field for field (`int32 code = 1; string message = 2;
//! repeated google.protobuf.Any details = 3;`).

use super::{Code, Status};

/// `google.rpc.Status`, as typerpc message.
///
/// ```
/// use typerpc::{status::RpcStatus, Code, Message, Status};
///
/// let rpc = RpcStatus::from(&Status::not_found("no such user"));
/// assert_eq!(rpc.code, Code::NotFound.as_i32());
/// let bytes = rpc.encode_to_vec();
/// let back = Status::from(RpcStatus::decode(&bytes[..]).unwrap());
/// assert_eq!(back, Status::not_found("no such user"));
/// ```
#[derive(crate::Message, Clone, Debug, PartialEq)]
#[rpc(package = "google.rpc", file = "google/rpc/status.proto")]
pub struct RpcStatus {
    /// The gRPC code number (a `google.rpc.Code` value).
    pub code: i32,
    /// The developer-facing message.
    pub message: String,
    /// Typed details.
    pub details: Vec<crate::Any>,
}

impl RpcStatus {
    /// The code; numbers outside the known range are `Unknown`.
    pub fn code(&self) -> Code {
        Code::from_i32(self.code)
    }
}

impl From<RpcStatus> for Status {
    fn from(status: RpcStatus) -> Status {
        Status::from_rpc_status(status)
    }
}

impl From<&Status> for RpcStatus {
    fn from(status: &Status) -> RpcStatus {
        status.to_rpc_status()
    }
}

impl From<Status> for RpcStatus {
    /// Moves the message and details rather than copying them.
    fn from(status: Status) -> RpcStatus {
        RpcStatus {
            code: status.code.as_i32(),
            message: status.message,
            details: status.details,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Any, Message};

    /// `google.rpc.Status` as prost's own derive sees it, with prost-types'
    /// `Any`: an oracle we did not write.
    #[derive(Clone, PartialEq, prost_derive::Message)]
    struct TheirStatus {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
        #[prost(message, repeated, tag = "3")]
        details: Vec<prost_types::Any>,
    }

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "google.rpc")]
    struct BadRequest {
        field_violations: Vec<FieldViolation>,
    }

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "google.rpc", name = "BadRequest.FieldViolation")]
    struct FieldViolation {
        field: String,
        description: String,
    }

    fn sample() -> Status {
        Status::invalid_argument("bad request ✓")
            .with_detail(&BadRequest {
                field_violations: vec![FieldViolation {
                    field: "user_id".into(),
                    description: "must not be empty".into(),
                }],
            })
            .with_detail(&crate::Empty {})
    }

    #[test]
    fn prost_reads_our_bytes() {
        let status = sample();
        let ours = RpcStatus::from(&status).encode_to_vec();
        let theirs = <TheirStatus as prost::Message>::decode(&ours[..]).unwrap();
        assert_eq!(theirs.code, 3);
        assert_eq!(theirs.message, "bad request ✓");
        assert_eq!(theirs.details.len(), 2);
        for (their, our) in theirs.details.iter().zip(status.details()) {
            assert_eq!(their.type_url, our.type_url);
            assert_eq!(their.value, our.value);
        }
        assert_eq!(
            theirs.details[0].type_url,
            "type.googleapis.com/google.rpc.BadRequest"
        );
        // And the bytes are exactly what prost writes for the same value.
        assert_eq!(prost::Message::encode_to_vec(&theirs), ours);
    }

    #[test]
    fn we_read_prosts_bytes() {
        let theirs = TheirStatus {
            code: 14,
            message: "overloaded".into(),
            details: vec![prost_types::Any {
                type_url: "type.googleapis.com/google.protobuf.Empty".into(),
                value: Vec::new(),
            }],
        };
        let bytes = prost::Message::encode_to_vec(&theirs);
        let status = Status::from(RpcStatus::decode(&bytes[..]).unwrap());
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "overloaded");
        assert_eq!(status.detail::<crate::Empty>(), Some(crate::Empty {}));
    }

    #[test]
    fn conversions_agree_and_unknown_codes_are_unknown() {
        let status = sample();
        assert_eq!(RpcStatus::from(status.clone()), RpcStatus::from(&status));
        assert_eq!(Status::from(RpcStatus::from(status.clone())), status);
        let odd = RpcStatus {
            code: 42,
            message: "from the future".into(),
            details: vec![Any::pack(&crate::Empty {})],
        };
        assert_eq!(odd.code(), Code::Unknown);
        let status = Status::from(odd);
        assert_eq!(status.code(), Code::Unknown);
        assert_eq!(status.message(), "from the future");
        assert_eq!(status.details().len(), 1);
    }

    #[test]
    fn hostile_bytes_are_a_decode_error_not_a_panic() {
        for bytes in [
            &[0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f][..],
            &[0x12, 0x02, 0xff, 0xfe][..],
            &[0x08][..],
            &[0xff; 16][..],
        ] {
            assert!(RpcStatus::decode(bytes).is_err(), "{bytes:?}");
        }
    }
}
