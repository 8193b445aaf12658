//! `application/grpc-web-text`: the gRPC-Web body in base64, for clients
//! that cannot handle binary bodies.
//!
//! A sender may write the body as several base64 strings back to back,
//! each with its own padding (a server streams one per flush), so the
//! decoder reads quartets and ends a run at every padded one, instead of
//! decoding the body as one string. It is incremental: request bodies
//! arrive in chunks that cut quartets anywhere.

use base64::Engine;
use bytes::Bytes;

use crate::Status;

const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Decodes a base64 body as it arrives.
#[derive(Debug, Default)]
pub(crate) struct TextDecoder {
    /// Characters of an incomplete quartet, carried to the next chunk.
    pending: Vec<u8>,
}

impl TextDecoder {
    /// Decodes the complete quartets of `chunk` (and of what the last
    /// chunk left over); keeps the rest for the next call.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<Bytes, Status> {
        let mut text = std::mem::take(&mut self.pending);
        text.extend(chunk.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        let whole = text.len() / 4 * 4;
        self.pending = text[whole..].to_vec();
        decode_quartets(&text[..whole])
    }

    /// Whether characters of an incomplete quartet wait for more.
    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Called at the end of the body: characters that do not make a
    /// quartet are a broken body.
    pub(crate) fn finish(&self) -> Result<(), Status> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(Status::invalid_argument(format!(
                "the grpc-web-text body ends with {} base64 characters that do not make a quartet",
                self.pending.len()
            )))
        }
    }
}

/// Decodes whole quartets, each padded quartet ending one base64 string.
fn decode_quartets(text: &[u8]) -> Result<Bytes, Status> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut start = 0;
    for quartet in (0..text.len()).step_by(4) {
        if text[quartet + 3] == b'=' || quartet + 4 == text.len() {
            ENGINE
                .decode_vec(&text[start..quartet + 4], &mut out)
                .map_err(|e| {
                    Status::invalid_argument(format!("the grpc-web-text body is not base64: {e}"))
                })?;
            start = quartet + 4;
        }
    }
    Ok(Bytes::from(out))
}

/// Decodes a whole base64 body (the tests' oracle for the incremental decoder).
#[cfg(test)]
pub(crate) fn decode(body: &[u8]) -> Result<Bytes, Status> {
    let mut decoder = TextDecoder::default();
    let out = decoder.push(body)?;
    decoder.finish()?;
    Ok(out)
}

/// Encodes one chunk of a response body as a padded base64 string.
pub(crate) fn encode(body: &[u8]) -> Bytes {
    Bytes::from(ENGINE.encode(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_strings_back_to_back_decode_as_one_body() {
        let body = format!("{}{}", ENGINE.encode(b"ab"), ENGINE.encode(b"cde"));
        assert_eq!(&decode(body.as_bytes()).unwrap()[..], b"abcde");
        assert!(decode(b"!!!!").is_err());
        assert!(decode(b"YWJj\r\nZA==").is_ok());
        assert!(decode(b"YWJ").is_err());
    }

    #[test]
    fn chunks_may_cut_quartets_anywhere() {
        let text = format!("{}{}", ENGINE.encode(b"hello"), ENGINE.encode(b"world!"));
        for cut in 0..text.len() {
            let mut decoder = TextDecoder::default();
            let mut out = decoder.push(&text.as_bytes()[..cut]).unwrap().to_vec();
            out.extend_from_slice(&decoder.push(&text.as_bytes()[cut..]).unwrap());
            decoder.finish().unwrap();
            assert_eq!(out, b"helloworld!", "cut at {cut}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        assert_eq!(
            &decode(&encode(b"\x00\x01\xff")).unwrap()[..],
            b"\x00\x01\xff"
        );
    }
}
