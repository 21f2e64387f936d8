//! The circulation journal: every loan, return and renewal, written before the patron
//! sees its outcome, with each state change in one SQLite transaction and recorded in
//! `journal_events`. Rows are never deleted.
//!
//! States:
//!
//! ```text
//!   pending ──send──► in_flight ──reply ok──► done
//!      ▲                 │  └────refused────► rejected ──staff──► resolved
//!      └──no reply / ────┘
//!         network error (outcome resolved before re-sending)
//! ```

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, format_time, parse_time};

/// A journal row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JournalId(pub i64);

impl fmt::Display for JournalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a transaction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    /// A loan.
    Checkout,
    /// A return.
    Checkin,
    /// A renewal.
    Renew,
}

impl TransactionKind {
    fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Checkout => "checkout",
            TransactionKind::Checkin => "checkin",
            TransactionKind::Renew => "renew",
        }
    }
}

impl fmt::Display for TransactionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransactionKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "checkout" => Ok(TransactionKind::Checkout),
            "checkin" => Ok(TransactionKind::Checkin),
            "renew" => Ok(TransactionKind::Renew),
            _ => Err(()),
        }
    }
}

/// Where a journal row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum JournalState {
    /// Recorded; not yet sent to the ILS (offline, or about to be sent).
    #[default]
    Pending,
    /// Sent; no reply recorded yet. Its outcome must be resolved before re-sending.
    InFlight,
    /// The ILS accepted it.
    Done,
    /// The ILS refused it; staff must look at it.
    Rejected,
    /// A rejected row that staff have dealt with (with a note).
    Resolved,
}

impl JournalState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JournalState::Pending => "pending",
            JournalState::InFlight => "in_flight",
            JournalState::Done => "done",
            JournalState::Rejected => "rejected",
            JournalState::Resolved => "resolved",
        }
    }
}

impl fmt::Display for JournalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JournalState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "pending" => Ok(JournalState::Pending),
            "in_flight" => Ok(JournalState::InFlight),
            "done" => Ok(JournalState::Done),
            "rejected" => Ok(JournalState::Rejected),
            "resolved" => Ok(JournalState::Resolved),
            _ => Err(()),
        }
    }
}

/// A transaction to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    /// What it does.
    pub kind: TransactionKind,
    /// The patron (absent for returns).
    pub patron: Option<String>,
    /// The item barcode.
    pub item: String,
    /// The title, when known (for receipts and staff).
    pub title: Option<String>,
    /// When it happened at the kiosk; replayed to the ILS as the transaction date.
    pub at: NaiveDateTime,
    /// The due date promised at the kiosk (offline loans).
    pub due_date: Option<NaiveDateTime>,
    /// Recorded while the ILS was unreachable.
    pub offline: bool,
    /// A return that cancels a loan (its security write failed).
    pub cancel: bool,
}

/// A recorded transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Its id; ids grow in recording order.
    pub id: JournalId,
    /// What it does.
    pub kind: TransactionKind,
    /// The patron.
    pub patron: Option<String>,
    /// The item barcode.
    pub item: String,
    /// The title, when known.
    pub title: Option<String>,
    /// When it happened at the kiosk.
    pub at: NaiveDateTime,
    /// The promised or confirmed due date.
    pub due_date: Option<NaiveDateTime>,
    /// Recorded while offline.
    pub offline: bool,
    /// A return that cancels a loan.
    pub cancel: bool,
    /// Where it stands.
    pub state: JournalState,
    /// How often it was sent.
    pub attempts: u32,
    /// The ILS's screen message, if any.
    pub ils_message: Option<String>,
    /// Staff's resolution note.
    pub note: Option<String>,
    /// The last state change.
    pub updated_at: NaiveDateTime,
}

/// One state change of a journal row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEvent {
    /// When.
    pub at: NaiveDateTime,
    /// The state entered.
    pub state: JournalState,
    /// Why, or what the ILS said.
    pub detail: Option<String>,
}

/// How many rows are in each open state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JournalCounts {
    /// Waiting to be sent.
    pub pending: u64,
    /// Sent, outcome unknown.
    pub in_flight: u64,
    /// Refused by the ILS, not yet resolved.
    pub rejected: u64,
}

impl JournalCounts {
    /// Rows not yet known to the ILS.
    pub fn queued(&self) -> u64 {
        self.pending + self.in_flight
    }
}

const COLUMNS: &str = "id, kind, patron, item, title, created_at, due_date, offline, state, attempts, ils_message, note, updated_at, cancel";

/// A journal row as stored, before its text columns are interpreted.
struct RawEntry {
    id: i64,
    kind: String,
    patron: Option<String>,
    item: String,
    title: Option<String>,
    created_at: String,
    due_date: Option<String>,
    offline: bool,
    state: String,
    attempts: u32,
    ils_message: Option<String>,
    note: Option<String>,
    updated_at: String,
    cancel: bool,
}

fn raw_entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        id: row.get(0)?,
        kind: row.get(1)?,
        patron: row.get(2)?,
        item: row.get(3)?,
        title: row.get(4)?,
        created_at: row.get(5)?,
        due_date: row.get(6)?,
        offline: row.get::<_, i64>(7)? != 0,
        state: row.get(8)?,
        attempts: row.get(9)?,
        ils_message: row.get(10)?,
        note: row.get(11)?,
        updated_at: row.get(12)?,
        cancel: row.get::<_, i64>(13)? != 0,
    })
}

impl RawEntry {
    fn decode(self) -> Result<JournalEntry, StoreError> {
        let id = self.id;
        let corrupt =
            |column: &'static str, value: String| StoreError::Corrupt { table: "journal", id, column, value };
        Ok(JournalEntry {
            id: JournalId(id),
            kind: self.kind.parse().map_err(|()| corrupt("kind", self.kind.clone()))?,
            patron: self.patron,
            item: self.item,
            title: self.title,
            at: parse_time("journal", id, "created_at", self.created_at)?,
            due_date: self.due_date.map(|d| parse_time("journal", id, "due_date", d)).transpose()?,
            offline: self.offline,
            cancel: self.cancel,
            state: self.state.parse().map_err(|()| corrupt("state", self.state.clone()))?,
            attempts: self.attempts,
            ils_message: self.ils_message,
            note: self.note,
            updated_at: parse_time("journal", id, "updated_at", self.updated_at)?,
        })
    }
}

/// One state change: from which states, to which, and what it records.
#[derive(Default)]
struct Transition<'a> {
    from: &'a [JournalState],
    to: JournalState,
    action: &'static str,
    detail: Option<&'a str>,
    ils_message: Option<&'a str>,
    due_date: Option<NaiveDateTime>,
    note: Option<&'a str>,
}

impl Store {
    /// Records a new transaction as `pending`, before anything is shown to the patron.
    pub fn journal_append(&self, tx: &NewTransaction) -> Result<JournalId, StoreError> {
        let at = format_time(tx.at);
        let db = self.conn.unchecked_transaction()?;
        db.execute(
            "INSERT INTO journal (kind, patron, item, title, created_at, due_date, offline, state, updated_at, cancel)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?5, ?8)",
            params![
                tx.kind.as_str(),
                tx.patron,
                tx.item,
                tx.title,
                at,
                tx.due_date.map(format_time),
                tx.offline as i64,
                tx.cancel as i64
            ],
        )?;
        let id = db.last_insert_rowid();
        db.execute(
            "INSERT INTO journal_events (journal_id, at, state, detail) VALUES (?1, ?2, 'pending', ?3)",
            params![id, at, if tx.offline { Some("recorded offline") } else { None }],
        )?;
        db.commit()?;
        Ok(JournalId(id))
    }

    /// Marks a row as sent to the ILS (before the bytes leave), counting the attempt.
    pub fn journal_mark_in_flight(&self, id: JournalId, at: NaiveDateTime) -> Result<(), StoreError> {
        self.journal_transition(
            id,
            at,
            Transition {
                from: &[JournalState::Pending, JournalState::InFlight],
                to: JournalState::InFlight,
                action: "send",
                ..Transition::default()
            },
        )
    }

    /// Records the ILS's acceptance, with the due date it confirmed.
    pub fn journal_mark_done(
        &self,
        id: JournalId,
        at: NaiveDateTime,
        due_date: Option<NaiveDateTime>,
        ils_message: Option<&str>,
    ) -> Result<(), StoreError> {
        self.journal_transition(
            id,
            at,
            Transition {
                from: &[JournalState::Pending, JournalState::InFlight],
                to: JournalState::Done,
                action: "accept",
                detail: ils_message,
                ils_message,
                due_date,
                ..Transition::default()
            },
        )
    }

    /// Records the ILS's refusal with its screen message, for staff.
    pub fn journal_mark_rejected(
        &self,
        id: JournalId,
        at: NaiveDateTime,
        ils_message: &str,
    ) -> Result<(), StoreError> {
        self.journal_transition(
            id,
            at,
            Transition {
                from: &[JournalState::Pending, JournalState::InFlight],
                to: JournalState::Rejected,
                action: "reject",
                detail: Some(ils_message),
                ils_message: Some(ils_message),
                ..Transition::default()
            },
        )
    }

    /// Puts a row back in the queue: after a send whose outcome was found not to have
    /// happened, or when staff retry a rejected row.
    pub fn journal_mark_pending(
        &self,
        id: JournalId,
        at: NaiveDateTime,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.journal_transition(
            id,
            at,
            Transition {
                from: &[JournalState::InFlight, JournalState::Rejected],
                to: JournalState::Pending,
                action: "retry",
                detail: Some(reason),
                ..Transition::default()
            },
        )
    }

    /// Marks a rejected row as dealt with by staff. The row stays, with the note.
    pub fn journal_resolve(&self, id: JournalId, at: NaiveDateTime, note: &str) -> Result<(), StoreError> {
        self.journal_transition(
            id,
            at,
            Transition {
                from: &[JournalState::Rejected],
                to: JournalState::Resolved,
                action: "resolve",
                detail: Some(note),
                note: Some(note),
                ..Transition::default()
            },
        )
    }

    /// Applies one state change and its history event in one SQLite transaction.
    fn journal_transition(
        &self,
        id: JournalId,
        at: NaiveDateTime,
        change: Transition<'_>,
    ) -> Result<(), StoreError> {
        let db = self.conn.unchecked_transaction()?;
        let current = self.journal_state(id)?;
        if !change.from.contains(&current) {
            return Err(StoreError::InvalidTransition { id: id.0, state: current, action: change.action });
        }
        let at = format_time(at);
        db.execute(
            "UPDATE journal SET state = ?2, updated_at = ?3, attempts = attempts + ?4,
                    ils_message = COALESCE(?5, ils_message),
                    due_date = COALESCE(?6, due_date),
                    note = COALESCE(?7, note)
             WHERE id = ?1",
            params![
                id.0,
                change.to.as_str(),
                at,
                (change.to == JournalState::InFlight) as i64,
                change.ils_message,
                change.due_date.map(format_time),
                change.note
            ],
        )?;
        db.execute(
            "INSERT INTO journal_events (journal_id, at, state, detail) VALUES (?1, ?2, ?3, ?4)",
            params![id.0, at, change.to.as_str(), change.detail],
        )?;
        db.commit()?;
        Ok(())
    }

    fn journal_state(&self, id: JournalId) -> Result<JournalState, StoreError> {
        let state: Option<String> = self
            .conn
            .query_row("SELECT state FROM journal WHERE id = ?1", [id.0], |row| row.get(0))
            .optional()?;
        let state = state.ok_or(StoreError::NotFound { table: "journal", id: id.0 })?;
        state.parse().map_err(|()| StoreError::Corrupt {
            table: "journal",
            id: id.0,
            column: "state",
            value: state,
        })
    }

    /// One row.
    pub fn journal_entry(&self, id: JournalId) -> Result<JournalEntry, StoreError> {
        self.journal_query(&format!("SELECT {COLUMNS} FROM journal WHERE id = ?1"), params![id.0])?
            .pop()
            .ok_or(StoreError::NotFound { table: "journal", id: id.0 })
    }

    /// Rows still to be forwarded (`pending` and `in_flight`), oldest first.
    pub fn journal_queue(&self) -> Result<Vec<JournalEntry>, StoreError> {
        self.journal_query(
            &format!("SELECT {COLUMNS} FROM journal WHERE state IN ('pending', 'in_flight') ORDER BY id"),
            params![],
        )
    }

    /// Rows in one state, oldest first, at most `limit`.
    pub fn journal_in_state(&self, state: JournalState, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        self.journal_query(
            &format!("SELECT {COLUMNS} FROM journal WHERE state = ?1 ORDER BY id LIMIT ?2"),
            params![state.as_str(), limit],
        )
    }

    /// Every row, oldest first.
    pub fn journal_all(&self) -> Result<Vec<JournalEntry>, StoreError> {
        self.journal_query(&format!("SELECT {COLUMNS} FROM journal ORDER BY id"), params![])
    }

    /// The history of one row, oldest first.
    pub fn journal_events(&self, id: JournalId) -> Result<Vec<JournalEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, state, detail FROM journal_events WHERE journal_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id.0], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (event_id, at, state, detail) = row?;
            events.push(JournalEvent {
                at: parse_time("journal_events", event_id, "at", at)?,
                state: state.parse().map_err(|()| StoreError::Corrupt {
                    table: "journal_events",
                    id: event_id,
                    column: "state",
                    value: state,
                })?,
                detail,
            });
        }
        Ok(events)
    }

    /// Items `patron` holds through loans recorded off line that the ILS has not confirmed
    /// yet and that were not returned since (for the off-line per-patron limit).
    pub fn journal_offline_loans(&self, patron: &str) -> Result<u32, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM journal AS loan WHERE loan.kind = 'checkout' AND loan.offline = 1
                 AND loan.patron = ?1 AND loan.state IN ('pending', 'in_flight')
                 AND NOT EXISTS (SELECT 1 FROM journal AS back WHERE back.kind = 'checkin'
                                 AND back.item = loan.item AND back.id > loan.id)",
            )?
            .query_row([patron], |row| row.get(0))?;
        Ok(count as u32)
    }

    /// How many rows are open, per state.
    pub fn journal_counts(&self) -> Result<JournalCounts, StoreError> {
        let mut counts = JournalCounts::default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT state, COUNT(*) FROM journal WHERE state IN ('pending', 'in_flight', 'rejected') GROUP BY state",
        )?;
        let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64)))?;
        for row in rows {
            let (state, count) = row?;
            match state.as_str() {
                "pending" => counts.pending = count,
                "in_flight" => counts.in_flight = count,
                _ => counts.rejected = count,
            }
        }
        Ok(counts)
    }

    fn journal_query(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, raw_entry)?;
        let mut entries = Vec::new();
        for row in rows {
            entries.push(row?.decode()?);
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store as store};

    fn loan(item: &str, offline: bool) -> NewTransaction {
        NewTransaction {
            kind: TransactionKind::Checkout,
            patron: Some("21234000000017".into()),
            item: item.into(),
            title: Some("活着".into()),
            at: at(1, 10, 0),
            due_date: offline.then(|| at(31, 10, 0)),
            cancel: false,
            offline,
        }
    }

    #[test]
    fn append_then_queue_in_order() {
        let (_dir, store) = store();
        let a = store.journal_append(&loan("A1", true)).unwrap();
        let b = store.journal_append(&loan("B2", false)).unwrap();
        assert!(a < b);
        let queue = store.journal_queue().unwrap();
        assert_eq!(queue.iter().map(|e| e.item.as_str()).collect::<Vec<_>>(), ["A1", "B2"]);
        assert_eq!(queue[0].state, JournalState::Pending);
        assert_eq!(queue[0].title.as_deref(), Some("活着"));
        assert_eq!(queue[0].due_date, Some(at(31, 10, 0)));
        assert!(queue[0].offline);
        assert_eq!(store.journal_counts().unwrap(), JournalCounts { pending: 2, in_flight: 0, rejected: 0 });
    }

    #[test]
    fn full_lifecycle_is_recorded() {
        let (_dir, store) = store();
        let id = store.journal_append(&loan("A1", true)).unwrap();
        store.journal_mark_in_flight(id, at(2, 9, 0)).unwrap();
        store.journal_mark_pending(id, at(2, 9, 1), "no reply; item not on loan at the ILS").unwrap();
        store.journal_mark_in_flight(id, at(2, 9, 2)).unwrap();
        store.journal_mark_rejected(id, at(2, 9, 3), "Patron blocked").unwrap();
        store.journal_resolve(id, at(3, 8, 0), "lent at the desk by hand").unwrap();
        let entry = store.journal_entry(id).unwrap();
        assert_eq!(entry.state, JournalState::Resolved);
        assert_eq!(entry.attempts, 2);
        assert_eq!(entry.ils_message.as_deref(), Some("Patron blocked"));
        assert_eq!(entry.note.as_deref(), Some("lent at the desk by hand"));
        assert_eq!(entry.updated_at, at(3, 8, 0));
        let states: Vec<JournalState> =
            store.journal_events(id).unwrap().into_iter().map(|e| e.state).collect();
        use JournalState::*;
        assert_eq!(states, [Pending, InFlight, Pending, InFlight, Rejected, Resolved]);
        assert!(store.journal_queue().unwrap().is_empty());
    }

    #[test]
    fn done_records_confirmed_due_date() {
        let (_dir, store) = store();
        let id = store.journal_append(&loan("A1", false)).unwrap();
        store.journal_mark_in_flight(id, at(1, 10, 0)).unwrap();
        store.journal_mark_done(id, at(1, 10, 0), Some(at(29, 23, 59)), Some("OK")).unwrap();
        let entry = store.journal_entry(id).unwrap();
        assert_eq!(entry.state, JournalState::Done);
        assert_eq!(entry.due_date, Some(at(29, 23, 59)));
        assert_eq!(entry.note, None);
    }

    #[test]
    fn finished_rows_cannot_change_again() {
        let (_dir, store) = store();
        let id = store.journal_append(&loan("A1", false)).unwrap();
        store.journal_mark_done(id, at(1, 10, 0), None, None).unwrap();
        let err = store.journal_mark_in_flight(id, at(1, 11, 0)).unwrap_err();
        assert!(matches!(err, StoreError::InvalidTransition { state: JournalState::Done, .. }), "{err}");
        assert!(store.journal_resolve(id, at(1, 11, 0), "x").is_err());
        assert!(matches!(store.journal_entry(JournalId(99)), Err(StoreError::NotFound { .. })));
    }

    #[test]
    fn offline_loans_are_counted_per_patron_until_confirmed() {
        let (_dir, store) = store();
        let a = store.journal_append(&loan("A1", true)).unwrap();
        store.journal_append(&loan("B2", true)).unwrap();
        store.journal_append(&loan("C3", false)).unwrap();
        assert_eq!(store.journal_offline_loans("21234000000017").unwrap(), 2);
        store.journal_mark_done(a, at(2, 9, 0), None, None).unwrap();
        assert_eq!(store.journal_offline_loans("21234000000017").unwrap(), 1);
        assert_eq!(store.journal_offline_loans("someone else").unwrap(), 0);
        let mut back = loan("B2", true);
        back.kind = TransactionKind::Checkin;
        back.patron = None;
        store.journal_append(&back).unwrap();
        assert_eq!(
            store.journal_offline_loans("21234000000017").unwrap(),
            0,
            "a returned book no longer counts"
        );
    }

    #[test]
    fn rejected_rows_are_counted_and_listed() {
        let (_dir, store) = store();
        let id = store.journal_append(&loan("A1", true)).unwrap();
        store.journal_mark_rejected(id, at(2, 9, 3), "Item not found").unwrap();
        assert_eq!(store.journal_counts().unwrap().rejected, 1);
        let rejected = store.journal_in_state(JournalState::Rejected, 10).unwrap();
        assert_eq!(rejected.len(), 1);
        assert_eq!(store.journal_all().unwrap().len(), 1);
    }
}
