//! Misuse of `#[derive(Message)]` and `#[service]` is a compile error that
//! points at the offending field or method and says what to do. The
//! expected messages are in `tests/ui/*.stderr`.

#[test]
fn misuse_is_a_clear_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
