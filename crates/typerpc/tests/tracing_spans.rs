//! Spans and logs with `tracing`: one span per call on each side, named and
//! attributed after OpenTelemetry's RPC semantic conventions; a failing
//! call logs its code; the handler's own spans are children of the call's;
//! and nothing at all is printed when the application installs no
//! subscriber.
//!
//! A small `tracing_subscriber` layer records every span (its name, its
//! fields, including those recorded later, and its parent) and every event
//! with the fields of its span, so the tests assert on structured data; the
//! `fmt` layer's text is checked too, as a person reading the log sees it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;
use typerpc::client::{Codec, Protocol};
use typerpc::testing::TestServer;
use typerpc::{service, Message, Router, Status};

#[derive(Message, Clone, Debug, PartialEq)]
pub struct Ping {
    pub text: String,
}

pub struct EchoService;

#[service(package = "echo.v1")]
impl EchoService {
    /// Echoes; `missing` is not found; `boom` is an internal error.
    async fn echo(&self, req: Ping) -> Result<Ping, Status> {
        let _inner = tracing::info_span!("handler_work").entered();
        match req.text.as_str() {
            "missing" => Err(Status::not_found("no such thing")),
            "boom" => Err(Status::internal("it broke")),
            _ => Ok(req),
        }
    }
}

type Fields = BTreeMap<String, String>;

/// A span as recorded: its name, its fields and its parent's name.
#[derive(Clone, Debug, Default)]
struct SpanRecord {
    name: String,
    fields: Fields,
    parent: Option<String>,
}

/// An event as recorded, with the fields of the span it belongs to.
#[derive(Clone, Debug)]
struct EventRecord {
    target: String,
    level: tracing::Level,
    fields: Fields,
    span: Option<SpanRecord>,
}

#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    events: Arc<Mutex<Vec<EventRecord>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let span = ctx.span(id).expect("the span exists");
        let mut record = SpanRecord {
            name: span.name().to_string(),
            parent: span.parent().map(|p| p.name().to_string()),
            ..Default::default()
        };
        attrs.record(&mut Collect(&mut record.fields));
        span.extensions_mut().insert(record);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        let span = ctx.span(id).expect("the span exists");
        if let Some(record) = span.extensions_mut().get_mut::<SpanRecord>() {
            values.record(&mut Collect(&mut record.fields));
        };
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        let span = ctx
            .event_span(event)
            .and_then(|s| s.extensions().get::<SpanRecord>().cloned());
        self.events.lock().unwrap().push(EventRecord {
            target: event.metadata().target().to_string(),
            level: *event.metadata().level(),
            fields,
            span,
        });
    }

    fn on_close(&self, id: Id, ctx: LayerContext<'_, S>) {
        let span = ctx.span(&id).expect("the span exists");
        if let Some(record) = span.extensions().get::<SpanRecord>() {
            self.spans.lock().unwrap().push(record.clone());
        };
    }
}

/// Text the `fmt` layer wrote.
#[derive(Clone, Default)]
struct Text(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Text {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `scenario` on a single-threaded runtime (so the server's tasks
/// see the thread's subscriber) with the recorder and a `fmt` layer at
/// `filter`.
fn traced<F: std::future::Future<Output = ()>>(
    filter: &str,
    scenario: impl FnOnce() -> F,
) -> (Recorder, String) {
    let recorder = Recorder::default();
    let text = Text::default();
    let writer = text.clone();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new(filter))
        .with(recorder.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    let _guard = tracing::subscriber::set_default(subscriber);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(scenario());
    let log = String::from_utf8(text.0.lock().unwrap().clone()).unwrap();
    (recorder, log)
}

async fn calls(protocol: Protocol, codec: Codec) {
    let server = TestServer::start(Router::new().add(EchoService)).await;
    let client = EchoServiceClient::new(
        server
            .client_builder()
            .protocol(protocol)
            .codec(codec)
            .build()
            .unwrap(),
    );
    let ok = client.echo(Ping { text: "hi".into() }).await.unwrap();
    assert_eq!(ok.text, "hi");
    let missing = client
        .echo(Ping {
            text: "missing".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), typerpc::Code::NotFound);
    let boom = client
        .echo(Ping {
            text: "boom".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(boom.code(), typerpc::Code::Internal);
    server.shutdown().await;
}

fn server_spans(recorder: &Recorder) -> Vec<SpanRecord> {
    recorder
        .spans
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.name == "rpc.server" && s.fields["rpc.service"] == "echo.v1.EchoService")
        .cloned()
        .collect()
}

#[test]
fn a_failing_call_logs_its_code_on_a_span_with_the_conventions_attributes() {
    let (recorder, log) = traced("typerpc=debug,tracing_spans=info", || {
        calls(Protocol::Grpc, Codec::Proto)
    });

    // One server span per call, in the conventions' names.
    let spans = server_spans(&recorder);
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for span in &spans {
        assert_eq!(span.fields["otel.name"], "echo.v1.EchoService/Echo");
        assert_eq!(span.fields["otel.kind"], "server");
        assert_eq!(span.fields["rpc.system"], "grpc");
        assert_eq!(span.fields["rpc.method"], "Echo");
        assert_eq!(span.fields["network.peer.address"], "127.0.0.1");
        assert!(span.fields["network.peer.port"].parse::<u16>().unwrap() > 0);
    }
    let codes: Vec<&str> = spans
        .iter()
        .map(|s| s.fields["rpc.grpc.status_code"].as_str())
        .collect();
    assert_eq!(codes, ["0", "5", "13"]);
    // Only a server fault marks a server span failed.
    assert!(
        !spans[1].fields.contains_key("otel.status_code"),
        "{:?}",
        spans[1]
    );
    assert_eq!(spans[2].fields["otel.status_code"], "ERROR");
    assert_eq!(spans[2].fields["otel.status_message"], "it broke");

    // The failing calls log their codes, at the level their kind deserves,
    // inside the call's span.
    let events = recorder.events.lock().unwrap().clone();
    let failed: Vec<&EventRecord> = events
        .iter()
        .filter(|e| {
            e.target == "typerpc::server"
                && e.fields.get("message").map(String::as_str) == Some("call failed")
        })
        .collect();
    assert_eq!(failed.len(), 2, "{events:#?}");
    assert_eq!(failed[0].fields["code"], "not_found");
    assert_eq!(failed[0].level, tracing::Level::INFO);
    assert_eq!(failed[1].fields["code"], "internal");
    assert_eq!(failed[1].fields["error.message"], "it broke");
    assert_eq!(failed[1].level, tracing::Level::ERROR);
    assert_eq!(
        failed[1].span.as_ref().unwrap().fields["rpc.method"],
        "Echo",
        "the event belongs to the call's span"
    );
    // As a person reads it.
    assert!(log.contains("call failed code=\"not_found\""), "{log}");
    assert!(log.contains("call failed code=\"internal\""), "{log}");
    assert!(
        log.contains("rpc.server{otel.name=\"echo.v1.EchoService/Echo\""),
        "{log}"
    );

    // The handler's span is a child of the call's.
    let spans = recorder.spans.lock().unwrap().clone();
    let work: Vec<_> = spans.iter().filter(|s| s.name == "handler_work").collect();
    assert_eq!(work.len(), 3);
    assert!(
        work.iter()
            .all(|s| s.parent.as_deref() == Some("rpc.server")),
        "{work:?}"
    );

    // The client's span of each call, as the conventions name it.
    let client: Vec<_> = spans.iter().filter(|s| s.name == "rpc.client").collect();
    assert_eq!(client.len(), 3, "{client:#?}");
    assert_eq!(client[0].fields["otel.kind"], "client");
    assert_eq!(client[0].fields["rpc.service"], "echo.v1.EchoService");
    assert_eq!(client[0].fields["server.address"], "127.0.0.1");
    assert_eq!(client[1].fields["rpc.grpc.status_code"], "5");
    // On the client every error fails the span.
    assert_eq!(client[1].fields["otel.status_code"], "ERROR");

    // Start, listen address and shutdown.
    for line in ["listening", "shutting down", "stopped"] {
        assert!(
            events
                .iter()
                .any(|e| e.target == "typerpc::server" && e.fields["message"].starts_with(line)),
            "no {line:?} in {events:#?}"
        );
    }
}

#[test]
fn connect_spans_name_the_error_code_and_messages_are_traced_when_asked_for() {
    let (recorder, _) = traced("typerpc=trace", || calls(Protocol::Connect, Codec::Json));
    let spans = server_spans(&recorder);
    assert_eq!(spans.len(), 3);
    assert!(spans
        .iter()
        .all(|s| s.fields["rpc.system"] == "connect_rpc"));
    assert!(!spans[0].fields.contains_key("rpc.connect_rpc.error_code"));
    assert_eq!(spans[1].fields["rpc.connect_rpc.error_code"], "not_found");
    assert_eq!(spans[2].fields["rpc.connect_rpc.error_code"], "internal");

    let events = recorder.events.lock().unwrap().clone();
    let messages: Vec<_> = events
        .iter()
        .filter(|e| e.fields.get("message").map(String::as_str) == Some("message"))
        .collect();
    // Three requests received, one response sent.
    let received = messages
        .iter()
        .filter(|e| e.fields["message.type"] == "RECEIVED")
        .count();
    let sent: Vec<_> = messages
        .iter()
        .filter(|e| e.fields["message.type"] == "SENT")
        .collect();
    assert_eq!((received, sent.len()), (3, 1), "{messages:#?}");
    assert_eq!(sent[0].fields["message.id"], "1");
    assert_eq!(
        sent[0].fields["message.uncompressed_size"],
        r#"{"text":"hi"}"#.len().to_string()
    );
}

#[test]
fn a_filter_at_warn_still_logs_server_faults_but_not_spans() {
    let (recorder, log) = traced("warn", || calls(Protocol::Grpc, Codec::Proto));
    assert!(server_spans(&recorder).is_empty());
    assert!(log.contains("call failed code=\"internal\""), "{log}");
    assert!(!log.contains("not_found"), "{log}");
}

/// The scenario of the next test, in a process of its own: only when that
/// test starts it.
#[test]
fn child_scenario_without_a_subscriber() {
    if std::env::var_os("TYPERPC_TRACING_CHILD").is_none() {
        return;
    }
    println!("BEGIN");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            calls(Protocol::Grpc, Codec::Proto).await;
            calls(Protocol::Connect, Codec::Json).await;
        });
    println!("END");
}

#[test]
fn nothing_is_printed_without_a_subscriber() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_scenario_without_a_subscriber",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TYPERPC_TRACING_CHILD", "1")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (_, after) = stdout
        .split_once("BEGIN\n")
        .unwrap_or_else(|| panic!("{stdout}"));
    let (between, _) = after
        .split_once("END\n")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(between, "", "printed without a subscriber");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr, "", "printed without a subscriber");
}
