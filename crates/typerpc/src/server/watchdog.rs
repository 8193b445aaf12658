//! The timers of one connection: until it shows its HTTP version, until
//! its HTTP/2 handshake is done, while an HTTP/1.1 connection waits for a
//! request head, and while it has no call in flight.
//!
//! hyper bounds nothing before it knows the version, nothing in the HTTP/2
//! handshake and nothing on a connection that simply stays open: a client
//! could hold a task and a descriptor forever by sending nothing, or only
//! part of a preface. hyper can bound an HTTP/1.1 request head, but it
//! arms a timer of its own for every request (an allocation and two
//! timer-wheel updates, some 8 % of a small call's work), whereas an
//! HTTP/1.1 connection with no call in flight is, by the protocol's
//! order, exactly one waiting for its next head: the same bound as the
//! idle timeout, shorter. The watchdog learns how far a connection has got
//! from the bytes it reads ([`Sniffed`]) and how many calls it has in
//! flight ([`CallGuard`]), and closes it once a bound has passed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use super::due_sleep::DueSleep;
use super::http2_frames::{self, ControlFrameBudget, FrameCursor};
use super::settings::ConnectionSettings;

/// The HTTP/2 connection preface.
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How long a connection the watchdog closes gracefully (GOAWAY, or the
/// end of a keep-alive) has to go before it is dropped: a client that does
/// not read could otherwise hold the goodbye forever.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// How far a connection has got.
const DETECTING: u8 = 0;
const HTTP2_HANDSHAKE: u8 = 1;
const ESTABLISHED: u8 = 2;

/// `idle_since` while calls are in flight, or the last one is ending.
const BUSY: u64 = u64::MAX;

/// What the watchdog, the connection's reader and its calls share.
#[derive(Debug)]
pub(crate) struct Activity {
    born: Instant,
    phase: AtomicU8,
    /// When `phase` last changed, in ms since `born`.
    phase_at: AtomicU64,
    in_flight: AtomicUsize,
    /// Set once the connection showed HTTP/1.1.
    http1: AtomicBool,
    /// When the last call in flight ended, in ms since `born`; [`BUSY`]
    /// from the moment a call starts with none in flight. Only the last
    /// call to end reads the clock, so most HTTP/2 calls read none.
    idle_since: AtomicU64,
    /// Wakes the watchdog when `phase` changes: its next bound counts
    /// from then.
    entered: tokio::sync::Notify,
}

impl Activity {
    pub(crate) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            born: Instant::now(),
            phase: AtomicU8::new(DETECTING),
            phase_at: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            http1: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            entered: tokio::sync::Notify::new(),
        })
    }

    fn now_ms(&self) -> u64 {
        self.born.elapsed().as_millis() as u64
    }

    fn at(&self, ms: u64) -> Instant {
        self.born + Duration::from_millis(ms)
    }

    fn enter(&self, phase: u8) {
        let now = self.now_ms();
        self.phase_at.store(now, Ordering::Relaxed);
        if phase == ESTABLISHED {
            self.idle_since.store(now, Ordering::Relaxed);
        }
        self.phase.store(phase, Ordering::Release);
        self.entered.notify_one();
    }

    /// Counts a call as in flight until the guard is dropped (with the
    /// response body, or with the call's future if the client left).
    pub(crate) fn call(self: &Arc<Self>) -> CallGuard {
        if self.in_flight.fetch_add(1, Ordering::Relaxed) == 0 {
            self.idle_since.store(BUSY, Ordering::Relaxed);
        }
        CallGuard(Arc::clone(self))
    }
}

/// A call in flight on a connection.
#[derive(Debug)]
pub(crate) struct CallGuard(Arc<Activity>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        // The count drops first, then the last call out stores the time;
        // in between, a watchdog sees no call in flight and `BUSY`, which
        // it reads as "ended just now".
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle_since.store(self.0.now_ms(), Ordering::Release);
        }
    }
}

/// A response body that keeps its call counted until hyper is done with
/// it (a streaming response is a call in flight until its end).
pub(crate) struct Counted<B> {
    body: B,
    _call: CallGuard,
    /// The call's place under the server's bound on calls in flight.
    _admitted: Option<super::call_limit::Admitted>,
}

impl<B> Counted<B> {
    pub(crate) fn new(
        body: B,
        call: CallGuard,
        admitted: Option<super::call_limit::Admitted>,
    ) -> Counted<B> {
        Counted {
            body,
            _call: call,
            _admitted: admitted,
        }
    }
}

impl<B: http_body::Body + Unpin> http_body::Body for Counted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// What the connection's first bytes have shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniff {
    /// This many bytes matched the HTTP/2 preface so far.
    Preface(usize),
    /// HTTP/2: its frames are followed both ways.
    Http2,
    /// HTTP/1.1: nothing more to look at.
    Http1,
}

/// The connection's transport, watched: its first bytes say whether it
/// speaks HTTP/1.1 or HTTP/2 and when the HTTP/2 client's first frame is
/// in; afterwards an HTTP/2 connection's frames are followed both ways to
/// bound the control frames its client sends (see [`http2_frames`]).
/// Reading HTTP/1.1 then costs one comparison more, HTTP/2 a few per frame.
pub(crate) struct Sniffed<IO> {
    io: IO,
    sniff: Sniff,
    activity: Arc<Activity>,
    /// The client's frames, after its preface.
    inbound: FrameCursor,
    /// The server's frames.
    outbound: FrameCursor,
    budget: ControlFrameBudget,
    /// The highest stream the client opened, for a GOAWAY.
    last_stream: u32,
    /// How many frame heads the client has sent (saturating).
    heads: u8,
    /// Whether the client's first frame is whole.
    handshaken: bool,
    /// Set once the client went past the bound on control frames: the
    /// connection then fails every read and write.
    flooded: bool,
    peer: std::net::SocketAddr,
}

impl<IO> Sniffed<IO> {
    pub(crate) fn new(
        io: IO,
        activity: Arc<Activity>,
        settings: &ConnectionSettings,
        peer: std::net::SocketAddr,
    ) -> Sniffed<IO> {
        Sniffed {
            io,
            sniff: Sniff::Preface(0),
            activity,
            inbound: FrameCursor::default(),
            outbound: FrameCursor::default(),
            budget: ControlFrameBudget::new(settings.max_http2_control_frames_per_second),
            last_stream: 0,
            heads: 0,
            handshaken: false,
            flooded: false,
            peer,
        }
    }

    /// Looks at bytes just read from the client.
    fn look(&mut self, mut bytes: &[u8]) {
        if let Sniff::Preface(matched) = &mut self.sniff {
            let want = &PREFACE[*matched..];
            let n = want.len().min(bytes.len());
            if bytes[..n] != want[..n] {
                // Not HTTP/2: hyper serves it as HTTP/1.1, and the
                // header read timeout takes over.
                self.sniff = Sniff::Http1;
                self.activity.http1.store(true, Ordering::Relaxed);
                self.activity.enter(ESTABLISHED);
                return;
            }
            *matched += n;
            bytes = &bytes[n..];
            if *matched < PREFACE.len() {
                return;
            }
            self.sniff = Sniff::Http2;
            self.activity.enter(HTTP2_HANDSHAKE);
        }
        if self.sniff != Sniff::Http2 {
            return;
        }
        let Sniffed {
            inbound,
            budget,
            activity,
            last_stream,
            flooded,
            heads,
            ..
        } = self;
        inbound.follow(bytes, |head| {
            *heads = heads.saturating_add(1);
            if http2_frames::opens_client_stream(head) {
                *last_stream = (*last_stream).max(head.stream);
            }
            if !budget.client_sent(head, || activity.now_ms()) {
                *flooded = true;
            }
        });
        if !self.handshaken && (self.heads > 1 || self.heads == 1 && self.inbound.at_boundary()) {
            // The client's first frame (its SETTINGS) is in.
            self.handshaken = true;
            self.activity.enter(ESTABLISHED);
        }
    }

    /// Notes bytes just written to the client.
    fn wrote(&mut self, bytes: &[u8]) {
        let budget = &mut self.budget;
        self.outbound.follow(bytes, |head| budget.server_sent(head));
    }

    fn flood_error() -> std::io::Error {
        std::io::Error::other("closed: the client sent too many HTTP/2 control frames")
    }
}

impl<IO: AsyncWrite + Unpin> Sniffed<IO> {
    /// Tells a flooding client why it is closed, if a frame may be written
    /// now (the server's bytes end where a frame ends), without waiting:
    /// the connection fails right after.
    fn say_goodbye(&mut self, cx: &mut Context<'_>) {
        tracing::info!(
            target: LOG_TARGET,
            peer = %self.peer,
            "closing an HTTP/2 connection whose client sent too many control frames \
             (PING, SETTINGS, WINDOW_UPDATE, PRIORITY) without a call being answered"
        );
        if !self.outbound.at_boundary() {
            return;
        }
        let goaway = http2_frames::enhance_your_calm(self.last_stream);
        if let Poll::Ready(Ok(_)) = Pin::new(&mut self.io).poll_write(cx, &goaway) {
            let _ = Pin::new(&mut self.io).poll_flush(cx);
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for Sniffed<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.flooded {
            return Poll::Ready(Err(Self::flood_error()));
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut self.io).poll_read(cx, buf);
        if self.sniff != Sniff::Http1 && buf.filled().len() > before {
            let this = &mut *self;
            this.look(&buf.filled()[before..]);
            if this.flooded {
                this.say_goodbye(cx);
                return Poll::Ready(Err(Self::flood_error()));
            }
        }
        result
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Sniffed<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.flooded {
            return Poll::Ready(Err(Self::flood_error()));
        }
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = result {
            if self.sniff == Sniff::Http2 {
                self.wrote(&buf[..written]);
            }
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        if self.flooded {
            return Poll::Ready(Err(Self::flood_error()));
        }
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(mut written)) = result {
            if self.sniff == Sniff::Http2 {
                for buf in bufs {
                    if written == 0 {
                        break;
                    }
                    let n = written.min(buf.len());
                    self.wrote(&buf[..n]);
                    written -= n;
                }
            }
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Why the watchdog closes a connection.
#[derive(Debug)]
enum Verdict {
    /// Nothing to do before this instant (`None`: ever).
    Wait(Option<Instant>),
    /// Close it: no call is in flight (or the client never got that far).
    Close(&'static str),
}

fn verdict(activity: &Activity, settings: &ConnectionSettings) -> Verdict {
    let now = Instant::now();
    let phase_at = activity.at(activity.phase_at.load(Ordering::Relaxed));
    let (deadline, reason) = match activity.phase.load(Ordering::Acquire) {
        DETECTING => (
            Some(phase_at + settings.preface_timeout),
            "no HTTP request or HTTP/2 preface in time",
        ),
        HTTP2_HANDSHAKE => (
            Some(phase_at + settings.http2_handshake_timeout),
            "no HTTP/2 SETTINGS frame after the preface in time",
        ),
        _ => {
            let (bound, reason) = established_bound(activity, settings);
            let Some(bound) = bound else {
                return Verdict::Wait(None);
            };
            if activity.in_flight.load(Ordering::Acquire) > 0 {
                return Verdict::Wait(Some(now + bound));
            }
            let since = match activity.idle_since.load(Ordering::Acquire) {
                BUSY => now,
                ms => activity.at(ms),
            };
            (Some(since + bound), reason)
        }
    };
    match deadline {
        Some(deadline) if deadline > now => Verdict::Wait(Some(deadline)),
        _ => Verdict::Close(reason),
    }
}

/// How long an established connection may go with no call in flight,
/// and why it is closed past that. An HTTP/1.1 connection with no call in
/// flight is waiting for a request head (hyper reads the next one only
/// once the last response is written, and calls the service as soon as a
/// head is whole), so the header read timeout bounds it too.
fn established_bound(
    activity: &Activity,
    settings: &ConnectionSettings,
) -> (Option<Duration>, &'static str) {
    const IDLE: &str = "idle: no call in flight for the idle timeout";
    const HEAD: &str = "no whole HTTP/1.1 request head within the header read timeout";
    let head = settings.http1_header_read_timeout;
    match settings.idle_timeout {
        _ if !activity.http1.load(Ordering::Relaxed) => (settings.idle_timeout, IDLE),
        Some(idle) if idle < head => (Some(idle), IDLE),
        _ => (Some(head), HEAD),
    }
}

/// Serves `connection` until it ends, the server shuts down (`shutdown`
/// changes: a graceful close, as `close` does) or a bound of `settings`
/// passes. `close` starts the connection's graceful close.
pub(crate) async fn watch<C, E>(
    connection: C,
    close: fn(Pin<&mut C>),
    activity: &Activity,
    settings: &ConnectionSettings,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    peer: std::net::SocketAddr,
) -> Result<(), E>
where
    C: Future<Output = Result<(), E>>,
{
    let mut connection = std::pin::pin!(connection);
    let mut shutting_down = *shutdown.borrow();
    if shutting_down {
        close(connection.as_mut());
    }
    // The server's shutdown signal, registered once and then looked at
    // only when its version moved: polling it on every wake of the
    // connection's task (every request over HTTP/1.1) would take a lock
    // each time. The task's waker stays the same, so the registration
    // made by the first poll is the one the signal wakes.
    let probe = shutdown.clone();
    let mut shutdown_changed = std::pin::pin!(shutdown.changed());
    let mut registered = false;
    // Once closing on a timer: when to drop the connection regardless.
    let mut drop_at: Option<Instant> = None;
    let mut next = match verdict(activity, settings) {
        Verdict::Wait(at) => at,
        Verdict::Close(_) => Some(Instant::now()),
    };
    loop {
        // Once established a connection changes phase no more: the phase
        // signal is no longer polled, which would cost a lock on every
        // wake of the connection's task (every request over HTTP/1.1).
        // A change just missed is seen when the timer next fires.
        let established = activity.phase.load(Ordering::Acquire) == ESTABLISHED;
        let timer = async {
            match drop_at.or(next) {
                Some(at) => DueSleep::until(at).await,
                None => std::future::pending().await,
            }
        };
        // `biased`: the connection first, and no random number drawn on
        // every wake to choose where to start.
        tokio::select! {
            biased;
            result = connection.as_mut() => return result,
            changed = std::future::poll_fn(|cx| {
                if registered && matches!(probe.has_changed(), Ok(false)) {
                    return Poll::Pending;
                }
                registered = true;
                shutdown_changed.as_mut().poll(cx)
            }), if !shutting_down => {
                shutting_down = true;
                if changed.is_ok() {
                    close(connection.as_mut());
                }
            }
            () = activity.entered.notified(), if drop_at.is_none() && !established => {
                next = match verdict(activity, settings) {
                    Verdict::Wait(at) => at,
                    Verdict::Close(_) => Some(Instant::now()),
                };
            }
            () = timer => {
                if drop_at.is_some() {
                    tracing::debug!(target: LOG_TARGET, %peer, "dropped a connection that did not finish closing");
                    return Ok(());
                }
                match verdict(activity, settings) {
                    Verdict::Wait(at) => next = at,
                    Verdict::Close(reason) => {
                        tracing::debug!(target: LOG_TARGET, %peer, reason, "closing a connection");
                        if activity.phase.load(Ordering::Acquire) != ESTABLISHED {
                            // Nothing was asked: nothing to say goodbye to.
                            return Ok(());
                        }
                        close(connection.as_mut());
                        drop_at = Some(Instant::now() + CLOSE_GRACE);
                    }
                }
            }
        }
    }
}

/// The target of the server's logs.
const LOG_TARGET: &str = crate::service::telemetry::SERVER_TARGET;

#[cfg(test)]
mod tests {
    use super::*;

    fn sniffed(chunks: &[&[u8]]) -> (Sniff, u8) {
        let activity = Activity::new();
        let settings = ConnectionSettings::default();
        let peer = "127.0.0.1:1".parse().unwrap();
        let mut sniffed = Sniffed::new((), Arc::clone(&activity), &settings, peer);
        for chunk in chunks {
            sniffed.look(chunk);
        }
        (sniffed.sniff, activity.phase.load(Ordering::Relaxed))
    }

    #[test]
    fn http1_is_known_at_its_first_differing_byte() {
        assert_eq!(sniffed(&[b"P"]).1, DETECTING);
        assert_eq!(sniffed(&[b"P", b"OST / HTTP/1.1"]).1, ESTABLISHED);
        assert_eq!(sniffed(&[b"GET"]).1, ESTABLISHED);
    }

    #[test]
    fn http2_is_established_once_its_first_frame_is_in() {
        assert_eq!(sniffed(&[&PREFACE[..10]]).1, DETECTING);
        assert_eq!(sniffed(&[PREFACE]).1, HTTP2_HANDSHAKE);
        // SETTINGS with one 6-byte setting, split everywhere.
        let frame = [0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100];
        assert_eq!(sniffed(&[PREFACE, &frame[..2]]).1, HTTP2_HANDSHAKE);
        assert_eq!(sniffed(&[PREFACE, &frame[..12]]).1, HTTP2_HANDSHAKE);
        let (_, phase) = sniffed(&[&PREFACE[..5], &PREFACE[5..], &frame[..4], &frame[4..]]);
        assert_eq!(phase, ESTABLISHED);
        // An empty SETTINGS frame, in one read with the preface.
        let mut both = PREFACE.to_vec();
        both.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
        assert!(matches!(sniffed(&[&both]), (Sniff::Http2, ESTABLISHED)));
    }

    #[test]
    fn the_idle_bound_counts_from_the_end_of_the_last_call_in_flight() {
        let settings = ConnectionSettings {
            idle_timeout: Some(Duration::from_secs(60)),
            ..ConnectionSettings::default()
        };
        let activity = Activity::new();
        activity.enter(ESTABLISHED);
        let idle_until = |activity: &Activity| match verdict(activity, &settings) {
            Verdict::Wait(Some(at)) => at,
            other => panic!("expected a bound, got {other:?}"),
        };
        let first = activity.call();
        let second = activity.call();
        assert_eq!(activity.idle_since.load(Ordering::Relaxed), BUSY);
        drop(first);
        // One call is still in flight: the time is not read.
        assert_eq!(activity.idle_since.load(Ordering::Relaxed), BUSY);
        std::thread::sleep(Duration::from_millis(20));
        drop(second);
        let ended = activity.idle_since.load(Ordering::Relaxed);
        assert!(
            ended >= 20,
            "the last call ended {ended} ms after the start"
        );
        let bound = idle_until(&activity);
        assert_eq!(bound, activity.at(ended) + Duration::from_secs(60));
        // Between the count reaching zero and the time being stored, the
        // bound counts from now.
        activity.idle_since.store(BUSY, Ordering::Relaxed);
        let before = Instant::now();
        assert!(idle_until(&activity) >= before + Duration::from_secs(60));
        // A new call after an idle spell marks the connection busy again.
        drop(activity.call());
        assert_ne!(activity.idle_since.load(Ordering::Relaxed), BUSY);
    }
}
