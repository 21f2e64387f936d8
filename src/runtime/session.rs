//! Runs a circulation [`Session`]: carries out its effects — patron look-ups, journal-first
//! transactions, RFID security writes — and feeds the results back until it waits for
//! the visitor again.

use chrono::NaiveDateTime;
use kiosk_core::circulation::session::{Effect, Input, ItemResult, Session};
use kiosk_core::circulation::{Details, Routing};

use super::circulation::{Circulation, Outcome};

/// Writes the security state of an item's tags; `true` when it was read back right.
pub trait SecurityWriter {
    /// Writes on-loan (unsecured) or in-library security to every tag.
    fn secure(&mut self, tags: &[[u8; 8]], on_loan: bool) -> bool;
}

/// Security through the configured RFID pad; items without tags need none.
pub struct PadSecurity {
    /// The pad, when there is one.
    pub pad: Option<kiosk_hardware::device::DeviceHandle>,
}

impl SecurityWriter for PadSecurity {
    fn secure(&mut self, tags: &[[u8; 8]], on_loan: bool) -> bool {
        if tags.is_empty() {
            return true;
        }
        let Some(pad) = &self.pad else { return false };
        let (reply, answer) = std::sync::mpsc::channel();
        let uids = tags.iter().map(|tag| kiosk_hardware::tag::iso15693::Uid(*tag)).collect();
        if !pad.send(kiosk_hardware::device::Command::Secure { uids, on_loan, reply }) {
            return false;
        }
        match answer.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(Ok(())) => true,
            Ok(Err(failed)) => {
                tracing::warn!(tags = failed.len(), "security write failed");
                false
            }
            Err(_) => {
                tracing::warn!("the RFID pad did not answer the security write");
                false
            }
        }
    }
}

/// Drives one session.
pub struct SessionRunner<'a> {
    circulation: &'a mut Circulation,
    security: &'a mut (dyn SecurityWriter + Send),
    chinese: bool,
}

fn item_result(outcome: Outcome, checkin: bool) -> (ItemResult, Option<String>) {
    match outcome {
        Outcome::Done { due, details: Details { title, renewed, skip_security, routing }, .. } => {
            let result = if checkin {
                ItemResult::Returned {
                    routing: routing.unwrap_or(Routing::Shelve),
                    queued: false,
                    skip_security,
                }
            } else {
                ItemResult::Loaned { due, renewed, queued: false, skip_security }
            };
            (result, title)
        }
        Outcome::Queued { .. } if checkin => {
            (ItemResult::Returned { routing: Routing::Shelve, queued: true, skip_security: false }, None)
        }
        Outcome::Queued { due, .. } => {
            (ItemResult::Loaned { due, renewed: false, queued: true, skip_security: false }, None)
        }
        Outcome::Refused { message, .. } => (ItemResult::Refused(message), None),
        Outcome::NotAllowed { reason } => (ItemResult::Refused(reason), None),
    }
}

impl<'a> SessionRunner<'a> {
    /// A runner over the kiosk's circulation and security writer.
    pub fn new(
        circulation: &'a mut Circulation,
        security: &'a mut (dyn SecurityWriter + Send),
        chinese: bool,
    ) -> Self {
        SessionRunner { circulation, security, chinese }
    }

    /// Feeds `input` and carries out every effect; returns the effects for the screen
    /// (the receipt to print, timeout warnings, the end of the session).
    pub async fn feed(
        &mut self,
        session: &mut Session,
        input: Input,
        now: NaiveDateTime,
    ) -> anyhow::Result<Vec<Effect>> {
        let mut for_screen = Vec::new();
        let mut queue: std::collections::VecDeque<Effect> = session.handle(input, now).into();
        while let Some(effect) = queue.pop_front() {
            let next = match effect {
                Effect::LookUpPatron { patron, pin, loans } => Some(Input::Looked(
                    self.circulation.lookup(&patron, pin.as_deref(), loans, self.chinese, now).await,
                )),
                Effect::Checkout { patron, barcode } => {
                    let (result, title) =
                        item_result(self.circulation.checkout(&patron, &barcode, now).await?, false);
                    Some(Input::Result { barcode, result, title })
                }
                Effect::Checkin { barcode } => {
                    let (result, title) = item_result(self.circulation.checkin(&barcode, now).await?, true);
                    Some(Input::Result { barcode, result, title })
                }
                Effect::Renew { patron, barcode } => {
                    let result = match self.circulation.renew(&patron, &barcode, now).await? {
                        Outcome::Done { due, details, .. } => (ItemResult::Renewed { due }, details.title),
                        other => item_result(other, false),
                    };
                    Some(Input::Result { barcode, result: result.0, title: result.1 })
                }
                Effect::Secure { barcode, tags, on_loan } => {
                    let ok = self.security.secure(&tags, on_loan);
                    Some(Input::Secured { barcode, ok })
                }
                Effect::CancelLoan { patron, barcode } => {
                    self.circulation.cancel_checkout(&patron, &barcode, now).await?;
                    None
                }
                Effect::EndPatronSession { patron } => {
                    self.circulation.end_session(&patron, now).await;
                    None
                }
                effect @ (Effect::PrintReceipt(_) | Effect::Warn { .. } | Effect::Over(_)) => {
                    for_screen.push(effect);
                    None
                }
            };
            if let Some(input) = next {
                queue.extend(session.handle(input, now));
            }
        }
        Ok(for_screen)
    }
}
