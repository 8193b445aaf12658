//! `google.protobuf.Empty`, and `()` as the same type.

use bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType};
use prost::DecodeError;

use crate::message::json::{JsonError, JsonParser, JsonWriter};
use crate::schema::model::MessageSchema;
use crate::Message;

/// `google.protobuf.Empty`: a message with no fields. `()` maps to the same
/// proto type, so `async fn ping(&self, _: ()) -> Result<(), Status>` works.
#[derive(crate::Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "google.protobuf", file = "google/protobuf/empty.proto")]
pub struct Empty {}

/// `()` is `google.protobuf.Empty` (prost already implements its
/// `prost::Message`).
impl Message for () {
    fn schema() -> &'static MessageSchema {
        Empty::schema()
    }
    fn encode_raw(&self, _buf: &mut impl BufMut) {}
    fn encoded_len(&self) -> usize {
        0
    }
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        prost::encoding::skip_field(wire_type, tag, buf, ctx)
    }
    fn clear(&mut self) {}
    fn write_json(&self, w: &mut JsonWriter<'_>) {
        w.begin_object();
        w.end_object();
    }
    fn merge_json_key(&mut self, key: &str, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.unknown_field(key)
    }
}
crate::__impl_message_value!(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_unit_agree() {
        assert!(Empty {}.encode_to_vec().is_empty());
        assert!(().encode_to_vec().is_empty());
        assert_eq!(Empty::from_json("{}").unwrap(), Empty {});
        assert_eq!(().to_json().unwrap(), "{}");
        assert!(std::ptr::eq(<() as Message>::schema(), Empty::schema()));
    }
}
