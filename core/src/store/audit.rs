//! The audit log of technician actions. Append-only.

use chrono::NaiveDateTime;
use rusqlite::params;

use super::{Store, StoreError, format_time, parse_time};

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: NaiveDateTime,
    /// Who: a masked technician card, `ssh:<user>` or `cli`.
    pub actor: String,
    /// What, as a short verb phrase (`diagnostics.enter`, `queue.resolve`).
    pub action: String,
    /// Details (never a PIN).
    pub detail: String,
}

impl Store {
    /// Appends an entry.
    pub fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![format_time(entry.at), entry.actor, entry.action, entry.detail],
        )?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub fn audit_recent(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (id, at, actor, action, detail) = row?;
            entries.push(AuditEntry { at: parse_time("audit_log", id, "at", at)?, actor, action, detail });
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store};

    #[test]
    fn newest_first() {
        let (_dir, store) = temp_store();
        for (minute, action) in [(0, "diagnostics.enter"), (1, "printer.test")] {
            store
                .audit(&AuditEntry {
                    at: at(1, 9, minute),
                    actor: "card ****0042".into(),
                    action: action.into(),
                    detail: String::new(),
                })
                .unwrap();
        }
        let recent = store.audit_recent(10).unwrap();
        assert_eq!(
            recent.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["printer.test", "diagnostics.enter"]
        );
        assert_eq!(store.audit_recent(1).unwrap().len(), 1);
    }
}
