//! [`Status`]: the outcome of a call that failed, with a [`Code`], a
//! message and typed details; the same value on every protocol.

mod code;
mod rpc_status;

pub use code::Code;
pub use rpc_status::RpcStatus;

use std::fmt;

use crate::{Any, Message};

/// A failed call's status: a code, a message for developers and typed
/// details (each a message packed in `Any`).
///
/// ```
/// use typerpc::{Code, Message, Status};
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// #[rpc(package = "shop.v1")]
/// pub struct Missing { pub sku: String }
///
/// let mut status = Status::not_found("no such product");
/// status.add_detail(&Missing { sku: "P-9".into() });
/// assert_eq!(status.code(), Code::NotFound);
/// assert_eq!(status.detail::<Missing>(), Some(Missing { sku: "P-9".into() }));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    code: Code,
    message: String,
    details: Vec<Any>,
}

macro_rules! constructors {
    ($($name:ident => $code:ident),* $(,)?) => {
        $(
            #[doc = concat!("A status with code `", stringify!($code), "`.")]
            pub fn $name(message: impl Into<String>) -> Status {
                Status::new(Code::$code, message)
            }
        )*
    };
}

impl Status {
    /// A status with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Status {
        Status {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Success (for trailers of a call that worked).
    pub fn ok() -> Status {
        Status::new(Code::Ok, "")
    }

    constructors! {
        canceled => Cancelled,
        unknown => Unknown,
        invalid_argument => InvalidArgument,
        deadline_exceeded => DeadlineExceeded,
        not_found => NotFound,
        already_exists => AlreadyExists,
        permission_denied => PermissionDenied,
        resource_exhausted => ResourceExhausted,
        failed_precondition => FailedPrecondition,
        aborted => Aborted,
        out_of_range => OutOfRange,
        unimplemented => Unimplemented,
        internal => Internal,
        unavailable => Unavailable,
        data_loss => DataLoss,
        unauthenticated => Unauthenticated,
    }

    /// The code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The details, packed.
    pub fn details(&self) -> &[Any] {
        &self.details
    }

    /// Adds a typed detail.
    pub fn add_detail<M: Message>(&mut self, detail: &M) -> &mut Status {
        self.details.push(Any::pack(detail));
        self
    }

    /// The status with a typed detail added.
    pub fn with_detail<M: Message>(mut self, detail: &M) -> Status {
        self.add_detail(detail);
        self
    }

    /// The status with packed details added.
    pub fn with_details(mut self, details: impl IntoIterator<Item = Any>) -> Status {
        self.details.extend(details);
        self
    }

    /// The first detail of type `M`, if any.
    pub fn detail<M: Message>(&self) -> Option<M> {
        self.details
            .iter()
            .find_map(|any| any.unpack::<M>().ok().flatten())
    }

    /// As `google.rpc.Status`.
    pub fn to_rpc_status(&self) -> RpcStatus {
        RpcStatus {
            code: self.code.as_i32(),
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }

    /// From `google.rpc.Status`.
    pub fn from_rpc_status(status: RpcStatus) -> Status {
        Status {
            code: Code::from_i32(status.code),
            message: status.message,
            details: status.details,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

impl std::error::Error for Status {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_status_round_trip_keeps_details() {
        let status = Status::permission_denied("no").with_detail(&crate::Empty {});
        let bytes = status.to_rpc_status().encode_to_vec();
        let back = Status::from_rpc_status(RpcStatus::decode(&bytes[..]).unwrap());
        assert_eq!(back, status);
        assert_eq!(back.to_string(), "permission_denied: no");
        assert_eq!(back.detail::<crate::Empty>(), Some(crate::Empty {}));
    }
}
