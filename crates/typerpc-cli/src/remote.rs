//! Talking to a running server: building the client from the command
//! line's flags, reflection, and a descriptor pool of what it returned.

use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorSet;
use typerpc::client::{HttpVersion, Protocol};
use typerpc::reflection::ReflectionClient;
use typerpc::Client;

/// A reflection client of `url` (gRPC over HTTP/2, as reflection is a
/// bidirectional stream).
pub fn reflection(url: &str) -> Result<ReflectionClient, String> {
    Ok(ReflectionClient::new(client(
        url,
        Protocol::Grpc,
        HttpVersion::Http2,
    )?))
}

/// A client of `url` speaking `protocol` over `http`, with protobuf. A URL
/// without a scheme (`localhost:50051`) is taken as `http://`.
pub fn client(url: &str, protocol: Protocol, http: HttpVersion) -> Result<Client, String> {
    Client::builder(&with_scheme(url))
        .protocol(protocol)
        .http_version(http)
        .build()
        .map_err(|e| {
            // Printed after `typerpc: `; the client's own prefix would repeat it.
            let message = e.to_string();
            match message.strip_prefix("typerpc client: ") {
                Some(rest) => rest.to_string(),
                None => message,
            }
        })
}

/// `url`, with `http://` in front when it names no scheme.
pub fn with_scheme(url: &str) -> String {
    if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    }
}

/// The descriptors of `set`, linked.
pub fn pool(set: FileDescriptorSet) -> Result<DescriptorPool, String> {
    DescriptorPool::from_file_descriptor_set(set)
        .map_err(|e| format!("the server's descriptors do not link: {e}"))
}
