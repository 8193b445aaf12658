//! Following an HTTP/2 connection's frames in the bytes it carries, and the
//! bound on control frames that a client may send while it gets no answer.
//!
//! hyper's HTTP/2 (the h2 crate) answers every PING and SETTINGS frame and
//! takes every WINDOW_UPDATE and PRIORITY frame, one at a time, so a flood
//! of them cannot grow the server's memory, but each costs the server a
//! little work and an answer to write: a client that does nothing but send
//! them keeps a core busy and slows every other client down. Real clients
//! send few of them, except in answer to the server: grpc-go and hyper
//! clients send a PING to measure the bandwidth each time DATA arrives
//! (up to one per round trip while a download runs), and WINDOW_UPDATE
//! frames as they read. So, as grpc-go's server does with its ping
//! "strikes", control frames count only while the server sends no HEADERS
//! or DATA, and each HEADERS or DATA frame the server sends starts the
//! count again. Past the bound, the connection is sent GOAWAY with
//! ENHANCE_YOUR_CALM and closed.

/// Frame types (RFC 9113, section 6).
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const PRIORITY: u8 = 0x2;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
/// The ACK flag of PING and SETTINGS: an answer, not a request.
const ACK: u8 = 0x1;
/// The error code of a GOAWAY sent to a client that overloads the server.
const ENHANCE_YOUR_CALM: u32 = 0xb;
/// What the GOAWAY says, for the client's logs.
const GOAWAY_REASON: &[u8] = b"too many control frames";
/// The window over which control frames are counted, in milliseconds.
const WINDOW_MS: u64 = 1000;

/// The 9-byte head of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameHead {
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) stream: u32,
}

impl FrameHead {
    /// Frames that ask the server for work or an answer without being a
    /// call: PING and SETTINGS (not their acknowledgements), WINDOW_UPDATE
    /// and PRIORITY.
    fn is_control(self) -> bool {
        match self.kind {
            PING | SETTINGS => self.flags & ACK == 0,
            WINDOW_UPDATE | PRIORITY => true,
            _ => false,
        }
    }

    /// Frames that carry a call's answer: they start the count again.
    fn is_answer(self) -> bool {
        matches!(self.kind, HEADERS | DATA)
    }
}

/// Where one direction of an HTTP/2 connection is in its frames, whatever
/// the sizes of the reads or writes that carry them. Following costs a
/// few comparisons per frame: payloads are skipped, not read.
#[derive(Debug, Default)]
pub(crate) struct FrameCursor {
    /// The current frame's head, as far as it has come.
    head: [u8; 9],
    /// How many bytes of `head` have come (0 while in a payload).
    seen: usize,
    /// How many bytes of the current frame's payload are still to come.
    left: usize,
}

impl FrameCursor {
    /// Follows `bytes`, the next bytes of this direction, calling `on_head`
    /// with each frame head as soon as it is whole.
    #[inline]
    pub(crate) fn follow(&mut self, bytes: &[u8], mut on_head: impl FnMut(FrameHead)) {
        let mut at = 0;
        if self.seen > 0 {
            // A head split between two reads (or writes): rare.
            let n = (9 - self.seen).min(bytes.len());
            self.head[self.seen..self.seen + n].copy_from_slice(&bytes[..n]);
            self.seen += n;
            if self.seen < 9 {
                return;
            }
            self.seen = 0;
            at = n;
            let head = self.head;
            self.left = self.begin(&head, &mut on_head);
        }
        loop {
            // Skip the payload, then read the next head.
            let skip = self.left.min(bytes.len() - at);
            self.left -= skip;
            at += skip;
            let rest = &bytes[at..];
            if rest.is_empty() {
                return;
            }
            let Some(head) = rest.first_chunk::<9>() else {
                self.head[..rest.len()].copy_from_slice(rest);
                self.seen = rest.len();
                return;
            };
            at += 9;
            self.left = self.begin(head, &mut on_head);
        }
    }

    /// A frame's head is whole: says it, and returns its payload's length.
    #[inline]
    fn begin(&self, head: &[u8; 9], on_head: &mut impl FnMut(FrameHead)) -> usize {
        on_head(FrameHead {
            kind: head[3],
            flags: head[4],
            stream: u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff,
        });
        u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize
    }

    /// Whether the bytes so far end exactly where a frame ends: another
    /// frame may be written here without breaking one in two.
    pub(crate) fn at_boundary(&self) -> bool {
        self.seen == 0 && self.left == 0
    }
}

/// The count of a client's control frames against the bound.
#[derive(Debug)]
pub(crate) struct ControlFrameBudget {
    /// Most control frames per window (`None`: no bound).
    limit: Option<u32>,
    /// Control frames since the window started or the server last answered.
    spent: u32,
    /// When the window started, in the connection's milliseconds.
    window_start: u64,
}

impl ControlFrameBudget {
    pub(crate) fn new(limit: Option<u32>) -> ControlFrameBudget {
        ControlFrameBudget {
            limit,
            spent: 0,
            window_start: 0,
        }
    }

    /// Counts a frame the client sent at `now_ms` (asked only for control
    /// frames); false once the client is past the bound.
    pub(crate) fn client_sent(&mut self, head: FrameHead, now_ms: impl FnOnce() -> u64) -> bool {
        let Some(limit) = self.limit else {
            return true;
        };
        if !head.is_control() {
            return true;
        }
        let now = now_ms();
        if now.saturating_sub(self.window_start) >= WINDOW_MS {
            self.window_start = now;
            self.spent = 0;
        }
        self.spent += 1;
        self.spent <= limit
    }

    /// Notes a frame the server sent: an answer starts the count again.
    pub(crate) fn server_sent(&mut self, head: FrameHead) {
        if head.is_answer() {
            self.spent = 0;
        }
    }
}

/// A GOAWAY frame with ENHANCE_YOUR_CALM, saying that streams up to
/// `last_stream` may have been processed.
pub(crate) fn enhance_your_calm(last_stream: u32) -> Vec<u8> {
    let len = 8 + GOAWAY_REASON.len();
    let mut frame = Vec::with_capacity(9 + len);
    frame.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    frame.extend_from_slice(&[GOAWAY, 0, 0, 0, 0, 0]);
    frame.extend_from_slice(&(last_stream & 0x7fff_ffff).to_be_bytes());
    frame.extend_from_slice(&ENHANCE_YOUR_CALM.to_be_bytes());
    frame.extend_from_slice(GOAWAY_REASON);
    frame
}

/// Whether `head` opens a stream of the client's (a request's HEADERS).
pub(crate) fn opens_client_stream(head: FrameHead) -> bool {
    head.kind == HEADERS && head.stream % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let mut frame = (payload.len() as u32).to_be_bytes()[1..].to_vec();
        frame.extend_from_slice(&[kind, flags]);
        frame.extend_from_slice(&stream.to_be_bytes());
        frame.extend_from_slice(payload);
        frame
    }

    fn heads(chunks: &[&[u8]]) -> (Vec<FrameHead>, FrameCursor) {
        let mut cursor = FrameCursor::default();
        let mut heads = Vec::new();
        for chunk in chunks {
            cursor.follow(chunk, |head| heads.push(head));
        }
        (heads, cursor)
    }

    #[test]
    fn frames_are_found_however_the_bytes_are_split() {
        let mut bytes = frame(SETTINGS, 0, 0, &[0, 3, 0, 0, 0, 100]);
        bytes.extend(frame(HEADERS, 0x4, 1, b"headers"));
        bytes.extend(frame(PING, ACK, 0, &[0; 8]));
        bytes.extend(frame(DATA, 0x1, 1, &[]));
        let expected = vec![
            FrameHead {
                kind: SETTINGS,
                flags: 0,
                stream: 0,
            },
            FrameHead {
                kind: HEADERS,
                flags: 0x4,
                stream: 1,
            },
            FrameHead {
                kind: PING,
                flags: ACK,
                stream: 0,
            },
            FrameHead {
                kind: DATA,
                flags: 0x1,
                stream: 1,
            },
        ];
        let (whole, cursor) = heads(&[&bytes]);
        assert_eq!(whole, expected);
        assert!(cursor.at_boundary());
        for split in 1..bytes.len() {
            let (parts, cursor) = heads(&[&bytes[..split], &bytes[split..]]);
            assert_eq!(parts, expected, "split at {split}");
            assert!(cursor.at_boundary());
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(heads(&singles).0, expected);
        // Mid-frame (in a head or a payload) is no boundary.
        for end in [5, 12, 24] {
            let (_, cursor) = heads(&[&bytes[..end]]);
            assert!(!cursor.at_boundary(), "{end}");
        }
        let (_, cursor) = heads(&[&bytes[..15]]);
        assert!(cursor.at_boundary());
    }

    #[test]
    fn control_frames_count_until_the_server_answers() {
        let ping = FrameHead {
            kind: PING,
            flags: 0,
            stream: 0,
        };
        let mut budget = ControlFrameBudget::new(Some(3));
        assert!((0..3).all(|_| budget.client_sent(ping, || 10)));
        assert!(!budget.client_sent(ping, || 20));
        // An answer (DATA or HEADERS) starts the count again; acks do not.
        budget.server_sent(FrameHead {
            kind: PING,
            flags: ACK,
            stream: 0,
        });
        assert!(!budget.client_sent(ping, || 30));
        budget.server_sent(FrameHead {
            kind: DATA,
            flags: 0,
            stream: 1,
        });
        assert!((0..3).all(|_| budget.client_sent(ping, || 40)));
        // So does a new window.
        assert!(budget.client_sent(ping, || 10 + WINDOW_MS));
        // Acknowledgements and calls are not control frames.
        let ack = FrameHead {
            kind: SETTINGS,
            flags: ACK,
            stream: 0,
        };
        let call = FrameHead {
            kind: HEADERS,
            flags: 0x4,
            stream: 3,
        };
        let mut budget = ControlFrameBudget::new(Some(0));
        assert!(budget.client_sent(ack, || 0) && budget.client_sent(call, || 0));
        let update = FrameHead {
            kind: WINDOW_UPDATE,
            flags: 0,
            stream: 0,
        };
        assert!(!budget.client_sent(update, || 0));
        // No bound: never past it.
        let mut budget = ControlFrameBudget::new(None);
        assert!((0..10_000).all(|_| budget.client_sent(ping, || 0)));
    }

    #[test]
    fn the_goaway_names_the_last_stream_and_enhance_your_calm() {
        let frame = enhance_your_calm(7);
        let (heads, _) = heads(&[&frame]);
        assert_eq!(
            heads,
            vec![FrameHead {
                kind: GOAWAY,
                flags: 0,
                stream: 0
            }]
        );
        assert_eq!(&frame[9..13], &7u32.to_be_bytes());
        assert_eq!(&frame[13..17], &ENHANCE_YOUR_CALM.to_be_bytes());
        assert_eq!(&frame[17..], GOAWAY_REASON);
    }
}
