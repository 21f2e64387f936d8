//! The rest station: check-in and check-out of outdoor workers, live occupancy, automatic
//! check-out, and (in [`stats`]) statistics by day, week and month.
//!
//! A visitor checks in anonymously with one tap on their trade, or by scanning a union
//! card, QR code or work badge. A card number is never stored: only a salted hash
//! ([`card_hash`]), so repeat visits can be counted without knowing who came. The salt is
//! made once per installation and kept in the store's settings; without the database the
//! hashes cannot be tied back to cards.

pub mod report;
pub mod stats;

use chrono::{Duration, NaiveDateTime};

use crate::config::StationConfig;
use crate::store::{CheckoutMethod, NewVisit, Store, StoreError, Visit, VisitId};

const SALT_KEY: &str = "station.card_salt";

/// The salted hash of a card number: hex of the first 16 bytes of BLAKE2b-512 over the
/// salt and the number (whitespace trimmed).
pub fn card_hash(salt: &[u8], card: &str) -> String {
    use blake2::Digest;
    let mut hasher = blake2::Blake2b512::new();
    hasher.update(salt);
    hasher.update([0u8]);
    hasher.update(card.trim().as_bytes());
    hasher.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Sixteen random bytes from the operating system.
fn fresh_salt() -> Vec<u8> {
    use std::io::Read;
    let mut salt = vec![0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut salt));
    if read.is_err() {
        // std's RandomState is keyed from the operating system's random source too.
        use std::hash::BuildHasher;
        for (index, chunk) in salt.chunks_mut(8).enumerate() {
            let bits = std::hash::RandomState::new().hash_one((index, std::time::SystemTime::now()));
            chunk.copy_from_slice(&bits.to_le_bytes()[..chunk.len()]);
        }
    }
    salt
}

/// The installation's salt, made on first use.
pub fn salt(store: &Store) -> Result<Vec<u8>, StoreError> {
    if let Some(hex) = store.setting(SALT_KEY)?
        && let Some(bytes) = parse_hex(&hex)
    {
        return Ok(bytes);
    }
    let fresh: String = fresh_salt().iter().map(|b| format!("{b:02x}")).collect();
    let stored = store.setting_or_insert(SALT_KEY, &fresh)?;
    match parse_hex(&stored) {
        Some(bytes) => Ok(bytes),
        None => {
            // A damaged value: replace it (visits hashed with it can no longer be matched).
            tracing::warn!("the rest station's card salt was unreadable and has been replaced");
            store.set_setting(SALT_KEY, &fresh)?;
            Ok(parse_hex(&fresh).unwrap_or_default())
        }
    }
}

fn parse_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || hex.is_empty() {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// How full the station is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupancy {
    /// Visitors checked in now.
    pub present: u32,
    /// Seats.
    pub capacity: u32,
}

impl Occupancy {
    /// No seat left: new check-ins are turned away (check-outs always work).
    pub fn is_full(&self) -> bool {
        self.present >= self.capacity
    }
}

/// What scanning a card came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardScan {
    /// The card had an open visit: it is now checked out.
    CheckedOut(Visit),
    /// A new visit: the visitor picks a trade next.
    ChooseTrade {
        /// The card's salted hash, to record with the visit.
        card_hash: String,
        /// The trade of the card's last visit, offered first.
        last_trade: Option<String>,
        /// Earlier visits of this card.
        earlier_visits: u32,
    },
    /// The station is full.
    Full(Occupancy),
}

/// What a check-in came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckIn {
    /// Checked in.
    Welcome {
        /// The visit.
        id: VisitId,
        /// Earlier visits of this card (0 for anonymous visitors and first visits).
        earlier_visits: u32,
    },
    /// The station is full.
    Full(Occupancy),
}

/// Why a check-in was refused.
#[derive(Debug, thiserror::Error)]
pub enum StationError {
    /// The trade is not one of the configured ones.
    #[error("unknown trade {0:?}")]
    UnknownTrade(String),
    /// A service is not one of the configured ones.
    #[error("unknown service {0:?}")]
    UnknownService(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The rest station over the store.
pub struct Station<'a> {
    store: &'a Store,
    config: &'a StationConfig,
    salt: Vec<u8>,
}

impl<'a> Station<'a> {
    /// The station, with the installation's salt.
    pub fn open(store: &'a Store, config: &'a StationConfig) -> Result<Station<'a>, StoreError> {
        Ok(Station { store, config, salt: salt(store)? })
    }

    /// The salted hash of a card at this installation.
    pub fn hash(&self, card: &str) -> String {
        card_hash(&self.salt, card)
    }

    /// Checks out visits open longer than `auto_checkout_hours`, as of the moment the
    /// limit passed (so statistics do not count the hours nobody was there). Returns how many.
    pub fn close_expired(&self, now: NaiveDateTime) -> Result<u32, StoreError> {
        let limit = Duration::hours(i64::from(self.config.auto_checkout_hours));
        let mut closed = 0;
        for visit in self.store.visits_open()? {
            let deadline = visit.checked_in_at + limit;
            if deadline <= now && self.store.visit_check_out(visit.id, deadline, CheckoutMethod::Auto)? {
                closed += 1;
            }
        }
        Ok(closed)
    }

    /// Visitors here now (after closing expired visits), oldest first.
    pub fn present(&self, now: NaiveDateTime) -> Result<Vec<Visit>, StoreError> {
        self.close_expired(now)?;
        self.store.visits_open()
    }

    /// How full the station is now.
    pub fn occupancy(&self, now: NaiveDateTime) -> Result<Occupancy, StoreError> {
        Ok(Occupancy { present: self.present(now)?.len() as u32, capacity: self.config.capacity })
    }

    /// A card was scanned: checks it out if it is here, else asks for the trade.
    pub fn scan(&self, card: &str, now: NaiveDateTime) -> Result<CardScan, StoreError> {
        let hash = self.hash(card);
        let present = self.present(now)?;
        if let Some(visit) = present.iter().find(|v| v.card_hash.as_deref() == Some(hash.as_str())) {
            self.store.visit_check_out(visit.id, now, CheckoutMethod::Scan)?;
            let mut closed = visit.clone();
            closed.checked_out_at = Some(now);
            closed.checkout_method = Some(CheckoutMethod::Scan);
            return Ok(CardScan::CheckedOut(closed));
        }
        let occupancy = Occupancy { present: present.len() as u32, capacity: self.config.capacity };
        if occupancy.is_full() {
            return Ok(CardScan::Full(occupancy));
        }
        let earlier = self.store.visits_for_card(&hash)?;
        Ok(CardScan::ChooseTrade {
            last_trade: earlier.last().map(|v| v.trade.clone()),
            earlier_visits: earlier.len() as u32,
            card_hash: hash,
        })
    }

    /// Checks a visitor in: anonymous (`card_hash` `None`) or with a scanned card.
    pub fn check_in(
        &self,
        trade: &str,
        card_hash: Option<String>,
        services: &[String],
        now: NaiveDateTime,
    ) -> Result<CheckIn, StationError> {
        if !self.config.trades.iter().any(|t| t.id == trade) {
            return Err(StationError::UnknownTrade(trade.into()));
        }
        if let Some(unknown) = services.iter().find(|s| !self.config.services.iter().any(|c| &c.id == *s)) {
            return Err(StationError::UnknownService(unknown.clone()));
        }
        let occupancy = self.occupancy(now)?;
        if occupancy.is_full() {
            return Ok(CheckIn::Full(occupancy));
        }
        let earlier_visits = match &card_hash {
            Some(hash) => self.store.visits_for_card(hash)?.len() as u32,
            None => 0,
        };
        // Services in the configured order, each once.
        let services: Vec<String> =
            self.config.services.iter().filter(|c| services.contains(&c.id)).map(|c| c.id.clone()).collect();
        let id =
            self.store.visit_check_in(&NewVisit { trade: trade.into(), card_hash, services, at: now })?;
        Ok(CheckIn::Welcome { id, earlier_visits })
    }

    /// Checks a visit out with a tap: the visit as it ended, or `None` when it had
    /// already ended (checked out twice from two taps, or closed automatically).
    pub fn check_out(&self, id: VisitId, now: NaiveDateTime) -> Result<Option<Visit>, StoreError> {
        if !self.store.visit_check_out(id, now, CheckoutMethod::Tap)? {
            return Ok(None);
        }
        self.store.visit(id)
    }

    /// Seats.
    pub fn capacity(&self) -> u32 {
        self.config.capacity
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store};

    pub(crate) fn station_config(capacity: u32) -> StationConfig {
        StationConfig { capacity, auto_checkout_hours: 4, ..StationConfig::default() }
    }

    #[test]
    fn a_card_is_stored_only_as_a_salted_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let config = station_config(20);
        let station = Station::open(&store, &config).unwrap();
        let CardScan::ChooseTrade { card_hash: hash, last_trade: None, earlier_visits: 0 } =
            station.scan("310105198001011234", at(1, 12, 0)).unwrap()
        else {
            panic!("a first scan asks for the trade")
        };
        station.check_in("courier", Some(hash.clone()), &[], at(1, 12, 0)).unwrap();
        let visit = &store.visits_open().unwrap()[0];
        assert_eq!(visit.card_hash.as_deref(), Some(hash.as_str()));
        assert_eq!(hash.len(), 32);
        assert!(!hash.contains("1234"));
        // The same card hashes the same after a restart; another installation's salt differs.
        let again = Station::open(&store, &config).unwrap();
        assert_eq!(again.hash("310105198001011234"), hash);
        assert_ne!(card_hash(&[1, 2, 3], "310105198001011234"), hash);
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            assert!(!bytes.windows(18).any(|w| w == b"310105198001011234"), "the number is not on disk");
        }
    }

    #[test]
    fn scanning_again_checks_out_and_the_next_visit_is_a_repeat() {
        let (_dir, store) = temp_store();
        let config = station_config(20);
        let station = Station::open(&store, &config).unwrap();
        let CardScan::ChooseTrade { card_hash, .. } = station.scan("U-778899", at(1, 12, 0)).unwrap() else {
            panic!()
        };
        let services = vec!["charging".to_string(), "water".to_string(), "water".to_string()];
        station.check_in("delivery", Some(card_hash), &services, at(1, 12, 0)).unwrap();
        assert_eq!(
            store.visits_open().unwrap()[0].services,
            ["water", "charging"],
            "config order, once each"
        );
        let CardScan::CheckedOut(visit) = station.scan(" U-778899 ", at(1, 12, 40)).unwrap() else {
            panic!()
        };
        assert_eq!(visit.checked_out_at, Some(at(1, 12, 40)));
        assert_eq!(visit.checkout_method, Some(CheckoutMethod::Scan));
        let CardScan::ChooseTrade { last_trade, earlier_visits, card_hash } =
            station.scan("U-778899", at(2, 9, 0)).unwrap()
        else {
            panic!()
        };
        assert_eq!((last_trade.as_deref(), earlier_visits), (Some("delivery"), 1));
        let CheckIn::Welcome { earlier_visits, .. } =
            station.check_in("delivery", Some(card_hash), &[], at(2, 9, 0)).unwrap()
        else {
            panic!()
        };
        assert_eq!(earlier_visits, 1);
    }

    #[test]
    fn visits_close_themselves_at_the_limit_not_when_noticed() {
        let (_dir, store) = temp_store();
        let config = station_config(20);
        let station = Station::open(&store, &config).unwrap();
        station.check_in("sanitation", None, &[], at(1, 22, 30)).unwrap();
        station.check_in("courier", None, &[], at(2, 1, 0)).unwrap();
        // Noticed the next morning: the 22:30 visit ended at 02:30, across midnight.
        assert_eq!(station.close_expired(at(2, 4, 0)).unwrap(), 1);
        let closed = store.visits_between(at(1, 0, 0), at(2, 0, 0)).unwrap();
        assert_eq!(closed[0].checked_out_at, Some(at(2, 2, 30)));
        assert_eq!(closed[0].checkout_method, Some(CheckoutMethod::Auto));
        assert_eq!(station.occupancy(at(2, 4, 59)).unwrap().present, 1);
        assert_eq!(station.occupancy(at(2, 5, 0)).unwrap().present, 0);
    }

    #[test]
    fn a_full_station_turns_new_visitors_away_but_lets_everyone_leave() {
        let (_dir, store) = temp_store();
        let config = station_config(2);
        let station = Station::open(&store, &config).unwrap();
        let CardScan::ChooseTrade { card_hash, .. } = station.scan("A-1", at(1, 12, 0)).unwrap() else {
            panic!()
        };
        station.check_in("courier", Some(card_hash), &[], at(1, 12, 0)).unwrap();
        let CheckIn::Welcome { id, .. } = station.check_in("delivery", None, &[], at(1, 12, 1)).unwrap()
        else {
            panic!()
        };
        let full = Occupancy { present: 2, capacity: 2 };
        assert!(full.is_full());
        assert_eq!(station.check_in("delivery", None, &[], at(1, 12, 2)).unwrap(), CheckIn::Full(full));
        assert_eq!(station.scan("B-2", at(1, 12, 2)).unwrap(), CardScan::Full(full));
        assert!(matches!(station.scan("A-1", at(1, 12, 3)).unwrap(), CardScan::CheckedOut(_)));
        let left = station.check_out(id, at(1, 12, 4)).unwrap().unwrap();
        assert_eq!(
            (left.checked_out_at, left.checkout_method),
            (Some(at(1, 12, 4)), Some(CheckoutMethod::Tap))
        );
        assert_eq!(station.check_out(id, at(1, 12, 5)).unwrap(), None, "already out");
        assert_eq!(station.occupancy(at(1, 12, 5)).unwrap().present, 0);
    }

    #[test]
    fn unknown_trades_and_services_are_refused() {
        let (_dir, store) = temp_store();
        let config = station_config(20);
        let station = Station::open(&store, &config).unwrap();
        assert!(matches!(
            station.check_in("pilot", None, &[], at(1, 9, 0)),
            Err(StationError::UnknownTrade(_))
        ));
        assert!(matches!(
            station.check_in("courier", None, &["sauna".into()], at(1, 9, 0)),
            Err(StationError::UnknownService(_))
        ));
        assert!(store.visits_open().unwrap().is_empty());
    }
}
