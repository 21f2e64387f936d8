//! The ILS emulator's own database: catalog, patrons, loans and holds, with the library's
//! circulation rules applied in one SQLite transaction per operation.
//!
//! Seeded from `assets/demo/` (real titles and authors, 20 patrons in varied states). This
//! is the library system the demo talks SIP2 to; it is not the kiosk's own journal.

use std::path::Path;
use std::sync::Mutex;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{StoreError, format_time};

const CATALOG_TSV: &str = include_str!("../../../assets/demo/catalog.tsv");
const PATRONS_TSV: &str = include_str!("../../../assets/demo/patrons.tsv");
const CIRCULATION_TSV: &str = include_str!("../../../assets/demo/circulation.tsv");

/// This library's branch code: returns elsewhere go in transit.
pub const HOME_BRANCH: &str = "WCP";
/// Loan period in days.
pub const LOAN_DAYS: i64 = 30;
/// Renewals allowed per loan.
pub const MAX_RENEWALS: u32 = 2;
/// Fines above this (in fen) block borrowing.
pub const FEE_LIMIT_CENTS: i64 = 1000;
/// Overdue fine per day, in fen.
pub const FINE_PER_DAY_CENTS: i64 = 10;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    barcode      TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    author       TEXT NOT NULL,
    isbn         TEXT NOT NULL,
    call_number  TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    home_branch  TEXT NOT NULL,
    parts        INTEGER NOT NULL,
    language     TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'available'
                 CHECK (status IN ('available', 'on_loan', 'on_hold_shelf', 'in_transit', 'lost', 'missing')),
    transit_to   TEXT,
    properties   TEXT
);
CREATE TABLE IF NOT EXISTS patrons (
    barcode       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    pin           TEXT NOT NULL,
    state         TEXT NOT NULL,
    fines_cents   INTEGER NOT NULL,
    card_expires  TEXT NOT NULL,
    max_loans     INTEGER NOT NULL,
    language      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS loans (
    item            TEXT PRIMARY KEY REFERENCES items (barcode),
    patron          TEXT NOT NULL REFERENCES patrons (barcode),
    checked_out_at  TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    renewals        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS loans_patron ON loans (patron);
CREATE TABLE IF NOT EXISTS loan_events (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('checkout', 'checkin', 'renew')),
    item        TEXT NOT NULL,
    patron      TEXT,
    at          TEXT NOT NULL,
    no_block    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS holds (
    id             INTEGER PRIMARY KEY,
    item           TEXT NOT NULL REFERENCES items (barcode),
    patron         TEXT NOT NULL REFERENCES patrons (barcode),
    pickup_branch  TEXT NOT NULL,
    placed_at      TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('waiting', 'ready', 'collected', 'cancelled'))
);
CREATE INDEX IF NOT EXISTS holds_item ON holds (item, state);
";

/// An item in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    /// Barcode.
    pub barcode: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// ISBN-13.
    pub isbn: String,
    /// Call number (Chinese Library Classification).
    pub call_number: String,
    /// SIP2 media type code.
    pub media_type: String,
    /// The branch that owns it.
    pub home_branch: String,
    /// Parts in the set.
    pub parts: u32,
    /// Circulation state.
    pub status: ItemStatus,
    /// Destination while in transit.
    pub transit_to: Option<String>,
    /// The current loan.
    pub loan: Option<Loan>,
    /// Waiting holds.
    pub hold_queue: u32,
}

/// An item's circulation state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    /// On the shelf.
    Available,
    /// Lent out.
    OnLoan,
    /// Waiting on the hold shelf.
    OnHoldShelf,
    /// On its way to another branch.
    InTransit,
    /// Lost.
    Lost,
    /// Missing.
    Missing,
}

impl ItemStatus {
    fn parse(value: &str) -> ItemStatus {
        match value {
            "on_loan" => ItemStatus::OnLoan,
            "on_hold_shelf" => ItemStatus::OnHoldShelf,
            "in_transit" => ItemStatus::InTransit,
            "lost" => ItemStatus::Lost,
            "missing" => ItemStatus::Missing,
            _ => ItemStatus::Available,
        }
    }
}

/// A current loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    /// The borrower.
    pub patron: String,
    /// Lent at.
    pub checked_out_at: NaiveDateTime,
    /// Due at.
    pub due_at: NaiveDateTime,
    /// Renewals used.
    pub renewals: u32,
}

/// A patron's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatronState {
    /// In good standing.
    Ok,
    /// Borrowing blocked by staff.
    Blocked,
    /// Card reported lost.
    CardLost,
}

/// A patron and their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patron {
    /// Card barcode.
    pub barcode: String,
    /// Name.
    pub name: String,
    /// Standing.
    pub state: PatronState,
    /// Outstanding fines, in fen.
    pub fines_cents: i64,
    /// Card expiry.
    pub card_expires: NaiveDate,
    /// Loan limit.
    pub max_loans: u32,
    /// Preferred language (`zh` or `en`).
    pub language: String,
    /// Items on loan, with due dates.
    pub loans: Vec<(String, NaiveDateTime)>,
    /// Items ready to collect on the hold shelf.
    pub holds_ready: Vec<String>,
    /// Items waited for.
    pub holds_waiting: Vec<String>,
}

impl Patron {
    /// Loans past their due date at `now`.
    pub fn overdue(&self, now: NaiveDateTime) -> impl Iterator<Item = &str> {
        self.loans.iter().filter(move |(_, due)| *due < now).map(|(item, _)| item.as_str())
    }
}

/// Why a loan or renewal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such patron.
    UnknownPatron,
    /// No such item.
    UnknownItem,
    /// Blocked by staff.
    PatronBlocked,
    /// Card reported lost.
    CardLost,
    /// Card expired.
    CardExpired,
    /// Fines over the limit (amount in fen).
    ExcessiveFines(i64),
    /// At the loan limit.
    LoanLimit(u32),
    /// Lent to someone else.
    OnLoanToOther,
    /// Kept for someone else's hold.
    HeldForOther,
    /// Not lendable now (in transit, lost, missing).
    NotAvailable,
    /// Not on loan to this patron.
    NotOnLoanToPatron,
    /// No renewals left.
    RenewalLimit,
    /// Someone is waiting for it.
    OnHoldForOther,
}

/// The result of a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanGranted {
    /// The item.
    pub item: CatalogItem,
    /// The due date.
    pub due_at: NaiveDateTime,
    /// It was already on loan to this patron and was renewed.
    pub renewed: bool,
    /// The patron's language (`zh` or `en`), for the message.
    pub language: String,
}

/// What staff must do with a returned item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnRouting {
    /// Back to the shelf.
    Shelve,
    /// On the hold shelf here, for this patron.
    HoldShelf {
        /// Patron barcode.
        patron: String,
        /// Patron name.
        name: String,
    },
    /// Send to another branch for a hold there.
    HoldElsewhere {
        /// The pickup branch.
        branch: String,
        /// Patron barcode.
        patron: String,
    },
    /// Send home to another branch.
    Transfer {
        /// The owning branch.
        branch: String,
    },
}

/// The result of a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDone {
    /// The item, after the return.
    pub item: CatalogItem,
    /// Who had it, if it was on loan.
    pub patron: Option<String>,
    /// It was not on loan.
    pub was_not_on_loan: bool,
    /// Overdue fine charged, in fen.
    pub fine_cents: i64,
    /// Where it goes now.
    pub routing: ReturnRouting,
}

/// The emulator's database.
pub struct CatalogStore {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for CatalogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogStore").finish_non_exhaustive()
    }
}

fn due_at(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(23, 59, 0).unwrap_or_default()
}

fn parse(value: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(value, super::TIME_FORMAT).unwrap_or_default()
}

impl CatalogStore {
    /// Opens (and on first use seeds) the database file; loans in the seed are dated from `now`.
    pub fn open(path: &Path, now: NaiveDateTime) -> Result<CatalogStore, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::DataDir { path: parent.to_path_buf(), source })?;
        }
        CatalogStore::with_connection(Connection::open(path)?, now)
    }

    /// An in-memory database, seeded.
    pub fn in_memory(now: NaiveDateTime) -> Result<CatalogStore, StoreError> {
        CatalogStore::with_connection(Connection::open_in_memory()?, now)
    }

    fn with_connection(conn: Connection, now: NaiveDateTime) -> Result<CatalogStore, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        // The emulator is a test ILS: durability across power cuts is not its job.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        let store = CatalogStore { conn: Mutex::new(conn) };
        store.seed(now)?;
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn seed(&self, now: NaiveDateTime) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let count: i64 = conn.query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))?;
        if count > 0 {
            return Ok(());
        }
        let tx = conn.transaction()?;
        for row in rows(CATALOG_TSV) {
            if let [barcode, title, author, isbn, call, media, home, parts, language] = row[..] {
                exec(&tx,
                    "INSERT INTO items (barcode, title, author, isbn, call_number, media_type, home_branch, parts, language)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![barcode, title, author, isbn, call, media, home, parts.parse::<u32>().unwrap_or(1), language],
                )?;
            }
        }
        for row in rows(PATRONS_TSV) {
            if let [barcode, name, pin, state, fines, expires, max_loans, language] = row[..] {
                let fines_cents = (fines.parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64;
                exec(&tx,
                    "INSERT INTO patrons (barcode, name, pin, state, fines_cents, card_expires, max_loans, language)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![barcode, name, pin, state, fines_cents, expires, max_loans.parse::<u32>().unwrap_or(10), language],
                )?;
            }
        }
        for row in rows(CIRCULATION_TSV) {
            match row[..] {
                ["loan", patron, item, days, renewals] => {
                    let due = due_at((now + Duration::days(days.parse().unwrap_or(14))).date());
                    exec(
                        &tx,
                        "INSERT INTO loans (item, patron, checked_out_at, due_at, renewals) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            item,
                            patron,
                            format_time(now - Duration::days(20)),
                            format_time(due),
                            renewals.parse::<u32>().unwrap_or(0)
                        ],
                    )?;
                    exec(&tx, "UPDATE items SET status = 'on_loan' WHERE barcode = ?1", [item])?;
                }
                [kind @ ("hold" | "ready"), patron, item, pickup, _] => {
                    let state = if kind == "hold" { "waiting" } else { "ready" };
                    exec(
                        &tx,
                        "INSERT INTO holds (item, patron, pickup_branch, placed_at, state) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![item, patron, pickup, format_time(now - Duration::days(3)), state],
                    )?;
                    if state == "ready" {
                        exec(&tx, "UPDATE items SET status = 'on_hold_shelf' WHERE barcode = ?1", [item])?;
                    }
                }
                _ => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// One item with its loan and hold queue.
    pub fn item(&self, barcode: &str) -> Result<Option<CatalogItem>, StoreError> {
        let conn = self.lock();
        item_in(&conn, barcode)
    }

    /// One patron with loans and holds.
    pub fn patron(&self, barcode: &str) -> Result<Option<Patron>, StoreError> {
        let conn = self.lock();
        patron_in(&conn, barcode)
    }

    /// Whether `pin` is the patron's PIN.
    pub fn check_pin(&self, barcode: &str, pin: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let stored: Option<String> = conn
            .query_row("SELECT pin FROM patrons WHERE barcode = ?1", [barcode], |r| r.get(0))
            .optional()?;
        Ok(stored.is_some_and(|stored| stored == pin))
    }

    /// Why `patron` may not borrow at `now`, if anything.
    pub fn borrowing_block(&self, patron: &Patron, now: NaiveDateTime) -> Option<Refusal> {
        match patron.state {
            PatronState::Blocked => return Some(Refusal::PatronBlocked),
            PatronState::CardLost => return Some(Refusal::CardLost),
            PatronState::Ok => {}
        }
        if patron.card_expires < now.date() {
            return Some(Refusal::CardExpired);
        }
        if patron.fines_cents > FEE_LIMIT_CENTS {
            return Some(Refusal::ExcessiveFines(patron.fines_cents));
        }
        None
    }

    /// Lends an item. With `no_block` (an off-line loan being forwarded) the patron's
    /// blocks and the item's state do not stop it, and `promised_due` is kept.
    pub fn checkout(
        &self,
        patron_barcode: &str,
        item_barcode: &str,
        now: NaiveDateTime,
        no_block: bool,
        promised_due: Option<NaiveDateTime>,
    ) -> Result<Result<LoanGranted, Refusal>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let Some(patron) = patron_in(&tx, patron_barcode)? else { return Ok(Err(Refusal::UnknownPatron)) };
        let Some(item) = item_in(&tx, item_barcode)? else { return Ok(Err(Refusal::UnknownItem)) };
        if let Some(loan) = &item.loan
            && loan.patron == patron.barcode
        {
            if no_block {
                // Already applied (a duplicate of a forwarded off-line loan): nothing to do.
                return Ok(Ok(LoanGranted {
                    due_at: loan.due_at,
                    item,
                    renewed: false,
                    language: patron.language,
                }));
            }
            drop(tx);
            drop(conn);
            return self.renew(patron_barcode, item_barcode, now, false).map(|r| {
                r.map(|mut granted| {
                    granted.renewed = true;
                    granted
                })
            });
        }
        if !no_block {
            if let Some(refusal) = self.borrowing_block(&patron, now) {
                return Ok(Err(refusal));
            }
            if patron.loans.len() as u32 >= patron.max_loans {
                return Ok(Err(Refusal::LoanLimit(patron.max_loans)));
            }
            match item.status {
                ItemStatus::OnLoan => return Ok(Err(Refusal::OnLoanToOther)),
                ItemStatus::InTransit | ItemStatus::Lost | ItemStatus::Missing => {
                    return Ok(Err(Refusal::NotAvailable));
                }
                ItemStatus::OnHoldShelf | ItemStatus::Available => {}
            }
            let first_hold: Option<String> = tx
                .prepare_cached("SELECT patron FROM holds WHERE item = ?1 AND state IN ('waiting', 'ready') ORDER BY id LIMIT 1")?
                .query_row(
                    [item_barcode],
                    |r| r.get(0),
                )
                .optional()?;
            if first_hold.as_deref().is_some_and(|holder| holder != patron.barcode) {
                return Ok(Err(Refusal::HeldForOther));
            }
        } else if let Some(loan) = &item.loan {
            // The kiosk lent it off line while the ILS still had it lent to someone else:
            // the off-line loan stands, so the older loan is ended first.
            exec(&tx, "DELETE FROM loans WHERE item = ?1", [item_barcode])?;
            log_event(&tx, "checkin", item_barcode, Some(&loan.patron), now, true)?;
        }
        let due = match promised_due.filter(|_| no_block) {
            Some(due) => due,
            None => due_at((now + Duration::days(LOAN_DAYS)).date()),
        };
        exec(
            &tx,
            "INSERT INTO loans (item, patron, checked_out_at, due_at, renewals) VALUES (?1, ?2, ?3, ?4, 0)",
            params![item_barcode, patron.barcode, format_time(now), format_time(due)],
        )?;
        exec(
            &tx,
            "UPDATE items SET status = 'on_loan', transit_to = NULL WHERE barcode = ?1",
            [item_barcode],
        )?;
        exec(
            &tx,
            "UPDATE holds SET state = 'collected' WHERE item = ?1 AND patron = ?2 AND state IN ('waiting', 'ready')",
            params![item_barcode, patron.barcode],
        )?;
        log_event(&tx, "checkout", item_barcode, Some(&patron.barcode), now, no_block)?;
        tx.commit()?;
        let item = CatalogItem {
            status: ItemStatus::OnLoan,
            transit_to: None,
            loan: Some(Loan {
                patron: patron.barcode.clone(),
                checked_out_at: now,
                due_at: due,
                renewals: 0,
            }),
            ..item
        };
        Ok(Ok(LoanGranted { item, due_at: due, renewed: false, language: patron.language }))
    }

    /// Returns an item at this branch and decides where it goes.
    pub fn checkin(
        &self,
        item_barcode: &str,
        now: NaiveDateTime,
        returned_at: Option<NaiveDateTime>,
        no_block: bool,
    ) -> Result<Result<ReturnDone, Refusal>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let Some(item) = item_in(&tx, item_barcode)? else { return Ok(Err(Refusal::UnknownItem)) };
        let returned_at = returned_at.unwrap_or(now);
        let mut fine_cents = 0;
        let patron = item.loan.as_ref().map(|l| l.patron.clone());
        if let Some(loan) = &item.loan {
            let late_days = (returned_at.date() - loan.due_at.date()).num_days();
            if late_days > 0 {
                fine_cents = late_days * FINE_PER_DAY_CENTS;
                exec(
                    &tx,
                    "UPDATE patrons SET fines_cents = fines_cents + ?2 WHERE barcode = ?1",
                    params![loan.patron, fine_cents],
                )?;
            }
            exec(&tx, "DELETE FROM loans WHERE item = ?1", [item_barcode])?;
            log_event(&tx, "checkin", item_barcode, Some(&loan.patron), now, no_block)?;
        } else if item.status == ItemStatus::OnHoldShelf {
            // Already waiting on the hold shelf: nothing changes.
            tx.commit()?;
            let holder = self.ready_holder_locked(&conn, item_barcode)?;
            let routing = match holder {
                Some((patron, name)) => ReturnRouting::HoldShelf { patron, name },
                None => ReturnRouting::Shelve,
            };
            return Ok(Ok(ReturnDone { item, patron: None, was_not_on_loan: true, fine_cents: 0, routing }));
        }
        let waiting: Option<(i64, String, String, String)> = tx
            .prepare_cached(
                "SELECT h.id, h.patron, h.pickup_branch, p.name FROM holds h JOIN patrons p ON p.barcode = h.patron
                 WHERE h.item = ?1 AND h.state = 'waiting' ORDER BY h.id LIMIT 1",
            )?
            .query_row(
                [item_barcode],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let routing = match waiting {
            Some((hold, holder, pickup, name)) if pickup == HOME_BRANCH => {
                exec(&tx, "UPDATE holds SET state = 'ready' WHERE id = ?1", [hold])?;
                exec(
                    &tx,
                    "UPDATE items SET status = 'on_hold_shelf', transit_to = NULL WHERE barcode = ?1",
                    [item_barcode],
                )?;
                ReturnRouting::HoldShelf { patron: holder, name }
            }
            Some((_, holder, pickup, _)) => {
                exec(
                    &tx,
                    "UPDATE items SET status = 'in_transit', transit_to = ?2 WHERE barcode = ?1",
                    params![item_barcode, pickup],
                )?;
                ReturnRouting::HoldElsewhere { branch: pickup, patron: holder }
            }
            None if item.home_branch != HOME_BRANCH => {
                exec(
                    &tx,
                    "UPDATE items SET status = 'in_transit', transit_to = home_branch WHERE barcode = ?1",
                    [item_barcode],
                )?;
                ReturnRouting::Transfer { branch: item.home_branch.clone() }
            }
            None => {
                exec(
                    &tx,
                    "UPDATE items SET status = 'available', transit_to = NULL WHERE barcode = ?1",
                    [item_barcode],
                )?;
                ReturnRouting::Shelve
            }
        };
        let was_not_on_loan = item.loan.is_none();
        tx.commit()?;
        let item = CatalogItem { loan: None, ..item };
        Ok(Ok(ReturnDone { item, patron, was_not_on_loan, fine_cents, routing }))
    }

    fn ready_holder_locked(
        &self,
        conn: &Connection,
        item: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(conn
            .query_row(
                "SELECT h.patron, p.name FROM holds h JOIN patrons p ON p.barcode = h.patron
                 WHERE h.item = ?1 AND h.state = 'ready' ORDER BY h.id LIMIT 1",
                [item],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Renews a loan. With `no_block` the renewal limit and holds do not stop it.
    pub fn renew(
        &self,
        patron_barcode: &str,
        item_barcode: &str,
        now: NaiveDateTime,
        no_block: bool,
    ) -> Result<Result<LoanGranted, Refusal>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let Some(patron) = patron_in(&tx, patron_barcode)? else { return Ok(Err(Refusal::UnknownPatron)) };
        let Some(item) = item_in(&tx, item_barcode)? else { return Ok(Err(Refusal::UnknownItem)) };
        let Some(loan) = item.loan.clone().filter(|l| l.patron == patron.barcode) else {
            return Ok(Err(Refusal::NotOnLoanToPatron));
        };
        if !no_block {
            match self.borrowing_block(&patron, now) {
                Some(Refusal::ExcessiveFines(cents)) => return Ok(Err(Refusal::ExcessiveFines(cents))),
                Some(refusal @ (Refusal::PatronBlocked | Refusal::CardLost | Refusal::CardExpired)) => {
                    return Ok(Err(refusal));
                }
                _ => {}
            }
            if loan.renewals >= MAX_RENEWALS {
                return Ok(Err(Refusal::RenewalLimit));
            }
            if item.hold_queue > 0 {
                return Ok(Err(Refusal::OnHoldForOther));
            }
        }
        let due = due_at((now + Duration::days(LOAN_DAYS)).date()).max(loan.due_at);
        exec(
            &tx,
            "UPDATE loans SET due_at = ?2, renewals = renewals + 1 WHERE item = ?1",
            params![item_barcode, format_time(due)],
        )?;
        log_event(&tx, "renew", item_barcode, Some(&patron.barcode), now, no_block)?;
        let item = item_in(&tx, item_barcode)?.unwrap_or(item);
        tx.commit()?;
        Ok(Ok(LoanGranted { item, due_at: due, renewed: true, language: patron.language }))
    }

    /// Records a payment (in fen) against the patron's fines; `false` for an unknown patron.
    pub fn pay_fine(&self, patron: &str, cents: i64) -> Result<bool, StoreError> {
        let conn = self.lock();
        let changed = exec(
            &conn,
            "UPDATE patrons SET fines_cents = MAX(0, fines_cents - ?2) WHERE barcode = ?1",
            params![patron, cents],
        )?;
        Ok(changed == 1)
    }

    /// Places a hold for pickup here; `None` for an unknown patron or item.
    pub fn place_hold(
        &self,
        patron: &str,
        item: &str,
        now: NaiveDateTime,
    ) -> Result<Option<u32>, StoreError> {
        let conn = self.lock();
        if patron_in(&conn, patron)?.is_none() || item_in(&conn, item)?.is_none() {
            return Ok(None);
        }
        exec(
            &conn,
            "INSERT INTO holds (item, patron, pickup_branch, placed_at, state) VALUES (?1, ?2, ?3, ?4, 'waiting')",
            params![item, patron, HOME_BRANCH, format_time(now)],
        )?;
        let position: u32 = conn.query_row(
            "SELECT COUNT(*) FROM holds WHERE item = ?1 AND state IN ('waiting', 'ready')",
            [item],
            |r| r.get(0),
        )?;
        Ok(Some(position))
    }

    /// Cancels a patron's holds on an item; the number cancelled.
    pub fn cancel_hold(&self, patron: &str, item: &str) -> Result<usize, StoreError> {
        let conn = self.lock();
        exec(
            &conn,
            "UPDATE holds SET state = 'cancelled' WHERE item = ?1 AND patron = ?2 AND state IN ('waiting', 'ready')",
            params![item, patron],
        )
    }

    /// Sets a patron's standing (block / enable).
    pub fn set_patron_state(&self, patron: &str, state: PatronState) -> Result<bool, StoreError> {
        let conn = self.lock();
        let value = match state {
            PatronState::Ok => "ok",
            PatronState::Blocked => "blocked",
            PatronState::CardLost => "lost",
        };
        Ok(exec(&conn, "UPDATE patrons SET state = ?2 WHERE barcode = ?1", params![patron, value])? == 1)
    }

    /// Stores item properties (`19`); `false` for an unknown item.
    pub fn set_item_properties(&self, item: &str, properties: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        Ok(exec(&conn, "UPDATE items SET properties = ?2 WHERE barcode = ?1", params![item, properties])?
            == 1)
    }

    /// Every current loan as `(item, patron)`, sorted.
    pub fn loans(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT item, patron FROM loans ORDER BY item")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many times each `(kind, item)` was applied, for checking that nothing was applied twice.
    pub fn event_counts(&self) -> Result<Vec<(String, String, u32)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT kind, item, COUNT(*) FROM loan_events GROUP BY kind, item ORDER BY kind, item",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every item barcode, in catalog order.
    pub fn item_barcodes(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT barcode FROM items ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Books of `branch` on the shelf with nobody waiting for them, in seed order: a loan
    /// followed by a return leaves each as it was (benchmarks and load tests cycle them).
    pub fn shelf_items(&self, branch: &str) -> Result<Vec<String>, StoreError> {
        let mut shelf = Vec::new();
        for barcode in self.item_barcodes()? {
            let Some(item) = self.item(&barcode)? else { continue };
            if item.home_branch == branch && item.status == ItemStatus::Available && item.hold_queue == 0 {
                shelf.push(barcode);
            }
        }
        Ok(shelf)
    }

    /// Every patron barcode with name, in seed order.
    pub fn patron_list(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT barcode, name FROM patrons ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn log_event(
    tx: &Transaction<'_>,
    kind: &str,
    item: &str,
    patron: Option<&str>,
    at: NaiveDateTime,
    no_block: bool,
) -> Result<(), StoreError> {
    exec(
        tx,
        "INSERT INTO loan_events (kind, item, patron, at, no_block) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, item, patron, format_time(at), no_block as i64],
    )?;
    Ok(())
}

/// Runs a statement through the connection's statement cache.
fn exec(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').collect())
}

fn item_in(conn: &Connection, barcode: &str) -> Result<Option<CatalogItem>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT i.barcode, i.title, i.author, i.isbn, i.call_number, i.media_type, i.home_branch, i.parts, i.status,
                    i.transit_to, l.patron, l.checked_out_at, l.due_at, l.renewals,
                    (SELECT COUNT(*) FROM holds h WHERE h.item = i.barcode AND h.state = 'waiting')
             FROM items i LEFT JOIN loans l ON l.item = i.barcode WHERE i.barcode = ?1",
        )?
        .query_row(
            [barcode],
            |r| {
                Ok((
                    [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                    r.get::<_, u32>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    (r.get::<_, Option<String>>(10)?, r.get::<_, Option<String>>(11)?, r.get::<_, Option<String>>(12)?, r.get::<_, Option<u32>>(13)?),
                    r.get::<_, u32>(14)?,
                ))
            },
        )
        .optional()?;
    Ok(row.map(
        |(
            [barcode, title, author, isbn, call_number, media_type, home_branch],
            parts,
            status,
            transit_to,
            loan,
            hold_queue,
        )| {
            let loan = match loan {
                (Some(patron), Some(out), Some(due), renewals) => Some(Loan {
                    patron,
                    checked_out_at: parse(&out),
                    due_at: parse(&due),
                    renewals: renewals.unwrap_or(0),
                }),
                _ => None,
            };
            CatalogItem {
                barcode,
                title,
                author,
                isbn,
                call_number,
                media_type,
                home_branch,
                parts,
                status: ItemStatus::parse(&status),
                transit_to,
                loan,
                hold_queue,
            }
        },
    ))
}

fn patron_in(conn: &Connection, barcode: &str) -> Result<Option<Patron>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT barcode, name, state, fines_cents, card_expires, max_loans, language FROM patrons WHERE barcode = ?1",
        )?
        .query_row(
            [barcode],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((barcode, name, state, fines_cents, expires, max_loans, language)) = row else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT item, due_at FROM loans WHERE patron = ?1 ORDER BY due_at, item")?;
    let loans = stmt
        .query_map([&barcode], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .map(|r| r.map(|(item, due)| (item, parse(&due))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT item, state FROM holds WHERE patron = ?1 AND state IN ('waiting', 'ready') ORDER BY id",
    )?;
    let holds = stmt
        .query_map([&barcode], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Patron {
        state: match state.as_str() {
            "blocked" => PatronState::Blocked,
            "lost" => PatronState::CardLost,
            _ => PatronState::Ok,
        },
        name,
        fines_cents,
        card_expires: NaiveDate::parse_from_str(&expires, "%Y-%m-%d").unwrap_or_default(),
        max_loans,
        language,
        loans,
        holds_ready: holds.iter().filter(|(_, s)| s == "ready").map(|(i, _)| i.clone()).collect(),
        holds_waiting: holds.iter().filter(|(_, s)| s == "waiting").map(|(i, _)| i.clone()).collect(),
        barcode,
    }))
}
