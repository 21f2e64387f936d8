//! Log output: stderr and a daily rolling file in the data directory.
//!
//! `RUST_LOG` overrides the configured level. Patron identifiers are masked with
//! [`kiosk_core::mask`] at every call site; PINs are never passed to a log macro.

use std::path::Path;

use kiosk_core::config::LoggingConfig;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the file writer flushing until dropped (at exit).
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

fn filter(config: &LoggingConfig) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{level},winit=warn,wgpu=warn,cosmic_text=warn,naga=warn",
            level = config.level.directive()
        ))
    })
}

/// Sets up logging to stderr and, when configured, to `<data dir>/logs/kiosk.<date>.log`.
///
/// A log directory that cannot be created is reported on stderr; the kiosk still runs.
pub fn init(config: &LoggingConfig, data_dir: &Path) -> LogGuard {
    // Under systemd stderr is the journal, which stamps each line itself.
    let journal = crate::runtime::systemd::logs_to_journal();
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(!journal)
        .without_time();
    let stderr = if journal {
        stderr.boxed()
    } else {
        stderr.with_timer(tracing_subscriber::fmt::time::SystemTime).boxed()
    };
    let (file_layer, guard) = if config.file {
        let directory = data_dir.join("logs");
        match std::fs::create_dir_all(&directory).map_err(|e| e.to_string()).and_then(|()| {
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("kiosk")
                .filename_suffix("log")
                .max_log_files(config.keep_days as usize)
                .build(&directory)
                .map_err(|e| e.to_string())
        }) {
            Ok(appender) => {
                let (writer, guard) = tracing_appender::non_blocking(appender);
                (Some(tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false)), Some(guard))
            }
            Err(err) => {
                eprintln!(
                    "kiosk: cannot write logs to {}: {err}; logging to stderr only",
                    directory.display()
                );
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    let _ = tracing_subscriber::registry().with(filter(config)).with(stderr).with(file_layer).try_init();
    LogGuard(guard)
}

/// Logging for one-shot commands: stderr only, warnings and errors unless `RUST_LOG` says otherwise.
pub fn init_for_command() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
