//! REST answers shaped as FastAPI's, for the examples whose axum routes
//! replace a FastAPI app: a client written against the seed's Python
//! service reads them unchanged. `{"detail": "..."}` for a failure; for a
//! request that does not validate, 422 with
//! `{"detail": [{"type", "loc", "msg"}]}` where `loc` names the field
//! (`["body", "payment_info", "card_token"]`).
//!
//! ```
//! use example_support::rest::{read_object, string};
//!
//! # async fn handler(body: axum::body::Body) -> axum::response::Response {
//! let object = match read_object(body, 64 * 1024).await {
//!     Ok(object) => object,
//!     Err(answer) => return answer, // 400 too large, 422 not JSON or not an object
//! };
//! let mut errors = Vec::new();
//! let user = string(&object, &["body", "user_id"], &mut errors);
//! # let _ = user; todo!()
//! # }
//! ```

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// One problem with a request, as FastAPI reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// What kind of problem: `missing`, `string_type`, `json_invalid`...
    pub kind: &'static str,
    /// Where: `["body", "user_id"]`, `["path", "user_id"]`.
    pub loc: Vec<String>,
    /// What is wrong, for people.
    pub msg: String,
}

impl FieldError {
    /// A problem of `kind` at `loc`.
    pub fn new(kind: &'static str, loc: &[&str], msg: impl Into<String>) -> FieldError {
        FieldError {
            kind,
            loc: loc.iter().map(|s| s.to_string()).collect(),
            msg: msg.into(),
        }
    }

    fn to_json(&self) -> Value {
        json!({"type": self.kind, "loc": self.loc, "msg": self.msg})
    }
}

/// A request that does not validate: `status` (422, or 400 for a body
/// over the limit), naming each field.
pub fn invalid(status: StatusCode, errors: &[FieldError]) -> Response {
    let detail: Vec<Value> = errors.iter().map(FieldError::to_json).collect();
    (status, axum::Json(json!({"detail": detail}))).into_response()
}

/// A failure with a message: `{"detail": message}`.
pub fn detail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"detail": message.into()}))).into_response()
}

/// Reads a JSON object body of at most `max` bytes; the answer to send
/// when it is larger (400), not JSON or not an object (422).
pub async fn read_object(
    body: axum::body::Body,
    max: usize,
) -> Result<Map<String, Value>, Response> {
    let bytes = axum::body::to_bytes(body, max).await.map_err(|_| {
        let error = FieldError::new(
            "too_large",
            &["body"],
            format!("the body is larger than {max} bytes"),
        );
        invalid(StatusCode::BAD_REQUEST, &[error])
    })?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        let error = FieldError::new("json_invalid", &["body"], format!("JSON decode error: {e}"));
        invalid(StatusCode::UNPROCESSABLE_ENTITY, &[error])
    })?;
    match value {
        Value::Object(object) => Ok(object),
        _ => {
            let error = FieldError::new("model_type", &["body"], "Input should be an object");
            Err(invalid(StatusCode::UNPROCESSABLE_ENTITY, &[error]))
        }
    }
}

/// The field at the end of `loc`, or a `missing` error.
pub fn field<'a>(
    object: &'a Map<String, Value>,
    loc: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<&'a Value> {
    let name = loc[loc.len() - 1];
    match object.get(name) {
        Some(Value::Null) | None => {
            errors.push(FieldError::new("missing", loc, "Field required"));
            None
        }
        Some(value) => Some(value),
    }
}

/// A required, non-empty string field.
pub fn string(
    object: &Map<String, Value>,
    loc: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match field(object, loc, errors)? {
        Value::String(s) if s.is_empty() => {
            errors.push(FieldError::new(
                "string_too_short",
                loc,
                "String should have at least 1 character",
            ));
            None
        }
        Value::String(s) => Some(s.clone()),
        _ => {
            errors.push(FieldError::new(
                "string_type",
                loc,
                "Input should be a valid string",
            ));
            None
        }
    }
}

/// An optional string field: `default` when absent or `null`, an error
/// when present with another type.
pub fn optional_string(
    object: &Map<String, Value>,
    loc: &[&str],
    default: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    match object.get(loc[loc.len() - 1]) {
        None | Some(Value::Null) => default.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            errors.push(FieldError::new(
                "string_type",
                loc,
                "Input should be a valid string",
            ));
            default.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn missing_wrong_type_and_empty_fields_name_their_location() {
        let body = object(r#"{"a": "", "b": 3, "c": null}"#);
        let mut errors = Vec::new();
        assert_eq!(string(&body, &["body", "a"], &mut errors), None);
        assert_eq!(string(&body, &["body", "b"], &mut errors), None);
        assert_eq!(string(&body, &["body", "c"], &mut errors), None);
        assert_eq!(
            optional_string(&body, &["body", "b"], "normal", &mut errors),
            "normal"
        );
        assert_eq!(
            optional_string(&body, &["body", "d"], "normal", &mut errors),
            "normal"
        );
        let kinds: Vec<_> = errors.iter().map(|e| (e.kind, e.loc.join("."))).collect();
        assert_eq!(
            kinds,
            [
                ("string_too_short", "body.a".to_string()),
                ("string_type", "body.b".to_string()),
                ("missing", "body.c".to_string()),
                ("string_type", "body.b".to_string()),
            ]
        );
    }

    #[tokio::test]
    async fn bodies_that_are_too_large_not_json_or_not_objects_are_refused() {
        let status = |r: Result<Map<String, Value>, Response>| r.unwrap_err().status();
        let read = |s: &'static str, max| read_object(axum::body::Body::from(s), max);
        assert_eq!(status(read("{}", 1).await), StatusCode::BAD_REQUEST);
        assert_eq!(
            status(read("{", 10).await),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(read("[1]", 10).await),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert!(read(r#"{"a":1}"#, 10).await.is_ok());
    }
}
