//! `typerpc`: the command line of the typerpc RPC framework.
//!
//! `typerpc list`, `describe`, `proto --from`, `openapi --from` and `call` work with any
//! running server that serves gRPC reflection (typerpc, tonic, grpc-go,
//! grpcio...): they read its schema through reflection.
//!
//! `typerpc breaking OLD_DIR NEW_DIR` compares two folders of `.proto`
//! files and reports the changes that break clients built against the old
//! ones. Because typerpc numbers fields in declaration order unless told
//! otherwise, reordering a struct silently renumbers its fields; running
//! this in CI against the committed `.proto` files catches that.
//!
//! Exit codes for `breaking`: 0 when compatible, 1 when there are breaking changes (one
//! line each on stdout), 2 for usage errors and files that do not compile.

mod breaking;
mod call;
mod details;
mod inspect;
mod load;
mod new;
mod openapi;
mod proto_text;
mod remote;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use typerpc::client::{HttpVersion, Protocol};

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
    /// Write a new service crate: one service, its tests, its .proto.
    ///
    /// The project builds and passes `cargo test` as written; its README
    /// has the commands to run it.
    New {
        /// The project's name, a crate name (`my-service`).
        name: String,
        /// The folder to write it to (default: ./NAME); it must not exist.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Depend on a local typerpc (the folder of its `typerpc` crate)
        /// instead of the published version.
        #[arg(long, value_name = "DIR")]
        typerpc_path: Option<PathBuf>,
    },
    /// List the services of a server, or the methods of one service.
    List {
        /// The server, `http://host:port` or `https://...`.
        url: String,
        /// A service (`package.Service`) whose methods to list.
        service: Option<String>,
    },
    /// Print a service, method, message or enum in .proto syntax.
    Describe {
        /// The server, `http://host:port` or `https://...`.
        url: String,
        /// The fully-qualified name (`package.Message`,
        /// `package.Service.Method`).
        symbol: String,
    },
    /// Write the .proto files of a server's services, by reflection.
    ///
    /// The files are laid out by their names under DIR; the well-known
    /// google/protobuf files are left out (every compiler has them).
    Proto {
        /// The server, `http://host:port` or `https://...`.
        #[arg(long = "from", value_name = "URL")]
        from: String,
        /// The folder to write to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write the OpenAPI 3.1 document of a server's Connect JSON endpoints,
    /// by reflection.
    ///
    /// Every service but gRPC's own (health, reflection) unless --service
    /// names some. Doc comments and validation constraints appear when the
    /// server's descriptors carry them as comments; a typerpc server's
    /// full document is at the path `Router::with_openapi` gives it.
    Openapi {
        /// The server, `http://host:port` or `https://...`.
        #[arg(long = "from", value_name = "URL")]
        from: String,
        /// A service to describe, `package.Service` (repeatable).
        #[arg(long = "service", value_name = "NAME")]
        services: Vec<String>,
        /// The file to write (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Call a method, with requests and responses in JSON.
    ///
    /// Responses are printed one per line. Errors go to stderr with
    /// their code and message (and details the schema can decode), and
    /// the exit code is 1.
    Call {
        /// The server, `http://host:port` or `https://...`.
        url: String,
        /// The method, `package.Service/Method`.
        method: String,
        /// The request as JSON; several JSON objects in a row for client
        /// and bidirectional streams. `@-` reads them from stdin as they
        /// come, `@FILE` from a file. Without it: `{}` for unary and
        /// server-streaming methods, no request for the others.
        #[arg(short = 'd', long = "data", value_name = "JSON")]
        data: Option<String>,
        /// The protocol to call with.
        #[arg(long, value_enum, default_value_t = ProtocolArg::Grpc)]
        protocol: ProtocolArg,
        /// A request header, `name: value` (repeatable).
        #[arg(short = 'H', long = "header", value_name = "HEADER")]
        headers: Vec<String>,
        /// Use HTTP/1.1 (gRPC-Web and Connect only).
        #[arg(long, conflicts_with = "http2")]
        http1: bool,
        /// Use HTTP/2 (the default).
        #[arg(long)]
        http2: bool,
        /// Print each response as indented JSON.
        #[arg(long)]
        pretty: bool,
    },
}

/// `--protocol` values.
#[derive(Clone, Copy, ValueEnum)]
enum ProtocolArg {
    Grpc,
    #[value(name = "grpcweb")]
    GrpcWeb,
    Connect,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Breaking { old_dir, new_dir } => run_breaking(&old_dir, &new_dir),
        Command::New {
            name,
            dir,
            typerpc_path,
        } => run_new(&name, dir, typerpc_path),
        Command::List { url, service } => run_async(async move {
            for line in inspect::list(&url, service.as_deref()).await? {
                println!("{line}");
            }
            Ok(())
        }),
        Command::Describe { url, symbol } => run_async(async move {
            print!("{}", inspect::describe(&url, &symbol).await?);
            Ok(())
        }),
        Command::Proto { from, out } => run_async(async move {
            for path in inspect::write_protos(&from, &out).await? {
                println!("{path}");
            }
            Ok(())
        }),
        Command::Openapi {
            from,
            services,
            out,
        } => run_async(async move {
            let doc = openapi::document(&from, &services).await?;
            openapi::write(&doc, out.as_deref())
        }),
        Command::Call {
            url,
            method,
            data,
            protocol,
            headers,
            http1,
            http2: _,
            pretty,
        } => {
            let args = call::CallArgs {
                url,
                method,
                data,
                protocol: match protocol {
                    ProtocolArg::Grpc => Protocol::Grpc,
                    ProtocolArg::GrpcWeb => Protocol::GrpcWeb,
                    ProtocolArg::Connect => Protocol::Connect,
                },
                http: if http1 {
                    HttpVersion::Http1
                } else {
                    HttpVersion::Http2
                },
                headers,
                pretty,
            };
            run_async(async move {
                match call::run(args).await {
                    Ok(()) => Ok(()),
                    Err(call::CallError::Usage(message)) => Err(message),
                    Err(call::CallError::Failed(status, pool)) => {
                        Err(call::describe_failure(&status, &pool).join("\n"))
                    }
                }
            })
        }
    }
}

/// Runs a command on a runtime; an error is printed as `typerpc: ...`
/// and exits with 1.
fn run_async(command: impl std::future::Future<Output = Result<(), String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("typerpc: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("typerpc: {message}");
            ExitCode::from(1)
        }
    }
}

fn run_new(name: &str, dir: Option<PathBuf>, typerpc_path: Option<PathBuf>) -> ExitCode {
    let dependency = match typerpc_path {
        None => new::Dependency::Version(env!("CARGO_PKG_VERSION")),
        Some(path) => match path.join("Cargo.toml").canonicalize() {
            Ok(manifest) => {
                new::Dependency::Path(manifest.parent().map(PathBuf::from).unwrap_or(manifest))
            }
            Err(e) => {
                eprintln!(
                    "typerpc new: --typerpc-path {}: no Cargo.toml there ({e})",
                    path.display()
                );
                return ExitCode::from(2);
            }
        },
    };
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    match new::write(&dir, name, &dependency) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            eprintln!("created {name}; next: cd {} && cargo test", dir.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("typerpc new: {message}");
            ExitCode::from(2)
        }
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
