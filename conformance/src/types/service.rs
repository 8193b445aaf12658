//! `connectrpc/conformance/v1/service.proto`: the messages of
//! `ConformanceService`, the service every server under test implements,
//! and the raw HTTP requests and responses of the reference client and
//! server. (The service itself is not declared here yet.)

use typerpc::{Any, Message};

use super::config::{Code, Compression};

/// A definition of a response to be sent from a single-response endpoint.
/// Can be used to define a response for unary or client-streaming calls.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct UnaryResponseDefinition {
    /// Response headers to send
    pub response_headers: Vec<Header>,
    /// Either response data or an error.
    pub response: Option<UnaryResponseDefinitionResponse>,
    /// Response trailers to send - together with the error if present
    pub response_trailers: Vec<Header>,
    /// Wait this many milliseconds before sending a response message
    #[rpc(tag = 6)]
    pub response_delay_ms: u32,
    /// This field is only used by the reference server. If you are implementing a
    /// server under test, you can ignore this field or respond with an error if the
    /// server receives a request where it is set.
    ///
    /// For test definitions, this field should be used instead of the above fields.
    #[rpc(tag = 5)]
    pub raw_response: Option<RawHttpResponse>,
}

/// The oneof `response` of [`UnaryResponseDefinition`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum UnaryResponseDefinitionResponse {
    /// Response data to send
    ResponseData(Vec<u8>),
    /// Error to raise instead of response message
    /// Servers should build a RequestInfo and append it to the details of the
    /// requested error.
    Error(Error),
}

/// A definition of responses to be sent from a streaming endpoint.
/// Can be used to define responses for server-streaming or bidi-streaming calls.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct StreamResponseDefinition {
    /// Response headers to send
    pub response_headers: Vec<Header>,
    /// Response data to send
    pub response_data: Vec<Vec<u8>>,
    /// Wait this many milliseconds before sending each response message
    pub response_delay_ms: u32,
    /// Optional error to raise, but only after sending any response messages.
    /// In the event an immediate error is thrown before any responses are sent,
    /// (i.e. the equivalent of a trailers-only response), then servers should
    /// build a RequestInfo message with available information and append that to
    /// the error details.
    pub error: Option<Error>,
    /// Response trailers to send - together with the error if present
    pub response_trailers: Vec<Header>,
    /// This field is only used by the reference server. If you are implementing a
    /// server under test, you can ignore this field or respond with an error if the
    /// server receives a request where it is set.
    ///
    /// For test definitions, this field should be used instead of the above fields.
    pub raw_response: Option<RawHttpResponse>,
}

/// The request of `ConformanceService.Unary`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct UnaryRequest {
    /// The response definition which should be returned in the conformance payload
    pub response_definition: Option<UnaryResponseDefinition>,
    /// Additional data. Only used to pad the request size to test large request messages.
    pub request_data: Vec<u8>,
}

/// The response of `ConformanceService.Unary`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct UnaryResponse {
    /// The conformance payload to respond with.
    pub payload: Option<ConformancePayload>,
}

/// The request of `ConformanceService.IdempotentUnary`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct IdempotentUnaryRequest {
    /// The response definition which should be returned in the conformance payload
    pub response_definition: Option<UnaryResponseDefinition>,
    /// Additional data. Only used to pad the request size to test large request messages.
    pub request_data: Vec<u8>,
}

/// The response of `ConformanceService.IdempotentUnary`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct IdempotentUnaryResponse {
    /// The conformance payload to respond with.
    pub payload: Option<ConformancePayload>,
}

/// The request of `ConformanceService.ServerStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ServerStreamRequest {
    /// The response definition which should be returned in the conformance payload.
    pub response_definition: Option<StreamResponseDefinition>,
    /// Additional data. Only used to pad the request size to test large request messages.
    pub request_data: Vec<u8>,
}

/// One response of `ConformanceService.ServerStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ServerStreamResponse {
    /// The conformance payload to respond with
    pub payload: Option<ConformancePayload>,
}

/// One request of `ConformanceService.ClientStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientStreamRequest {
    /// Tells the server how to reply once all client messages are
    /// complete. Required in the first message in the stream, but
    /// should be ignored in subsequent messages.
    pub response_definition: Option<UnaryResponseDefinition>,
    /// Additional data for subsequent messages in the stream. Also
    /// used to pad the request size to test large request messages.
    pub request_data: Vec<u8>,
}

/// The response of `ConformanceService.ClientStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ClientStreamResponse {
    /// The conformance payload to respond with
    pub payload: Option<ConformancePayload>,
}

/// One request of `ConformanceService.BidiStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct BidiStreamRequest {
    /// Tells the server how to reply; required in the first message
    /// in the stream. Should be ignored in subsequent messages.
    pub response_definition: Option<StreamResponseDefinition>,
    /// Tells the server whether it should wait for each request
    /// before sending a response.
    ///
    /// If true, it indicates the server should effectively interleave the
    /// stream so messages are sent in request->response pairs.
    ///
    /// If false, then the response stream will be sent once all request messages
    /// are finished sending with the only delays between messages
    /// being the optional fixed milliseconds defined in the response
    /// definition.
    ///
    /// This field is only relevant in the first message in the stream
    /// and should be ignored in subsequent messages.
    pub full_duplex: bool,
    /// Additional data for subsequent messages in the stream. Also
    /// used to pad the request size to test large request messages.
    pub request_data: Vec<u8>,
}

/// One response of `ConformanceService.BidiStream`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct BidiStreamResponse {
    /// The conformance payload to respond with
    pub payload: Option<ConformancePayload>,
}

/// The request of `ConformanceService.Unimplemented`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct UnimplementedRequest {}

/// The response of `ConformanceService.Unimplemented`.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct UnimplementedResponse {}

/// What a server echoes back: the response data and what it saw of the
/// request.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct ConformancePayload {
    /// Any response data specified in the response definition to the server should be
    /// echoed back here.
    pub data: Vec<u8>,
    /// Echoes back information about the request stream observed so far.
    pub request_info: Option<ConformancePayloadRequestInfo>,
}

/// Information about the request stream observed so far (proto
/// `ConformancePayload.RequestInfo`).
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "connectrpc.conformance.v1",
    name = "ConformancePayload.RequestInfo"
)]
pub struct ConformancePayloadRequestInfo {
    /// The server echos back the request headers it observed here.
    pub request_headers: Vec<Header>,
    /// The timeout observed that was included in the request. Other timeouts use a
    /// type of uint32, but we want to be lenient here to allow whatever value the RPC
    /// server observes, even if it's outside the range of uint32.
    pub timeout_ms: Option<i64>,
    /// The server should echo back all requests received.
    /// For unary and server-streaming requests, this should always contain a single request
    /// For client-streaming and half-duplex bidi-streaming, this should contain
    /// all client requests in the order received and be present in each response.
    /// For full-duplex bidirectional-streaming, this should contain all requests in the order
    /// they were received since the last sent response.
    pub requests: Vec<Any>,
    /// If present, the request used the Connect protocol and a GET method. This
    /// captures other relevant information about the request. If a server implementation
    /// is unable to populate this (due to the server framework not exposing all of these
    /// details to application code), it may be an empty message. This implies that the
    /// server framework, at a minimum, at least expose to application code whether the
    /// request used GET vs. POST.
    pub connect_get_info: Option<ConformancePayloadConnectGetInfo>,
}

/// Details of a Connect GET request (proto `ConformancePayload.ConnectGetInfo`).
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "connectrpc.conformance.v1",
    name = "ConformancePayload.ConnectGetInfo"
)]
pub struct ConformancePayloadConnectGetInfo {
    /// The query params observed in the request URL.
    pub query_params: Vec<Header>,
}

/// An error definition used for specifying a desired error response
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct Error {
    /// The error code.
    /// For a list of Connect error codes see: <https://connectrpc.com/docs/protocol#error-codes>
    pub code: Code,
    /// If this value is absent in a test case response definition, the contents of the
    /// actual error message will not be checked. This is useful for certain kinds of
    /// error conditions where the exact message to be used is not specified, only the
    /// code.
    pub message: Option<String>,
    /// Errors in Connect and gRPC protocols can have arbitrary messages
    /// attached to them, which are known as error details.
    pub details: Vec<Any>,
}

/// A tuple of name and values (ASCII) for a header or trailer entry.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct Header {
    /// Header/trailer name (key).
    pub name: String,
    /// Header/trailer value. This is repeated to explicitly support headers and
    /// trailers where a key is repeated. In such a case, these values must be in
    /// the same order as which values appeared in the header or trailer block.
    pub value: Vec<String>,
}

/// RawHTTPRequest models a raw HTTP request. This can be used to craft
/// custom requests with odd properties (including certain kinds of
/// malformed requests) to test edge cases in servers.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1", name = "RawHTTPRequest")]
pub struct RawHttpRequest {
    /// The HTTP verb (i.e. GET , POST).
    pub verb: String,
    /// The URI to send the request to.
    pub uri: String,
    /// Any headers to set on the request.
    pub headers: Vec<Header>,
    /// These query params will be encoded and added to the uri before
    /// the request is sent.
    pub raw_query_params: Vec<Header>,
    /// This provides an easier way to define a complex binary query param
    /// than having to write literal base64-encoded bytes in raw_query_params.
    pub encoded_query_params: Vec<RawHttpRequestEncodedQueryParam>,
    /// The request body.
    pub body: Option<RawHttpRequestBody>,
}

/// A binary query parameter (proto `RawHTTPRequest.EncodedQueryParam`).
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "connectrpc.conformance.v1",
    name = "RawHTTPRequest.EncodedQueryParam"
)]
pub struct RawHttpRequestEncodedQueryParam {
    /// Query param name.
    pub name: String,
    /// Query param value.
    pub value: Option<MessageContents>,
    /// If true, the message contents will be base64-encoded and the
    /// resulting string used as the query parameter value.
    pub base64_encode: bool,
}

/// The oneof `body` of [`RawHttpRequest`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum RawHttpRequestBody {
    /// The body is a single message.
    Unary(MessageContents),
    /// The body is a stream, encoded using a five-byte
    /// prefix before each item in the stream.
    Stream(StreamContents),
}

/// MessageContents represents a message in a request body.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct MessageContents {
    /// The message data can be defined in one of three ways.
    pub data: Option<MessageContentsData>,
    /// If specified and not identity, the above data will be
    /// compressed using the given algorithm.
    pub compression: Compression,
}

/// The oneof `data` of [`MessageContents`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum MessageContentsData {
    /// Arbitrary bytes.
    Binary(Vec<u8>),
    /// Arbitrary text.
    Text(String),
    /// An actual message. The message inside the Any will be
    /// serialized to the protobuf binary formats, and the
    /// resulting bytes will be the contents.
    BinaryMessage(Any),
}

/// StreamContents represents a sequence of messages in a request body.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1")]
pub struct StreamContents {
    /// The messages in the stream.
    pub items: Vec<StreamContentsStreamItem>,
}

/// One message of a stream (proto `StreamContents.StreamItem`).
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(
    package = "connectrpc.conformance.v1",
    name = "StreamContents.StreamItem"
)]
pub struct StreamContentsStreamItem {
    /// Must be in the range 0 to 255.
    pub flags: u32,
    /// If absent use actual length of payload.
    pub length: Option<u32>,
    /// The message.
    pub payload: Option<MessageContents>,
}

/// RawHTTPResponse models a raw HTTP response. This can be used to craft
/// custom responses with odd properties (including certain kinds of
/// malformed responses) to test edge cases in clients.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "connectrpc.conformance.v1", name = "RawHTTPResponse")]
pub struct RawHttpResponse {
    /// If status code is not specified, it will default to a 200 response code.
    pub status_code: u32,
    /// Headers to be set on the response.
    pub headers: Vec<Header>,
    /// The response body.
    pub body: Option<RawHttpResponseBody>,
    /// Trailers to be set on the response.
    pub trailers: Vec<Header>,
}

/// The oneof `body` of [`RawHttpResponse`].
#[derive(Message, Clone, Debug, PartialEq)]
pub enum RawHttpResponseBody {
    /// The body is a single message.
    Unary(MessageContents),
    /// The body is a stream, encoded using a five-byte
    /// prefix before each item in the stream.
    Stream(StreamContents),
}
