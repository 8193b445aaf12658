//! Opening a TCP connection for a client: to the URL's host, or to one
//! chosen address of it (load balancing), within the connect timeout.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::transport::BoxError;

/// How connections are opened.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Dial {
    /// How long opening a connection (TCP and TLS handshake) may take.
    pub connect_timeout: Option<Duration>,
    /// Connect here rather than to what the URL's host resolves to; the
    /// host still names the server (the `Host` header, TLS's SNI).
    pub pinned: Option<SocketAddr>,
}

impl Dial {
    /// Runs `connect` (TCP, then TLS if any) within the connect timeout.
    pub(crate) async fn within_timeout<T>(
        &self,
        host: &str,
        port: u16,
        connect: impl std::future::Future<Output = Result<T, BoxError>>,
    ) -> Result<T, BoxError> {
        match self.connect_timeout {
            None => connect.await,
            Some(limit) => match tokio::time::timeout(limit, connect).await {
                Ok(result) => result,
                Err(_) => Err(format!(
                    "could not connect to {} within the connect timeout of {limit:?}",
                    self.describe(host, port)
                )
                .into()),
            },
        }
    }

    /// Opens the TCP connection.
    pub(crate) async fn tcp(&self, host: &str, port: u16) -> Result<TcpStream, BoxError> {
        let result = match self.pinned {
            Some(addr) => TcpStream::connect(addr).await,
            None => TcpStream::connect((host, port)).await,
        };
        let tcp =
            result.map_err(|e| format!("cannot connect to {}: {e}", self.describe(host, port)))?;
        crate::tcp::tune(&tcp, Some(CLIENT_TCP_KEEPALIVE));
        Ok(tcp)
    }

    fn describe(&self, host: &str, port: u16) -> String {
        match self.pinned {
            Some(addr) => format!("{host}:{port} at {addr}"),
            None => format!("{host}:{port}"),
        }
    }
}

/// How long a client connection may go without a packet from the server
/// before the kernel checks that the server is still there: a call
/// waiting on a server that vanished ends within about 90 s.
const CLIENT_TCP_KEEPALIVE: std::time::Duration = std::time::Duration::from_secs(60);
