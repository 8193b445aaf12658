//! The timeout headers, `grpc-timeout` and `connect-timeout-ms`: any
//! value parses to a duration or an error; a parsed duration written back
//! reads back no shorter (gRPC rounds up to its coarser units, and both
//! write at least one unit: a zero timeout goes out as the smallest), and
//! a Connect one of at least a millisecond reads back the same.
#![no_main]

use http::HeaderValue;
use libfuzzer_sys::fuzz_target;
use typerpc::protocol::timeout::{
    format_connect_timeout, format_grpc_timeout, parse_connect_timeout, parse_grpc_timeout,
};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    if let Ok(timeout) = parse_grpc_timeout(&value) {
        let again = HeaderValue::from_str(&format_grpc_timeout(timeout)).expect("ASCII");
        let back = parse_grpc_timeout(&again).expect("our own value parses");
        assert!(
            back >= timeout,
            "{value:?}: {timeout:?} came back as {back:?}"
        );
    }
    if let Ok(timeout) = parse_connect_timeout(&value) {
        let again = HeaderValue::from_str(&format_connect_timeout(timeout)).expect("ASCII");
        let back = parse_connect_timeout(&again).expect("our own value parses");
        assert!(
            back >= timeout,
            "{value:?}: {timeout:?} came back as {back:?}"
        );
        if !timeout.is_zero() {
            assert_eq!(back, timeout, "{value:?}");
        }
    }
});
