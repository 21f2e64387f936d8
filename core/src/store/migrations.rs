//! Schema migrations, numbered by SQLite's `user_version`.
//!
//! `MIGRATIONS[n]` takes a database from version `n` to `n + 1`. Migrations are only
//! ever appended; a released one is never edited.

use rusqlite::Connection;

use super::StoreError;

/// Each step, in order.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the journal, its history, visits, the audit log and settings.
    "CREATE TABLE journal (
        id            INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('checkout', 'checkin', 'renew')),
        patron        TEXT,
        item          TEXT NOT NULL,
        title         TEXT,
        created_at    TEXT NOT NULL,
        due_date      TEXT,
        offline       INTEGER NOT NULL CHECK (offline IN (0, 1)),
        state         TEXT NOT NULL
                      CHECK (state IN ('pending', 'in_flight', 'done', 'rejected', 'resolved')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        ils_message   TEXT,
        note          TEXT,
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX journal_open ON journal (state, id) WHERE state IN ('pending', 'in_flight');
    CREATE TABLE journal_events (
        id          INTEGER PRIMARY KEY,
        journal_id  INTEGER NOT NULL REFERENCES journal (id),
        at          TEXT NOT NULL,
        state       TEXT NOT NULL,
        detail      TEXT
    );
    CREATE INDEX journal_events_row ON journal_events (journal_id, id);
    CREATE TABLE visits (
        id               INTEGER PRIMARY KEY,
        trade            TEXT NOT NULL,
        card_hash        TEXT,
        services         TEXT NOT NULL DEFAULT '',
        checked_in_at    TEXT NOT NULL,
        checked_out_at   TEXT,
        checkout_method  TEXT CHECK (checkout_method IN ('scan', 'tap', 'auto'))
    );
    CREATE INDEX visits_open ON visits (checked_out_at) WHERE checked_out_at IS NULL;
    CREATE INDEX visits_time ON visits (checked_in_at);
    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    );",
    // 1 → 2: a return can be the cancel of a loan whose security write failed (SIP2 `BI`).
    "ALTER TABLE journal ADD COLUMN cancel INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1));",
    // 2 → 3: a card's visits are looked up on every scan at the rest station.
    "CREATE INDEX visits_card ON visits (card_hash, id) WHERE card_hash IS NOT NULL;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Applies every migration after `from`, each in its own transaction.
pub(super) fn upgrade(conn: &mut Connection, from: u32) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let to = index as u32 + 1;
        // Another connection (a second process, or a task starting at the same moment)
        // may be upgrading the same file: take the write lock first, then look again.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if current >= to {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", to)?;
        tx.commit()?;
        tracing::info!(version = to, "database schema upgraded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DATABASE_FILE, Store};

    /// A database as version `version` of the kiosk left it.
    fn database_at(version: u32, path: &std::path::Path) {
        let mut conn = Connection::open(path).unwrap();
        upgrade_to(&mut conn, version);
    }

    fn upgrade_to(conn: &mut Connection, version: u32) {
        for (index, sql) in MIGRATIONS.iter().enumerate().take(version as usize) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", index as u32 + 1).unwrap();
        }
    }

    #[test]
    fn upgrades_from_every_earlier_version() {
        for version in 0..SCHEMA_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(DATABASE_FILE);
            database_at(version, &path);
            if version >= 1 {
                let conn = Connection::open(&path).unwrap();
                conn.execute("INSERT INTO settings (key, value) VALUES ('kept', 'yes')", []).unwrap();
                conn.execute(
                    "INSERT INTO journal (kind, item, created_at, offline, state, updated_at)
                     VALUES ('checkin', '30234000000017', '2026-07-01 10:00:00', 1, 'pending', '2026-07-01 10:00:00')",
                    [],
                )
                .unwrap();
            }
            let store = Store::open(&path).unwrap_or_else(|e| panic!("upgrade from {version}: {e}"));
            assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            if version >= 1 {
                assert_eq!(
                    store.setting("kept").unwrap().as_deref(),
                    Some("yes"),
                    "data lost upgrading from {version}"
                );
            }
            let tables: Vec<String> = store.table_counts().unwrap().into_iter().map(|(t, _)| t).collect();
            assert_eq!(tables.len(), 5);
        }
    }

    #[test]
    fn upgraded_schema_equals_fresh_schema() {
        let schema = |conn: &Connection| -> Vec<String> {
            let mut stmt =
                conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").unwrap();
            stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
        };
        let mut fresh = Connection::open_in_memory().unwrap();
        upgrade(&mut fresh, 0).unwrap();
        for version in 0..SCHEMA_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            upgrade_to(&mut conn, version);
            upgrade(&mut conn, version).unwrap();
            assert_eq!(schema(&conn), schema(&fresh), "upgrade from {version} differs from a fresh schema");
        }
    }

    #[test]
    fn connections_opening_a_new_file_at_once_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DATABASE_FILE);
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|store| store.schema_version().unwrap()))
            })
            .collect();
        for opener in openers {
            assert_eq!(opener.join().unwrap().unwrap(), SCHEMA_VERSION);
        }
    }

    #[test]
    fn reopening_does_not_migrate_again() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open_in(dir.path()).unwrap());
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }
}
