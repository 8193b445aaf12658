//! The document of a service whose types use every mapping: each JSON
//! form, constraint and operation, keyword by keyword.

use std::collections::HashMap;

use serde_json::{json, Value};

#[path = "common/peers.rs"]
mod peers;

use typerpc::{service, Duration, Message, Status, Timestamp};

/// A tint.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rpc(package = "doc.v1")]
pub enum Tint {
    /// Not chosen.
    Unspecified,
    Red,
}

/// One way to pay.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum Payment {
    /// A card number.
    Card(String),
    Points(i64),
}

/// A request with every kind of field.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "doc.v1")]
pub struct Kinds {
    /// The name.
    #[rpc(min_len = 1, max_len = 8, pattern = "^[a-z]+$")]
    pub name: String,
    pub count: i32,
    pub total: i64,
    pub big: u64,
    pub ratio: f64,
    pub blob: Vec<u8>,
    pub on: bool,
    pub tint: Tint,
    #[rpc(default = 7)]
    pub limit: i32,
    pub maybe: Option<i32>,
    #[rpc(min_items = 1, max_items = 3, unique, items(email))]
    pub mails: Vec<String>,
    pub labels: HashMap<String, i64>,
    pub by_id: HashMap<i32, Tint>,
    pub at: Option<Timestamp>,
    pub took: Option<Duration>,
    pub payment: Option<Payment>,
    #[rpc(required)]
    pub child: Option<Child>,
    #[rpc(ge = -5.0, lt = 10.5, not_in = [3.0])]
    pub score: f64,
}

/// A nested message.
#[derive(Message, Clone, Debug, PartialEq)]
#[rpc(package = "doc.v1")]
pub struct Child {
    #[rpc(in = ["a", "b"])]
    pub code: String,
    pub again: Option<Box<Child>>,
}

/// The service.
pub struct DocService;

/// Things to call.
#[service(package = "doc.v1")]
impl DocService {
    /// Echoes the kinds.
    async fn echo(&self, req: Kinds) -> Result<Kinds, Status> {
        Ok(req)
    }

    /// Reads a child.
    #[rpc(idempotent)]
    async fn read(&self, req: Child) -> Result<Child, Status> {
        Ok(req)
    }

    /// Streams children.
    async fn watch(&self, req: Child) -> Result<typerpc::ResponseStream<Child>, Status> {
        let _ = req;
        Err(Status::unimplemented("no"))
    }
}

fn doc() -> Value {
    let router = typerpc::Router::new().add(DocService);
    router.openapi().expect("valid schema")
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

#[test]
fn scalars_follow_the_proto3_json_mapping() {
    let doc = doc();
    let p = &schema(&doc, "doc.v1.Kinds")["properties"];
    assert_eq!(p["count"]["type"], json!(["integer", "string", "null"]));
    assert_eq!(p["count"]["maximum"], json!(i32::MAX));
    // 64-bit integers are written as strings; numbers are read too.
    assert_eq!(p["total"]["type"], json!(["string", "integer", "null"]));
    assert_eq!(p["big"]["minimum"], json!(0));
    assert_eq!(p["big"]["maximum"], json!(u64::MAX));
    assert_eq!(p["ratio"]["type"], json!(["number", "string", "null"]));
    assert!(p["ratio"]["pattern"].as_str().unwrap().contains("Infinity"));
    assert_eq!(p["blob"]["contentEncoding"], "base64");
    assert_eq!(p["on"]["type"], json!(["boolean", "null"]));
    // lowerCamelCase names; maybe has presence and also admits null.
    assert!(p.get("byId").is_some());
    assert!(p.get("by_id").is_none());
    assert_eq!(p["maybe"]["type"], json!(["integer", "string", "null"]));
    assert_eq!(p["limit"]["default"], json!(7));
    assert_eq!(
        schema(&doc, "doc.v1.Kinds")["additionalProperties"],
        json!(false)
    );
}

#[test]
fn enums_are_names_or_numbers() {
    let doc = doc();
    let tint = schema(&doc, "doc.v1.Tint");
    assert_eq!(
        tint["anyOf"][0]["enum"],
        json!(["TINT_UNSPECIFIED", "TINT_RED"])
    );
    assert_eq!(tint["anyOf"][1]["type"], "integer");
    assert!(tint["description"]
        .as_str()
        .unwrap()
        .contains("`TINT_UNSPECIFIED` (0): Not chosen."));
}

#[test]
fn well_known_types_take_their_json_forms() {
    let doc = doc();
    assert_eq!(
        schema(&doc, "google.protobuf.Timestamp")["format"],
        "date-time"
    );
    assert_eq!(schema(&doc, "google.protobuf.Duration")["type"], "string");
    let p = &schema(&doc, "doc.v1.Kinds")["properties"];
    assert_eq!(
        p["at"]["anyOf"][0]["$ref"],
        "#/components/schemas/google.protobuf.Timestamp"
    );
    assert_eq!(p["at"]["anyOf"][1]["type"], "null");
}

#[test]
fn maps_repeated_and_oneofs() {
    let doc = doc();
    let kinds = schema(&doc, "doc.v1.Kinds");
    let p = &kinds["properties"];
    assert_eq!(p["labels"]["type"], json!(["object", "null"]));
    assert_eq!(p["labels"]["propertyNames"], json!({ "type": "string" }));
    assert_eq!(
        p["labels"]["additionalProperties"]["type"],
        json!(["string", "integer"])
    );
    assert!(p["byId"]["propertyNames"]["pattern"].is_string());
    assert_eq!(
        p["byId"]["additionalProperties"]["$ref"],
        "#/components/schemas/doc.v1.Tint"
    );
    // At most one member of the oneof: one branch per member, one for none.
    let branches = kinds["oneOf"].as_array().unwrap();
    assert_eq!(branches.len(), 3);
    assert_eq!(branches[0], json!({ "required": ["card"] }));
    assert_eq!(branches[1], json!({ "required": ["points"] }));
    assert_eq!(p["card"]["description"], "A card number.");
    assert_eq!(p["points"]["type"], json!(["string", "integer"]));
}

#[test]
fn constraints_become_keywords_and_descriptions() {
    let doc = doc();
    let kinds = schema(&doc, "doc.v1.Kinds");
    let p = &kinds["properties"];
    assert_eq!(p["name"]["minLength"], 1);
    assert_eq!(p["name"]["maxLength"], 8);
    assert_eq!(p["name"]["pattern"], "^[a-z]+$");
    assert!(p["name"]["description"]
        .as_str()
        .unwrap()
        .starts_with("The name.\n\nValidation: min_len = 1"));
    assert_eq!(p["mails"]["minItems"], 1);
    assert_eq!(p["mails"]["maxItems"], 3);
    assert_eq!(p["mails"]["uniqueItems"], true);
    assert_eq!(p["mails"]["items"]["format"], "email");
    assert_eq!(p["score"]["minimum"], -5);
    assert_eq!(p["score"]["exclusiveMaximum"], 10.5);
    assert_eq!(p["score"]["not"], json!({ "enum": [3] }));
    // `required`, and fields whose zero value breaks a rule (an absent
    // `name` is "", shorter than `min_len`): listed, and without null.
    assert_eq!(kinds["required"], json!(["name", "mails", "child"]));
    assert_eq!(p["name"]["type"], "string");
    assert_eq!(p["child"]["$ref"], "#/components/schemas/doc.v1.Child");
    let child = schema(&doc, "doc.v1.Child");
    assert_eq!(child["properties"]["code"]["enum"], json!(["a", "b"]));
    // Recursion goes through the component.
    assert_eq!(
        child["properties"]["again"]["anyOf"][0]["$ref"],
        "#/components/schemas/doc.v1.Child"
    );
    assert_eq!(child["description"], "A nested message.");
}

#[test]
fn operations_for_each_call_shape() {
    let doc = doc();
    let paths = &doc["paths"];
    let echo = &paths["/doc.v1.DocService/Echo"];
    assert!(echo.get("get").is_none(), "not idempotent: POST only");
    let post = &echo["post"];
    assert_eq!(post["description"], "Echoes the kinds.");
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/doc.v1.Kinds"
    );
    let headers: Vec<&str> = post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(headers, ["Connect-Protocol-Version", "Connect-Timeout-Ms"]);
    for status in [
        "400", "401", "403", "404", "409", "429", "499", "500", "501", "503", "504",
    ] {
        assert_eq!(
            post["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/connect.Error",
            "{status}"
        );
    }
    assert!(post["responses"]["400"]["description"]
        .as_str()
        .unwrap()
        .contains("`invalid_argument`"));
    let get = &paths["/doc.v1.DocService/Read"]["get"];
    let names: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["message", "encoding", "connect", "Connect-Timeout-Ms"]
    );
    let watch = &paths["/doc.v1.DocService/Watch"]["post"];
    assert!(watch["description"]
        .as_str()
        .unwrap()
        .contains("not callable with a plain JSON body"));
    assert!(watch["requestBody"]["content"]["application/connect+json"].is_object());
    assert_eq!(doc["tags"][0]["name"], "doc.v1.DocService");
    assert_eq!(doc["tags"][0]["description"], "Things to call.");
    assert!(!doc.to_string().contains("x-typerpc-kind"));
}

#[test]
fn descriptors_alone_give_the_structure() {
    let router = typerpc::Router::new().add(DocService);
    let set = router.schema().unwrap();
    let files = set.file_descriptor_set().file;
    let doc = typerpc::openapi::document_from_descriptors(
        &files,
        &[
            "doc.v1.DocService".to_string(),
            "no.such.Service".to_string(),
        ],
        &typerpc::openapi::Notes::none(),
        &typerpc::openapi::Info::default(),
    );
    let p = &schema(&doc, "doc.v1.Kinds")["properties"];
    assert_eq!(p["total"]["type"], json!(["string", "integer", "null"]));
    assert!(p["name"].get("minLength").is_none());
    assert_eq!(doc["paths"].as_object().unwrap().len(), 3);
    // The full document has the same structure, plus the notes.
    let full = router.openapi().unwrap();
    assert_eq!(
        full["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>()
    );
}

/// The document's GET operations name 414, and a server does answer it
/// when a message sent by GET makes the URI longer than HTTP/1.1 allows
/// (64 KiB), before any call begins; the server keeps answering.
#[tokio::test]
async fn a_get_whose_uri_is_too_long_gets_the_documented_414() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let doc = doc();
    let get = &doc["paths"]["/doc.v1.DocService/Read"]["get"];
    assert!(get["responses"]["414"]["description"]
        .as_str()
        .unwrap()
        .contains("POST"));
    let post = &doc["paths"]["/doc.v1.DocService/Read"]["post"];
    assert!(
        post["responses"].get("414").is_none(),
        "a POST body has no such bound"
    );

    let server = typerpc::testing::TestServer::start(typerpc::Router::new().add(DocService)).await;
    let long = "a".repeat(70 * 1024);
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "GET /doc.v1.DocService/Read?encoding=json&message=%7B%22code%22%3A%22{long}%22%7D HTTP/1.1\r\nhost: x\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0; 1024];
    let n = stream.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");

    let addr = server.addr();
    let (status, body) = tokio::task::spawn_blocking(move || {
        peers::http_get(
            addr,
            "/doc.v1.DocService/Read?encoding=json&message=%7B%22code%22%3A%22a%22%7D",
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"code":"a"}"#));
    server.shutdown().await;
}
