//! The JSON forms of Timestamp (RFC 3339) and Duration (`"1.5s"`).

use super::{CustomJson, Duration, Timestamp};
use crate::message::json::{JsonError, JsonParser, JsonWriter};

impl CustomJson for Timestamp {
    fn write_custom_json(&self, w: &mut JsonWriter<'_>) {
        let mut text = Vec::with_capacity(32);
        match self.write_rfc3339(&mut text) {
            // RFC 3339 text is ASCII and needs no escaping.
            Ok(()) => w.string(std::str::from_utf8(&text).unwrap_or_default()),
            Err(e) => {
                w.set_error(format!(
                    "google.protobuf.Timestamp {self:?} has no JSON form: {e}"
                ));
                w.null();
            }
        }
    }

    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        let text = p.string()?;
        *self = Timestamp::parse_rfc3339(&text)
            .map_err(|e| p.error(format!("invalid google.protobuf.Timestamp {text:?}: {e}")))?;
        Ok(())
    }
}

impl CustomJson for Duration {
    fn write_custom_json(&self, w: &mut JsonWriter<'_>) {
        let mut text = Vec::with_capacity(24);
        match self.write_json_text(&mut text) {
            Ok(()) => w.string(std::str::from_utf8(&text).unwrap_or_default()),
            Err(e) => {
                w.set_error(format!(
                    "google.protobuf.Duration {self:?} has no JSON form: {e}"
                ));
                w.null();
            }
        }
    }

    fn merge_custom_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        let text = p.string()?;
        *self = Duration::parse_json_text(&text)
            .map_err(|e| p.error(format!("invalid google.protobuf.Duration {text:?}: {e}")))?;
        Ok(())
    }
}
