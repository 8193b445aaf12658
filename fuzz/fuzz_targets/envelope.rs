//! The envelope reader: any bytes, arriving in any chunks, under any
//! limit. Frames come out whole and in order, never over the limit,
//! however the bytes were cut; a compressed frame decompresses within the
//! limit or is an error; the body is accepted at its end only if every
//! byte was part of a frame.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use typerpc::protocol::compression::Compression;
use typerpc::protocol::envelope::{EnvelopeDecoder, Frame, HEADER_LEN};
use typerpc_fuzz::service::chunks;

/// Every frame, then how the body ended.
fn decode(limit: usize, pieces: Vec<Bytes>) -> (Vec<(u8, Vec<u8>)>, Result<(), String>) {
    let mut decoder = EnvelopeDecoder::new(limit);
    let mut frames = Vec::new();
    for piece in pieces {
        decoder.push(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => frames.push(check(limit, frame)),
                Ok(None) => break,
                Err(status) => return (frames, Err(status.message().to_owned())),
            }
        }
    }
    let end = decoder.finish().map_err(|s| s.message().to_owned());
    (frames, end)
}

fn check(limit: usize, frame: Frame) -> (u8, Vec<u8>) {
    assert!(frame.payload().len() <= limit);
    if frame.is_compressed() {
        for compression in [Compression::Gzip, Compression::Zstd] {
            if let Ok(out) = compression.decompress(frame.payload(), limit) {
                assert!(out.len() <= limit, "decompressed past the limit");
            }
        }
    }
    (frame.flags(), frame.payload().to_vec())
}

fuzz_target!(|data: &[u8]| {
    let [limit_byte, cut, rest @ ..] = data else {
        return;
    };
    let limit = match limit_byte % 4 {
        0 => 0,
        1 => usize::from(*limit_byte),
        2 => 4096,
        _ => 4 * 1024 * 1024,
    };
    let (whole, whole_end) = decode(limit, vec![Bytes::copy_from_slice(rest)]);
    let sizes = [*cut, cut.wrapping_mul(7), 0, cut.rotate_left(3)];
    let (cut_up, cut_end) = decode(limit, chunks(rest, &sizes));
    assert_eq!(whole, cut_up, "the frames depend on how the bytes were cut");
    assert_eq!(whole_end.is_ok(), cut_end.is_ok());
    if whole_end.is_ok() {
        let used: usize = whole.iter().map(|(_, p)| HEADER_LEN + p.len()).sum();
        assert_eq!(used, rest.len(), "an accepted body is all frames");
    }
});
