//! A `ClientCompatRequest`'s connection fields as a typerpc client:
//! protocol, codec, HTTP version, compression, TLS (the server's
//! certificate as the only root, and the client certificate when given),
//! the receive limit and Connect GET.

use std::time::Duration;

use typerpc::client::{Client, Codec, Compression, HttpVersion, Protocol};

use crate::types::{self, ClientCompatRequest};
use crate::types::{
    BidiStreamRequest, ClientStreamRequest, ConformancePayload, ConformancePayloadRequestInfo,
    Error, Header, IdempotentUnaryRequest, ServerStreamRequest, UnaryRequest, UnimplementedRequest,
};

/// The client a request asks for.
pub fn client(request: &ClientCompatRequest) -> Result<Client, String> {
    let tls = !request.server_tls_cert.is_empty();
    let scheme = if tls { "https" } else { "http" };
    let url = format!("{scheme}://{}:{}", request.host, request.port);
    let mut builder = Client::builder(&url)
        .protocol(protocol(request.protocol)?)
        .codec(codec(request.codec)?)
        .http_version(http_version(request.http_version)?)
        .compression(compression(request.compression)?)
        // The reference server checks that every request message is
        // compressed as asked, however small.
        .compress_min_bytes(0)
        .connect_get(request.use_get_http_method)
        // The suite sends requests a real client would refuse to send
        // (it checks what the server answers), so nothing is checked here.
        .validate_requests(false)
        .register_type::<UnaryRequest>()
        .register_type::<IdempotentUnaryRequest>()
        .register_type::<ServerStreamRequest>()
        .register_type::<ClientStreamRequest>()
        .register_type::<BidiStreamRequest>()
        .register_type::<UnimplementedRequest>()
        .register_type::<ConformancePayload>()
        .register_type::<ConformancePayloadRequestInfo>()
        .register_type::<Header>()
        .register_type::<Error>();
    if request.message_receive_limit > 0 {
        builder = builder.max_message_size(request.message_receive_limit as usize);
    }
    if tls {
        builder = builder.tls_root_certificates_pem(&request.server_tls_cert);
        if let Some(creds) = &request.client_tls_creds {
            builder = builder.tls_client_identity_pem(&creds.cert, &creds.key);
        }
    }
    if let Some(ms) = request.timeout_ms {
        builder = builder.timeout(Duration::from_millis(u64::from(ms)));
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))
}

fn protocol(protocol: types::Protocol) -> Result<Protocol, String> {
    match protocol {
        types::Protocol::Connect => Ok(Protocol::Connect),
        types::Protocol::Grpc => Ok(Protocol::Grpc),
        types::Protocol::GrpcWeb => Ok(Protocol::GrpcWeb),
        other => Err(format!("unsupported protocol {other:?}")),
    }
}

fn codec(codec: types::Codec) -> Result<Codec, String> {
    match codec {
        types::Codec::Proto => Ok(Codec::Proto),
        types::Codec::Json => Ok(Codec::Json),
        other => Err(format!("unsupported codec {other:?}")),
    }
}

fn http_version(version: types::HttpVersion) -> Result<HttpVersion, String> {
    match version {
        types::HttpVersion::Http1 => Ok(HttpVersion::Http1),
        types::HttpVersion::Http2 => Ok(HttpVersion::Http2),
        other => Err(format!("unsupported HTTP version {other:?}")),
    }
}

fn compression(compression: types::Compression) -> Result<Compression, String> {
    match compression {
        types::Compression::Unspecified | types::Compression::Identity => Ok(Compression::Identity),
        types::Compression::Gzip => Ok(Compression::Gzip),
        types::Compression::Zstd => Ok(Compression::Zstd),
        other => Err(format!("unsupported compression {other:?}")),
    }
}
