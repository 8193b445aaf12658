//! `typerpc`: the command line of the typerpc RPC framework.
//!
//! `typerpc breaking OLD_DIR NEW_DIR` compares two folders of `.proto`
//! files and reports the changes that break clients built against the old
//! ones. Because typerpc numbers fields in declaration order unless told
//! otherwise, reordering a struct silently renumbers its fields; running
//! this in CI against the committed `.proto` files catches that.
//!
//! Exit codes: 0 when compatible, 1 when there are breaking changes (one
//! line each on stdout), 2 for usage errors and files that do not compile.

mod breaking;
mod load;
mod proto_text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The typerpc command line.
#[derive(Parser)]
#[command(name = "typerpc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report wire-breaking changes between two folders of .proto files.
    ///
    /// Each folder is its own import root; the well-known types
    /// (google/protobuf/...) are always available. Exits with 1 and one
    /// line per change (`file:symbol: what changed`) when clients built
    /// against OLD_DIR would break against NEW_DIR.
    Breaking {
        /// The folder with the .proto files clients were built against.
        old_dir: PathBuf,
        /// The folder with the .proto files to check.
        new_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Breaking { old_dir, new_dir } => run_breaking(&old_dir, &new_dir),
    }
}

fn run_breaking(old_dir: &std::path::Path, new_dir: &std::path::Path) -> ExitCode {
    let loaded = load::compile_dir(old_dir).and_then(|old| Ok((old, load::compile_dir(new_dir)?)));
    let (old, new) = match loaded {
        Ok(sets) => sets,
        Err(message) => {
            eprintln!("typerpc breaking: {message}");
            return ExitCode::from(2);
        }
    };
    let findings = breaking::compare(&old, &new);
    if findings.is_empty() {
        eprintln!(
            "no wire-breaking changes ({} files before, {} after)",
            old.file.len(),
            new.file.len()
        );
        return ExitCode::SUCCESS;
    }
    for finding in &findings {
        println!("{finding}");
    }
    eprintln!("{} wire-breaking change(s)", findings.len());
    ExitCode::from(1)
}
