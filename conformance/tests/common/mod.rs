//! Driving the server-under-test binary as the suite's runner does, and
//! the glue that lets third-party clients speak our conformance types.

#![allow(dead_code)] // each test file uses a different part

use std::process::{Child, Command, Stdio};

use bytes::{Buf, BufMut, Bytes};
use typerpc::{Any, Message, Status};
use typerpc_conformance::server::{read_delimited, write_delimited};
use typerpc_conformance::*;

/// The server-under-test process; killed when dropped.
pub struct Sut {
    child: Child,
    /// What it wrote to stdout.
    pub response: ServerCompatResponse,
}

impl Sut {
    /// Starts the binary, writes `request` to its stdin and closes it (as
    /// the runner does), and reads its `ServerCompatResponse`.
    pub fn start(request: ServerCompatRequest) -> Sut {
        let mut child = Command::new(env!("CARGO_BIN_EXE_typerpc-conformance-server"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server under test starts");
        let stdin = child.stdin.take().unwrap();
        write_delimited(stdin, &request).unwrap(); // dropped: stdin closes
        let mut stdout = child.stdout.take().unwrap();
        let response: ServerCompatResponse = read_delimited(&mut stdout).unwrap();
        // Nothing else is written to stdout; drain it in the background so
        // a stray print could never block the server.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        Sut { child, response }
    }

    /// Plain HTTP (HTTP/1.1 and h2c), no receive limit.
    pub fn plain() -> Sut {
        Sut::start(plain_request())
    }

    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.response.host, self.response.port)
    }

    /// Sends SIGTERM, as the runner does when it is done, and waits up to
    /// `within` for the process to exit; its exit status, if it did.
    pub fn terminate(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Sut {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the runner sends for a plain-text Connect server over HTTP/2.
pub fn plain_request() -> ServerCompatRequest {
    ServerCompatRequest {
        protocol: Protocol::Connect,
        http_version: HttpVersion::Http2,
        use_tls: false,
        client_tls_cert: Vec::new(),
        message_receive_limit: 0,
        server_creds: None,
    }
}

/// The path of a conformance method.
pub fn path(method: &str) -> String {
    format!("/connectrpc.conformance.v1.ConformanceService/{method}")
}

/// A header entry.
pub fn header(name: &str, values: &[&str]) -> Header {
    Header {
        name: name.into(),
        value: values.iter().map(|v| v.to_string()).collect(),
    }
}

/// The values of `name` among echoed request headers.
pub fn echoed<'a>(headers: &'a [Header], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .flat_map(|h| h.value.iter().map(String::as_str))
        .collect()
}

/// An error definition with one `Header` detail.
pub fn error_definition(code: Code, message: &str) -> Error {
    Error {
        code,
        message: Some(message.into()),
        details: vec![Any::pack(&header("detail", &["given"]))],
    }
}

/// A unary definition answering `data` with headers and trailers.
pub fn unary_data(data: &[u8]) -> UnaryResponseDefinition {
    UnaryResponseDefinition {
        response_headers: vec![header("x-resp-header", &["h1", "h2"])],
        response: Some(UnaryResponseDefinitionResponse::ResponseData(data.to_vec())),
        response_trailers: vec![header("x-resp-trailer", &["t1"])],
        response_delay_ms: 0,
        raw_response: None,
    }
}

/// A stream definition answering these data, then `error` if any.
pub fn stream_definition(data: &[&[u8]], error: Option<Error>) -> StreamResponseDefinition {
    StreamResponseDefinition {
        response_headers: vec![header("x-resp-header", &["h1"])],
        response_data: data.iter().map(|d| d.to_vec()).collect(),
        response_delay_ms: 0,
        error,
        response_trailers: vec![header("x-resp-trailer", &["t1"])],
        raw_response: None,
    }
}

/// A tonic codec that encodes and decodes with the typerpc `Message`
/// implementations: tonic is the client, the types are ours.
pub struct TyperpcCodec<Req, Res>(std::marker::PhantomData<fn(Req) -> Res>);

impl<Req, Res> Default for TyperpcCodec<Req, Res> {
    fn default() -> Self {
        TyperpcCodec(std::marker::PhantomData)
    }
}

/// The encoding half of [`TyperpcCodec`].
pub struct TyperpcEncoder<M>(std::marker::PhantomData<fn(M)>);
/// The decoding half of [`TyperpcCodec`].
pub struct TyperpcDecoder<M>(std::marker::PhantomData<fn() -> M>);

impl<M: Message> tonic::codec::Encoder for TyperpcEncoder<M> {
    type Item = M;
    type Error = tonic::Status;
    fn encode(
        &mut self,
        item: M,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        dst.put_slice(&item.encode_to_vec());
        Ok(())
    }
}

impl<M: Message> tonic::codec::Decoder for TyperpcDecoder<M> {
    type Item = M;
    type Error = tonic::Status;
    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<M>, tonic::Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        M::decode(bytes)
            .map(Some)
            .map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

impl<Req, Res> tonic::codec::Codec for TyperpcCodec<Req, Res>
where
    Req: Message + Send + 'static,
    Res: Message + Send + 'static,
{
    type Encode = Req;
    type Decode = Res;
    type Encoder = TyperpcEncoder<Req>;
    type Decoder = TyperpcDecoder<Res>;
    fn encoder(&mut self) -> Self::Encoder {
        TyperpcEncoder(std::marker::PhantomData)
    }
    fn decoder(&mut self) -> Self::Decoder {
        TyperpcDecoder(std::marker::PhantomData)
    }
}

/// The details a tonic status carries (`grpc-status-details-bin`).
pub fn tonic_details(status: &tonic::Status) -> Vec<Any> {
    let rpc = typerpc::status::RpcStatus::decode(status.details()).expect("details decode");
    assert_eq!(rpc.code, status.code() as i32, "details match the status");
    Status::from(rpc).details().to_vec()
}

/// The envelopes of a Connect streaming or gRPC-Web body: flags and
/// payload, parsed by hand from the specs' five-byte prefix.
pub fn envelopes(mut body: Bytes) -> Vec<(u8, Bytes)> {
    let mut frames = Vec::new();
    while !body.is_empty() {
        assert!(body.len() >= 5, "a truncated envelope prefix");
        let flags = body.get_u8();
        let len = body.get_u32() as usize;
        assert!(body.len() >= len, "a truncated envelope");
        frames.push((flags, body.split_to(len)));
    }
    frames
}

/// The path of an independent peer executable (`scripts/peers` installs
/// them; `TYPERPC_PEERS_DIR` overrides where). Outside CI a missing peer
/// skips the test with a message; with `CI=true` it fails.
pub fn peer(name: &str) -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("TYPERPC_PEERS_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/peers/venv/bin"),
    };
    let found = Some(dir.join(name)).filter(|p| p.exists());
    if found.is_none() {
        let message = format!("peer `{name}` is not installed; run scripts/peers");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}");
        }
        eprintln!("skipping: {message}");
    }
    found
}

/// A self-signed certificate and key, in PEM, shaped like the runner's.
pub fn self_signed(client: bool) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let names = if client {
        Vec::new()
    } else {
        vec!["localhost".to_string(), "127.0.0.1".to_string()]
    };
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![if client {
        rcgen::ExtendedKeyUsagePurpose::ClientAuth
    } else {
        rcgen::ExtendedKeyUsagePurpose::ServerAuth
    }];
    let name = if client {
        "Conformance Client"
    } else {
        "Conformance Server"
    };
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// The runner's TLS material: its server certificate and key, and the
/// certificate and key its client presents.
pub struct Credentials {
    pub server: (String, String),
    pub client: (String, String),
}

/// Starts the binary with TLS as the runner asks for it, requiring the
/// client certificate when `mutual`.
pub fn start_tls(mutual: bool) -> (Sut, Credentials) {
    let credentials = Credentials {
        server: self_signed(false),
        client: self_signed(true),
    };
    let sut = Sut::start(ServerCompatRequest {
        use_tls: true,
        client_tls_cert: if mutual {
            credentials.client.0.clone().into_bytes()
        } else {
            Vec::new()
        },
        server_creds: Some(TlsCreds {
            cert: credentials.server.0.clone().into_bytes(),
            key: credentials.server.1.clone().into_bytes(),
        }),
        ..plain_request()
    });
    (sut, credentials)
}
