//! The example as users run it: it prints the `.proto` of the catalogue
//! and the value's round trip, and exits cleanly.

#[test]
fn prints_the_proto_and_round_trips() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_schema"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("package catalogue.v1;"), "{stdout}");
    assert!(stdout.contains("message ProductPage {"), "{stdout}");
    assert!(stdout.contains("oneof discount {"), "{stdout}");
    assert!(stdout.contains("page_size when omitted: 20"), "{stdout}");
}
