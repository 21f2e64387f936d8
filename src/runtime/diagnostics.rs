//! Diagnostics plumbing shared by the screens and `kiosk diag`: the live status file the
//! running kiosk keeps, disk space, the overview, and the support bundle.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;
use kiosk_core::Config;
use kiosk_core::diagnostics::overview::{DiskSnapshot, QueueSnapshot};
use kiosk_core::diagnostics::{DeviceRecord, IlsSnapshot, Overview, queue};
use kiosk_core::store::{AuditEntry, Store};
use serde::{Deserialize, Serialize};

/// The running kiosk's status, refreshed in the data directory so `kiosk diag` over SSH
/// sees what the screen sees (the devices belong to the running kiosk).
pub const STATUS_FILE: &str = "status.json";

/// What the running kiosk writes to [`STATUS_FILE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStatus {
    /// The kiosk's process id.
    pub pid: u32,
    /// When it started.
    pub started_at: NaiveDateTime,
    /// When this was written.
    pub written_at: NaiveDateTime,
    /// Its devices.
    pub devices: Vec<DeviceRecord>,
    /// The library system as its heartbeat sees it.
    pub ils: IlsSnapshot,
}

impl LiveStatus {
    /// Writes the file atomically (a reader never sees half of it).
    pub fn write(&self, data_dir: &Path) -> std::io::Result<()> {
        let temporary = data_dir.join(format!("{STATUS_FILE}.tmp"));
        std::fs::write(&temporary, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(temporary, data_dir.join(STATUS_FILE))
    }

    /// Reads the file, if there is a readable one.
    pub fn read(data_dir: &Path) -> Option<LiveStatus> {
        let bytes = std::fs::read(data_dir.join(STATUS_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Whether the process that wrote it is still running.
    pub fn is_running(&self) -> bool {
        Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

/// The configured devices, none heard from yet.
pub fn device_records(config: &Config) -> Vec<DeviceRecord> {
    config
        .effective_devices()
        .iter()
        .map(|device| {
            let path = device.path.clone().or_else(|| device.address.clone()).unwrap_or_else(|| "-".into());
            DeviceRecord::new(&device.kind.to_string(), &device.driver, &path)
        })
        .collect()
}

/// Free and total space on the file system holding `path`.
pub fn disk_space(path: &Path) -> Option<DiskSnapshot> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stats` is writable memory of
    // the right type; statvfs fills it completely when it returns 0.
    let stats = unsafe {
        if libc::statvfs(c_path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    let block = stats.f_frsize as u64;
    Some(DiskSnapshot {
        path: path.display().to_string(),
        free_bytes: stats.f_bavail as u64 * block,
        total_bytes: stats.f_blocks as u64 * block,
    })
}

/// The kiosk's version.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The overview from the store and what is known of the devices and the ILS.
pub fn overview(
    config: &Config,
    store: &Store,
    devices: Vec<DeviceRecord>,
    ils: IlsSnapshot,
    uptime_secs: Option<u64>,
    now: NaiveDateTime,
) -> anyhow::Result<Overview> {
    let data_dir = config.storage.resolved_data_dir();
    Ok(Overview {
        terminal: config.terminal.name.clone(),
        version: version(),
        at: now,
        uptime_secs,
        devices,
        ils,
        queue: QueueSnapshot::from(store.journal_counts().context("reading the queue")?),
        disk: disk_space(&data_dir),
    })
}

/// Where the library system is, in words.
pub fn ils_address(config: &Config) -> String {
    if config.ils.emulator {
        "built-in emulator".into()
    } else {
        format!("{}:{}", config.ils.host, config.ils.port)
    }
}

/// What a support bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSummary {
    /// The zip written.
    pub path: PathBuf,
    /// The files inside.
    pub files: Vec<String>,
    /// Its size.
    pub bytes: u64,
}

/// Largest amount of log text put in a bundle (newest files first).
const BUNDLE_LOG_LIMIT: u64 = 32 * 1024 * 1024;

/// Writes a support bundle: logs, the masked configuration, database statistics, the
/// device listing and versions. `target` is a zip file, or a directory (a USB stick) to
/// put one in. Secrets from the configuration are blanked in every file, logs included.
pub fn write_bundle(
    target: &Path,
    config: &Config,
    store: &Store,
    overview: &Overview,
    actor: &str,
    now: NaiveDateTime,
) -> anyhow::Result<BundleSummary> {
    let path = if target.is_dir() {
        let id: String = config
            .terminal
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        let id = if id.is_empty() { "kiosk".to_string() } else { id };
        target.join(format!("kiosk-support-{id}-{}.zip", now.format("%Y%m%d-%H%M%S")))
    } else {
        target.to_path_buf()
    };
    let secrets = secrets(config);
    let scrub = |text: String| -> String {
        secrets.iter().fold(text, |text, secret| text.replace(secret.as_str(), "********"))
    };
    let mut texts: Vec<(String, String)> = vec![
        ("README.txt".into(), readme(config, now)),
        ("overview.txt".into(), overview.to_text()),
        ("overview.json".into(), serde_json::to_string_pretty(overview)?),
        ("config.toml".into(), config.masked().to_toml()),
        ("database.txt".into(), database_statistics(store)?),
        ("queue.csv".into(), queue::QueueDesk::new(store).export_csv()?),
        ("audit.txt".into(), audit_text(&store.audit_recent(1000)?)),
        ("devices.txt".into(), crate::commands::hardware::devices(false)),
        ("versions.txt".into(), versions()),
    ];
    let log_dir = config.storage.resolved_data_dir().join("logs");
    let mut logs: Vec<PathBuf> = std::fs::read_dir(&log_dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    logs.sort();
    let mut budget = BUNDLE_LOG_LIMIT;
    for log in logs.iter().rev() {
        let Ok(bytes) = std::fs::read(log) else { continue };
        let kept = &bytes[bytes.len().saturating_sub(budget as usize)..];
        budget -= kept.len() as u64;
        let name = log.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        texts.push((format!("logs/{name}"), String::from_utf8_lossy(kept).into_owned()));
        if budget == 0 {
            break;
        }
    }
    let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let mut options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    use chrono::{Datelike, Timelike};
    if let Ok(stamp) = zip::DateTime::from_date_and_time(
        u16::try_from(now.year()).unwrap_or(1980),
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    ) {
        options = options.last_modified_time(stamp);
    }
    let mut files = Vec::new();
    for (name, text) in texts {
        zip.start_file(name.as_str(), options).with_context(|| format!("writing {name}"))?;
        zip.write_all(scrub(text).as_bytes()).with_context(|| format!("writing {name}"))?;
        files.push(name);
    }
    let file = zip.finish().context("finishing the zip")?;
    file.sync_all().with_context(|| format!("flushing {} to the disk", path.display()))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    store.audit(&AuditEntry {
        at: now,
        actor: actor.into(),
        action: "bundle.write".into(),
        detail: path.display().to_string(),
    })?;
    Ok(BundleSummary { path, files, bytes })
}

/// Secret values to blank wherever they appear.
fn secrets(config: &Config) -> Vec<String> {
    let mut secrets: Vec<String> = [&config.ils.login_password, &config.ils.terminal_password]
        .into_iter()
        .filter(|s| s.len() >= 3)
        .cloned()
        .collect();
    secrets.extend(config.diagnostics.technician_pin_hash.clone());
    secrets.extend(config.diagnostics.technician_cards.iter().filter(|c| c.len() >= 3).cloned());
    // Longest first, so a secret containing another is blanked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

fn readme(config: &Config, now: NaiveDateTime) -> String {
    format!(
        "Kiosk support bundle for {} made {}.\n\n\
         overview.txt/json  devices, library system, queue, disk\n\
         config.toml        the configuration in effect, secrets masked\n\
         database.txt       schema version and row counts\n\
         queue.csv          every recorded transaction (patron numbers masked)\n\
         audit.txt          the newest technician actions\n\
         devices.txt        serial ports, keyboard and USB devices found, with permissions\n\
         versions.txt       kiosk, operating system and kernel versions\n\
         logs/              the newest log files\n",
        config.terminal.name,
        now.format("%Y-%m-%d %H:%M:%S")
    )
}

fn database_statistics(store: &Store) -> anyhow::Result<String> {
    let mut out =
        format!("database: {}\nschema version: {}\n\n", store.path().display(), store.schema_version()?);
    for (table, rows) in store.table_counts()? {
        out.push_str(&format!("{table:<20} {rows:>10} rows\n"));
    }
    let counts = store.journal_counts()?;
    out.push_str(&format!(
        "\nqueue: {} pending, {} sent without an answer, {} refused\n",
        counts.pending, counts.in_flight, counts.rejected
    ));
    if let Ok(metadata) = std::fs::metadata(store.path()) {
        out.push_str(&format!("file size: {}\n", kiosk_core::diagnostics::overview::bytes(metadata.len())));
    }
    Ok(out)
}

fn audit_text(entries: &[AuditEntry]) -> String {
    entries
        .iter()
        .map(|e| {
            format!("{} {:<20} {:<24} {}\n", e.at.format("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.detail)
        })
        .collect()
}

fn versions() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| format!("({path}: {e})\n"));
    format!(
        "kiosk {}\n\n/etc/os-release:\n{}\n/proc/version:\n{}",
        version(),
        read("/etc/os-release"),
        read("/proc/version")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_file_round_trips_and_knows_its_writer_is_alive() {
        let dir = tempfile::tempdir().unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let status = LiveStatus {
            pid: std::process::id(),
            started_at: at,
            written_at: at,
            devices: device_records(&Config::default()),
            ils: IlsSnapshot::default(),
        };
        status.write(dir.path()).unwrap();
        let read = LiveStatus::read(dir.path()).unwrap();
        assert_eq!(read, status);
        assert!(read.is_running());
        assert_eq!(read.devices.len(), 3);
        std::fs::write(dir.path().join(STATUS_FILE), b"{ not json").unwrap();
        assert_eq!(LiveStatus::read(dir.path()), None);
    }

    #[test]
    fn disk_space_is_read() {
        let disk = disk_space(Path::new("/")).unwrap();
        assert!(disk.total_bytes > 0 && disk.free_bytes <= disk.total_bytes);
        assert_eq!(disk_space(Path::new("/no/such/place")), None);
    }
}
