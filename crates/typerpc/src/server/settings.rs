//! The bounds a server puts on its connections, and the HTTP/2 tuning,
//! with defaults that keep a misbehaving or hostile client from holding
//! the server's memory, descriptors or tasks.

use std::time::Duration;

/// Connection-level settings: bounds that protect the server and the
/// HTTP/2 tuning that makes it fast.
///
/// Every timer closes only the connection (or ends only the call) it
/// concerns; other clients are served meanwhile. Change a few fields and
/// keep the other defaults:
///
/// ```
/// use std::time::Duration;
/// let settings = typerpc::server::ConnectionSettings {
///     max_connections: 50_000,
///     idle_timeout: Some(Duration::from_secs(600)),
///     ..Default::default()
/// };
/// let server = typerpc::Server::new().connection_settings(settings);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Concurrent HTTP/2 streams (calls) per connection (default 256).
    pub max_concurrent_streams: u32,
    /// Largest HTTP/2 header block a client may send, in bytes (default 16 KiB).
    pub max_header_list_size: u32,
    /// Most headers an HTTP/1.1 request may carry (default 100); more is 431.
    pub max_http1_headers: usize,
    /// How often to send an HTTP/2 PING when the client has sent nothing
    /// (default `None`: no pings). [`tcp_keepalive`](Self::tcp_keepalive)
    /// already finds peers that vanished, in the kernel and at no cost per
    /// call, whereas hyper timestamps every frame while pings are on (about
    /// 2 % of the CPU of a small call). Set it when something between client
    /// and server (an HTTP/2 proxy) closes connections that carry no frames.
    pub keep_alive_interval: Option<Duration>,
    /// How long to wait for a ping's answer before closing (default 20 s).
    pub keep_alive_timeout: Duration,
    /// How long a connection may go without a packet from its peer before
    /// the kernel starts checking that the peer is still there (TCP
    /// keepalive; default 60 s, `None` off). Probes follow every 10 s and
    /// the third unanswered one closes the connection, so a client that
    /// vanished without closing (a crashed host, a dropped network) frees
    /// its connection, and ends its calls, about 90 s after its last
    /// packet, even while a long call waits with nothing to send.
    pub tcp_keepalive: Option<Duration>,
    /// HTTP/2 flow-control window per stream (default 1 MiB), and per
    /// connection (twice that): small RPC streams never wait on window
    /// updates.
    pub stream_window: u32,
    /// Most connections open at once (default 4,096). At the limit the
    /// server stops accepting: new connections wait in the kernel's
    /// listen backlog (and, once that is full, are refused by it) until a
    /// connection closes. Connections already open keep being served.
    /// Each idle connection costs some tens of KiB and a file descriptor;
    /// raise the limit together with the process's descriptor limit.
    pub max_connections: usize,
    /// How long a new connection may take to show which HTTP version it
    /// speaks, i.e. to send the first bytes of an HTTP/1.1 request or the
    /// whole 24-byte HTTP/2 preface (default 10 s). With TLS this counts
    /// after the TLS handshake, which has a bound of its own
    /// ([`tls_handshake_timeout`](Self::tls_handshake_timeout)).
    /// Past it the connection is closed without an answer.
    pub preface_timeout: Duration,
    /// How long an HTTP/2 client may take, after its preface, to send its
    /// first frame, the SETTINGS frame the protocol requires (default
    /// 10 s). Past it the connection is closed.
    pub http2_handshake_timeout: Duration,
    /// How long an HTTP/1.1 request head may take to arrive, from the
    /// moment the server waits for it (the connection's first byte, or the
    /// end of the previous response; default 30 s): it bounds slowloris
    /// clients that send headers a byte at a time, and keep-alive
    /// connections waiting for their next request. Past it the connection
    /// is closed.
    pub http1_header_read_timeout: Duration,
    /// How long a connection may stay open with no call in flight
    /// (default 120 s; `None` never closes one for that). An HTTP/2
    /// connection is then sent GOAWAY, an HTTP/1.1 one is closed; clients
    /// reconnect on their next call. Long calls (a server stream with
    /// nothing to say) are in flight, so they are not idle.
    pub idle_timeout: Option<Duration>,
    /// How long a request body may stall (default 30 s; `None` never):
    /// the body of a unary call must arrive whole within it from the
    /// moment the server first waits for it, and a message of a streaming
    /// call must arrive whole within it once its first byte has come.
    /// Streams may pause as long as they like between whole messages.
    /// A stalled call ends with `deadline_exceeded`, logged at `INFO`.
    pub request_body_timeout: Option<Duration>,
    /// Most calls in flight at once across every connection (default
    /// `None`: bounded only by the connections and their streams). Past
    /// it a new call is answered at once with `resource_exhausted` in its
    /// protocol (HTTP 429 for Connect), so that an overloaded server
    /// keeps answering, quickly, instead of queueing calls until their
    /// clients give up. A streaming call is in flight until its last
    /// message is sent. Set it near the load the service handles with an
    /// acceptable latency.
    pub max_calls_in_flight: Option<usize>,
    /// How long a TLS handshake may take (default 10 s); past it the
    /// connection is closed.
    pub tls_handshake_timeout: Duration,
    /// Most HTTP/2 control frames (PING and SETTINGS, not their
    /// acknowledgements, WINDOW_UPDATE and PRIORITY) a client may send
    /// within a second while the server sends it no HEADERS or DATA
    /// (default 100; `None`: no bound). Each HEADERS or DATA frame the
    /// server sends starts the count again, since clients send these
    /// frames in answer to the server's (a PING to measure bandwidth each
    /// time data arrives, WINDOW_UPDATEs as they read). One more is a
    /// flood: the connection is sent GOAWAY with `ENHANCE_YOUR_CALM` and
    /// closed, its calls cancelled, and the server logs it at `INFO`.
    pub max_http2_control_frames_per_second: Option<u32>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            max_concurrent_streams: 256,
            max_header_list_size: 16 * 1024,
            max_http1_headers: 100,
            keep_alive_interval: None,
            keep_alive_timeout: Duration::from_secs(20),
            tcp_keepalive: Some(Duration::from_secs(60)),
            stream_window: 1024 * 1024,
            max_connections: 4096,
            preface_timeout: Duration::from_secs(10),
            http2_handshake_timeout: Duration::from_secs(10),
            http1_header_read_timeout: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(120)),
            request_body_timeout: Some(Duration::from_secs(30)),
            max_calls_in_flight: None,
            tls_handshake_timeout: Duration::from_secs(10),
            max_http2_control_frames_per_second: Some(100),
        }
    }
}
