//! The status of an error that is not a [`Status`]: what a tower layer or a
//! transport failed with, found along the error's chain of causes.

use super::Status;

impl Status {
    /// The status an error stands for: a `Status` anywhere in its chain of
    /// causes as it is; tower's timeout as `deadline_exceeded` and its
    /// load shedding as `unavailable`; anything else `unknown`, with the
    /// whole chain as the message. What the server answers when one of its
    /// tower layers fails a call, and what the client reports when a layer
    /// around its transport does.
    ///
    /// ```
    /// use std::time::Duration;
    /// use typerpc::{Code, Status};
    ///
    /// let elapsed = tower::timeout::error::Elapsed::new();
    /// assert_eq!(Status::from_error(&elapsed).code(), Code::DeadlineExceeded);
    /// let inner = Status::permission_denied("no");
    /// assert_eq!(Status::from_error(&inner), inner);
    /// ```
    pub fn from_error(error: &(dyn std::error::Error + 'static)) -> Status {
        Status::known_from_error(error).unwrap_or_else(|| Status::unknown(error_chain(error)))
    }

    /// The status an error's chain names, if it names one.
    pub(crate) fn known_from_error(error: &(dyn std::error::Error + 'static)) -> Option<Status> {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(error) = cause {
            if let Some(status) = error.downcast_ref::<Status>() {
                return Some(status.clone());
            }
            if error.is::<tower::timeout::error::Elapsed>() {
                return Some(Status::deadline_exceeded(error_chain(error)));
            }
            if error.is::<tower::load_shed::error::Overloaded>() {
                return Some(Status::unavailable(error_chain(error)));
            }
            cause = error.source();
        }
        None
    }
}

/// An error and its causes on one line: top-level errors alone ("client
/// error (Connect)") often do not say what went wrong.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
