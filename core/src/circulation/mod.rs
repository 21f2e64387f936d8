//! Circulation against the library system, journal first.
//!
//! Every loan, return and renewal is written to the journal before its outcome is shown;
//! the runtime then sends it at once (online) or leaves it queued (offline) for the sync
//! worker. This module is sans-IO: it decides what to send for a journal row, what a reply
//! means, whether a row whose send got no reply was applied, and when to try again — the
//! runtime does the sending.

pub mod session;

use chrono::{Duration, NaiveDateTime, Timelike};
use kiosk_sip2::Message;
use kiosk_sip2::messages::{Checkin, Checkout, ItemInformation, ItemInformationResponse, Renew};
use kiosk_sip2::types::CirculationStatus;

use crate::config::OfflinePolicy;
use crate::ils::{from_sip_date, parse_due_date, sip_date};
use crate::store::{JournalEntry, TransactionKind};

/// Who the kiosk is to the ILS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    /// Institution id (AO).
    pub institution_id: String,
    /// Terminal password (AC).
    pub terminal_password: String,
    /// Current location (AP) for returns.
    pub location: String,
}

/// The SIP2 request for a journal row. Rows recorded off line are replayed with
/// no block = Y and their original dates (the promised due date for loans, the actual
/// return time for returns).
pub fn request_for(entry: &JournalEntry, terminal: &Terminal, now: NaiveDateTime) -> Message {
    let no_block = entry.offline;
    let transaction_date = sip_date(if no_block { entry.at } else { now });
    match entry.kind {
        TransactionKind::Checkout => Message::from(Checkout {
            sc_renewal_policy: true,
            no_block,
            transaction_date,
            nb_due_date: entry.due_date.filter(|_| no_block).map(sip_date).unwrap_or_default(),
            institution_id: terminal.institution_id.as_str().into(),
            patron_identifier: entry.patron.as_deref().unwrap_or_default().into(),
            item_identifier: entry.item.as_str().into(),
            terminal_password: terminal.terminal_password.as_str().into(),
            ..Default::default()
        }),
        TransactionKind::Checkin => Message::from(Checkin {
            no_block,
            transaction_date,
            return_date: if no_block { sip_date(entry.at) } else { Default::default() },
            current_location: terminal.location.as_str().into(),
            institution_id: terminal.institution_id.as_str().into(),
            item_identifier: entry.item.as_str().into(),
            terminal_password: terminal.terminal_password.as_str().into(),
            cancel: entry.cancel.then_some(true),
            ..Default::default()
        }),
        TransactionKind::Renew => Message::from(Renew {
            third_party_allowed: false,
            no_block,
            transaction_date,
            nb_due_date: entry.due_date.filter(|_| no_block).map(sip_date).unwrap_or_default(),
            institution_id: terminal.institution_id.as_str().into(),
            patron_identifier: entry.patron.as_deref().unwrap_or_default().into(),
            item_identifier: Some(entry.item.as_str().into()),
            terminal_password: Some(terminal.terminal_password.as_str().into()),
            ..Default::default()
        }),
    }
}

/// Where a returned book goes next, as the ILS said (SIP2 `CV` / `CT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// Back to the shelf.
    Shelve,
    /// On the hold shelf here (CV 01), for this patron when named.
    HoldShelf {
        /// The hold patron's name, if sent.
        patron_name: Option<String>,
    },
    /// Send to another branch (CV 02 hold there, CV 04 transfer).
    Transit {
        /// The destination, if sent.
        destination: Option<String>,
    },
    /// Needs staff attention (alert without a known type).
    Staff,
}

/// Details of an accepted transaction, for the screen and the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    /// The title, when the ILS sent it.
    pub title: Option<String>,
    /// A loan of a book the patron already had became a renewal.
    pub renewed: bool,
    /// The ILS says leave the item's security alone (`CI`) or not to desensitize.
    pub skip_security: bool,
    /// For returns: where the book goes.
    pub routing: Option<Routing>,
}

/// What the ILS said about a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Done; the due date for loans and renewals, when the ILS gave one we can read.
    Accepted {
        /// The due date.
        due: Option<NaiveDateTime>,
        /// The screen message.
        message: String,
        /// Title, renewal, security and routing.
        details: Details,
    },
    /// Refused, with the ILS's screen message.
    Refused {
        /// Why.
        message: String,
    },
}

fn title(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.trim().to_string())
}

/// Reads the reply to [`request_for`]'s message.
pub fn verdict(kind: TransactionKind, reply: &Message) -> Verdict {
    use kiosk_sip2::types::{AlertType, Tristate};
    let (ok, due, message, details) = match (kind, reply) {
        (TransactionKind::Checkout, Message::CheckoutResponse(r)) => (
            r.ok,
            parse_due_date(&r.due_date),
            r.screen_text(),
            Details {
                title: title(&r.title_identifier),
                renewed: r.renewal_ok,
                skip_security: r.security_inhibit == Some(true) || r.desensitize == Tristate::No,
                routing: None,
            },
        ),
        (TransactionKind::Checkin, Message::CheckinResponse(r)) => {
            let routing = if !r.alert {
                Routing::Shelve
            } else {
                match r.alert_type {
                    Some(AlertType::HoldHere) => {
                        Routing::HoldShelf { patron_name: r.hold_patron_name.as_ref().map(|n| n.to_string()) }
                    }
                    Some(AlertType::HoldElsewhere | AlertType::Transfer | AlertType::HoldIll) => {
                        Routing::Transit {
                            destination: r.destination_location.as_ref().map(|d| d.to_string()),
                        }
                    }
                    _ => Routing::Staff,
                }
            };
            let details = Details {
                title: r.title_identifier.as_deref().and_then(title),
                renewed: false,
                skip_security: !r.resensitize,
                routing: Some(routing),
            };
            (r.ok, None, r.screen_text(), details)
        }
        (TransactionKind::Renew, Message::RenewResponse(r)) => (
            r.ok,
            parse_due_date(&r.due_date),
            r.screen_message.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(" "),
            Details { title: title(&r.title_identifier), renewed: true, skip_security: true, routing: None },
        ),
        (_, other) => {
            return Verdict::Refused {
                message: format!("unexpected reply {} from the library system", other.code()),
            };
        }
    };
    if ok {
        Verdict::Accepted { due, message, details }
    } else {
        Verdict::Refused {
            message: if message.is_empty() { "refused by the library system".into() } else { message },
        }
    }
}

/// The item-information request that settles a row whose send got no reply.
pub fn resolution_request(entry: &JournalEntry, terminal: &Terminal, now: NaiveDateTime) -> Message {
    Message::from(ItemInformation {
        transaction_date: sip_date(now),
        institution_id: terminal.institution_id.as_str().into(),
        item_identifier: entry.item.as_str().into(),
        terminal_password: Some(terminal.terminal_password.as_str().into()),
        extra: Vec::new(),
    })
}

/// Whether a row whose send got no reply was applied at the ILS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// It was: record it as done, never send it again.
    Applied,
    /// It was not: it goes back in the queue.
    NotApplied,
    /// The item's state does not tell (a renewal, an unknown item): send again; the ILS's
    /// duplicate detection and no-block make a repeat harmless.
    Unknown,
}

/// Settles an unknown outcome from the item's state.
pub fn resolve(entry: &JournalEntry, item: &ItemInformationResponse) -> Resolution {
    let charged =
        matches!(item.circulation_status, CirculationStatus::Charged | CirculationStatus::ChargedNoRecall);
    // Some ILSs name the borrower in an extra AA field; use it when present.
    let holder = item.extra.iter().find(|f| f.id.to_string() == "AA").map(|f| f.value.to_string());
    match entry.kind {
        TransactionKind::Checkout => match (charged, holder) {
            (true, Some(holder)) if Some(holder.as_str()) == entry.patron.as_deref() => Resolution::Applied,
            (true, Some(_)) => Resolution::NotApplied,
            (true, None) => Resolution::Applied,
            (false, _) => Resolution::NotApplied,
        },
        TransactionKind::Checkin => {
            if item.title_identifier.is_empty() && item.circulation_status == CirculationStatus::Other {
                Resolution::Unknown
            } else if charged {
                Resolution::NotApplied
            } else {
                Resolution::Applied
            }
        }
        TransactionKind::Renew => Resolution::Unknown,
    }
}

/// Whether an off-line loan may be recorded, given how many this patron has queued.
pub fn offline_loan_allowed(policy: &OfflinePolicy, queued_for_patron: u32) -> Result<(), OfflineRefusal> {
    if !policy.allow_loans {
        return Err(OfflineRefusal::LoansNotAllowed);
    }
    if queued_for_patron >= policy.max_items_per_patron {
        return Err(OfflineRefusal::LimitReached(policy.max_items_per_patron));
    }
    Ok(())
}

/// Why a loan cannot be recorded off line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfflineRefusal {
    /// The library does not allow loans while the system is off line.
    #[error("loans are not possible while the library system is off line")]
    LoansNotAllowed,
    /// The per-patron off-line limit is reached.
    #[error("at most {0} loans can be recorded while the library system is off line")]
    LimitReached(u32),
}

/// The due date promised for an off-line loan: end of the day, `loan_days` from now.
pub fn offline_due_date(policy: &OfflinePolicy, now: NaiveDateTime) -> NaiveDateTime {
    let day = now + Duration::days(i64::from(policy.loan_days));
    day.with_hour(23).and_then(|d| d.with_minute(59)).and_then(|d| d.with_second(0)).unwrap_or(day)
}

/// When to try the queue again after `failures` consecutive failures: exponential from
/// 2 s to 5 min, with ±20 % jitter from `jitter` (0.0–1.0) so a fleet of kiosks coming back
/// on line does not hit the ILS at the same moment.
pub fn retry_delay(failures: u32, jitter: f64) -> std::time::Duration {
    let base = 2f64 * 2f64.powi(failures.min(12) as i32);
    let capped = base.min(300.0);
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    std::time::Duration::from_secs_f64(capped * factor)
}

/// A transaction date as the journal keeps it: to the second.
pub fn journal_time(now: NaiveDateTime) -> NaiveDateTime {
    now.with_nanosecond(0).unwrap_or(now)
}

/// Reads the transaction date of a replayed SIP2 request (for tests and diagnostics).
pub fn replayed_date(message: &Message) -> Option<NaiveDateTime> {
    match message {
        Message::Checkout(m) => from_sip_date(&m.transaction_date),
        Message::Checkin(m) => from_sip_date(&m.transaction_date),
        Message::Renew(m) => from_sip_date(&m.transaction_date),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{JournalId, JournalState};
    use chrono::NaiveDate;
    use kiosk_sip2::messages::{CheckoutResponse, Field};

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, day).unwrap().and_hms_opt(hour, 0, 0).unwrap()
    }

    fn entry(kind: TransactionKind, offline: bool) -> JournalEntry {
        JournalEntry {
            id: JournalId(1),
            kind,
            patron: Some("20234000000019".into()),
            item: "30234000000017".into(),
            title: None,
            at: at(1, 10),
            due_date: offline.then(|| at(31, 23)),
            offline,
            cancel: false,
            state: JournalState::Pending,
            attempts: 0,
            ils_message: None,
            note: None,
            updated_at: at(1, 10),
        }
    }

    fn terminal() -> Terminal {
        Terminal {
            institution_id: "WCP".into(),
            terminal_password: String::new(),
            location: "WCP-SELF-01".into(),
        }
    }

    #[test]
    fn offline_rows_replay_with_no_block_and_original_dates() {
        let Message::Checkout(loan) =
            request_for(&entry(TransactionKind::Checkout, true), &terminal(), at(3, 9))
        else {
            panic!()
        };
        assert!(loan.no_block);
        assert_eq!(from_sip_date(&loan.transaction_date), Some(at(1, 10)));
        assert_eq!(from_sip_date(&loan.nb_due_date), Some(at(31, 23)));
        let Message::Checkin(back) =
            request_for(&entry(TransactionKind::Checkin, true), &terminal(), at(3, 9))
        else {
            panic!()
        };
        assert!(back.no_block);
        assert_eq!(from_sip_date(&back.return_date), Some(at(1, 10)));
        let Message::Checkout(live) =
            request_for(&entry(TransactionKind::Checkout, false), &terminal(), at(3, 9))
        else {
            panic!()
        };
        assert!(!live.no_block);
        assert_eq!(from_sip_date(&live.transaction_date), Some(at(3, 9)));
        assert!(live.nb_due_date.is_blank());
    }

    #[test]
    fn return_routing_from_the_alert() {
        use kiosk_sip2::messages::CheckinResponse;
        use kiosk_sip2::types::AlertType;
        let held = Message::from(CheckinResponse {
            ok: true,
            resensitize: true,
            alert: true,
            alert_type: Some(AlertType::HoldHere),
            hold_patron_name: Some("周杰".into()),
            ..Default::default()
        });
        let Verdict::Accepted { details, .. } = verdict(TransactionKind::Checkin, &held) else { panic!() };
        assert_eq!(details.routing, Some(Routing::HoldShelf { patron_name: Some("周杰".into()) }));
        let transit = Message::from(CheckinResponse {
            ok: true,
            alert: true,
            alert_type: Some(AlertType::Transfer),
            destination_location: Some("CENTRAL".into()),
            ..Default::default()
        });
        let Verdict::Accepted { details, .. } = verdict(TransactionKind::Checkin, &transit) else { panic!() };
        assert_eq!(details.routing, Some(Routing::Transit { destination: Some("CENTRAL".into()) }));
        assert!(details.skip_security, "no resensitize");
    }

    #[test]
    fn a_cancel_is_a_checkin_with_bi() {
        let mut cancel = entry(TransactionKind::Checkin, false);
        cancel.cancel = true;
        let Message::Checkin(request) = request_for(&cancel, &terminal(), at(1, 10)) else { panic!() };
        assert_eq!(request.cancel, Some(true));
        let Message::Checkin(plain) =
            request_for(&entry(TransactionKind::Checkin, false), &terminal(), at(1, 10))
        else {
            panic!()
        };
        assert_eq!(plain.cancel, None);
    }

    #[test]
    fn verdicts() {
        let ok = Message::from(CheckoutResponse {
            ok: true,
            due_date: "20260814    235900".into(),
            ..Default::default()
        });
        assert!(matches!(verdict(TransactionKind::Checkout, &ok), Verdict::Accepted { due: Some(_), .. }));
        let no = Message::from(CheckoutResponse {
            screen_message: vec!["Patron blocked".into()],
            ..Default::default()
        });
        assert_eq!(
            verdict(TransactionKind::Checkout, &no),
            Verdict::Refused { message: "Patron blocked".into() }
        );
    }

    #[test]
    fn unknown_outcomes_are_settled_by_the_items_state() {
        let item = |status, holder: Option<&str>| ItemInformationResponse {
            circulation_status: status,
            title_identifier: "活着".into(),
            extra: holder.and_then(|h| Field::new("AA", h)).into_iter().collect(),
            ..Default::default()
        };
        let loan = entry(TransactionKind::Checkout, false);
        assert_eq!(
            resolve(&loan, &item(CirculationStatus::Charged, Some("20234000000019"))),
            Resolution::Applied
        );
        assert_eq!(
            resolve(&loan, &item(CirculationStatus::Charged, Some("20234000000027"))),
            Resolution::NotApplied
        );
        assert_eq!(resolve(&loan, &item(CirculationStatus::Available, None)), Resolution::NotApplied);
        let back = entry(TransactionKind::Checkin, false);
        assert_eq!(resolve(&back, &item(CirculationStatus::Available, None)), Resolution::Applied);
        assert_eq!(resolve(&back, &item(CirculationStatus::WaitingOnHoldShelf, None)), Resolution::Applied);
        assert_eq!(resolve(&back, &item(CirculationStatus::Charged, None)), Resolution::NotApplied);
    }

    #[test]
    fn offline_policy() {
        let policy = OfflinePolicy { allow_loans: true, max_items_per_patron: 2, loan_days: 14 };
        assert!(offline_loan_allowed(&policy, 1).is_ok());
        assert_eq!(offline_loan_allowed(&policy, 2), Err(OfflineRefusal::LimitReached(2)));
        let closed = OfflinePolicy { allow_loans: false, ..policy.clone() };
        assert_eq!(offline_loan_allowed(&closed, 0), Err(OfflineRefusal::LoansNotAllowed));
        assert_eq!(
            offline_due_date(&policy, at(1, 10)),
            NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(23, 59, 0).unwrap()
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        assert!(retry_delay(0, 0.5) < retry_delay(3, 0.5));
        assert!(retry_delay(30, 1.0) <= std::time::Duration::from_secs(360));
        assert_ne!(retry_delay(2, 0.0), retry_delay(2, 1.0));
    }
}
