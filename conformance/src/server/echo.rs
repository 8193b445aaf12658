//! What every RPC echoes back and how it answers: the request info built
//! from the call's context, response headers and trailers applied from a
//! definition, and a definition's `Error` turned into a `Status`.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use typerpc::{Any, Code as StatusCode, Context, Enumeration, Status};

use crate::types::{
    ConformancePayload, ConformancePayloadConnectGetInfo, ConformancePayloadRequestInfo, Error,
    Header, UnaryResponseDefinition, UnaryResponseDefinitionResponse,
};

/// The request info of a call: the request headers it observed, the time
/// left before its deadline, these requests, and for a Connect GET the
/// query parameters.
pub(crate) fn request_info(ctx: &Context, requests: Vec<Any>) -> ConformancePayloadRequestInfo {
    ConformancePayloadRequestInfo {
        request_headers: headers_of(ctx.request_headers()),
        // The time left, as the reference server reports it: what the
        // handler can still use, never more than the client asked for.
        timeout_ms: ctx
            .time_remaining()
            .map(|left| i64::try_from(left.as_millis()).unwrap_or(i64::MAX)),
        requests,
        connect_get_info: (ctx.http_method() == Method::GET).then(|| {
            ConformancePayloadConnectGetInfo {
                query_params: query_params(ctx.request_uri().query().unwrap_or("")),
            }
        }),
    }
}

/// Only the requests: what full-duplex responses after the first carry.
pub(crate) fn requests_only(requests: Vec<Any>) -> ConformancePayloadRequestInfo {
    ConformancePayloadRequestInfo {
        request_headers: Vec::new(),
        timeout_ms: None,
        requests,
        connect_get_info: None,
    }
}

/// A header map as `Header` entries: one per name, its values in the
/// order received. Values that are not ASCII text are shown lossily (the
/// suite sends ASCII; `-bin` values are base64).
pub(crate) fn headers_of(map: &http::HeaderMap) -> Vec<Header> {
    map.keys()
        .map(|name| Header {
            name: name.as_str().to_string(),
            value: map
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect(),
        })
        .collect()
}

/// The query parameters of a URL, decoded (`+` is a space), grouped by
/// name in order of first appearance.
pub(crate) fn query_params(query: &str) -> Vec<Header> {
    let mut params: Vec<Header> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (decode_component(name), decode_component(value));
        match params.iter_mut().find(|p| p.name == name) {
            Some(param) => param.value.push(value),
            None => params.push(Header {
                name,
                value: vec![value],
            }),
        }
    }
    params
}

fn decode_component(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Adds a definition's response headers to the call.
pub(crate) fn send_headers(ctx: &Context, headers: &[Header]) {
    for (name, value) in metadata(headers) {
        ctx.append_response_header(name, value);
    }
}

/// Adds a definition's response trailers to the call.
pub(crate) fn send_trailers(ctx: &Context, trailers: &[Header]) {
    for (name, value) in metadata(trailers) {
        ctx.append_response_trailer(name, value);
    }
}

/// Header entries as HTTP names and values; entries HTTP cannot carry
/// (a name with spaces, a value with a newline) are left out rather than
/// failing the call.
fn metadata(headers: &[Header]) -> impl Iterator<Item = (HeaderName, HeaderValue)> + '_ {
    headers.iter().flat_map(|header| {
        let name = HeaderName::from_bytes(header.name.as_bytes()).ok();
        header
            .value
            .iter()
            .filter_map(move |value| Some((name.clone()?, HeaderValue::from_str(value).ok()?)))
    })
}

/// The status a definition's error asks for, with the request info
/// appended to its details when the definition says so (`info`).
pub(crate) fn status_of(error: Error, info: Option<&ConformancePayloadRequestInfo>) -> Status {
    let code = StatusCode::from_i32(error.code.to_number());
    let mut details = error.details;
    details.extend(info.map(Any::pack));
    Status::new(code, error.message.unwrap_or_default()).with_details(details)
}

/// Waits `ms` milliseconds (the definition's response delay).
pub(crate) async fn delay(ms: u32) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }
}

/// Answers a unary or client-streaming call as its definition says:
/// headers and trailers set (on errors too), the delay waited, then the
/// payload with the request info, or the error with the request info in
/// its details. Without a definition: only the request info.
pub(crate) async fn answer_unary(
    ctx: &Context,
    definition: Option<UnaryResponseDefinition>,
    info: ConformancePayloadRequestInfo,
) -> Result<ConformancePayload, Status> {
    let Some(definition) = definition else {
        return Ok(ConformancePayload {
            data: Vec::new(),
            request_info: Some(info),
        });
    };
    send_headers(ctx, &definition.response_headers);
    send_trailers(ctx, &definition.response_trailers);
    delay(definition.response_delay_ms).await;
    match definition.response {
        Some(UnaryResponseDefinitionResponse::Error(error)) => Err(status_of(error, Some(&info))),
        Some(UnaryResponseDefinitionResponse::ResponseData(data)) => Ok(ConformancePayload {
            data,
            request_info: Some(info),
        }),
        None => Ok(ConformancePayload {
            data: Vec::new(),
            request_info: Some(info),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_decoded_and_grouped() {
        let params = query_params("message=%7B%22a%22%7D&encoding=json&x=1&x=two+words&flag");
        let pairs: Vec<(&str, Vec<&str>)> = params
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.value.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("message", vec!["{\"a\"}"]),
                ("encoding", vec!["json"]),
                ("x", vec!["1", "two words"]),
                ("flag", vec![""]),
            ]
        );
    }

    #[test]
    fn errors_keep_their_details_and_gain_the_request_info() {
        let header = Header {
            name: "detail".into(),
            value: vec!["one".into()],
        };
        let error = Error {
            code: crate::types::Code::ResourceExhausted,
            message: Some("too much".into()),
            details: vec![Any::pack(&header)],
        };
        let info = requests_only(Vec::new());
        let status = status_of(error, Some(&info));
        assert_eq!(status.code(), StatusCode::ResourceExhausted);
        assert_eq!(status.message(), "too much");
        assert_eq!(status.details().len(), 2);
        assert_eq!(status.detail::<Header>(), Some(header));
        assert_eq!(status.detail::<ConformancePayloadRequestInfo>(), Some(info));
    }

    #[test]
    fn definition_headers_skip_what_http_cannot_carry() {
        let ctx = Context::new(http::HeaderMap::new(), None, None);
        send_headers(
            &ctx,
            &[
                Header {
                    name: "x-ok".into(),
                    value: vec!["a".into(), "b".into()],
                },
                Header {
                    name: "bad name".into(),
                    value: vec!["c".into()],
                },
            ],
        );
        let sent = ctx.take_response_metadata().headers;
        let values: Vec<_> = sent.get_all("x-ok").iter().collect();
        assert_eq!(values, ["a", "b"]);
        assert_eq!(sent.len(), 2);
    }
}
