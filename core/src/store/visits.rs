//! Rest-station visits. A card number is never stored: only its salted hash, so repeat
//! visits can be counted without knowing who came.

use chrono::NaiveDateTime;
use rusqlite::{Row, params};

use super::{Store, StoreError, format_time, parse_time};

/// A visit's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VisitId(pub i64);

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckoutMethod {
    /// The visitor scanned their card again.
    Scan,
    /// The visitor tapped "check out".
    Tap,
    /// Closed automatically after the configured hours.
    Auto,
}

impl CheckoutMethod {
    fn as_str(self) -> &'static str {
        match self {
            CheckoutMethod::Scan => "scan",
            CheckoutMethod::Tap => "tap",
            CheckoutMethod::Auto => "auto",
        }
    }

    fn parse(value: &str) -> Option<CheckoutMethod> {
        match value {
            "scan" => Some(CheckoutMethod::Scan),
            "tap" => Some(CheckoutMethod::Tap),
            "auto" => Some(CheckoutMethod::Auto),
            _ => None,
        }
    }
}

/// A check-in to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    /// The trade's id from the station config.
    pub trade: String,
    /// The salted hash of the card, or `None` for an anonymous check-in.
    pub card_hash: Option<String>,
    /// Ids of the services chosen.
    pub services: Vec<String>,
    /// When.
    pub at: NaiveDateTime,
}

/// A recorded visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// Its id.
    pub id: VisitId,
    /// The trade's id.
    pub trade: String,
    /// The salted card hash, if the visitor scanned a card.
    pub card_hash: Option<String>,
    /// Services chosen.
    pub services: Vec<String>,
    /// Check-in time.
    pub checked_in_at: NaiveDateTime,
    /// Check-out time, when the visit has ended.
    pub checked_out_at: Option<NaiveDateTime>,
    /// How it ended.
    pub checkout_method: Option<CheckoutMethod>,
}

const COLUMNS: &str = "id, trade, card_hash, services, checked_in_at, checked_out_at, checkout_method";

type RawVisit = (i64, String, Option<String>, String, String, Option<String>, Option<String>);

fn raw_visit(row: &Row<'_>) -> rusqlite::Result<RawVisit> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn decode(
    (id, trade, card_hash, services, checked_in, checked_out, method): RawVisit,
) -> Result<Visit, StoreError> {
    Ok(Visit {
        id: VisitId(id),
        trade,
        card_hash,
        services: services.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        checked_in_at: parse_time("visits", id, "checked_in_at", checked_in)?,
        checked_out_at: checked_out.map(|t| parse_time("visits", id, "checked_out_at", t)).transpose()?,
        checkout_method: match method {
            None => None,
            Some(m) => Some(CheckoutMethod::parse(&m).ok_or(StoreError::Corrupt {
                table: "visits",
                id,
                column: "checkout_method",
                value: m,
            })?),
        },
    })
}

impl Store {
    /// Records a check-in.
    pub fn visit_check_in(&self, visit: &NewVisit) -> Result<VisitId, StoreError> {
        self.conn.execute(
            "INSERT INTO visits (trade, card_hash, services, checked_in_at) VALUES (?1, ?2, ?3, ?4)",
            params![visit.trade, visit.card_hash, visit.services.join(","), format_time(visit.at)],
        )?;
        Ok(VisitId(self.conn.last_insert_rowid()))
    }

    /// Ends an open visit; `false` when it was already closed.
    pub fn visit_check_out(
        &self,
        id: VisitId,
        at: NaiveDateTime,
        method: CheckoutMethod,
    ) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "UPDATE visits SET checked_out_at = ?2, checkout_method = ?3 WHERE id = ?1 AND checked_out_at IS NULL",
            params![id.0, format_time(at), method.as_str()],
        )?;
        Ok(changed == 1)
    }

    /// Visits not yet checked out, oldest first.
    pub fn visits_open(&self) -> Result<Vec<Visit>, StoreError> {
        self.visit_query(
            &format!("SELECT {COLUMNS} FROM visits WHERE checked_out_at IS NULL ORDER BY id"),
            params![],
        )
    }

    /// Visits that checked in within `[from, to)`, oldest first.
    pub fn visits_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> Result<Vec<Visit>, StoreError> {
        self.visit_query(
            &format!("SELECT {COLUMNS} FROM visits WHERE checked_in_at >= ?1 AND checked_in_at < ?2 ORDER BY checked_in_at, id"),
            params![format_time(from), format_time(to)],
        )
    }

    /// One visit.
    pub fn visit(&self, id: VisitId) -> Result<Option<Visit>, StoreError> {
        Ok(self.visit_query(&format!("SELECT {COLUMNS} FROM visits WHERE id = ?1"), params![id.0])?.pop())
    }

    /// Every visit of one card (by its salted hash), oldest first.
    pub fn visits_for_card(&self, card_hash: &str) -> Result<Vec<Visit>, StoreError> {
        self.visit_query(
            &format!("SELECT {COLUMNS} FROM visits WHERE card_hash = ?1 ORDER BY id"),
            params![card_hash],
        )
    }

    /// Every visit, oldest first (reports over all time).
    pub fn visits_all(&self) -> Result<Vec<Visit>, StoreError> {
        self.visit_query(&format!("SELECT {COLUMNS} FROM visits ORDER BY checked_in_at, id"), params![])
    }

    fn visit_query(&self, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Visit>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, raw_visit)?;
        let mut visits = Vec::new();
        for row in rows {
            visits.push(decode(row?)?);
        }
        Ok(visits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store};

    #[test]
    fn check_in_and_out() {
        let (_dir, store) = temp_store();
        let id = store
            .visit_check_in(&NewVisit {
                trade: "courier".into(),
                card_hash: Some("ab12".into()),
                services: vec!["water".into(), "charging".into()],
                at: at(1, 12, 0),
            })
            .unwrap();
        let anonymous = store
            .visit_check_in(&NewVisit {
                trade: "delivery".into(),
                card_hash: None,
                services: vec![],
                at: at(1, 12, 5),
            })
            .unwrap();
        assert_eq!(store.visits_open().unwrap().len(), 2);
        assert!(store.visit_check_out(id, at(1, 12, 30), CheckoutMethod::Scan).unwrap());
        assert!(!store.visit_check_out(id, at(1, 12, 31), CheckoutMethod::Tap).unwrap(), "already closed");
        let open = store.visits_open().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, anonymous);
        assert!(open[0].services.is_empty());
        let day = store.visits_between(at(1, 0, 0), at(2, 0, 0)).unwrap();
        assert_eq!(day.len(), 2);
        assert_eq!(day[0].services, ["water", "charging"]);
        assert_eq!(day[0].checked_out_at, Some(at(1, 12, 30)));
        assert_eq!(day[0].checkout_method, Some(CheckoutMethod::Scan));
        assert!(store.visits_between(at(2, 0, 0), at(3, 0, 0)).unwrap().is_empty());
    }
}
