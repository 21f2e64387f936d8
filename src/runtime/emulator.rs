//! Running the built-in ILS emulator: in the foreground (`kiosk ils-emulator`) or on a
//! background thread for the demo.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::Local;
use kiosk_core::Config;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::catalog::CatalogStore;
use kiosk_sip2::server::{ServerConfig, serve};
use tokio::net::TcpListener;

/// The emulator's database file in the data directory.
pub const DATABASE_FILE: &str = "ils-emulator.sqlite3";

/// How the emulator serves: on its own single-threaded runtime, calling the backend inline.
pub const SERVER_CONFIG: ServerConfig = ServerConfig {
    codec: kiosk_sip2::Codec {
        charset: kiosk_sip2::Charset::Utf8,
        error_detection: true,
        terminator: kiosk_sip2::Terminator::Cr,
        lenient_checksums: true,
    },
    idle_timeout: std::time::Duration::from_secs(600),
    require_login: true,
    inline_backend: true,
};

/// Opens (seeding on first use) the emulator database.
pub fn open(database: &Path, config: &Config) -> anyhow::Result<Emulator> {
    let store = CatalogStore::open(database, Local::now().naive_local())
        .with_context(|| format!("opening the emulator database {}", database.display()))?;
    Ok(Emulator::new(
        store,
        Box::new(|| Local::now().naive_local()),
        (config.ils.login_user.clone(), config.ils.login_password.clone()),
        config.ils.institution_id.clone(),
    ))
}

/// Starts the emulator on `127.0.0.1` with a free port, on its own thread, for the life of
/// the process; returns its address.
pub fn spawn_background(database: &Path, config: &Config) -> anyhow::Result<SocketAddr> {
    let emulator = Arc::new(open(database, config)?);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    std::thread::Builder::new().name("ils-emulator".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                tracing::error!(%error, "the ILS emulator cannot start its runtime");
                return;
            }
        };
        runtime.block_on(async move {
            match TcpListener::from_std(listener) {
                Ok(listener) => {
                    serve(listener, emulator, ServerConfig::default(), None, std::future::pending()).await
                }
                Err(error) => tracing::error!(%error, "the ILS emulator cannot listen"),
            }
        });
    })?;
    tracing::info!(%address, "built-in ILS emulator listening");
    Ok(address)
}

/// Runs the emulator in the foreground until Ctrl-C.
pub async fn run(
    listen: SocketAddr,
    database: &Path,
    config: &Config,
    tls: Option<kiosk_sip2::transport::TlsAcceptor>,
) -> anyhow::Result<()> {
    let emulator = Arc::new(open(database, config)?);
    let listener = TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    eprintln!(
        "ILS emulator listening on {}{} (database {}); login {:?}, institution {:?}. Ctrl-C stops it.",
        listener.local_addr()?,
        if tls.is_some() { " with TLS" } else { "" },
        database.display(),
        config.ils.login_user,
        config.ils.institution_id
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve(listener, emulator, SERVER_CONFIG, tls, shutdown).await;
    Ok(())
}
