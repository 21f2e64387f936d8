//! Entry to diagnostics: a technician card, then the technician PIN. Five wrong PINs in a
//! row lock entry for five minutes. The count and the lock live in the store's settings,
//! so pulling the plug does not reset them.

use chrono::{Duration, NaiveDateTime};

use crate::store::{AuditEntry, Store, StoreError};

/// Wrong PINs in a row that lock entry.
pub const MAX_FAILURES: u32 = 5;
/// How long entry stays locked.
pub const LOCKOUT: Duration = Duration::minutes(5);

const FAILURES_KEY: &str = "diagnostics.failures";
const LOCKED_UNTIL_KEY: &str = "diagnostics.locked_until";
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// What a PIN attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryOutcome {
    /// The PIN is right: diagnostics opens.
    Granted,
    /// Wrong; this many attempts are left before the lock.
    Wrong {
        /// Attempts left.
        left: u32,
    },
    /// Entry is locked until then (this attempt was not checked).
    Locked {
        /// When entry opens again.
        until: NaiveDateTime,
    },
    /// No technician PIN is configured: entry from the screen is impossible.
    NotConfigured,
}

/// Checks technician PINs against the configured Argon2 hash, with the lockout.
pub struct EntryGate<'a> {
    store: &'a Store,
    pin_hash: Option<&'a str>,
}

impl<'a> EntryGate<'a> {
    /// A gate for the configured hash (`diagnostics.technician_pin_hash`).
    pub fn new(store: &'a Store, pin_hash: Option<&'a str>) -> EntryGate<'a> {
        EntryGate { store, pin_hash }
    }

    /// When entry is locked, until when.
    pub fn locked_until(&self, now: NaiveDateTime) -> Result<Option<NaiveDateTime>, StoreError> {
        let until = self
            .store
            .setting(LOCKED_UNTIL_KEY)?
            .and_then(|value| NaiveDateTime::parse_from_str(&value, TIME_FORMAT).ok());
        Ok(until.filter(|until| *until > now))
    }

    /// Checks `pin` for the technician `actor` (a masked card), and audits the attempt.
    pub fn attempt(&self, actor: &str, pin: &str, now: NaiveDateTime) -> Result<EntryOutcome, StoreError> {
        let audit = |action: &str, detail: String| {
            self.store.audit(&AuditEntry { at: now, actor: actor.to_string(), action: action.into(), detail })
        };
        let Some(hash) = self.pin_hash else {
            audit("diagnostics.refused", "no technician PIN is configured".into())?;
            return Ok(EntryOutcome::NotConfigured);
        };
        if let Some(until) = self.locked_until(now)? {
            audit("diagnostics.refused", format!("locked until {}", until.format(TIME_FORMAT)))?;
            return Ok(EntryOutcome::Locked { until });
        }
        if crate::pin::verify(pin, hash) {
            self.store.set_setting(FAILURES_KEY, "0")?;
            audit("diagnostics.enter", String::new())?;
            return Ok(EntryOutcome::Granted);
        }
        let failures = self.store.setting(FAILURES_KEY)?.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0) + 1;
        if failures >= MAX_FAILURES {
            let until = now + LOCKOUT;
            self.store.set_setting(FAILURES_KEY, "0")?;
            self.store.set_setting(LOCKED_UNTIL_KEY, &until.format(TIME_FORMAT).to_string())?;
            audit(
                "diagnostics.locked",
                format!("{failures} wrong PINs; locked until {}", until.format(TIME_FORMAT)),
            )?;
            return Ok(EntryOutcome::Locked { until });
        }
        self.store.set_setting(FAILURES_KEY, &failures.to_string())?;
        audit("diagnostics.wrong-pin", format!("attempt {failures} of {MAX_FAILURES}"))?;
        Ok(EntryOutcome::Wrong { left: MAX_FAILURES - failures })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{at, temp_store as store};

    #[test]
    fn the_right_pin_opens_and_is_audited() {
        let (_dir, store) = store();
        let hash = crate::pin::hash("135790").unwrap();
        let gate = EntryGate::new(&store, Some(&hash));
        assert_eq!(gate.attempt("card ****0042", "135790", at(1, 9, 0)).unwrap(), EntryOutcome::Granted);
        let audit = store.audit_recent(10).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "diagnostics.enter");
        assert_eq!(audit[0].actor, "card ****0042");
    }

    #[test]
    fn five_wrong_pins_lock_entry_for_five_minutes_even_for_the_right_pin() {
        let (_dir, store) = store();
        let hash = crate::pin::hash("135790").unwrap();
        let gate = EntryGate::new(&store, Some(&hash));
        let start = at(1, 9, 0);
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(gate.attempt("t", "000000", start).unwrap(), EntryOutcome::Wrong { left });
        }
        let until = start + LOCKOUT;
        assert_eq!(gate.attempt("t", "000000", start).unwrap(), EntryOutcome::Locked { until });
        // The right PIN does not open a locked gate, and a restart (a new gate) keeps the lock.
        let reopened = EntryGate::new(&store, Some(&hash));
        assert_eq!(
            reopened.attempt("t", "135790", start + Duration::minutes(4)).unwrap(),
            EntryOutcome::Locked { until }
        );
        assert_eq!(
            reopened.attempt("t", "135790", start + Duration::minutes(5)).unwrap(),
            EntryOutcome::Granted
        );
        let actions: Vec<String> = store.audit_recent(20).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                "diagnostics.enter",
                "diagnostics.refused",
                "diagnostics.locked",
                "diagnostics.wrong-pin",
                "diagnostics.wrong-pin",
                "diagnostics.wrong-pin",
                "diagnostics.wrong-pin"
            ]
        );
        // No PIN ends up in the audit log.
        assert!(
            store
                .audit_recent(20)
                .unwrap()
                .iter()
                .all(|e| !e.detail.contains("135790") && !e.detail.contains("000000"))
        );
    }

    #[test]
    fn after_the_lock_the_count_starts_again() {
        let (_dir, store) = store();
        let hash = crate::pin::hash("2468").unwrap();
        let gate = EntryGate::new(&store, Some(&hash));
        let start = at(1, 9, 0);
        for _ in 0..MAX_FAILURES {
            gate.attempt("t", "1111", start).unwrap();
        }
        let later = start + LOCKOUT + Duration::seconds(1);
        assert_eq!(gate.attempt("t", "1111", later).unwrap(), EntryOutcome::Wrong { left: MAX_FAILURES - 1 });
    }

    #[test]
    fn without_a_configured_pin_nobody_enters() {
        let (_dir, store) = store();
        let gate = EntryGate::new(&store, None);
        assert_eq!(gate.attempt("t", "1234", at(1, 9, 0)).unwrap(), EntryOutcome::NotConfigured);
        assert_eq!(store.audit_recent(1).unwrap()[0].action, "diagnostics.refused");
    }
}
