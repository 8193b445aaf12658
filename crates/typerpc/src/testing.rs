//! Testing services: a real server on a free loopback port, and clients
//! for it in every protocol.
//!
//! ```
//! # use typerpc::{service, Message, Status};
//! # #[derive(Message, Clone, Debug, PartialEq)] pub struct Ping { pub n: i32 }
//! # pub struct EchoService;
//! # #[service] impl EchoService { async fn echo(&self, p: Ping) -> Result<Ping, Status> { Ok(p) } }
//! use typerpc::client::Protocol;
//! use typerpc::testing::TestServer;
//!
//! # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
//! let server = TestServer::start(typerpc::Router::new().add(EchoService)).await;
//! for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Connect] {
//!     let client = EchoServiceClient::new(server.client(protocol));
//!     assert_eq!(client.echo(Ping { n: 1 }).await.unwrap(), Ping { n: 1 });
//! }
//! // The server stops when `server` is dropped.
//! # });
//! ```
//!
//! For tests that need no socket at all, [`Client::in_memory`] calls a
//! router in the same process through the same protocol code.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client::{ClientBuilder, Protocol};
use crate::{Client, Router, Server};

/// A server on `127.0.0.1` at a port the system picked, serving until it
/// is dropped (or [`shutdown`](Self::shutdown)).
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), crate::Error>>>,
}

impl TestServer {
    /// Serves `router` on a free loopback port. Panics if no port can be
    /// bound: a test cannot go on without one.
    pub async fn start(router: Router) -> TestServer {
        TestServer::start_server(Server::new().configure(|_| router)).await
    }

    /// Serves a configured [`Server`] (TLS, connection settings) on a free
    /// loopback port; its own address is ignored.
    pub async fn start_server(server: Server) -> TestServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("typerpc::testing: cannot bind a loopback port");
        let addr = listener
            .local_addr()
            .expect("typerpc::testing: the listener has no address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve_on(listener, async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A builder for a client of this server, to set the codec, HTTP
    /// version or anything else.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(&self.url())
    }

    /// A client of this server speaking `protocol` (protobuf, HTTP/2).
    pub fn client(&self, protocol: Protocol) -> Client {
        self.client_builder()
            .protocol(protocol)
            .build()
            .expect("typerpc::testing: a loopback URL is always valid")
    }

    /// Stops accepting, lets calls in flight finish, and waits until the
    /// server has stopped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
