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

/// Where the server keeps its data (shared by every command).
#[derive(clap::Args)]
struct DataDir {
    #[arg(
        long = "data-dir",
        env = "RESGUARDO_DATA_DIR",
        default_value = "data",
        global = true
    )]
    path: std::path::PathBuf,
    /// The database (`sqlite://PATH` or `postgres://...`); by default SQLite in the data
    /// directory.
    #[arg(long = "database-url", env = "RESGUARDO_DATABASE_URL", global = true)]
    database: Option<String>,
    /// Where photos are kept (`s3://BUCKET/PREFIX`); by default the data directory.
    #[arg(long = "blob-url", env = "RESGUARDO_BLOB_URL", global = true)]
    blobs: Option<String>,
}

impl DataDir {
    fn location(&self) -> server::storage::Location {
        server::storage::Location {
            data_dir: self.path.clone(),
            database_url: self.database.clone(),
            blob_url: self.blobs.clone(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Print every stored case, with its receipt, as a JSON array (oldest first).
    DumpCases {
        #[command(flatten)]
        data: DataDir,
    },
    /// Print every stored photo (with its file's path) as a JSON array.
    DumpPhotos {
        #[command(flatten)]
        data: DataDir,
    },
    /// Move an embedded installation to PostgreSQL (and its photos to S3), then verify it by
    /// counts and every photo's SHA-256; safe to run again. Stop the server first.
    Migrate {
        /// The installation: sqlite://DATA_DIR.
        #[arg(long)]
        from: String,
        /// The database: postgres://USER:PASSWORD@HOST:PORT/NAME.
        #[arg(long)]
        to: String,
        /// Where the photos go (s3://BUCKET/PREFIX); by default they stay in the data directory.
        #[arg(long)]
        blob_to: Option<String>,
    },
    /// Read every stored photo back and check its SHA-256 against the database; fails if any
    /// is missing or differs.
    VerifyPhotos {
        #[command(flatten)]
        data: DataDir,
    },
    /// Enrolment codes that let devices register (with --require-enrolment).
    Enrolment {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: EnrolmentAction,
    },
    /// Appointment slots.
    Slots {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: SlotsAction,
    },
    /// Staff accounts.
    Admin {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Form definitions: publish one (JSON, YAML or an XLSForm .xlsx), list them.
    Forms {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: FormsAction,
    },
    /// The organisation's keys for sealed cases (made on first start): list them, or rotate.
    Keys {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Registered devices.
    Devices {
        #[command(flatten)]
        data: DataDir,
        #[command(subcommand)]
        action: DevicesAction,
    },
}

#[derive(Subcommand)]
enum EnrolmentAction {
    /// Make a new code; prints it and the install link's query (`/?code=...`).
    Create {
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// For shared tablets: each case on a device enrolled with it is locked behind its
        /// family's PIN, and the home screen names nobody.
        #[arg(long)]
        shared: bool,
    },
    List,
    Revoke {
        code: String,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Adds a staff account. The password is read from RESGUARDO_PASSWORD, or else from the
    /// first line of standard input (at least 12 characters).
    CreateUser {
        #[arg(long)]
        username: String,
        /// `reviewer` (cases) or `admin` (also enrolment codes, devices, audit log).
        #[arg(long, default_value = "reviewer")]
        role: String,
    },
}

#[derive(Subcommand)]
enum FormsAction {
    /// Checks a definition and publishes it; an invalid one is refused with every problem
    /// listed. Publishing the same version again changes nothing.
    Publish { file: std::path::PathBuf },
    /// Checks a definition and keeps it as a draft (staff try it, then publish it).
    Draft { file: std::path::PathBuf },
    /// Every form and its versions.
    List,
    /// The JSON Schema of a definition (for editors that check JSON and YAML as you type).
    Schema,
}

#[derive(Subcommand)]
enum SlotsAction {
    /// Publishes an appointment slot: households are booked into it when their case arrives.
    Create {
        /// Where the appointment is, as people should read it.
        #[arg(long)]
        place: String,
        /// The start with its offset, e.g. 2026-12-10T09:00-07:00.
        #[arg(long)]
        starts_at: String,
        #[arg(long)]
        minutes: u32,
        /// How many people (not households) it takes.
        #[arg(long)]
        capacity: u32,
    },
    /// Slots from yesterday on (every slot with --all), with people booked and households.
    List {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Every key, when it was made, and which one is current.
    List,
    /// Makes a new current key; the old ones stay, so cases sealed to them still open.
    Rotate,
}

#[derive(Subcommand)]
enum DevicesAction {
    List,
    /// Its token stops working at once; what it already sent stays.
    Revoke {
        device_id: String,
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
        Some(Command::DumpCases { data }) => {
            server::dump_cases(&data.location(), &mut std::io::stdout()).await
        }
        Some(Command::DumpPhotos { data }) => {
            server::dump_photos(&data.location(), &mut std::io::stdout()).await
        }
        Some(Command::Migrate { from, to, blob_to }) => {
            match server::migrate::run(&from, &to, blob_to.as_deref()).await {
                Ok(report) => serde_json::to_writer_pretty(std::io::stdout(), &report)
                    .map_err(|e| server::StartError::Io(std::io::Error::other(e)))
                    .map(|()| println!()),
                Err(e) => Err(e.into()),
            }
        }
        Some(Command::VerifyPhotos { data }) => {
            server::verify_photos(&data.location(), &mut std::io::stdout()).await
        }
        Some(Command::Enrolment { data, action }) => {
            let out = &mut std::io::stdout();
            match action {
                EnrolmentAction::Create {
                    label,
                    expires_in_days,
                    shared,
                } => {
                    server::admin::create_enrolment_code(
                        &data.location(),
                        &label,
                        expires_in_days,
                        shared,
                        out,
                    )
                    .await
                }
                EnrolmentAction::List => {
                    server::admin::list_enrolment_codes(&data.location(), out).await
                }
                EnrolmentAction::Revoke { code } => {
                    server::admin::revoke_enrolment_code(&data.location(), &code, out).await
                }
            }
        }
        Some(Command::Admin {
            data,
            action: AdminAction::CreateUser { username, role },
        }) => {
            server::admin::create_user(&data.location(), &username, &role, &mut std::io::stdout())
                .await
        }
        Some(Command::Forms { data, action }) => {
            let (out, err) = (&mut std::io::stdout(), &mut std::io::stderr());
            match action {
                FormsAction::Publish { file } => {
                    server::admin::publish_form(&data.location(), &file, true, out, err).await
                }
                FormsAction::Draft { file } => {
                    server::admin::publish_form(&data.location(), &file, false, out, err).await
                }
                FormsAction::List => server::admin::list_forms(&data.location(), out).await,
                FormsAction::Schema => server::admin::form_schema(out),
            }
        }
        Some(Command::Slots { data, action }) => {
            let out = &mut std::io::stdout();
            match action {
                SlotsAction::Create {
                    place,
                    starts_at,
                    minutes,
                    capacity,
                } => {
                    server::admin::create_slot(
                        &data.location(),
                        &place,
                        &starts_at,
                        minutes,
                        capacity,
                        out,
                    )
                    .await
                }
                SlotsAction::List { all } => {
                    server::admin::list_slots(&data.location(), all, out).await
                }
            }
        }
        Some(Command::Keys { data, action }) => {
            let out = &mut std::io::stdout();
            match action {
                KeysAction::List => server::admin::list_keys(&data.location(), out).await,
                KeysAction::Rotate => server::admin::rotate_keys(&data.location(), out).await,
            }
        }
        Some(Command::Devices { data, action }) => {
            let out = &mut std::io::stdout();
            match action {
                DevicesAction::List => server::admin::list_devices(&data.location(), out).await,
                DevicesAction::Revoke { device_id } => {
                    server::admin::revoke_device(&data.location(), &device_id, out).await
                }
            }
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
