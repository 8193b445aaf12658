//! The server under test for the Connect conformance suite's runner
//! (`connectconformance --mode server`).
//!
//! Reads a size-delimited `ServerCompatRequest` from stdin, starts
//! `ConformanceService` on 127.0.0.1 at an ephemeral port, writes the
//! size-delimited `ServerCompatResponse` to stdout, and serves until
//! SIGTERM or SIGINT. The runner closes stdin as soon as it has written
//! the request, so the end of stdin is not a reason to stop.

use std::process::ExitCode;

use typerpc_conformance::server::{read_delimited, start, write_delimited};
use typerpc_conformance::ServerCompatRequest;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("typerpc-conformance-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let request: ServerCompatRequest = read_delimited(std::io::stdin().lock())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let started = start(&request).await?;
        write_delimited(std::io::stdout().lock(), &started.response)?;
        started.serve(typerpc::server::shutdown_signal()).await?;
        Ok(())
    })
}
