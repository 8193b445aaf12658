//! The 17 status codes shared by gRPC and Connect, with each protocol's
//! names and HTTP statuses.
//!
//! The numbers are gRPC's (`grpc-status`, `google.rpc.Code`); Connect names
//! the same codes in snake_case and gives each an HTTP status (the Connect
//! protocol reference, "Error Codes"). Going the other way, a client that
//! gets an HTTP error without a status of the protocol's own infers a code
//! from the HTTP status: gRPC and Connect each publish a table for that
//! (gRPC's `doc/http-grpc-status-mapping.md`, Connect's "HTTP to Error
//! Code"), and they differ in one row, so each has its own function here.

use std::fmt;

/// A status code. The numbers are gRPC's; Connect names them in
/// snake_case and maps each to an HTTP status.
///
/// ```
/// use typerpc::Code;
///
/// assert_eq!(Code::NotFound.as_i32(), 5);
/// assert_eq!(Code::NotFound.as_connect_str(), "not_found");
/// assert_eq!(Code::NotFound.connect_http_status(), 404);
/// assert_eq!(Code::from_i32(99), Code::Unknown);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum Code {
    /// Success. Not an error: Connect has no name for it on the wire.
    Ok = 0,
    /// The call was cancelled, usually by the caller. (Connect spells it
    /// `canceled`.)
    Cancelled = 1,
    /// An error with no better code, or from an unknown error space.
    Unknown = 2,
    /// The request is invalid whatever the system's state.
    InvalidArgument = 3,
    /// The deadline expired before the call completed.
    DeadlineExceeded = 4,
    /// Something requested was not found.
    NotFound = 5,
    /// What the call would create exists already.
    AlreadyExists = 6,
    /// The caller may not do this.
    PermissionDenied = 7,
    /// A resource (quota, size, memory) ran out.
    ResourceExhausted = 8,
    /// The system is not in the state the call needs.
    FailedPrecondition = 9,
    /// The call was aborted, typically by a concurrency conflict.
    Aborted = 10,
    /// A value is outside the valid range.
    OutOfRange = 11,
    /// The method is not implemented or not supported.
    Unimplemented = 12,
    /// An invariant of the system broke.
    Internal = 13,
    /// The service is unavailable for now; retrying may help.
    Unavailable = 14,
    /// Data was lost or corrupted.
    DataLoss = 15,
    /// The caller is not authenticated.
    Unauthenticated = 16,
}

impl Code {
    /// Every code, in gRPC number order (`Code::ALL[n].as_i32() == n`).
    pub const ALL: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The gRPC number.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code for a gRPC number. Numbers outside 0..=16 are `Unknown`:
    /// a peer may be newer than us, and `google.rpc.Code` says an unknown
    /// code is to be treated as `UNKNOWN`.
    pub fn from_i32(number: i32) -> Code {
        usize::try_from(number)
            .ok()
            .and_then(|i| Code::ALL.get(i).copied())
            .unwrap_or(Code::Unknown)
    }

    /// Whether this is [`Code::Ok`].
    pub const fn is_ok(self) -> bool {
        matches!(self, Code::Ok)
    }

    /// Connect's name for the code (`invalid_argument`). `Ok` is `"ok"`,
    /// which Connect never sends: success is not an error there.
    pub const fn as_connect_str(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::Cancelled => "canceled",
            Code::Unknown => "unknown",
            Code::InvalidArgument => "invalid_argument",
            Code::DeadlineExceeded => "deadline_exceeded",
            Code::NotFound => "not_found",
            Code::AlreadyExists => "already_exists",
            Code::PermissionDenied => "permission_denied",
            Code::ResourceExhausted => "resource_exhausted",
            Code::FailedPrecondition => "failed_precondition",
            Code::Aborted => "aborted",
            Code::OutOfRange => "out_of_range",
            Code::Unimplemented => "unimplemented",
            Code::Internal => "internal",
            Code::Unavailable => "unavailable",
            Code::DataLoss => "data_loss",
            Code::Unauthenticated => "unauthenticated",
        }
    }

    /// The code for a Connect error name, exactly as the spec spells it
    /// (lower case, `canceled` with one `l`). `None` for anything else,
    /// including `"ok"`: Connect has only the sixteen error codes, and a
    /// reader that gets another name falls back on the HTTP status.
    pub fn from_connect_str(name: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .skip(1)
            .find(|c| c.as_connect_str() == name)
    }

    /// gRPC's name for the code (`INVALID_ARGUMENT`), as `google.rpc.Code`
    /// and most gRPC tooling print it.
    pub const fn as_grpc_str(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::Unknown => "UNKNOWN",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Aborted => "ABORTED",
            Code::OutOfRange => "OUT_OF_RANGE",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
            Code::DataLoss => "DATA_LOSS",
            Code::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    /// The HTTP status of a Connect unary error with this code (the
    /// Connect spec's table). `Ok` is 200; a server never sends it as an
    /// error.
    pub const fn connect_http_status(self) -> u16 {
        match self {
            Code::Ok => 200,
            Code::Cancelled => 499,
            Code::Unknown | Code::Internal | Code::DataLoss => 500,
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => 400,
            Code::DeadlineExceeded => 504,
            Code::NotFound => 404,
            Code::AlreadyExists | Code::Aborted => 409,
            Code::PermissionDenied => 403,
            Code::ResourceExhausted => 429,
            Code::Unimplemented => 501,
            Code::Unavailable => 503,
            Code::Unauthenticated => 401,
        }
    }

    /// The code a Connect client infers from the HTTP status of an error
    /// response whose body has no usable code (the Connect spec's "HTTP to
    /// Error Code" table). Not the inverse of
    /// [`connect_http_status`](Self::connect_http_status): several codes
    /// share an HTTP status, and the table maps statuses a proxy might
    /// send, e.g. 404 to `unimplemented` and 503 to `unavailable`.
    pub const fn from_connect_http_status(status: u16) -> Code {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502..=504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }

    /// The code a gRPC client infers from the HTTP status of a response
    /// that has no `grpc-status` (gRPC's "HTTP to gRPC Status Code
    /// Mapping"): the same table as Connect's, 431 (request header fields
    /// too large) included, which is `unknown` in both.
    /// 200 without `grpc-status` is `unknown`: a real success carries one.
    pub const fn from_grpc_http_status(status: u16) -> Code {
        Code::from_connect_http_status(status)
    }

    /// Connect's inference from an HTTP status; the same as
    /// [`from_connect_http_status`](Self::from_connect_http_status).
    #[doc(hidden)]
    pub const fn from_http_status(status: u16) -> Code {
        Code::from_connect_http_status(status)
    }
}

impl fmt::Display for Code {
    /// The Connect name (`not_found`), which reads well in logs and is
    /// what a Connect client sees.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_connect_str())
    }
}

impl From<Code> for i32 {
    fn from(code: Code) -> i32 {
        code.as_i32()
    }
}

impl From<i32> for Code {
    /// Like [`Code::from_i32`]: unknown numbers are `Unknown`.
    fn from(number: i32) -> Code {
        Code::from_i32(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_unknown_numbers_are_unknown() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.as_i32(), i as i32);
            assert_eq!(Code::from_i32(i as i32), *code);
            assert_eq!(Code::from(i32::from(*code)), *code);
        }
        for number in [17, 100, -1, i32::MIN, i32::MAX] {
            assert_eq!(Code::from_i32(number), Code::Unknown, "{number}");
        }
        assert!(Code::Ok.is_ok());
        assert!(!Code::Unknown.is_ok());
    }

    #[test]
    fn connect_names_follow_the_spec() {
        let names = [
            "canceled",
            "unknown",
            "invalid_argument",
            "deadline_exceeded",
            "not_found",
            "already_exists",
            "permission_denied",
            "resource_exhausted",
            "failed_precondition",
            "aborted",
            "out_of_range",
            "unimplemented",
            "internal",
            "unavailable",
            "data_loss",
            "unauthenticated",
        ];
        for (code, name) in Code::ALL[1..].iter().zip(names) {
            assert_eq!(code.as_connect_str(), name);
            assert_eq!(Code::from_connect_str(name), Some(*code));
            assert_eq!(code.to_string(), name);
        }
        // Only the exact spelling: no gRPC spelling, case or "ok".
        for bad in ["cancelled", "NOT_FOUND", "Not_Found", "ok", "", " unknown"] {
            assert_eq!(Code::from_connect_str(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn grpc_names() {
        assert_eq!(Code::Cancelled.as_grpc_str(), "CANCELLED");
        for code in Code::ALL {
            // Upper-case of the Connect name, but for the one spelling.
            if code != Code::Cancelled {
                assert_eq!(
                    code.as_grpc_str(),
                    code.as_connect_str().to_ascii_uppercase()
                );
            }
        }
    }

    #[test]
    fn connect_http_statuses_follow_the_spec_table() {
        let table = [
            (Code::Cancelled, 499),
            (Code::Unknown, 500),
            (Code::InvalidArgument, 400),
            (Code::DeadlineExceeded, 504),
            (Code::NotFound, 404),
            (Code::AlreadyExists, 409),
            (Code::PermissionDenied, 403),
            (Code::ResourceExhausted, 429),
            (Code::FailedPrecondition, 400),
            (Code::Aborted, 409),
            (Code::OutOfRange, 400),
            (Code::Unimplemented, 501),
            (Code::Internal, 500),
            (Code::Unavailable, 503),
            (Code::DataLoss, 500),
            (Code::Unauthenticated, 401),
        ];
        for (code, status) in table {
            assert_eq!(code.connect_http_status(), status, "{code}");
            // Every status is a valid HTTP status code.
            assert!(http::StatusCode::from_u16(status).is_ok());
        }
        assert_eq!(Code::Ok.connect_http_status(), 200);
    }

    #[test]
    fn http_statuses_map_back_as_each_spec_says() {
        let shared = [
            (400, Code::Internal),
            (401, Code::Unauthenticated),
            (403, Code::PermissionDenied),
            (404, Code::Unimplemented),
            (429, Code::Unavailable),
            (502, Code::Unavailable),
            (503, Code::Unavailable),
            (504, Code::Unavailable),
            (200, Code::Unknown),
            (418, Code::Unknown),
            (500, Code::Unknown),
            (501, Code::Unknown),
            (0, Code::Unknown),
            (u16::MAX, Code::Unknown),
        ];
        for (status, code) in shared {
            assert_eq!(Code::from_connect_http_status(status), code, "{status}");
            assert_eq!(Code::from_grpc_http_status(status), code, "{status}");
        }
        // The one row where the tables differ.
        assert_eq!(Code::from_grpc_http_status(431), Code::Unknown);
        assert_eq!(Code::from_connect_http_status(431), Code::Unknown);
        assert_eq!(Code::from_http_status(431), Code::Unknown);
    }
}
