//! The per-call context a handler and the interceptors around it share.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use super::call::{CallShape, Codec, Protocol};
use super::peer::Caller;

/// What a handler knows about its call, and how it sets response metadata.
///
/// Take it as `ctx: &Context` before the request parameter of a
/// `#[service]` method. Cloning is cheap; clones share the response
/// metadata.
#[derive(Clone, Debug)]
pub struct Context {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    headers: HeaderMap,
    method: Method,
    uri: Uri,
    deadline: Option<Instant>,
    peer: Option<SocketAddr>,
    peer_certificates: Option<Arc<[Bytes]>>,
    call: CallFacts,
    /// Boxed, and only once something is set: most calls set nothing,
    /// and every call allocates and moves the context.
    state: Mutex<Option<Box<State>>>,
    /// Set once response metadata is added: most handlers add none, and
    /// the server then takes it without locking `state`.
    metadata_added: AtomicBool,
}

/// What the pipeline knows of a call before it starts.
#[derive(Clone, Debug)]
pub(crate) struct CallFacts {
    /// `/package.Service/Method`.
    pub procedure: Arc<str>,
    pub shape: CallShape,
    pub protocol: Protocol,
    pub codec: Codec,
}

impl Default for CallFacts {
    fn default() -> Self {
        CallFacts {
            procedure: Arc::from(""),
            shape: CallShape::Unary,
            protocol: Protocol::Grpc,
            codec: Codec::Proto,
        }
    }
}

/// What changes during the call: the response metadata and the values
/// interceptors leave for the handler.
#[derive(Debug, Default)]
struct State {
    response: ResponseMetadata,
    extensions: http::Extensions,
}

/// Headers and trailers a handler set for its response.
#[derive(Debug, Default, Clone)]
pub struct ResponseMetadata {
    /// Sent before the response message.
    pub headers: HeaderMap,
    /// Sent after it (gRPC trailers; Connect `trailer-` headers for unary).
    pub trailers: HeaderMap,
}

impl Context {
    /// A context for a call with these request headers, deadline and peer.
    /// The server builds it; tests may too. The request line is `POST /`
    /// (see [`with_request_line`](Self::with_request_line)).
    pub fn new(headers: HeaderMap, deadline: Option<Instant>, peer: Option<SocketAddr>) -> Context {
        Context {
            inner: Arc::new(Inner {
                headers,
                method: Method::POST,
                uri: Uri::from_static("/"),
                deadline,
                peer,
                peer_certificates: None,
                call: CallFacts::default(),
                state: Mutex::default(),
                metadata_added: AtomicBool::new(false),
            }),
        }
    }

    /// The context of a call arriving at the server: the peer address and
    /// TLS client certificates come from `caller` when the server passed
    /// it, from the request's extensions otherwise.
    pub(crate) fn for_call(
        parts: http::request::Parts,
        deadline: Option<Instant>,
        call: CallFacts,
        caller: Option<Caller>,
    ) -> Context {
        let caller = caller.unwrap_or_else(|| Caller::from_extensions(&parts.extensions));
        Context {
            inner: Arc::new(Inner {
                peer: caller.addr,
                peer_certificates: caller.certificates.map(|c| c.0),
                headers: parts.headers,
                method: parts.method,
                uri: parts.uri,
                deadline,
                call,
                state: Mutex::default(),
                metadata_added: AtomicBool::new(false),
            }),
        }
    }

    /// A context like this one for a call of `procedure`
    /// (`/package.Service/Method`) with this shape, protocol and codec:
    /// for tests of interceptors that look at them.
    pub fn with_call(
        self,
        procedure: &str,
        shape: CallShape,
        protocol: Protocol,
        codec: Codec,
    ) -> Context {
        let call = CallFacts {
            procedure: Arc::from(procedure),
            shape,
            protocol,
            codec,
        };
        self.rebuild(|inner| inner.call = call)
    }

    /// A context like this one with another HTTP method and URI, for tests
    /// of handlers that look at them. Call it before sharing the context:
    /// clones made earlier keep the old request line.
    pub fn with_request_line(self, method: Method, uri: Uri) -> Context {
        self.rebuild(|inner| {
            inner.method = method;
            inner.uri = uri;
        })
    }

    /// A copy of this context with `change` applied; response metadata
    /// and extensions set so far carry over.
    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Context {
        let state = self.state().as_ref().map(|state| {
            Box::new(State {
                response: state.response.clone(),
                extensions: state.extensions.clone(),
            })
        });
        let inner = &self.inner;
        let mut copy = Inner {
            headers: inner.headers.clone(),
            method: inner.method.clone(),
            uri: inner.uri.clone(),
            deadline: inner.deadline,
            peer: inner.peer,
            peer_certificates: inner.peer_certificates.clone(),
            call: inner.call.clone(),
            state: Mutex::new(state),
            metadata_added: AtomicBool::new(self.metadata_added()),
        };
        change(&mut copy);
        Context {
            inner: Arc::new(copy),
        }
    }

    /// The procedure called: `/package.Service/Method`.
    pub fn procedure(&self) -> &str {
        &self.inner.call.procedure
    }

    /// How many messages go each way.
    pub fn call_shape(&self) -> CallShape {
        self.inner.call.shape
    }

    /// The protocol the call arrived in.
    pub fn protocol(&self) -> Protocol {
        self.inner.call.protocol
    }

    /// How the call's messages are encoded.
    pub fn codec(&self) -> Codec {
        self.inner.call.codec
    }

    /// Leaves a typed value for the rest of the call: an interceptor puts
    /// the identity it verified here, and the handler reads it with
    /// [`get`](Self::get). A value of the same type is replaced.
    ///
    /// ```
    /// # use typerpc::Context;
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct User(String);
    ///
    /// let ctx = Context::new(Default::default(), None, None);
    /// ctx.insert(User("ada".into()));
    /// assert_eq!(ctx.get::<User>(), Some(User("ada".into())));
    /// ```
    pub fn insert<T: Clone + Send + Sync + 'static>(&self, value: T) {
        self.state()
            .get_or_insert_with(Box::default)
            .extensions
            .insert(value);
    }

    /// A copy of the value of type `T` that an interceptor left, if any.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.state().as_ref()?.extensions.get::<T>().cloned()
    }

    /// The HTTP method of the request: `POST` for every protocol, except
    /// Connect's `GET` for idempotent methods (`#[rpc(idempotent)]`).
    pub fn http_method(&self) -> &Method {
        &self.inner.method
    }

    /// The request's URI as the server received it: the path names the
    /// method; the query string carries the message of a Connect GET
    /// (`message`, `encoding`, `base64`, `compression`, `connect`) and any
    /// parameters a client or proxy added. Over HTTP/2 it is usually
    /// path and query only.
    pub fn request_uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The client's verified TLS certificate chain (DER, leaf first), when
    /// the server requires or accepts client certificates and one was sent.
    pub fn peer_certificates(&self) -> Option<&[Bytes]> {
        self.inner.peer_certificates.as_deref()
    }

    /// The request's headers (custom metadata included; `-bin` headers
    /// hold base64).
    pub fn request_headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// When the client stops waiting, if it set a timeout.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    /// Time left before the deadline (zero once it passed); `None` without one.
    pub fn time_remaining(&self) -> Option<Duration> {
        self.inner
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// The client's address, when the call came over a socket.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.inner.peer
    }

    fn state(&self) -> MutexGuard<'_, Option<Box<State>>> {
        // A handler that panicked while holding the lock left valid maps
        // behind: nothing is half-written in a HeaderMap insert.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a response header.
    pub fn append_response_header(&self, name: HeaderName, value: HeaderValue) {
        self.state()
            .get_or_insert_with(Box::default)
            .response
            .headers
            .append(name, value);
        self.inner.metadata_added.store(true, Ordering::Release);
    }

    /// Adds a response trailer.
    pub fn append_response_trailer(&self, name: HeaderName, value: HeaderValue) {
        self.state()
            .get_or_insert_with(Box::default)
            .response
            .trailers
            .append(name, value);
        self.inner.metadata_added.store(true, Ordering::Release);
    }

    /// Whether any response metadata was ever added (a plain load: the
    /// lock is taken only when there is something to read).
    fn metadata_added(&self) -> bool {
        self.inner.metadata_added.load(Ordering::Acquire)
    }

    /// Whether the handler has set any response header so far.
    pub(crate) fn has_response_headers(&self) -> bool {
        self.metadata_added()
            && self
                .state()
                .as_ref()
                .is_some_and(|state| !state.response.headers.is_empty())
    }

    /// Takes the response headers set so far (a streaming call sends them
    /// before its first message; trailers are taken at the end).
    pub(crate) fn take_response_headers(&self) -> HeaderMap {
        if !self.metadata_added() {
            return HeaderMap::new();
        }
        self.state()
            .as_mut()
            .map(|state| std::mem::take(&mut state.response.headers))
            .unwrap_or_default()
    }

    /// Takes the response metadata set so far (the server calls this once).
    pub fn take_response_metadata(&self) -> ResponseMetadata {
        if !self.metadata_added() {
            return ResponseMetadata::default();
        }
        self.state()
            .as_mut()
            .map(|state| std::mem::take(&mut state.response))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_line_defaults_to_post_and_can_be_set_for_tests() {
        let ctx = Context::new(HeaderMap::new(), None, None);
        assert_eq!(ctx.http_method(), Method::POST);
        assert_eq!(ctx.request_uri().path(), "/");
        ctx.append_response_header(
            HeaderName::from_static("x-kept"),
            HeaderValue::from_static("1"),
        );
        let ctx = ctx.with_request_line(
            Method::GET,
            Uri::from_static("/pkg.v1.Svc/Get?encoding=json&message=%7B%7D"),
        );
        assert_eq!(ctx.http_method(), Method::GET);
        assert_eq!(
            ctx.request_uri().query(),
            Some("encoding=json&message=%7B%7D")
        );
        // Metadata set before survives the change.
        assert_eq!(ctx.take_response_metadata().headers["x-kept"], "1");
    }
}
