//! `connectrpc/conformance/v1/config.proto`: the configuration of a
//! conformance run, and the enums shared by the other files.

use typerpc::Message;

/// Config defines the configuration for running conformance tests.
/// This enumerates all of the "flavors" of the test suite to run.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct Config {
    /// The features supported by the client or server under test.
    /// This is used to filter the set of test cases that are run.
    /// If absent, an empty message is used. See Features for more
    /// on how empty/absent fields are interpreted.
    pub features: Option<Features>,
    /// This can indicate additional permutations that are supported
    /// that might otherwise be excluded based on the above features.
    pub include_cases: Vec<ConfigCase>,
    /// This can indicates permutations that are not supported even
    /// though their support might be implied by the above features.
    pub exclude_cases: Vec<ConfigCase>,
}

/// Features define the feature set that a client or server supports. They are
/// used to determine the server configurations and test cases that
/// will be run. They are defined in YAML files and are specified as part of the
/// --conf flag to the test runner.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct Features {
    /// Supported HTTP versions.
    /// If empty, HTTP 1.1 and HTTP/2 are assumed.
    pub versions: Vec<HttpVersion>,
    /// Supported protocols.
    /// If empty, all three are assumed: Connect, gRPC, and gRPC-Web.
    pub protocols: Vec<Protocol>,
    /// Supported codecs.
    /// If empty, "proto" and "json" are assumed.
    pub codecs: Vec<Codec>,
    /// Supported compression algorithms.
    /// If empty, "identity" and "gzip" are assumed.
    pub compressions: Vec<Compression>,
    /// Supported stream types.
    /// If empty, all stream types are assumed. This is usually for
    /// clients, since some client environments may not be able to
    /// support certain kinds of streaming operations, especially
    /// bidirectional streams.
    pub stream_types: Vec<StreamType>,
    /// Whether H2C (unencrypted, non-TLS HTTP/2 over cleartext) is supported.
    /// If absent, true is assumed.
    pub supports_h2c: Option<bool>,
    /// Whether TLS is supported.
    /// If absent, true is assumed.
    pub supports_tls: Option<bool>,
    /// Whether the client supports TLS certificates.
    /// If absent, false is assumed. This should not be set if
    /// supports_tls is false.
    pub supports_tls_client_certs: Option<bool>,
    /// Whether trailers are supported.
    /// If absent, true is assumed. If false, implies that gRPC protocol is not allowed.
    pub supports_trailers: Option<bool>,
    /// Whether half duplex bidi streams are supported over HTTP/1.1.
    /// If absent, false is assumed.
    pub supports_half_duplex_bidi_over_http1: Option<bool>,
    /// Whether Connect via GET is supported.
    /// If absent, true is assumed.
    pub supports_connect_get: Option<bool>,
    /// Whether a message receive limit is supported.
    /// If absent, true is assumed.
    pub supports_message_receive_limit: Option<bool>,
}

/// ConfigCase represents a single resolved configuration case. When tests are
/// run, the Config and the supported features therein are used to compute all
/// of the cases relevant to the implementation under test. These configuration
/// cases are then used to select which test cases are applicable.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ConfigCase {
    /// If unspecified, indicates cases for all versions.
    pub version: HttpVersion,
    /// If unspecified, indicates cases for all protocols.
    pub protocol: Protocol,
    /// If unspecified, indicates cases for all codecs.
    pub codec: Codec,
    /// If unspecified, indicates cases for all compression algorithms.
    pub compression: Compression,
    /// If unspecified, indicates cases for all stream types.
    pub stream_type: StreamType,
    /// If absent, indicates cases for plaintext (no TLS) but also for
    /// TLS if features indicate that TLS is supported.
    pub use_tls: Option<bool>,
    /// If absent, indicates cases without client certs but also cases
    /// that use client certs if features indicate they are supported.
    pub use_tls_client_certs: Option<bool>,
    /// If absent, indicates cases that do not test message receive
    /// limits but also cases that do test message receive limits if
    /// features indicate they are supported.
    pub use_message_receive_limit: Option<bool>,
}

/// An HTTP version (proto `HTTPVersion`).
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1", name = "HTTPVersion")]
pub enum HttpVersion {
    Unspecified,
    /// HTTP/1.1.
    #[rpc(name = "HTTP_VERSION_1")]
    Http1,
    /// HTTP/2.
    #[rpc(name = "HTTP_VERSION_2")]
    Http2,
    /// HTTP/3.
    #[rpc(name = "HTTP_VERSION_3")]
    Http3,
}

/// An RPC protocol.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1")]
pub enum Protocol {
    Unspecified,
    Connect,
    Grpc,
    GrpcWeb,
}

/// A message codec.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1")]
pub enum Codec {
    Unspecified,
    Proto,
    Json,
    /// Deprecated in the official proto: not used; will be ignored.
    Text,
}

/// A compression algorithm.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1")]
pub enum Compression {
    Unspecified,
    Identity,
    Gzip,
    Br,
    Zstd,
    Deflate,
    Snappy,
}

/// The kind of an RPC: unary or one of the streaming kinds.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1")]
pub enum StreamType {
    Unspecified,
    Unary,
    ClientStream,
    ServerStream,
    HalfDuplexBidiStream,
    FullDuplexBidiStream,
}

/// An RPC error code, as in Connect and gRPC.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "connectrpc.conformance.v1")]
pub enum Code {
    Unspecified,
    Canceled,
    Unknown,
    InvalidArgument,
    DeadlineExceeded,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    ResourceExhausted,
    FailedPrecondition,
    Aborted,
    OutOfRange,
    Unimplemented,
    Internal,
    Unavailable,
    DataLoss,
    Unauthenticated,
}

/// TLSCreds represents credentials for TLS. It includes both a
/// certificate and corresponding private key. Both are encoded
/// in PEM format.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1", name = "TLSCreds")]
pub struct TlsCreds {
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
}
