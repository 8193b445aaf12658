//! Message compression: identity and gzip, negotiated from the
//! `grpc-encoding` / `Content-Encoding` and `*-accept-encoding` headers,
//! with a bound on decompressed size so a small bomb cannot exhaust memory.

use std::io::{Read, Write};

use bytes::Bytes;
use http::HeaderValue;

use crate::Status;

/// A compression the server and client can both use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// No compression.
    Identity,
    /// gzip.
    Gzip,
}

impl Compression {
    /// The header token.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Identity => "identity",
            Compression::Gzip => "gzip",
        }
    }

    /// What this server accepts, for `*-accept-encoding`.
    pub fn accept_header() -> HeaderValue {
        HeaderValue::from_static("gzip")
    }

    /// The compression a request names; an unknown one is `unimplemented`
    /// naming what is supported (the gRPC and Connect specs agree).
    pub fn from_header(value: &HeaderValue) -> Result<Compression, Status> {
        let name = value.to_str().unwrap_or("").trim();
        match name.to_ascii_lowercase().as_str() {
            "" | "identity" => Ok(Compression::Identity),
            "gzip" => Ok(Compression::Gzip),
            _ => Err(Status::unimplemented(format!(
                "unsupported compression {name:?}; supported: identity, gzip"
            ))),
        }
    }

    /// The compression to answer with, given the peer's accept list.
    pub fn negotiate(accept: &HeaderValue) -> Compression {
        let accepted = accept.to_str().unwrap_or("");
        if accepted.split(',').any(|token| {
            token
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("gzip")
        }) {
            Compression::Gzip
        } else {
            Compression::Identity
        }
    }

    /// Compresses `data`.
    pub fn compress(self, data: &[u8]) -> Bytes {
        match self {
            Compression::Identity => Bytes::copy_from_slice(data),
            Compression::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 2 + 32),
                    flate2::Compression::fast(),
                );
                // Writing to a Vec cannot fail.
                let _ = encoder.write_all(data);
                Bytes::from(encoder.finish().unwrap_or_default())
            }
        }
    }

    /// Decompresses `data`, failing with `resource_exhausted` as soon as
    /// the output passes `limit` bytes and `invalid_argument` for broken
    /// input.
    pub fn decompress(self, data: &[u8], limit: usize) -> Result<Bytes, Status> {
        match self {
            Compression::Identity => {
                if data.len() > limit {
                    return Err(too_large(limit));
                }
                Ok(Bytes::copy_from_slice(data))
            }
            Compression::Gzip => {
                let decoder = flate2::read::GzDecoder::new(data);
                let mut out = Vec::with_capacity(data.len().saturating_mul(2).min(limit));
                // Reading one byte past the limit tells "too large" from "exactly the limit".
                let read = decoder
                    .take(limit as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| {
                        Status::invalid_argument(format!("the message is not valid gzip: {e}"))
                    })?;
                if read > limit {
                    return Err(too_large(limit));
                }
                Ok(Bytes::from(out))
            }
        }
    }
}

fn too_large(limit: usize) -> Status {
    Status::resource_exhausted(format!(
        "the decompressed message is larger than the limit of {limit} bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips() {
        let data = b"hello hello hello hello".repeat(10);
        let packed = Compression::Gzip.compress(&data);
        assert!(packed.len() < data.len());
        assert_eq!(
            &Compression::Gzip.decompress(&packed, 1 << 20).unwrap()[..],
            &data[..]
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let bomb = Compression::Gzip.compress(&vec![0u8; 10 << 20]);
        assert!(bomb.len() < 64 * 1024);
        let err = Compression::Gzip.decompress(&bomb, 1 << 20).unwrap_err();
        assert_eq!(err.code(), crate::Code::ResourceExhausted);
        let err = Compression::Gzip
            .decompress(b"not gzip", 1 << 20)
            .unwrap_err();
        assert_eq!(err.code(), crate::Code::InvalidArgument);
    }

    #[test]
    fn negotiation_and_unknown_encodings() {
        assert_eq!(
            Compression::negotiate(&HeaderValue::from_static("br, gzip;q=0.5")),
            Compression::Gzip
        );
        assert_eq!(
            Compression::negotiate(&HeaderValue::from_static("br")),
            Compression::Identity
        );
        let err = Compression::from_header(&HeaderValue::from_static("snappy")).unwrap_err();
        assert_eq!(err.code(), crate::Code::Unimplemented);
        assert!(err.message().contains("snappy"));
    }
}
