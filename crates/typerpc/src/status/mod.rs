//! [`Status`]: the outcome of a call that failed, with a [`Code`], a
//! message and typed details; the same value on every protocol.
//!
//! The protocol layer carries a status as Connect's JSON error body, as
//! gRPC's `grpc-status` / `grpc-message` / `grpc-status-details-bin`
//! trailers, or as [`RpcStatus`] (`google.rpc.Status`), and reads it back
//! from each; a handler only ever sees this one type.

mod code;
mod from_error;
mod rpc_status;

pub use code::Code;
pub(crate) use from_error::error_chain;
pub use rpc_status::RpcStatus;

use std::fmt;

use crate::{Any, Message};

/// The message of [`Status::internal_opaque`]: it says that something
/// broke and nothing about what.
const OPAQUE_INTERNAL_MESSAGE: &str = "internal error";

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
/// assert_eq!(status.to_string(), "not_found: no such product");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    code: Code,
    message: String,
    details: Vec<Any>,
    /// Response headers and trailers that travel with the status: boxed,
    /// and absent on most errors, so that `Result<T, Status>` stays small.
    metadata: Option<Box<Metadata>>,
}

/// The headers and trailers of a failed call.
#[derive(Clone, Debug, Default, PartialEq)]
struct Metadata {
    headers: http::HeaderMap,
    trailers: http::HeaderMap,
}

/// The empty map the metadata accessors lend when a status has none.
fn empty_map() -> &'static http::HeaderMap {
    static EMPTY: std::sync::OnceLock<http::HeaderMap> = std::sync::OnceLock::new();
    EMPTY.get_or_init(http::HeaderMap::new)
}

macro_rules! constructors {
    ($($(#[$attr:meta])* $name:ident => $code:ident),* $(,)?) => {
        $(
            #[doc = concat!("A status with [`Code::", stringify!($code), "`] and a message.")]
            $(#[$attr])*
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
            metadata: None,
        }
    }

    /// Success (for the trailers of a call that worked).
    pub fn ok() -> Status {
        Status::new(Code::Ok, "")
    }

    constructors! {
        #[doc(alias = "cancelled")]
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

    /// An `internal` status whose message says nothing but that something
    /// broke: for a handler that panicked, or any failure whose text could
    /// leak paths, queries or secrets to the caller. Log the real cause on
    /// the server.
    pub fn internal_opaque() -> Status {
        Status::internal(OPAQUE_INTERNAL_MESSAGE)
    }

    /// The code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message, for developers (not translated, not for end users).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The details, packed, in the order they were added.
    pub fn details(&self) -> &[Any] {
        &self.details
    }

    /// Adds a typed detail, packed into `Any`. Its type should declare a
    /// package, so that peers in other languages can resolve it.
    pub fn add_detail<M: Message>(&mut self, detail: &M) -> &mut Status {
        self.details.push(Any::pack(detail));
        self
    }

    /// The status with a typed detail added.
    pub fn with_detail<M: Message>(mut self, detail: &M) -> Status {
        self.add_detail(detail);
        self
    }

    /// The status with packed details added after those it has.
    pub fn with_details(mut self, details: impl IntoIterator<Item = Any>) -> Status {
        self.details.extend(details);
        self
    }

    /// The first detail of type `M`, if any. A detail of that type whose
    /// bytes do not decode is passed over: details come from the peer and
    /// one broken detail should not hide a good one.
    pub fn detail<M: Message>(&self) -> Option<M> {
        self.details
            .iter()
            .find_map(|any| any.unpack::<M>().ok().flatten())
    }

    /// The response headers of the failed call. On the server, a handler
    /// or interceptor sets them to send with the error; on the client
    /// they are the headers the server sent (for gRPC's trailers-only
    /// responses, which carry everything in one block, the application's
    /// metadata is in [`trailers`](Self::trailers)).
    ///
    /// ```
    /// use typerpc::Status;
    /// let status = Status::unavailable("overloaded")
    ///     .with_header("retry-after", "3")
    ///     .with_trailer("x-shard", "7");
    /// assert_eq!(status.headers()["retry-after"], "3");
    /// assert_eq!(status.trailers()["x-shard"], "7");
    /// ```
    pub fn headers(&self) -> &http::HeaderMap {
        self.metadata.as_ref().map_or(empty_map(), |m| &m.headers)
    }

    /// The response trailers of the failed call, without the protocol's
    /// own (`grpc-status` and friends).
    pub fn trailers(&self) -> &http::HeaderMap {
        self.metadata.as_ref().map_or(empty_map(), |m| &m.trailers)
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut http::HeaderMap {
        &mut self.metadata.get_or_insert_with(Box::default).headers
    }

    /// The trailers, to change.
    pub fn trailers_mut(&mut self) -> &mut http::HeaderMap {
        &mut self.metadata.get_or_insert_with(Box::default).trailers
    }

    /// The status with a response header added. An invalid name or value
    /// is ignored; use [`headers_mut`](Self::headers_mut) to handle it.
    pub fn with_header(mut self, name: &str, value: &str) -> Status {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.headers_mut().append(name, value);
        }
        self
    }

    /// The status with a response trailer added. An invalid name or value
    /// is ignored; use [`trailers_mut`](Self::trailers_mut) to handle it.
    pub fn with_trailer(mut self, name: &str, value: &str) -> Status {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.trailers_mut().append(name, value);
        }
        self
    }

    /// The status with these headers and trailers (replacing any it had).
    pub fn with_metadata(mut self, headers: http::HeaderMap, trailers: http::HeaderMap) -> Status {
        self.metadata = if headers.is_empty() && trailers.is_empty() {
            None
        } else {
            Some(Box::new(Metadata { headers, trailers }))
        };
        self
    }

    /// Takes the headers and trailers out of the status.
    pub fn take_metadata(&mut self) -> (http::HeaderMap, http::HeaderMap) {
        match self.metadata.take() {
            Some(m) => (m.headers, m.trailers),
            None => (http::HeaderMap::new(), http::HeaderMap::new()),
        }
    }

    /// As `google.rpc.Status`.
    pub fn to_rpc_status(&self) -> RpcStatus {
        RpcStatus {
            code: self.code.as_i32(),
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }

    /// From `google.rpc.Status`; a code number we do not know is
    /// `Unknown`.
    pub fn from_rpc_status(status: RpcStatus) -> Status {
        Status {
            code: Code::from_i32(status.code),
            message: status.message,
            details: status.details,
            metadata: None,
        }
    }
}

impl fmt::Display for Status {
    /// `code: message`, or just the code when there is no message.
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

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "typerpc.test.v1")]
    struct Missing {
        sku: String,
    }

    #[derive(crate::Message, Clone, Debug, PartialEq)]
    #[rpc(package = "typerpc.test.v1")]
    struct Retry {
        seconds: i64,
    }

    #[test]
    fn every_constructor_sets_its_code() {
        let made = [
            (Status::canceled("m"), Code::Cancelled),
            (Status::unknown("m"), Code::Unknown),
            (Status::invalid_argument("m"), Code::InvalidArgument),
            (Status::deadline_exceeded("m"), Code::DeadlineExceeded),
            (Status::not_found("m"), Code::NotFound),
            (Status::already_exists("m"), Code::AlreadyExists),
            (Status::permission_denied("m"), Code::PermissionDenied),
            (Status::resource_exhausted("m"), Code::ResourceExhausted),
            (Status::failed_precondition("m"), Code::FailedPrecondition),
            (Status::aborted("m"), Code::Aborted),
            (Status::out_of_range("m"), Code::OutOfRange),
            (Status::unimplemented("m"), Code::Unimplemented),
            (Status::internal("m"), Code::Internal),
            (Status::unavailable("m"), Code::Unavailable),
            (Status::data_loss("m"), Code::DataLoss),
            (Status::unauthenticated("m"), Code::Unauthenticated),
        ];
        for (status, code) in made {
            assert_eq!(status.code(), code);
            assert_eq!(status.message(), "m");
            assert!(status.details().is_empty());
            assert_eq!(status, Status::new(code, "m"));
        }
        assert_eq!(Status::ok().code(), Code::Ok);
        assert_eq!(Status::ok().to_string(), "ok");
    }

    #[test]
    fn the_opaque_internal_status_says_nothing_specific() {
        let status = Status::internal_opaque();
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
        assert!(status.details().is_empty());
    }

    #[test]
    fn details_are_typed_and_ordered() {
        let mut status = Status::not_found("gone");
        status
            .add_detail(&Retry { seconds: 3 })
            .add_detail(&Missing { sku: "a".into() })
            .add_detail(&Missing { sku: "b".into() });
        assert_eq!(status.details().len(), 3);
        assert_eq!(
            status.details()[0].type_url,
            "type.googleapis.com/typerpc.test.v1.Retry"
        );
        // The first of the type asked for.
        assert_eq!(
            status.detail::<Missing>(),
            Some(Missing { sku: "a".into() })
        );
        assert_eq!(status.detail::<Retry>(), Some(Retry { seconds: 3 }));
        assert_eq!(status.detail::<crate::Empty>(), None);
    }

    #[test]
    fn a_broken_detail_does_not_hide_a_good_one() {
        let broken = Any {
            type_url: "type.googleapis.com/typerpc.test.v1.Missing".into(),
            // Field 1 as a length-delimited string claiming 100 bytes.
            value: vec![0x0a, 100],
        };
        let status = Status::internal("x")
            .with_details([broken])
            .with_detail(&Missing { sku: "ok".into() });
        assert_eq!(
            status.detail::<Missing>(),
            Some(Missing { sku: "ok".into() })
        );
    }

    #[test]
    fn display_and_error() {
        assert_eq!(
            Status::invalid_argument("bad id").to_string(),
            "invalid_argument: bad id"
        );
        assert_eq!(Status::unavailable("").to_string(), "unavailable");
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Status::aborted("x"));
        assert_eq!(boxed.to_string(), "aborted: x");
    }

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
