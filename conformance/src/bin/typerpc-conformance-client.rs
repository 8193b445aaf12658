//! The client under test for the Connect conformance suite's runner
//! (`connectconformance --mode client`).
//!
//! Reads size-delimited `ClientCompatRequest`s from stdin until it ends,
//! makes each call through typerpc's `Client` (several at once), and
//! writes each size-delimited `ClientCompatResponse` to stdout as its call
//! finishes. At the end of stdin it waits for the calls in flight, then
//! exits.

use std::process::ExitCode;
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use typerpc_conformance::client::run_case;
use typerpc_conformance::server::{read_delimited, write_delimited, StartupError};
use typerpc_conformance::{ClientCompatRequest, ClientCompatResponse};

/// Calls in flight at once: enough to keep a run short, few enough that
/// the suite's timing (delays, timeouts) is not distorted by the load.
const CONCURRENT_CALLS: usize = 16;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("typerpc-conformance-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (requests_tx, mut requests) = mpsc::unbounded_channel::<ClientCompatRequest>();
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            loop {
                match read_delimited::<ClientCompatRequest>(&mut stdin) {
                    Ok(request) => {
                        if requests_tx.send(request).is_err() {
                            return;
                        }
                    }
                    Err(StartupError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        return
                    }
                    Err(e) => {
                        eprintln!("typerpc-conformance-client: reading a request: {e}");
                        return;
                    }
                }
            }
        });
        let (answers_tx, mut answers) = mpsc::unbounded_channel::<ClientCompatResponse>();
        let writer = tokio::task::spawn_blocking(move || {
            let mut stdout = std::io::stdout().lock();
            while let Some(answer) = answers.blocking_recv() {
                write_delimited(&mut stdout, &answer)?;
            }
            Ok::<(), StartupError>(())
        });
        let slots = Arc::new(Semaphore::new(CONCURRENT_CALLS));
        let mut calls = JoinSet::new();
        while let Some(request) = requests.recv().await {
            let slot = Arc::clone(&slots).acquire_owned().await?;
            let answers = answers_tx.clone();
            calls.spawn(async move {
                let answer = run_case(request).await;
                drop(slot);
                // The writer only stops when stdout is gone.
                let _ = answers.send(answer);
            });
        }
        while calls.join_next().await.is_some() {}
        drop(answers_tx);
        writer.await??;
        Ok(())
    })
}
