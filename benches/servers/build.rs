//! Generates the connectrpc echo server's message types and service trait
//! from `proto/echo.proto`. protox compiles the file (no `protoc` needed);
//! connectrpc-build reads the resulting descriptor set.

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let descriptors = protox::compile(["echo.proto"], ["proto"]).expect("proto/echo.proto");
    let set = out.join("echo.binpb");
    std::fs::write(&set, prost::Message::encode_to_vec(&descriptors)).expect("write descriptors");
    connectrpc_build::Config::new()
        .files(&["echo.proto"])
        .descriptor_set(&set)
        .include_file("_connectrpc.rs")
        .compile()
        .expect("connectrpc code generation");
    println!("cargo:rerun-if-changed=proto/echo.proto");
}
