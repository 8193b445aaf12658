//! The client-under-test binary driven as the suite's runner drives it:
//! size-delimited `ClientCompatRequest`s on stdin, closed at the end, one
//! `ClientCompatResponse` per request on stdout, in any order. Its calls
//! go to our own server under test, over Connect, gRPC and gRPC-Web, and
//! cover each stream type, an error with details, a timeout, a
//! cancellation and an unknown method.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};

use common::*;
use typerpc::Any;
use typerpc_conformance::server::{read_delimited, write_delimited};
use typerpc_conformance::*;

fn compat(sut: &Sut, name: &str, protocol: Protocol, method: &str) -> ClientCompatRequest {
    ClientCompatRequest {
        test_name: name.into(),
        http_version: HttpVersion::Http2,
        protocol,
        codec: Codec::Proto,
        compression: Compression::Identity,
        host: sut.response.host.clone(),
        port: sut.response.port,
        server_tls_cert: Vec::new(),
        client_tls_creds: None,
        message_receive_limit: 0,
        service: Some("connectrpc.conformance.v1.ConformanceService".into()),
        method: Some(method.into()),
        stream_type: StreamType::Unary,
        use_get_http_method: false,
        request_headers: vec![header("x-req", &["r1"])],
        request_messages: Vec::new(),
        timeout_ms: None,
        request_delay_ms: 0,
        cancel: None,
        raw_request: None,
    }
}

/// Runs the binary over `requests`; its answers by test name.
fn run(requests: &[ClientCompatRequest]) -> HashMap<String, ClientCompatResponseResult> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_typerpc-conformance-client"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the client under test starts");
    let mut stdin = child.stdin.take().unwrap();
    for request in requests {
        write_delimited(&mut stdin, request).unwrap();
    }
    drop(stdin);
    let mut stdout = child.stdout.take().unwrap();
    let mut answers = HashMap::new();
    for _ in requests {
        let answer: ClientCompatResponse = read_delimited(&mut stdout).unwrap();
        answers.insert(answer.test_name, answer.result.expect("a result"));
    }
    assert!(child.wait().unwrap().success(), "exits once stdin ends");
    answers
}

fn response(result: &ClientCompatResponseResult) -> &ClientResponseResult {
    match result {
        ClientCompatResponseResult::Response(response) => response,
        ClientCompatResponseResult::Error(e) => panic!("not a response: {}", e.message),
    }
}

#[test]
fn every_stream_type_error_timeout_and_cancellation_through_the_binary() {
    let sut = Sut::plain();
    let mut requests = Vec::new();
    for protocol in [Protocol::Connect, Protocol::Grpc, Protocol::GrpcWeb] {
        let p = format!("{protocol:?}");
        let mut unary = compat(&sut, &format!("{p}/unary"), protocol, "Unary");
        unary.request_messages = vec![Any::pack(&UnaryRequest {
            response_definition: Some(unary_data(b"one")),
            request_data: Vec::new(),
        })];
        requests.push(unary);

        let mut failing = compat(&sut, &format!("{p}/error"), protocol, "Unary");
        failing.request_messages = vec![Any::pack(&UnaryRequest {
            response_definition: Some(UnaryResponseDefinition {
                response: Some(UnaryResponseDefinitionResponse::Error(error_definition(
                    Code::FailedPrecondition,
                    "not now",
                ))),
                ..unary_data(b"")
            }),
            request_data: Vec::new(),
        })];
        requests.push(failing);

        let mut server = compat(&sut, &format!("{p}/server"), protocol, "ServerStream");
        server.stream_type = StreamType::ServerStream;
        server.request_messages = vec![Any::pack(&ServerStreamRequest {
            response_definition: Some(stream_definition(&[b"a", b"b"], None)),
            request_data: Vec::new(),
        })];
        requests.push(server);

        let mut client = compat(&sut, &format!("{p}/client"), protocol, "ClientStream");
        client.stream_type = StreamType::ClientStream;
        client.request_delay_ms = 5;
        client.request_messages = (0..3)
            .map(|i| {
                Any::pack(&ClientStreamRequest {
                    response_definition: (i == 0).then(|| unary_data(b"sum")),
                    request_data: vec![i],
                })
            })
            .collect();
        requests.push(client);

        let mut bidi = compat(&sut, &format!("{p}/bidi"), protocol, "BidiStream");
        bidi.stream_type = StreamType::FullDuplexBidiStream;
        bidi.request_messages = (0..2)
            .map(|i| {
                Any::pack(&BidiStreamRequest {
                    response_definition: (i == 0).then(|| stream_definition(&[b"x", b"y"], None)),
                    full_duplex: true,
                    request_data: vec![i],
                })
            })
            .collect();
        requests.push(bidi);

        let mut slow = compat(&sut, &format!("{p}/timeout"), protocol, "ServerStream");
        slow.stream_type = StreamType::ServerStream;
        slow.timeout_ms = Some(100);
        slow.request_messages = vec![Any::pack(&ServerStreamRequest {
            response_definition: Some(StreamResponseDefinition {
                response_delay_ms: 1000,
                ..stream_definition(&[b"late"], None)
            }),
            request_data: Vec::new(),
        })];
        requests.push(slow);

        let mut cancelled = compat(&sut, &format!("{p}/cancel"), protocol, "ServerStream");
        cancelled.stream_type = StreamType::ServerStream;
        cancelled.cancel = Some(ClientCompatRequestCancel {
            cancel_timing: Some(ClientCompatRequestCancelTiming::AfterNumResponses(1)),
        });
        cancelled.request_messages = vec![Any::pack(&ServerStreamRequest {
            response_definition: Some(stream_definition(&[b"1", b"2", b"3"], None)),
            request_data: Vec::new(),
        })];
        requests.push(cancelled);
    }
    let unknown = compat(&sut, "unknown", Protocol::Connect, "Nope");
    requests.push(unknown);

    let answers = run(&requests);
    for protocol in ["Connect", "Grpc", "GrpcWeb"] {
        let get = |case: &str| response(&answers[&format!("{protocol}/{case}")]);

        let unary = get("unary");
        assert_eq!(unary.error, None, "{protocol}");
        assert_eq!(unary.payloads.len(), 1);
        assert_eq!(unary.payloads[0].data, b"one");
        let info = unary.payloads[0].request_info.as_ref().unwrap();
        assert_eq!(echoed(&info.request_headers, "x-req"), ["r1"], "{protocol}");
        assert_eq!(
            echoed(&unary.response_headers, "x-resp-header"),
            ["h1", "h2"]
        );
        assert_eq!(echoed(&unary.response_trailers, "x-resp-trailer"), ["t1"]);

        let error = get("error").error.as_ref().expect("an error");
        assert_eq!(error.code, Code::FailedPrecondition, "{protocol}");
        assert_eq!(error.message.as_deref(), Some("not now"));
        assert_eq!(
            error.details[0].unpack::<Header>().unwrap().unwrap().name,
            "detail"
        );

        let server = get("server");
        let data: Vec<&[u8]> = server.payloads.iter().map(|p| &p.data[..]).collect();
        assert_eq!(data, [b"a", b"b"], "{protocol}");
        assert_eq!(server.error, None);

        let client = get("client");
        assert_eq!(client.payloads[0].data, b"sum", "{protocol}");
        let info = client.payloads[0].request_info.as_ref().unwrap();
        assert_eq!(info.requests.len(), 3, "{protocol}");

        let bidi = get("bidi");
        let data: Vec<&[u8]> = bidi.payloads.iter().map(|p| &p.data[..]).collect();
        assert_eq!(data, [b"x", b"y"], "{protocol}");

        let timeout = get("timeout").error.as_ref().expect("a timeout");
        assert_eq!(timeout.code, Code::DeadlineExceeded, "{protocol}");

        let cancel = get("cancel");
        assert_eq!(cancel.payloads.len(), 1, "{protocol}");
        assert_eq!(cancel.error.as_ref().unwrap().code, Code::Canceled);
    }
    match &answers["unknown"] {
        ClientCompatResponseResult::Error(e) => {
            assert!(e.message.contains("Nope"), "{}", e.message)
        }
        other => panic!("an unknown method is an error result: {other:?}"),
    }
}
