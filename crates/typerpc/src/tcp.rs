//! The options every TCP connection of the server and the client gets:
//! no Nagle delay, and TCP keepalive, which finds a peer that vanished
//! without closing (a crashed host, a dropped network) in the kernel, at
//! no cost per call, where HTTP/2 PINGs would make hyper timestamp every
//! frame.

use std::time::Duration;

use tokio::net::TcpStream;

/// Interval between TCP keepalive probes once they start.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// Unanswered probes after which the kernel closes the connection.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "freebsd"
))]
const KEEPALIVE_RETRIES: u32 = 3;

/// Turns Nagle's delay off (small RPC messages should leave at once) and
/// sets TCP keepalive to start probing after `keepalive` without a packet
/// from the peer (`None`: off). A failure only loses the optimisation or
/// the probe, never the connection, so it is logged and the connection
/// used.
pub(crate) fn tune(stream: &TcpStream, keepalive: Option<Duration>) {
    let _ = stream.set_nodelay(true);
    let Some(idle) = keepalive else {
        return;
    };
    let probes = socket2::TcpKeepalive::new()
        .with_time(idle)
        .with_interval(KEEPALIVE_INTERVAL);
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "freebsd"
    ))]
    let probes = probes.with_retries(KEEPALIVE_RETRIES);
    if let Err(error) = socket2::SockRef::from(stream).set_tcp_keepalive(&probes) {
        tracing::debug!(%error, "could not set TCP keepalive");
    }
}
