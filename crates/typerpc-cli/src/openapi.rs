//! `typerpc openapi --from URL`: the OpenAPI document of a server's
//! Connect JSON endpoints, from the schema it serves by reflection.

use std::path::Path;

use typerpc::openapi::{document_from_descriptors, Info, Notes};

/// Whether a service is one of gRPC's standard ones (health, reflection),
/// left out unless asked for by name.
fn is_standard(service: &str) -> bool {
    service.starts_with("grpc.")
}

/// The document of `services` (every service but gRPC's standard ones when
/// empty) of the server at `url`. Doc comments and constraints appear when
/// the server's descriptors carry them as comments (typerpc's do not:
/// `Router::with_openapi` serves the full document).
pub async fn document(url: &str, services: &[String]) -> Result<serde_json::Value, String> {
    let mut reflection = crate::remote::reflection(url)?;
    let listed = reflection
        .list_services()
        .await
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = if services.is_empty() {
        listed.iter().filter(|s| !is_standard(s)).cloned().collect()
    } else {
        for service in services {
            if !listed.contains(service) {
                return Err(format!(
                    "the server at {url} has no service {service:?}; it has: {}",
                    listed.join(", ")
                ));
            }
        }
        services.to_vec()
    };
    let set = reflection.all_files().await.map_err(|e| e.to_string())?;
    let notes = Notes::from_descriptors(&set.file);
    Ok(document_from_descriptors(
        &set.file,
        &names,
        &notes,
        &Info::default(),
    ))
}

/// Writes `doc` as indented JSON to `out`, or to stdout.
pub fn write(doc: &serde_json::Value, out: Option<&Path>) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
    text.push('\n');
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
