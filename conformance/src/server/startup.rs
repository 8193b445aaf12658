//! Starting the server under test as the suite's runner asks: the
//! size-delimited `ServerCompatRequest` in, a listening server on an
//! ephemeral port, the size-delimited `ServerCompatResponse` out.

use std::future::Future;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use typerpc::server::{TlsConfig, TlsError};
use typerpc::{Message, Router, Server};

use super::ConformanceService;
use crate::types::*;

/// The largest message accepted when the runner sets no receive limit:
/// large enough for every payload the suite sends.
const UNLIMITED_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Why the server under test could not start.
#[derive(Debug)]
pub enum StartupError {
    /// Reading the request or writing the response failed.
    Io(std::io::Error),
    /// The request is not a valid `ServerCompatRequest`.
    Decode(typerpc::DecodeError),
    /// TLS was asked for without credentials, or they are unusable.
    Tls(String),
}

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartupError::Io(e) => write!(f, "I/O error: {e}"),
            StartupError::Decode(e) => write!(f, "the ServerCompatRequest does not decode: {e}"),
            StartupError::Tls(e) => write!(f, "TLS: {e}"),
        }
    }
}

impl std::error::Error for StartupError {}

impl From<std::io::Error> for StartupError {
    fn from(e: std::io::Error) -> Self {
        StartupError::Io(e)
    }
}

impl From<TlsError> for StartupError {
    fn from(e: TlsError) -> Self {
        StartupError::Tls(e.to_string())
    }
}

/// Reads one size-delimited message: a big-endian `u32` length, then the
/// message.
pub fn read_delimited<M: Message>(mut input: impl Read) -> Result<M, StartupError> {
    let mut length = [0u8; 4];
    input.read_exact(&mut length)?;
    let mut bytes = vec![0u8; u32::from_be_bytes(length) as usize];
    input.read_exact(&mut bytes)?;
    M::decode(&bytes[..]).map_err(StartupError::Decode)
}

/// Writes one size-delimited message and flushes.
pub fn write_delimited<M: Message>(
    mut output: impl Write,
    message: &M,
) -> Result<(), StartupError> {
    let bytes = message.encode_to_vec();
    let length = u32::try_from(bytes.len())
        .map_err(|_| StartupError::Io(std::io::Error::other("the message is over 4 GiB")))?;
    output.write_all(&length.to_be_bytes())?;
    output.write_all(&bytes)?;
    output.flush()?;
    Ok(())
}

/// The router of the server under test: the conformance service, the
/// receive limit, and every conformance message registered so JSON can
/// carry them in `Any` (error details, echoed requests).
pub fn router(request: &ServerCompatRequest) -> Router {
    let limit = match request.message_receive_limit {
        0 => UNLIMITED_MESSAGE_BYTES,
        limit => limit as usize,
    };
    Router::new()
        .add(ConformanceService)
        .max_message_size(limit)
        .register_type::<ConformancePayloadRequestInfo>()
        .register_type::<ConformancePayload>()
        .register_type::<Header>()
        .register_type::<Error>()
        .register_type::<UnaryResponseDefinition>()
        .register_type::<StreamResponseDefinition>()
        .register_type::<RawHttpRequest>()
        .register_type::<RawHttpResponse>()
        .register_type::<ClientCompatRequest>()
        .register_type::<ClientCompatResponse>()
        .register_type::<ServerCompatRequest>()
        .register_type::<ServerCompatResponse>()
}

/// The TLS settings a request asks for, if any: the runner's credentials,
/// and its client certificate as the only trusted client CA.
fn tls(request: &ServerCompatRequest) -> Result<Option<TlsConfig>, StartupError> {
    if !request.use_tls {
        return Ok(None);
    }
    let creds = request
        .server_creds
        .as_ref()
        .ok_or_else(|| StartupError::Tls("use_tls is set but server_creds is missing".into()))?;
    let mut config = TlsConfig::from_pem(&creds.cert, &creds.key)?;
    if !request.client_tls_cert.is_empty() {
        config = config.require_client_certificates(&request.client_tls_cert)?;
    }
    Ok(Some(config))
}

/// A server under test, listening, not yet serving.
#[derive(Debug)]
pub struct Started {
    /// What to tell the runner: where the server listens and its certificate.
    pub response: ServerCompatResponse,
    server: Server,
    listener: TcpListener,
}

impl Started {
    /// Serves (HTTP/1.1 and HTTP/2 on the one port, TLS if asked) until
    /// `shutdown` completes; calls in flight get a second to finish.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), typerpc::Error> {
        self.server.serve_on(self.listener, shutdown).await
    }
}

/// Starts listening on 127.0.0.1, port 0, as `request` asks.
pub async fn start(request: &ServerCompatRequest) -> Result<Started, StartupError> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let port = listener.local_addr()?.port();
    let mut server = Server::new()
        .configure(|_| router(request))
        .grace_period(Duration::from_secs(1));
    let tls = tls(request)?;
    let pem_cert = match (&tls, &request.server_creds) {
        (Some(_), Some(creds)) => creds.cert.clone(),
        _ => Vec::new(),
    };
    if let Some(tls) = tls {
        server = server.tls(tls);
    }
    Ok(Started {
        response: ServerCompatResponse {
            host: "127.0.0.1".into(),
            port: u32::from(port),
            pem_cert,
        },
        server,
        listener,
    })
}
