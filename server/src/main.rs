//! `server [--addr 127.0.0.1:8080] [--data-dir data] [--static-dir dist]` serves the app and API;
//! `server dump-cases --data-dir data` prints every stored case as JSON. See `--help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "server", version, about = "Resguardo API and app server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: server::Config,
}

#[derive(Subcommand)]
enum Command {
    /// Print every stored case, with its receipt, as a JSON array (oldest first).
    DumpCases {
        #[arg(long, env = "RESGUARDO_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
    },
    /// Print every stored photo (with its file's path) as a JSON array.
    DumpPhotos {
        #[arg(long, env = "RESGUARDO_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::DumpCases { data_dir }) => {
            server::dump_cases(&data_dir, &mut std::io::stdout()).await
        }
        Some(Command::DumpPhotos { data_dir }) => {
            server::dump_photos(&data_dir, &mut std::io::stdout()).await
        }
        None => serve(cli.config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: server::Config) -> Result<(), server::StartError> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    server::run(listener, config, shutdown_signal()).await
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
