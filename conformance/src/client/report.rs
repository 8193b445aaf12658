//! What the client saw, as the suite's messages: headers as `Header`s (one
//! per name, values in order) and a status as an `Error`.

use http::HeaderMap;
use typerpc::{Enumeration, Status};

use crate::types::{Code, Error, Header};

/// Headers or trailers, one `Header` per name in the order the names first
/// appear, values in the order received. Values that are not UTF-8 are
/// read as Latin-1, byte by byte.
pub fn headers(map: &HeaderMap) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for (name, value) in map {
        let value = match value.to_str() {
            Ok(text) => text.to_owned(),
            Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
        };
        match out.iter_mut().find(|h| h.name == name.as_str()) {
            Some(header) => header.value.push(value),
            None => out.push(Header {
                name: name.as_str().to_owned(),
                value: vec![value],
            }),
        }
    }
    out
}

/// A status as the suite's `Error`: code, message (absent when empty) and
/// details.
pub fn error(status: &Status) -> Error {
    let number = status.code() as i32;
    Error {
        code: Code::from_number(number).unwrap_or(Code::Unknown),
        message: (!status.message().is_empty()).then(|| status.message().to_owned()),
        details: status.details().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn repeated_names_are_one_header_with_values_in_order() {
        let mut map = HeaderMap::new();
        map.append("x-a", HeaderValue::from_static("1"));
        map.append("x-b", HeaderValue::from_static("2"));
        map.append("x-a", HeaderValue::from_static("3"));
        let out = headers(&map);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].name, "x-a");
        assert_eq!(out[0].value, vec!["1", "3"]);
        assert_eq!(out[1].value, vec!["2"]);
    }

    #[test]
    fn statuses_keep_code_message_and_details() {
        let detail = Header {
            name: "d".into(),
            value: vec!["v".into()],
        };
        let status = Status::resource_exhausted("too big").with_detail(&detail);
        let error = error(&status);
        assert_eq!(error.code, Code::ResourceExhausted);
        assert_eq!(error.message.as_deref(), Some("too big"));
        assert_eq!(error.details.len(), 1);
        assert_eq!(error.details[0].unpack::<Header>().unwrap(), Some(detail));
        assert_eq!(
            super::error(&Status::canceled("")).message,
            None,
            "an empty message is absent"
        );
    }
}
