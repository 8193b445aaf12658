//! Connect's error body and end-of-stream message: any bytes read as a
//! status (or, for an end of stream, an error); what is read writes back
//! to JSON that reads back to the same code, message, details and
//! metadata. (A detail's type is compared by its name after the last `/`:
//! Connect's JSON carries only the name, so a `type` with a slash, which
//! the spec does not allow, is not kept whole, and one with no name after
//! it is not written back.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use typerpc::protocol::connect_error::{
    end_stream_from_json, end_stream_to_json, from_json, to_json,
};

fuzz_target!(|data: &[u8]| {
    let http_status = data.first().map_or(200, |b| 200 + u16::from(*b) * 2);
    let status = from_json(data, http_status);
    let again = from_json(&to_json(&status), http_status);
    assert_eq!(again.code(), status.code());
    assert_eq!(again.message(), status.message());
    let details = |s: &typerpc::Status| {
        s.details()
            .iter()
            .map(|d| {
                let name = d.type_url.rsplit('/').next().unwrap_or("").to_owned();
                (name, d.value.clone())
            })
            // A detail without a name cannot be written back.
            .filter(|(name, _)| !name.is_empty())
            .collect::<Vec<_>>()
    };
    assert_eq!(details(&again), details(&status));

    if let Ok(end) = end_stream_from_json(data) {
        let json = end_stream_to_json(end.error.as_ref(), &end.metadata);
        let again = end_stream_from_json(&json).expect("our own end of stream reads");
        assert_eq!(
            again
                .error
                .as_ref()
                .map(|s| (s.code(), s.message().to_owned())),
            end.error
                .as_ref()
                .map(|s| (s.code(), s.message().to_owned()))
        );
        assert_eq!(again.metadata, end.metadata);
    }
});
