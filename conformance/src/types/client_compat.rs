//! `connectrpc/conformance/v1/client_compat.proto`: what the test runner
//! asks a client under test to do, and what the client reports back.

use typerpc::{Any, Empty, Message, Struct};

use super::config::{Codec, Compression, HttpVersion, Protocol, StreamType, TlsCreds};
use super::service::{ConformancePayload, Error, Header, RawHttpRequest};

/// Describes one call the client should make. The client reads
/// these from stdin and, for each one, invokes an RPC as directed
/// and writes the results (in the form of a ClientCompatResponse
/// message) to stdout.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientCompatRequest {
    /// The name of the test that this request is performing.
    /// When writing test cases, this is a required field.
    pub test_name: String,
    /// Test suite YAML definitions should NOT set values for these next
    /// nine fields (fields 2 - 10). They are automatically populated by the test
    /// runner. If a test is specific to one of these values, it should instead be
    /// indicated in the test suite itself (where it defines the required
    /// features and relevant values for these fields).
    ///
    /// The HTTP version to use for the test (i.e. HTTP/1.1, HTTP/2, HTTP/3).
    pub http_version: HttpVersion,
    /// The protocol to use for the test (i.e. Connect, gRPC, gRPC-web).
    pub protocol: Protocol,
    /// The codec to use for the test (i.e. JSON, proto/binary).
    pub codec: Codec,
    /// The compression to use for the test (i.e. brotli, gzip, identity).
    pub compression: Compression,
    /// The server host that this request will be sent to.
    pub host: String,
    /// The server port that this request will be sent to.
    pub port: u32,
    /// If non-empty, the server is using TLS. The bytes are the
    /// server's PEM-encoded certificate, which the client should
    /// verify and trust.
    pub server_tls_cert: Vec<u8>,
    /// If present, the client certificate credentials to use to
    /// authenticate with the server. This will only be present
    /// when server_tls_cert is non-empty.
    pub client_tls_creds: Option<TlsCreds>,
    /// If non-zero, indicates the maximum size in bytes for a message.
    /// If the server sends anything larger, the client should reject it.
    pub message_receive_limit: u32,
    /// The fully-qualified name of the service this test will interact with.
    /// If specified, method must also be specified.
    /// If not specified, defaults to "connectrpc.conformance.v1.ConformanceService".
    pub service: Option<String>,
    /// The method on `service` that will be called.
    /// If specified, service must also be specified.
    /// If not specified, the test runner will auto-populate this field based on the stream_type.
    pub method: Option<String>,
    /// The stream type of `method` (i.e. unary, client stream, server stream, full-duplex bidi
    /// stream, or half-duplex bidi stream).
    /// When writing test cases, this is a required field.
    pub stream_type: StreamType,
    /// If protocol indicates Connect and stream type indicates
    /// Unary, this instructs the client to use a GET HTTP method
    /// when making the request.
    pub use_get_http_method: bool,
    /// Any request headers that should be sent as part of the request.
    /// These include only custom header metadata. Headers that are
    /// part of the relevant protocol (such as "content-type", etc) should
    /// not be stated here.
    pub request_headers: Vec<Header>,
    /// The actual request messages that will sent to the server.
    /// The type URL for all entries should be equal to the request type of the
    /// method.
    /// There must be exactly one for unary and server stream methods but
    /// can be zero or more for client and bidi stream methods.
    /// For client and bidi stream methods, all entries will have the
    /// same type URL.
    pub request_messages: Vec<Any>,
    /// The timeout, in milliseconds, for the request. This is equivalent to a
    /// deadline for the request. If unset, there will be no timeout.
    pub timeout_ms: Option<u32>,
    /// Wait this many milliseconds before sending a request message.
    /// For client or bidi stream methods, this delay should be
    /// applied before each request sent.
    pub request_delay_ms: u32,
    /// If present, the client should cancel the RPC instead of
    /// allowing to complete normally.
    pub cancel: Option<ClientCompatRequestCancel>,
    /// The following field is only used by the reference client. If
    /// you are implementing a client under test, you may ignore it
    /// or respond with an error if the client receives a request where
    /// it is set.
    ///
    /// When this field is present, it defines the actual HTTP request
    /// that will be sent. The above group of fields must still be
    /// provided and valid so that the reference client knows how it
    /// should try to interpret the server's response.
    pub raw_request: Option<RawHttpRequest>,
}

/// How and when the client cancels the RPC (proto
/// `ClientCompatRequest.Cancel`).
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "connectrpc.conformance.v1",
    name = "ClientCompatRequest.Cancel"
)]
pub struct ClientCompatRequestCancel {
    /// These fields determine the timing of cancellation.
    /// If none are present, the client should cancel immediately
    /// after all request messages are sent and the send side is
    /// closed (as if the after_close_send_ms field were present
    /// and zero).
    pub cancel_timing: Option<ClientCompatRequestCancelTiming>,
}

/// The oneof `cancel_timing` of [`ClientCompatRequestCancel`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum ClientCompatRequestCancelTiming {
    /// When present, the client should cancel *instead of*
    /// closing the send side of the stream, after all requests
    /// have been sent.
    ///
    /// This applies only to client and bidi stream RPCs.
    BeforeCloseSend(Empty),
    /// When present, the client should delay for this many
    /// milliseconds after closing the send side of the stream
    /// and then cancel.
    ///
    /// This applies to all types of RPCs.
    ///
    /// For unary and server stream RPCs, where the API usually
    /// does not allow explicitly closing the send side, the
    /// cancellation should be done immediately after invoking
    /// the RPC (which should implicitly send the one-and-only
    /// request and then close the send-side).
    ///
    /// For APIs where unary RPCs block until the response
    /// is received, there is no point after the request is
    /// sent but before a response is received to cancel. So
    /// the client must arrange for the RPC to be canceled
    /// asynchronously before invoking the blocking unary call.
    AfterCloseSendMs(u32),
    /// When present, the client should cancel right after
    /// reading this number of response messages from the stream.
    /// When present, this will be greater than zero.
    ///
    /// This applies only to server and bidi stream RPCs.
    AfterNumResponses(u32),
}

/// The outcome of one ClientCompatRequest.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientCompatResponse {
    /// The test name that this response applies to.
    pub test_name: String,
    /// These fields determine the outcome of the request.
    ///
    /// With regards to errors, any unexpected errors that prevent the client from
    /// issuing the RPC and following the instructions implied by the request can
    /// be reported as an error. These would be errors creating an RPC client from
    /// the request parameters or unsupported/illegal values in the request
    /// (e.g. a unary request that defines zero or multiple request messages).
    ///
    /// However, once the RPC is issued, any resulting error should instead be encoded in response.
    pub result: Option<ClientCompatResponseResult>,
}

/// The oneof `result` of [`ClientCompatResponse`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum ClientCompatResponseResult {
    /// The RPC was issued; its outcome.
    Response(ClientResponseResult),
    /// The RPC could not be issued.
    Error(ClientErrorResult),
}

/// The result of a ClientCompatRequest, which may or may not be successful.
/// The client will build this message and return it back to the test runner.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientResponseResult {
    /// All response headers read from the response.
    pub response_headers: Vec<Header>,
    /// Servers should echo back payloads that they received as part of the request.
    /// This field should contain all the payloads the server echoed back. Note that
    /// There will be zero-to-one for unary and client stream methods and
    /// zero-to-many for server and bidi stream methods.
    pub payloads: Vec<ConformancePayload>,
    /// The error received from the actual RPC invocation. Note this is not representative
    /// of a runtime error and should always be the proto equivalent of a Connect
    /// or gRPC error.
    pub error: Option<Error>,
    /// All response headers read from the response.
    pub response_trailers: Vec<Header>,
    /// The number of messages that were present in the request but that could not be
    /// sent because an error occurred before finishing the upload.
    pub num_unsent_requests: i32,
    /// The following field is only set by the reference client. It communicates
    /// the underlying HTTP status code of the server's response.
    /// If you are implementing a client-under-test, you should ignore this field
    /// and leave it unset.
    pub http_status_code: Option<i32>,
    /// This field is used only by the reference client, and it can be used
    /// to provide additional feedback about problems observed in the server
    /// response or in client processing of the response. If non-empty, the test
    /// case is considered failed even if the result above matches all expectations.
    /// If you are implementing a client-under-test, you should ignore this field
    /// and leave it unset.
    pub feedback: Vec<String>,
}

/// The client is not able to fulfill the ClientCompatRequest. This may be due
/// to a runtime error or an unexpected internal error such as the requested protocol
/// not being supported. This is completely independent of the actual RPC invocation.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientErrorResult {
    /// A message describing the error that occurred. This string will be shown to
    /// users running conformance tests so it should include any relevant details
    /// that may help troubleshoot or remedy the error.
    pub message: String,
}

/// Details about various values as observed on the wire. This message is used
/// only by the reference client when reporting results and should not be populated
/// by clients under test.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct WireDetails {
    /// The HTTP status code of the response.
    pub actual_status_code: i32,
    /// When processing an error from a Connect server, this should contain
    /// the actual JSON received on the wire.
    pub connect_error_raw: Option<Struct>,
    /// Any HTTP trailers observed after the response body. These do NOT
    /// include trailers that conveyed via the body, as done in the gRPC-Web
    /// and Connect streaming protocols.
    pub actual_http_trailers: Vec<Header>,
    /// Any trailers that were transmitted in the final message of the
    /// response body for a gRPC-Web response. This could differ from the
    /// ClientResponseResult.response_trailers field since the RPC client
    /// library might canonicalize keys and it might choose to remove
    /// "grpc-status" et al from the set of metadata. This field will
    /// capture all of the entries and their exact on-the-wire spelling
    /// and formatting.
    pub actual_grpcweb_trailers: Option<String>,
}
