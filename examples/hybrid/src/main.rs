//! Seed Pattern 3 from the command line.
//!
//! ```text
//! hybrid                                     # public :8000, internal gRPC 127.0.0.1:50051
//! hybrid --addr 127.0.0.1:8000 --internal-addr 127.0.0.1:50051 --delay-ms 0
//! hybrid certs certs/                        # a demo CA, server and client certificate
//! hybrid --tls-addr 127.0.0.1:8443 --tls-dir certs/   # also everything on one TLS port
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand};
use hybrid::certs;
use hybrid::rate_limit::Rate;
use hybrid::run::{Doors, Settings};
use tokio::net::TcpListener;
use typerpc::server::TlsConfig;
use typerpc::Server;

#[derive(Parser)]
#[command(
    name = "hybrid",
    about = "Seed Pattern 3: public REST, partner Connect and internal gRPC over one processor, in one process",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The public port: REST and the partner service.
    #[arg(long, default_value = "0.0.0.0:8000")]
    addr: SocketAddr,
    /// The internal gRPC port: bind it to an address only the platform
    /// reaches.
    #[arg(long, default_value = "127.0.0.1:50051")]
    internal_addr: SocketAddr,
    /// Also serve everything on one TLS port, the internal services only
    /// to callers with a client certificate.
    #[arg(long, requires = "tls_dir")]
    tls_addr: Option<SocketAddr>,
    /// Where the TLS port's certificates are (`hybrid certs DIR` makes
    /// demo ones).
    #[arg(long)]
    tls_dir: Option<PathBuf>,
    /// How long processing one request takes.
    #[arg(long, default_value_t = 100)]
    delay_ms: u64,
    /// Each REST client's rate limit: N/s, N/m or N/SECONDSs.
    #[arg(long, default_value = "10/s")]
    rest_rate: Rate,
    /// Each partner's rate limit.
    #[arg(long, default_value = "10/s")]
    partner_rate: Rate,
    /// A Bearer token of the REST API, as TOKEN=USER (repeatable; default
    /// demo-token=demo-user).
    #[arg(long = "token", value_parser = pair)]
    tokens: Vec<(String, String)>,
    /// A partner API key, as KEY=PARTNER (repeatable; default
    /// partner-demo-key=demo-partner).
    #[arg(long = "api-key", value_parser = pair)]
    api_keys: Vec<(String, String)>,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a demo CA, a server certificate (localhost, 127.0.0.1) and a
    /// client certificate into DIR.
    Certs {
        /// The directory to write them to.
        dir: PathBuf,
    },
}

fn pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}`: expected SECRET=NAME")),
    }
}

#[tokio::main]
async fn main() {
    example_support::init_logs();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Certs { ref dir }) => certs::write_demo_pki(dir).map(|()| {
            eprintln!(
                "hybrid: wrote {}, {}, {}, {} and {} into {}",
                certs::CA,
                certs::SERVER_CERT,
                certs::SERVER_KEY,
                certs::CLIENT_CERT,
                certs::CLIENT_KEY,
                dir.display()
            )
        }),
        None => serve(cli).await,
    };
    if let Err(message) = result {
        eprintln!("hybrid: {message}");
        std::process::exit(1);
    }
}

async fn serve(cli: Cli) -> Result<(), String> {
    let defaults = Settings::default();
    let or_default = |given: Vec<(String, String)>, default: HashMap<String, String>| {
        if given.is_empty() {
            default
        } else {
            given.into_iter().collect()
        }
    };
    let settings = Settings {
        delay: Duration::from_millis(cli.delay_ms),
        tokens: or_default(cli.tokens, defaults.tokens),
        api_keys: or_default(cli.api_keys, defaults.api_keys),
        rest_rate: cli.rest_rate,
        partner_rate: cli.partner_rate,
    };
    let doors = Doors::new(&settings);
    let tls = match (cli.tls_addr, &cli.tls_dir) {
        (Some(addr), Some(dir)) => Some((addr, tls_config(dir)?)),
        _ => None,
    };
    let public = run("public", doors.public(), cli.addr);
    let internal = run("internal", doors.internal(), cli.internal_addr);
    let one_port = async {
        match tls {
            Some((addr, tls)) => run("tls", doors.on_one_tls_port(tls), addr).await,
            None => Ok(()),
        }
    };
    tokio::try_join!(public, internal, one_port).map(|_| ())
}

/// The TLS port's settings: the server's certificate, and client
/// certificates accepted (not required) when the CA signed them.
fn tls_config(dir: &Path) -> Result<TlsConfig, String> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| {
            format!(
                "cannot read {}: {e} (`hybrid certs {}` writes demo certificates)",
                path.display(),
                dir.display()
            )
        })
    };
    let ca = read(certs::CA)?;
    TlsConfig::from_pem(&read(certs::SERVER_CERT)?, &read(certs::SERVER_KEY)?)
        .and_then(|tls| tls.accept_client_certificates(&ca))
        .map_err(|e| e.to_string())
}

/// Serves one door until SIGINT or SIGTERM.
async fn run(name: &str, server: Server, addr: SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("{name} port: cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("hybrid: {name} port listening on {local}");
    server
        .serve_on(listener, typerpc::server::shutdown_signal())
        .await
        .map_err(|e| format!("{name} port: {e}"))
}
