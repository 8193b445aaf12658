//! The Connect error body: `{"code": "...", "message": "...", "details":
//! [{"type": "pkg.Message", "value": "<base64>"}]}`.

use base64::Engine;

use crate::message::json::{JsonOptions, JsonParser, JsonWriter};
use crate::{Any, Code, Status};

/// Writes a status as the Connect error JSON.
pub fn to_json(status: &Status) -> Vec<u8> {
    let options = JsonOptions::default();
    let mut out = Vec::with_capacity(64 + status.message().len());
    let mut w = JsonWriter::new(&mut out, &options);
    w.begin_object();
    w.key("code");
    w.string(status.code().as_connect_str());
    if !status.message().is_empty() {
        w.key("message");
        w.string(status.message());
    }
    if !status.details().is_empty() {
        w.key("details");
        w.begin_array();
        for detail in status.details() {
            w.begin_object();
            w.key("type");
            w.string(detail.type_name());
            w.key("value");
            // Connect writes detail bytes as unpadded standard base64.
            w.string(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(&detail.value));
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    out
}

/// Reads a Connect error JSON body; `http_status` supplies the code when
/// the body has none (as the spec says clients must).
pub fn from_json(body: &[u8], http_status: u16) -> Status {
    let options = JsonOptions::default().with_ignore_unknown_fields(true);
    let mut parser = JsonParser::new(body, &options);
    let mut code = None;
    let mut message = String::new();
    let mut details = Vec::new();
    let parsed = parser.object(|p, key| match key {
        "code" => {
            code = Code::from_connect_str(&p.string()?);
            Ok(())
        }
        "message" => {
            message = p.string()?.into_owned();
            Ok(())
        }
        "details" => p.array(|p| {
            let mut type_name = String::new();
            let mut value = Vec::new();
            p.object(|p, key| match key {
                "type" => {
                    type_name = p.string()?.into_owned();
                    Ok(())
                }
                "value" => {
                    value = p.bytes()?;
                    Ok(())
                }
                _ => p.skip_value(),
            })?;
            details.push(Any {
                type_url: format!("{}{type_name}", crate::message::wkt::TYPE_URL_PREFIX),
                value,
            });
            Ok(())
        }),
        _ => p.skip_value(),
    });
    match (parsed, code) {
        (Ok(()), Some(code)) => Status::new(code, message).with_details(details),
        _ => Status::new(
            Code::from_http_status(http_status),
            format!("HTTP status {http_status}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_with_details() {
        let status = Status::not_found("no \"x\"").with_detail(&crate::Empty {});
        let json = to_json(&status);
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.starts_with(r#"{"code":"not_found","message":"no \"x\"","details":[{"type":"google.protobuf.Empty","value":""}]}"#), "{text}");
        assert_eq!(from_json(&json, 404), status);
        assert_eq!(from_json(b"garbage", 503).code(), Code::Unavailable);
    }
}
