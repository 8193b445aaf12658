//! OpenAPI 3.1 documents for the Connect JSON endpoints, and the `/docs`
//! page that shows them.
//!
//! Every unary method is `POST /{package}.{Service}/{Method}` with a JSON
//! body (and `GET` with the Connect query when it is
//! `#[rpc(idempotent)]`); its request and response are JSON Schemas that
//! follow the proto3 JSON mapping exactly, with doc comments as
//! descriptions and validation constraints as JSON Schema keywords
//! (`minLength`, `maximum`, `pattern`, `minItems`, ...). Streaming
//! methods are listed with a note: plain JSON cannot call them.
//!
//! The document is built from descriptors, so it can describe any server
//! that serves reflection (`typerpc openapi --from URL`); from a
//! [`Router`](crate::Router) it also carries the doc comments and
//! constraints the descriptors leave out:
//!
//! ```
//! # use typerpc::{service, Message, Status};
//! /// A greeting request.
//! #[derive(Message, Clone, Debug, PartialEq)]
//! pub struct Hello {
//!     /// Who to greet.
//!     #[rpc(min_len = 1)]
//!     pub name: String,
//! }
//! pub struct GreeterService;
//! #[service]
//! impl GreeterService {
//!     /// Says hello.
//!     async fn greet(&self, req: Hello) -> Result<Hello, Status> { Ok(req) }
//! }
//!
//! let router = typerpc::Router::new().add(GreeterService);
//! let doc = typerpc::openapi::document(&router.schema()?, router.services(), &Default::default());
//! assert_eq!(doc["openapi"], "3.1.0");
//! let hello = &doc["components"]["schemas"]["greeter.v1.Hello"];
//! assert_eq!(hello["properties"]["name"]["minLength"], 1);
//! assert!(doc["paths"]["/greeter.v1.GreeterService/Greet"]["post"].is_object());
//! # Ok::<(), typerpc::schema::SchemaError>(())
//! ```
//!
//! [`Router::with_openapi`](crate::Router::with_openapi) serves the
//! document and [`Router::with_docs`](crate::Router::with_docs) a page
//! that shows it ([`DocsPage`]).

mod docs_page;
mod notes;
mod paths;
mod rules;
mod types;

use std::path::Path;

use prost_types::FileDescriptorProto;
use serde_json::{json, Map, Value};

use crate::schema::model::ServiceSchema;
use crate::schema::SchemaSet;

pub use docs_page::{DocsPage, DEFAULT_VIEWER};
pub use notes::Notes;

pub(crate) use docs_page::relative as relative_url;

/// The `info` of a document.
#[derive(Clone, Debug)]
pub struct Info {
    /// The title (default: the services' names).
    pub title: Option<String>,
    /// The API's version (default `1`).
    pub version: String,
    /// A description shown above the operations.
    pub description: Option<String>,
}

impl Default for Info {
    fn default() -> Info {
        Info {
            title: None,
            version: "1".into(),
            description: None,
        }
    }
}

/// The OpenAPI document of `services` (from a [`SchemaSet`] that holds
/// them, as [`Router::schema`](crate::Router::schema) gives), with their
/// doc comments and constraints.
pub fn document(set: &SchemaSet, services: &[&'static ServiceSchema], info: &Info) -> Value {
    let files = set.file_descriptor_set().file;
    let notes = Notes::from_schema(set, services);
    let names: Vec<String> = services
        .iter()
        .filter_map(|s| set.full_name_of_service(s).map(str::to_string))
        .collect();
    document_from_descriptors(&files, &names, &notes, info)
}

/// The OpenAPI document of the services named in `services`
/// (`package.Service`) as `files` describe them (every file they need,
/// in any order, as reflection serves them); `notes` adds descriptions and
/// constraints ([`Notes::from_descriptors`] reads the files' comments).
/// Services not found are left out.
pub fn document_from_descriptors(
    files: &[FileDescriptorProto],
    services: &[String],
    notes: &Notes,
    info: &Info,
) -> Value {
    let mut types = types::Types::new(files, notes);
    let mut paths = Map::new();
    let mut tags = Vec::new();
    for name in services {
        let found = files.iter().find_map(|file| {
            file.service
                .iter()
                .find(|s| {
                    let full = if file.package().is_empty() {
                        s.name().to_string()
                    } else {
                        format!("{}.{}", file.package(), s.name())
                    };
                    &full == name
                })
                .map(|s| (file, s))
        });
        if let Some((file, service)) = found {
            tags.push(paths::service_paths(
                file, service, &mut types, notes, &mut paths,
            ));
        }
    }
    let mut components = std::mem::take(&mut types.components);
    components.insert(paths::ERROR.into(), paths::error_schema());
    let title = info.title.clone().unwrap_or_else(|| match services {
        [] => "typerpc".to_string(),
        names => names.join(", "),
    });
    let mut info_json = json!({ "title": title, "version": info.version });
    let description = info.description.clone().unwrap_or_else(|| {
        "The Connect JSON endpoints of these services: unary methods take a JSON body by POST \
         (idempotent ones also GET); errors are Connect error bodies. The same methods answer \
         gRPC and gRPC-Web on the same port."
            .to_string()
    });
    info_json["description"] = Value::String(description);
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": info_json,
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "tags": tags,
        "paths": paths,
        "components": { "schemas": components },
    });
    types::strip_kinds(&mut doc);
    doc
}

/// Writes the OpenAPI document of `services` to `path` (pretty JSON),
/// the companion of [`write_service_proto_files`](crate::schema::write_service_proto_files).
///
/// ```no_run
/// # use typerpc::service::Service;
/// # fn export<S: Service>() -> Result<(), typerpc::schema::ExportError> {
/// typerpc::openapi::write_openapi([S::schema()], "openapi.json".as_ref())?;
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// The services do not form a valid schema, or the file cannot be written.
pub fn write_openapi(
    services: impl IntoIterator<Item = &'static ServiceSchema>,
    path: &Path,
) -> Result<(), crate::schema::ExportError> {
    let services: Vec<&'static ServiceSchema> = services.into_iter().collect();
    let mut builder = crate::schema::SchemaBuilder::new();
    for service in &services {
        builder.add_service(service);
    }
    let set = builder
        .build()
        .map_err(crate::schema::ExportError::Schema)?;
    let doc = document(&set, &services, &Info::default());
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(crate::schema::ExportError::Io)
}
