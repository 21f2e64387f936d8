//! The kiosk's SQLite database: the circulation journal, rest-station visits, the
//! technician audit log and a few settings.
//!
//! One writer connection, WAL, `synchronous=FULL` (a journal row that the patron has seen
//! acknowledged survives a power cut), schema migrations by `user_version`. No SQL lives
//! outside this module: callers use the typed API.

mod audit;
pub mod catalog;
mod journal;
mod migrations;
mod visits;

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension};

pub use audit::AuditEntry;
pub use journal::{
    JournalCounts, JournalEntry, JournalEvent, JournalId, JournalState, NewTransaction, TransactionKind,
};
pub use migrations::SCHEMA_VERSION;
pub use visits::{CheckoutMethod, NewVisit, Visit, VisitId};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "kiosk.sqlite3";

/// How timestamps are stored: local wall-clock time, sortable as text.
pub(crate) const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database was written by a newer kiosk.
    #[error(
        "{path}: the database has schema version {found}, but this kiosk understands up to {supported}; \
         it was written by a newer kiosk version. Install that version again or restore a backup; \
         the file was left untouched"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A row holds a value this build cannot interpret.
    #[error("database row {table}#{id} holds an invalid {column}: {value:?}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row id.
        id: i64,
        /// The column.
        column: &'static str,
        /// The stored value.
        value: String,
    },
    /// The operation is not allowed in the row's current state.
    #[error("journal row {id} is {state}, which does not allow {action}")]
    InvalidTransition {
        /// The row.
        id: i64,
        /// Its state.
        state: JournalState,
        /// What was attempted.
        action: &'static str,
    },
    /// The row does not exist.
    #[error("{table} row {id} does not exist")]
    NotFound {
        /// The table.
        table: &'static str,
        /// The row id.
        id: i64,
    },
}

/// The open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in a data directory.
    pub fn open_in(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.to_path_buf(), source })?;
        Store::open(&data_dir.join(DATABASE_FILE))
    }

    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
        }
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "the database could not switch to WAL");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrations::upgrade(&mut conn, found)?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// A stored setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0))
            .optional()?)
    }

    /// A setting, or `value` stored as that setting when there is none yet; of two
    /// connections racing, both get the value that was stored first.
    pub fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        self.conn.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)", [key, value])?;
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0))?)
    }

    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Row counts per table, for diagnostics and support bundles.
    pub fn table_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut counts = Vec::new();
        for table in ["journal", "journal_events", "visits", "audit_log", "settings"] {
            let count: i64 =
                self.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0))?;
            counts.push((table.to_string(), count as u64));
        }
        Ok(counts)
    }
}

pub(crate) fn format_time(time: NaiveDateTime) -> String {
    time.format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(
    table: &'static str,
    id: i64,
    column: &'static str,
    value: String,
) -> Result<NaiveDateTime, StoreError> {
    NaiveDateTime::parse_from_str(&value, TIME_FORMAT).map_err(|_| StoreError::Corrupt {
        table,
        id,
        column,
        value,
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{NaiveDate, NaiveDateTime};

    use super::Store;

    /// A store in a fresh temporary directory (kept while the returned guard lives).
    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        (dir, store)
    }

    pub fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, day).unwrap().and_hms_opt(hour, minute, 0).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_with_wal_and_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(&dir.path().join("nested/data")).unwrap();
        let mode: String = store.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
        let sync: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "synchronous must be FULL");
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.path().ends_with(DATABASE_FILE));
    }

    #[test]
    fn newer_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DATABASE_FILE);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;").unwrap();
        }
        let error = Store::open(&path).unwrap_err();
        assert!(matches!(error, StoreError::TooNew { found: 999, .. }), "{error}");
        assert!(error.to_string().contains("newer kiosk"));
        let conn = Connection::open(&path).unwrap();
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, 999);
    }

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.setting("salt").unwrap(), None);
        store.set_setting("salt", "abc").unwrap();
        store.set_setting("salt", "def").unwrap();
        assert_eq!(store.setting("salt").unwrap().as_deref(), Some("def"));
    }

    #[test]
    fn reopening_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open_in(dir.path()).unwrap();
            store.set_setting("k", "v").unwrap();
        }
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("v"));
    }
}
