//! The 17 status codes shared by gRPC and Connect, with each protocol's
//! names and HTTP statuses.

use std::fmt;

/// A status code. The numbers are gRPC's; Connect names them in
/// snake_case and maps each to an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum Code {
    /// Success.
    Ok = 0,
    /// The call was cancelled, usually by the caller.
    Cancelled = 1,
    /// An error with no better code.
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

const ALL: [Code; 17] = [
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

impl Code {
    /// The gRPC number.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// The code for a gRPC number; numbers outside 0..=16 are `Unknown`,
    /// as the gRPC spec asks of receivers.
    pub fn from_i32(number: i32) -> Code {
        usize::try_from(number)
            .ok()
            .and_then(|i| ALL.get(i).copied())
            .unwrap_or(Code::Unknown)
    }

    /// Connect's name for the code (`invalid_argument`); `ok` for `Ok`,
    /// which Connect never sends as an error.
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

    /// The code for a Connect name.
    pub fn from_connect_str(name: &str) -> Option<Code> {
        ALL.into_iter().find(|c| c.as_connect_str() == name)
    }

    /// The HTTP status of a Connect unary error with this code.
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

    /// The code a client infers from an HTTP status when the response
    /// carries no status of its own (the gRPC spec's table, which Connect
    /// follows).
    pub const fn from_http_status(status: u16) -> Code {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            429 | 502..=504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_connect_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for (i, code) in ALL.iter().enumerate() {
            assert_eq!(code.as_i32(), i as i32);
            assert_eq!(Code::from_i32(i as i32), *code);
            assert_eq!(Code::from_connect_str(code.as_connect_str()), Some(*code));
        }
        assert_eq!(Code::from_i32(17), Code::Unknown);
        assert_eq!(Code::from_i32(-1), Code::Unknown);
        assert_eq!(Code::from_connect_str("cancelled"), None);
    }

    #[test]
    fn connect_http_statuses_follow_the_spec() {
        assert_eq!(Code::NotFound.connect_http_status(), 404);
        assert_eq!(Code::ResourceExhausted.connect_http_status(), 429);
        assert_eq!(Code::Cancelled.connect_http_status(), 499);
        assert_eq!(Code::Unimplemented.connect_http_status(), 501);
        assert_eq!(Code::from_http_status(503), Code::Unavailable);
        assert_eq!(Code::from_http_status(418), Code::Unknown);
    }
}
