//! The traits `#[derive(Message)]` implements: [`Message`] for structs,
//! [`Enumeration`] for enums of unit variants, [`Oneof`] for enums whose
//! variants hold data.

use bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType};
use prost::DecodeError;

use crate::message::constraints::{Checker, Violations};
use crate::message::field::decode_key;
use crate::message::json::{JsonError, JsonOptions, JsonParser, JsonWriter};
use crate::schema::model::{EnumSchema, MessageSchema, OneofSchema};

/// A protobuf message: binary wire format, proto3 JSON and a schema.
///
/// Derive it; do not implement it by hand. The derive also implements
/// [`prost::Message`] (which asks for `Debug`), so derived types work with
/// tonic and other prost-based code. The two traits are separate so that
/// generic code bound by `M: typerpc::Message` calls `encode_to_vec` and
/// `decode` without ambiguity.
///
/// ```
/// use typerpc::Message;
///
/// #[derive(Message, Clone, Debug, PartialEq)]
/// pub struct ProductRequest {
///     pub user_id: String,
///     #[rpc(default = 10)]
///     pub limit: i32,
/// }
///
/// let request = ProductRequest { user_id: "7".into(), limit: 3 };
/// let bytes = request.encode_to_vec();
/// assert_eq!(ProductRequest::decode(&bytes[..]).unwrap(), request);
///
/// // A sender that leaves `limit` out gets the declared default.
/// let omitted = ProductRequest::from_json(r#"{"user_id": "7"}"#).unwrap();
/// assert_eq!(omitted.limit, 10);
/// assert_eq!(request.to_json().unwrap(), r#"{"userId":"7","limit":3}"#);
/// ```
pub trait Message: Default + Send + Sync + Sized + 'static {
    /// The static description of this message type.
    fn schema() -> &'static MessageSchema;

    /// Writes the fields, without a length prefix.
    fn encode_raw(&self, buf: &mut impl BufMut);

    /// The length of [`encode_raw`](Self::encode_raw)'s output.
    fn encoded_len(&self) -> usize;

    /// Merges one received field whose key has been read.
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError>;

    /// Resets every field to its value after decoding an empty message.
    fn clear(&mut self);

    /// Writes the message as a proto3 JSON value.
    fn write_json(&self, w: &mut JsonWriter<'_>);

    /// Reads one JSON member (`key` has been read; the parser is at its
    /// value) into the matching field. Unknown keys go to
    /// [`JsonParser::unknown_field`].
    fn merge_json_key(&mut self, key: &str, p: &mut JsonParser<'_>) -> Result<(), JsonError>;

    /// Reads a proto3 JSON value into the message, merging into its fields.
    fn merge_json(&mut self, p: &mut JsonParser<'_>) -> Result<(), JsonError> {
        p.object(|p, key| self.merge_json_key(key, p))
    }

    /// Records the violated constraints of this message and of every
    /// message inside it into `c` (see [`crate::validate`]). The derive
    /// implements it from the `#[rpc(...)]` constraints; messages without
    /// any keep this empty default.
    #[inline]
    fn check_constraints(&self, c: &mut Checker<'_>) {
        let _ = c;
    }

    /// Checks the declared constraints: `Ok(())`, or every violation with
    /// its field path. The server runs this on every request before the
    /// handler; call it yourself in tests or before storing a message.
    ///
    /// ```
    /// use typerpc::Message;
    ///
    /// #[derive(Message, Clone, Debug, PartialEq)]
    /// pub struct Page {
    ///     #[rpc(ge = 1, le = 100)]
    ///     pub limit: i32,
    /// }
    ///
    /// assert!(Page { limit: 10 }.validate().is_ok());
    /// let error = Page { limit: 0 }.validate().unwrap_err();
    /// assert_eq!(error.to_string(), "limit: must be greater than or equal to 1");
    /// ```
    fn validate(&self) -> Result<(), Violations> {
        let violations = crate::message::constraints::collect(self);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    /// Encodes the message to a new vector.
    fn encode_to_vec(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.encoded_len());
        self.encode_raw(&mut buf);
        buf
    }

    /// Appends the encoded message to `buf`, growing it as needed.
    fn encode_into(&self, buf: &mut Vec<u8>) {
        buf.reserve(self.encoded_len());
        self.encode_raw(buf);
    }

    /// Decodes a message from its binary encoding.
    fn decode(buf: impl Buf) -> Result<Self, DecodeError> {
        let mut message = Self::default();
        message.merge(buf)?;
        Ok(message)
    }

    /// Merges a binary encoding into this message: scalars are replaced,
    /// repeated fields appended, message fields merged.
    fn merge(&mut self, mut buf: impl Buf) -> Result<(), DecodeError> {
        let ctx = DecodeContext::default();
        while buf.has_remaining() {
            let (tag, wire_type) = decode_key(&mut buf)?;
            self.merge_field(tag, wire_type, &mut buf, ctx.clone())?;
        }
        Ok(())
    }

    /// The message as compact proto3 JSON.
    ///
    /// Fails only for values JSON cannot express: a Timestamp or Duration
    /// out of protobuf's range, an `Any` of a type the registry does not
    /// know, a non-finite number in a `google.protobuf.Value`.
    fn to_json(&self) -> Result<String, JsonError> {
        self.to_json_with(&JsonOptions::default())
    }

    /// The message as proto3 JSON, with options.
    fn to_json_with(&self, options: &JsonOptions) -> Result<String, JsonError> {
        let mut out = Vec::with_capacity(64);
        self.write_json_into(&mut out, options)?;
        // The writer emits only UTF-8: every piece it writes is either
        // ASCII or copied from a `&str`.
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    /// Appends the message's proto3 JSON to `out`.
    fn write_json_into(&self, out: &mut Vec<u8>, options: &JsonOptions) -> Result<(), JsonError> {
        let mut w = JsonWriter::new(out, options);
        self.write_json(&mut w);
        match w.take_error() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Parses a message from proto3 JSON.
    fn from_json(json: &str) -> Result<Self, JsonError> {
        Self::from_json_with(json.as_bytes(), &JsonOptions::default())
    }

    /// Parses a message from proto3 JSON bytes, with options.
    fn from_json_with(json: &[u8], options: &JsonOptions) -> Result<Self, JsonError> {
        let mut p = JsonParser::new(json, options);
        let mut message = Self::default();
        if p.take_null()? {
            return Err(p.error("expected a JSON object for the message, found null"));
        }
        message.merge_json(&mut p)?;
        p.finish()?;
        Ok(message)
    }
}

/// A protobuf enum: a Rust enum of unit variants.
///
/// Derive it with `#[derive(Message)]`. Value names get the enum's name as a
/// prefix (`Color::Red` is `COLOR_RED`), as the protobuf style guide asks, so
/// sibling enums in one package never collide.
///
/// A number this enum does not declare is a decode error naming the field,
/// unless the enum has a catch-all variant `#[rpc(unknown)] Other(i32)`,
/// which keeps the number (and re-encodes it unchanged).
pub trait Enumeration: Sized + 'static {
    /// The static description of this enum.
    fn schema() -> &'static EnumSchema;
    /// The wire number of this value.
    fn to_number(&self) -> i32;
    /// The value for a wire number, if declared (or caught by a catch-all).
    fn from_number(number: i32) -> Option<Self>;
    /// The proto name of this value (`COLOR_RED`); `None` for a number held
    /// by a catch-all variant.
    fn proto_name(&self) -> Option<&'static str>;
    /// The value with this proto name.
    fn from_proto_name(name: &str) -> Option<Self>;
}

/// A oneof: a Rust enum whose variants each hold one value, used as an
/// `Option<...>` field of a message.
pub trait Oneof: Sized + 'static {
    /// The static description of this oneof.
    fn schema() -> &'static OneofSchema;
}
