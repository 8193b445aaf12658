//! zstd's compression and decompression contexts, kept per thread.
//!
//! Creating a context allocates and initialises some hundreds of KiB of
//! tables: for a message of 1 KiB that is most of the work (9–11 µs to
//! compress and 8–9 µs to decompress, against 1–3 µs and 0.4–1.5 µs with
//! a context kept).
//! So each thread keeps one of each, made on first use and reset between
//! messages, as zstd's own documentation advises. A context grows to fit
//! the largest message it has handled and keeps that size.

use std::cell::RefCell;
use std::io::{self, Read};

use zstd::bulk::Compressor;
use zstd::stream::raw::{self, DParameter, InBuffer, Operation, OutBuffer, WriteBuf};

thread_local! {
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<raw::Decoder<'static>>> = const { RefCell::new(None) };
}

/// Compresses `data` into one frame at `level`, with this thread's context.
pub(super) fn compress(data: &[u8], level: i32) -> io::Result<Vec<u8>> {
    COMPRESSOR.with(|slot| {
        // Nothing here calls back into this module, so the slot is never
        // borrowed twice; were it, a context of its own does the work.
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return zstd::bulk::compress(data, level);
        };
        let compressor = match &mut *slot {
            Some(compressor) => compressor,
            None => slot.insert(Compressor::new(level)?),
        };
        compressor.compress(data)
    })
}

/// Calls `read` with a reader of `data` decompressed, with this thread's
/// context, which refuses frames whose window is over `2^window_log`.
pub(super) fn decompress<T>(
    data: &[u8],
    window_log: u32,
    read: impl FnOnce(&mut dyn Read) -> T,
) -> io::Result<T> {
    // Taken out of the slot while in use: a nested call (none today) would
    // make a context of its own rather than share this one.
    let kept = DECOMPRESSOR.with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()));
    let mut decoder = match kept {
        Some(decoder) => decoder,
        None => raw::Decoder::new()?,
    };
    // A context left mid-frame by a broken message starts clean.
    decoder.reinit()?;
    decoder.set_parameter(DParameter::WindowLogMax(window_log))?;
    let result = read(&mut zstd::stream::zio::Reader::new(
        data,
        Lent(&mut decoder),
    ));
    DECOMPRESSOR.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(decoder);
        }
    });
    Ok(result)
}

/// The thread's decoder, lent to one reader.
struct Lent<'a>(&'a mut raw::Decoder<'static>);

impl Operation for Lent<'_> {
    fn run<C: WriteBuf + ?Sized>(
        &mut self,
        input: &mut InBuffer<'_>,
        output: &mut OutBuffer<'_, C>,
    ) -> io::Result<usize> {
        self.0.run(input, output)
    }

    fn flush<C: WriteBuf + ?Sized>(&mut self, output: &mut OutBuffer<'_, C>) -> io::Result<usize> {
        self.0.flush(output)
    }

    fn reinit(&mut self) -> io::Result<()> {
        self.0.reinit()
    }

    fn finish<C: WriteBuf + ?Sized>(
        &mut self,
        output: &mut OutBuffer<'_, C>,
        finished_frame: bool,
    ) -> io::Result<usize> {
        self.0.finish(output, finished_frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8], window_log: u32) -> io::Result<Vec<u8>> {
        decompress(data, window_log, |reader| {
            let mut out = Vec::new();
            reader.read_to_end(&mut out).map(|_| out)
        })?
    }

    #[test]
    fn contexts_are_reused_across_messages_and_after_broken_ones() {
        let messages: Vec<Vec<u8>> = (0..5u8)
            .map(|i| {
                (0..3000u32)
                    .map(|j| (j % (7 + u32::from(i))) as u8)
                    .collect()
            })
            .collect();
        for message in &messages {
            let packed = compress(message, 3).unwrap();
            assert_eq!(zstd::bulk::decompress(&packed, 1 << 20).unwrap(), *message);
            assert_eq!(read_all(&packed, 23).unwrap(), *message);
        }
        // A broken frame fails, and the next message still reads.
        let packed = compress(&messages[0], 3).unwrap();
        assert!(read_all(&packed[..packed.len() / 2], 23).is_err());
        assert!(read_all(b"not zstd at all", 23).is_err());
        assert_eq!(read_all(&packed, 23).unwrap(), messages[0]);
        // The window bound holds on a kept context: a streamed frame of
        // 3 MB at level 1 has a 512 KiB window (2^19), refused under a
        // 64 KiB bound, then read under a wider one.
        let big: Vec<u8> = (0..3_000_000u32)
            .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let wide = zstd::stream::encode_all(&big[..], 1).unwrap();
        assert!(read_all(&wide, 16).is_err());
        assert_eq!(read_all(&wide, 23).unwrap(), big);
    }
}
