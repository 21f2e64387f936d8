//! Staff actions on the transaction queue: send a refused transaction again, mark one as
//! dealt with (with a note), export the lot as CSV. Rows are never deleted; each action is
//! audited.

use chrono::NaiveDateTime;

use crate::store::{AuditEntry, JournalEntry, JournalId, JournalState, Store, StoreError};

/// Why a queue action was not taken.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// A resolution needs a note saying what was done.
    #[error("write a note saying how the transaction was dealt with")]
    EmptyNote,
    /// The store refused (unknown id, or not in a state the action applies to).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The queue as staff see it.
pub struct QueueDesk<'a> {
    store: &'a Store,
}

impl<'a> QueueDesk<'a> {
    /// The desk over a store.
    pub fn new(store: &'a Store) -> QueueDesk<'a> {
        QueueDesk { store }
    }

    /// Waiting and unanswered rows, then refused ones: what a technician must look at.
    pub fn open_rows(&self, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        let mut rows = self.store.journal_queue()?;
        rows.truncate(limit as usize);
        rows.extend(self.store.journal_in_state(JournalState::Rejected, limit)?);
        Ok(rows)
    }

    /// Puts a refused row back in the queue; the sync worker sends it on its next round.
    pub fn retry(&self, id: JournalId, actor: &str, now: NaiveDateTime) -> Result<(), QueueError> {
        self.store.journal_mark_pending(id, now, &format!("retried by {actor}"))?;
        self.store.audit(&AuditEntry {
            at: now,
            actor: actor.into(),
            action: "queue.retry".into(),
            detail: id.to_string(),
        })?;
        Ok(())
    }

    /// Marks a refused row as dealt with; the row and its history stay.
    pub fn resolve(
        &self,
        id: JournalId,
        note: &str,
        actor: &str,
        now: NaiveDateTime,
    ) -> Result<(), QueueError> {
        let note = note.trim();
        if note.is_empty() {
            return Err(QueueError::EmptyNote);
        }
        self.store.journal_resolve(id, now, note)?;
        self.store.audit(&AuditEntry {
            at: now,
            actor: actor.into(),
            action: "queue.resolve".into(),
            detail: format!("{id}: {note}"),
        })?;
        Ok(())
    }

    /// Every row ever recorded, as CSV (RFC 4180: quoted where needed, CRLF line ends).
    /// Patron numbers are masked: the file may leave the building.
    pub fn export_csv(&self) -> Result<String, StoreError> {
        Ok(csv(&self.store.journal_all()?))
    }
}

/// The rows as CSV with a header line.
pub fn csv(rows: &[JournalEntry]) -> String {
    let mut out = String::from(
        "id,kind,state,patron,item,title,at,due_date,offline,attempts,ils_message,note,updated_at\r\n",
    );
    let time = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    for row in rows {
        let fields = [
            row.id.0.to_string(),
            row.kind.to_string(),
            row.state.to_string(),
            row.patron.as_deref().map(|p| crate::mask::identifier(p).to_string()).unwrap_or_default(),
            row.item.clone(),
            row.title.clone().unwrap_or_default(),
            time(row.at),
            row.due_date.map(time).unwrap_or_default(),
            row.offline.to_string(),
            row.attempts.to_string(),
            row.ils_message.clone().unwrap_or_default(),
            row.note.clone().unwrap_or_default(),
            time(row.updated_at),
        ];
        let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a field when it holds a comma, a quote or a line break; a leading `=`, `+`, `-`
/// or `@` gets an apostrophe so a spreadsheet does not run it as a formula.
pub fn csv_field(field: &str) -> String {
    let guarded =
        if field.starts_with(['=', '+', '-', '@']) { format!("'{field}") } else { field.to_string() };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store};
    use crate::store::{NewTransaction, TransactionKind};

    fn rejected_loan(store: &Store) -> JournalId {
        let id = store
            .journal_append(&NewTransaction {
                kind: TransactionKind::Checkout,
                patron: Some("20234000000019".into()),
                item: "30234000000017".into(),
                title: Some("活着, \"新版\"".into()),
                at: at(1, 10, 0),
                due_date: None,
                offline: true,
                cancel: false,
            })
            .unwrap();
        store.journal_mark_in_flight(id, at(1, 10, 5)).unwrap();
        store.journal_mark_rejected(id, at(1, 10, 5), "Item on hold for another patron").unwrap();
        id
    }

    #[test]
    fn retry_puts_a_refused_row_back_in_the_queue_and_audits_it() {
        let (_dir, store) = temp_store();
        let id = rejected_loan(&store);
        let desk = QueueDesk::new(&store);
        desk.retry(id, "card ****0042", at(1, 11, 0)).unwrap();
        assert_eq!(store.journal_entry(id).unwrap().state, JournalState::Pending);
        assert_eq!(desk.open_rows(10).unwrap().len(), 1);
        let audit = &store.audit_recent(1).unwrap()[0];
        assert_eq!((audit.action.as_str(), audit.detail.as_str()), ("queue.retry", "#1"));
        // A pending row cannot be "retried" into anything else.
        assert!(desk.retry(id, "t", at(1, 11, 1)).is_err());
    }

    #[test]
    fn resolve_keeps_the_row_with_its_note_and_history() {
        let (_dir, store) = temp_store();
        let id = rejected_loan(&store);
        let desk = QueueDesk::new(&store);
        assert!(matches!(desk.resolve(id, "  ", "t", at(1, 12, 0)), Err(QueueError::EmptyNote)));
        desk.resolve(id, "lent at the desk by hand", "card ****0042", at(1, 12, 0)).unwrap();
        let row = store.journal_entry(id).unwrap();
        assert_eq!(row.state, JournalState::Resolved);
        assert_eq!(row.note.as_deref(), Some("lent at the desk by hand"));
        assert_eq!(store.journal_all().unwrap().len(), 1, "nothing is deleted");
        let states: Vec<JournalState> = store.journal_events(id).unwrap().iter().map(|e| e.state).collect();
        assert_eq!(
            states,
            [JournalState::Pending, JournalState::InFlight, JournalState::Rejected, JournalState::Resolved]
        );
        assert_eq!(store.audit_recent(1).unwrap()[0].detail, "#1: lent at the desk by hand");
        assert!(desk.open_rows(10).unwrap().is_empty());
        // Resolved is final.
        assert!(desk.retry(id, "t", at(1, 12, 1)).is_err());
    }

    #[test]
    fn csv_export_masks_patrons_and_quotes_fields() {
        let (_dir, store) = temp_store();
        rejected_loan(&store);
        let csv = QueueDesk::new(&store).export_csv().unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 3, "header, one row, and the final line end");
        assert!(lines[0].starts_with("id,kind,state,patron,item"));
        assert_eq!(
            lines[1],
            "1,checkout,rejected,****0019,30234000000017,\"活着, \"\"新版\"\"\",2026-07-01 10:00:00,,true,1,Item on hold for another patron,,2026-07-01 10:05:00"
        );
        assert!(!csv.contains("20234000000019"));
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
        assert_eq!(csv_field("plain"), "plain");
    }
}
