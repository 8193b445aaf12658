//! The README's Rust snippets are this file's code, so they compile and
//! cannot drift from the API.
//!
//! Each ```rust block of the README is a region of this file between
//! `// README begin: NAME` and `// README end: NAME` lines, in order,
//! shown without the region's common indentation. A line ending in
//! `// README: TEXT` is shown as TEXT at that line's indentation: the
//! README writes `/* ... */` where the code needs a real body. What a
//! snippet uses without showing it (types, a router) sits just outside its
//! region. `TYPERPC_UPDATE_README=1 cargo test --test readme` rewrites the
//! README's blocks from this file.
#![allow(dead_code, unused)]

/// The first snippet: a message through JSON and binary.
#[rustfmt::skip]
fn intro() -> Result<(), Box<dyn std::error::Error>> {
    // README begin: intro
    use typerpc::Message;

    /// What a client asks for.
    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "recommendation.v1")]
    pub struct ProductRequest {
        pub user_id: String,
        pub category: String,
        #[rpc(default = 10)] // absent on the wire => 10, not 0
        pub limit: i32,
    }

    let request = ProductRequest::from_json(r#"{"user_id": "1", "category": "books"}"#)?;
    assert_eq!(request.limit, 10);
    let bytes = request.encode_to_vec();
    assert_eq!(ProductRequest::decode(&bytes[..])?, request);
    // README end: intro
    Ok(())
}

#[rustfmt::skip]
mod services {
    use typerpc::Message;

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "recommendation.v1")]
    pub struct ProductRequest {
        pub user_id: String,
        pub category: String,
    }

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "recommendation.v1")]
    pub struct RecommendationResponse {
        pub ids: Vec<String>,
    }

    // README begin: services
    use typerpc::{service, Context, Server, Status};

    pub struct RecommendationService { /* model, cache, ... */ }

    #[service] // package recommendation.v1, service RecommendationService
    impl RecommendationService {
        /// Recommended products for one user.
        async fn get_recommendations(&self, req: ProductRequest) -> Result<RecommendationResponse, Status> {
            Ok(RecommendationResponse::default()) // README: /* ... */
        }

        /// Idempotent methods also answer Connect GET.
        #[rpc(idempotent)]
        async fn get_trending(&self, ctx: &Context, _req: ()) -> Result<RecommendationResponse, Status> {
            Ok(RecommendationResponse::default()) // README: /* ctx: request headers, deadline, peer; response headers and trailers */
        }
    }

    #[tokio::main]
    async fn main() -> Result<(), typerpc::Error> {
        Server::new().add(RecommendationService::new()).serve().await // 0.0.0.0:50051, SIGINT/SIGTERM drain
    }
    // README end: services

    impl RecommendationService {
        pub fn new() -> Self {
            Self {}
        }
    }
}

#[rustfmt::skip]
mod streaming {
    use typerpc::Message;

    pub struct ChatService;

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "chat.v1")]
    pub struct SubscribeRequest {
        pub room: String,
    }

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "chat.v1")]
    pub struct ChatMessage {
        pub text: String,
    }

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "chat.v1")]
    pub struct PostReceipt {
        pub count: u32,
    }

    // README begin: streaming
    use typerpc::{service, RequestStream, ResponseStream, Status, Stream};

    #[service(package = "chat.v1")]
    impl ChatService {
        /// Server streaming: return a stream (or a boxed `ResponseStream<T>`).
        async fn subscribe(&self, req: SubscribeRequest)
            -> Result<impl Stream<Item = Result<ChatMessage, Status>>, Status> { Ok(typerpc::stream::empty()) } // README: -> Result<impl Stream<Item = Result<ChatMessage, Status>>, Status> { /* ... */ }

        /// Client streaming: take a `RequestStream<T>`.
        async fn upload(&self, mut messages: RequestStream<ChatMessage>) -> Result<PostReceipt, Status> {
            while let Some(message) = messages.message().await? { /* ... */ }
            Ok(PostReceipt::default()) // README: /* ... */
        }

        /// Bidirectional: both.
        async fn converse(&self, messages: RequestStream<ChatMessage>)
            -> Result<ResponseStream<ChatMessage>, Status> { Ok(ResponseStream::new(messages)) } // README: -> Result<ResponseStream<ChatMessage>, Status> { /* ... */ }
    }
    // README end: streaming
}

#[rustfmt::skip]
mod openapi {
    use super::services::RecommendationService;
    use typerpc::Server;

    async fn serve() -> Result<(), Box<dyn std::error::Error>> {
        // README begin: openapi
        Server::new()
            .add(RecommendationService::new())
            .configure(|router| router.with_openapi("/openapi.json").with_docs("/docs"))
            .serve().await?;
        // README end: openapi
        Ok(())
    }
}

#[cfg(feature = "mcp")]
#[rustfmt::skip]
mod mcp {
    use super::services::RecommendationService;

    async fn serve() -> Result<(), Box<dyn std::error::Error>> {
        let router = typerpc::Router::new().add(RecommendationService::new());
        // README begin: mcp
        use typerpc::mcp::McpTools;

        // Streamable HTTP on the same port: every unary method, or the ones named.
        let router = router.with_mcp("/mcp", McpTools::all());
        let router = router.with_mcp("/mcp", McpTools::only(["recommendation.v1.RecommendationService/GetTrending"]));
        // Stdio, for local agents.
        typerpc::mcp::serve_stdio(router, McpTools::all()).await?;
        // README end: mcp
        Ok(())
    }
}

#[rustfmt::skip]
mod interceptors {
    use super::services::RecommendationService;
    use typerpc::{Context, Server, Status};

    async fn serve() -> Result<(), Box<dyn std::error::Error>> {
        // README begin: interceptors
        use typerpc::service::{interceptor_fn, Interceptor, Outcome};

        #[derive(Clone)]
        struct User(String);

        let auth = interceptor_fn(|ctx: &Context| {
            match ctx.request_headers().get("authorization").and_then(|v| v.to_str().ok()) {
                Some("Bearer s3cret") => { ctx.insert(User("ada".into())); Ok(()) }
                _ => Err(Status::unauthenticated("a bearer token is required")), // HTTP 401 on Connect
            }
        });

        struct Metrics;
        impl Interceptor for Metrics {
            fn after(&self, ctx: &Context, outcome: &Outcome) {
                println!("{} {} {:?}", ctx.procedure(), outcome.code, outcome.duration);
            }
        }

        Server::new()
            .add(RecommendationService::new())
            .configure(|router| router
                .intercept(Metrics)                                    // every method
                .intercept_service("recommendation.v1.RecommendationService", auth)) // one service
            .layer(tower_http::trace::TraceLayer::new_for_http())      // any tower layer, unchanged
            .serve().await?;

        // In the handler: `ctx.get::<User>()`.
        // README end: interceptors
        Ok(())
    }
}

#[cfg(all(feature = "otel", feature = "prometheus"))]
#[rustfmt::skip]
mod observability {
    use super::services::RecommendationService as PaymentService;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{fmt, EnvFilter};
    use typerpc::Server;

    async fn serve() -> Result<(), Box<dyn std::error::Error>> {
        // README begin: observability
        // Cargo features: typerpc = { features = ["prometheus", "otel"] }
        let otel = typerpc::otel::Otel::from_env("payment-service")?;   // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_* ...
        tracing_subscriber::registry().with(EnvFilter::from_default_env()).with(fmt::layer()).with(otel.layer()).init();

        let metrics = typerpc::metrics::Prometheus::new();
        Server::new()
            .add(PaymentService::new())
            .metrics(&metrics)                                            // GET /metrics (Prometheus)
            .configure(|r| r.intercept(typerpc::otel::RpcMetrics::server())) // rpc.server.duration & co. over OTLP
            .admin_addr("0.0.0.0:9090".parse()?)                          // optional: /metrics, /healthz, /ready there
            .serve().await?;
        otel.shutdown();
        // README end: observability
        Ok(())
    }
}

#[rustfmt::skip]
mod limits {
    use std::time::Duration;

    use super::services::RecommendationService as ChatService;
    use typerpc::Server;

    fn server() -> Server {
        // README begin: limits
        use typerpc::server::ConnectionSettings;
        let server = Server::new()
            .add(ChatService::new())
            .connection_settings(ConnectionSettings {
                max_connections: 20_000,                        // default 4,096; then the server stops accepting
                idle_timeout: Some(Duration::from_secs(600)),   // default 120 s with no call in flight
                ..Default::default()
            });
        // README end: limits
        server
    }
}

#[rustfmt::skip]
mod client {
    use std::time::Duration;

    use super::services::{ProductRequest, RecommendationServiceClient};
    use typerpc::client::{CallOptions, Codec, Compression, HttpVersion, Protocol};

    async fn call(ca_pem: Vec<u8>, req: ProductRequest) -> Result<(), Box<dyn std::error::Error>> {
        // README begin: client
        let client = RecommendationServiceClient::connect("http://127.0.0.1:50051").await?; // gRPC, HTTP/2
        let res = client.get_recommendations(ProductRequest { user_id: "u1".into(), ..Default::default() }).await?;

        // Per-call options, and the response's headers and trailers: the `_with` twin.
        let options = CallOptions::new().timeout(Duration::from_millis(300)).header("x-request-id", "42");
        let res = client.get_recommendations_with(req, options).await?; // Response<RecommendationResponse>
        println!("{:?} {:?}", res.headers(), res.trailers());

        // Any protocol, codec, HTTP version or TLS: build a `typerpc::Client` and wrap it.
        let connect = typerpc::Client::builder("https://api.example")
            .protocol(Protocol::Connect)          // or Grpc (default), GrpcWeb, GrpcWebText
            .codec(Codec::Json)                   // or Proto (default)
            .http_version(HttpVersion::Http1)     // or Http2 (default: h2c / ALPN h2)
            .tls_root_certificates_pem(&ca_pem)
            .timeout(Duration::from_secs(2))      // default deadline
            .compression(Compression::Gzip)       // requests; gzip/zstd responses are accepted
            .connect_get(true)                    // Connect GET for #[rpc(idempotent)] methods
            .build()?;
        let client = RecommendationServiceClient::new(connect);
        // README end: client
        Ok(())
    }
}

#[rustfmt::skip]
mod testing {
    use super::services::{RecommendationService, RecommendationServiceClient};
    use typerpc::client::Protocol;

    async fn test() -> Result<(), Box<dyn std::error::Error>> {
        let router = typerpc::Router::new().add(RecommendationService::new());
        // README begin: testing
        // In memory: the full protocol stack, no socket.
        let client = RecommendationServiceClient::new(typerpc::Client::in_memory(router.clone()).build()?);

        // A real server on 127.0.0.1:0, stopped on drop, with a client per protocol.
        let server = typerpc::testing::TestServer::start(router).await;
        let grpc = RecommendationServiceClient::new(server.client(Protocol::Grpc));
        let url = server.url(); // for any other HTTP client
        // README end: testing
        Ok(())
    }
}

#[rustfmt::skip]
mod validation {
    use typerpc::validate::Checker;
    use typerpc::Message;

    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(package = "shop.v1")]
    pub struct Address {
        #[rpc(min_len = 1)]
        pub city: String,
    }

    impl ProductRequest {
        fn check(&self, c: &mut Checker<'_>) {
            if self.categories.is_empty() && self.limit > 50 {
                c.field_violation("limit", "limit_without_category", "at most 50 without a category");
            }
        }
    }

    // README begin: validation
    #[derive(Message, Clone, Debug, PartialEq)]
    #[rpc(validate_with = Self::check)]          // message-level check for rules across fields
    pub struct ProductRequest {
        #[rpc(min_len = 1, max_len = 64)]
        pub user_id: String,
        #[rpc(default = 10, ge = 1, le = 100)]
        pub limit: i32,
        #[rpc(max_items = 5, unique, items(pattern = "^[a-z]+$"))]
        pub categories: Vec<String>,
        #[rpc(required)]
        pub address: Option<Address>,             // and Address's own constraints, recursively
    }
    // README end: validation
}

/// The first snippet runs, too.
#[test]
fn the_first_snippet_runs() {
    intro().expect("the README's first snippet");
}

/// A region of this file as the README shows it.
struct Region {
    name: String,
    text: String,
}

const BEGIN: &str = "// README begin: ";
const END: &str = "// README end: ";
const SHOWN_AS: &str = " // README: ";

fn regions(source: &str) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in source.lines() {
        let trimmed = line.trim_start();
        if let Some(name) = trimmed.strip_prefix(BEGIN) {
            assert!(current.is_none(), "region {name} starts inside another");
            current = Some((name.to_string(), Vec::new()));
        } else if let Some(name) = trimmed.strip_prefix(END) {
            let (open, lines) = current.take().expect("a region ends before it starts");
            assert_eq!(open, name, "region {open} ends as {name}");
            regions.push(Region {
                name: open,
                text: shown(&lines),
            });
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    assert!(current.is_none(), "a region does not end");
    regions
}

/// The lines of a region as shown: replacements applied, the common
/// indentation removed.
fn shown(lines: &[&str]) -> String {
    let replaced: Vec<String> = lines
        .iter()
        .map(|line| match line.split_once(SHOWN_AS) {
            Some((code, shown)) => {
                let indent = code.len() - code.trim_start().len();
                format!("{}{shown}", &code[..indent])
            }
            None => line.to_string(),
        })
        .collect();
    let indent = replaced
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut text = String::new();
    for line in &replaced {
        text.push_str(line.get(indent..).unwrap_or("").trim_end());
        text.push('\n');
    }
    text
}

/// The README's ```rust blocks: (byte range of the body, body).
fn rust_blocks(readme: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut blocks = Vec::new();
    let mut offset = 0;
    let mut start = None;
    for line in readme.split_inclusive('\n') {
        let fence = line.trim_end();
        match start {
            None if fence == "```rust" => start = Some(offset + line.len()),
            Some(body) if fence == "```" => {
                blocks.push((body..offset, readme[body..offset].to_string()));
                start = None;
            }
            None if fence.starts_with("```rust") => {
                panic!("README: a ```rust block with attributes ({fence}) is not checked")
            }
            _ => {}
        }
        offset += line.len();
    }
    blocks
}

#[test]
fn readme_snippets_are_this_files_code() {
    let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(readme_path).expect("README.md");
    let regions = regions(include_str!("readme.rs"));
    let blocks = rust_blocks(&readme);
    assert!(regions.len() >= 10, "only {} regions", regions.len());
    if std::env::var_os("TYPERPC_UPDATE_README").is_some() {
        assert_eq!(blocks.len(), regions.len(), "README blocks and regions");
        let mut updated = readme.clone();
        for ((range, _), region) in blocks.iter().zip(&regions).rev() {
            updated.replace_range(range.clone(), &region.text);
        }
        std::fs::write(readme_path, updated).expect("README.md written");
        return;
    }
    let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        blocks.len(),
        regions.len(),
        "the README has {} ```rust blocks, this file {} regions ({names:?})",
        blocks.len(),
        regions.len()
    );
    for ((_, block), region) in blocks.iter().zip(&regions) {
        assert_eq!(
            block, &region.text,
            "the README's block for region {} differs from tests/readme.rs \
             (TYPERPC_UPDATE_README=1 cargo test -p typerpc --test readme rewrites it)",
            region.name
        );
    }
}

#[test]
fn regions_show_replacements_without_indentation() {
    let source = "    // README begin: a\n    fn f() {\n        g() // README: /* ... */\n    }\n    // README end: a\n";
    let regions = regions(source);
    assert_eq!(regions.len(), 1);
    assert_eq!(regions[0].text, "fn f() {\n    /* ... */\n}\n");
    let blocks = rust_blocks("x\n```rust\nlet a = 1;\n```\n```sh\nls\n```\n");
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].1, "let a = 1;\n");
}

/// Every `cargo run -p NAME` the README shows names a package of the
/// workspace that `cargo run` can run without `--bin`: one binary, or a
/// `default-run`. (A second binary added to an example once broke the
/// README's main command.)
#[test]
fn every_cargo_run_in_the_readme_picks_one_binary() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut names: Vec<&str> = readme
        .split("cargo run -p ")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| c.is_whitespace() || c == '`').next())
        // `cargo run -p NAME` in prose is a placeholder.
        .filter(|name| !name.chars().any(|c| c.is_ascii_uppercase()))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert!(names.contains(&"recommendation"), "{names:?}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(&root)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    for name in names {
        let package = packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("the README runs `cargo run -p {name}`: no such package"));
        let bins: Vec<&str> = package["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let default_run = package["default_run"].as_str();
        assert!(
            bins.len() == 1 || default_run.is_some_and(|d| bins.contains(&d)),
            "`cargo run -p {name}` cannot choose among {bins:?}: set `default-run` in its Cargo.toml"
        );
    }
}
