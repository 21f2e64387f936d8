//! The async shell around `kiosk_core::circulation`: records each transaction in the
//! journal first, sends it when the library system answers, applies the offline policy
//! when it does not, and forwards the queue in order when it is back.

use chrono::NaiveDateTime;
use kiosk_core::Config;
use kiosk_core::circulation::{self, Resolution, Terminal, Verdict};
use kiosk_core::config::OfflinePolicy;
use kiosk_core::store::{JournalCounts, JournalId, JournalState, NewTransaction, Store, TransactionKind};
use kiosk_sip2::Message;
use kiosk_sip2::client::{Client, ClientError};

/// What happened to one transaction, for the screen, the receipt and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The library system accepted it.
    Done {
        /// The journal row.
        id: JournalId,
        /// Due date (loans).
        due: Option<NaiveDateTime>,
        /// The library system's message.
        message: String,
        /// Title, renewal, security and routing.
        details: circulation::Details,
    },
    /// The library system refused it.
    Refused {
        /// The journal row.
        id: JournalId,
        /// Why, in its words.
        message: String,
    },
    /// Recorded; it will be sent to the library system (off line, or its answer was lost).
    Queued {
        /// The journal row.
        id: JournalId,
        /// The due date promised (loans).
        due: Option<NaiveDateTime>,
    },
    /// Not recorded: the offline policy does not allow it.
    NotAllowed {
        /// Why.
        reason: String,
    },
}

/// What a sync pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Rows the library system accepted.
    pub accepted: u32,
    /// Rows it refused (now `rejected`, for staff).
    pub rejected: u32,
    /// Rows whose lost answer was settled by asking about the item.
    pub resolved: u32,
    /// Rows still queued.
    pub remaining: u64,
    /// Why the pass stopped early, if it did.
    pub stopped: Option<String>,
}

/// Journal-first circulation over one SIP2 client.
pub struct Circulation {
    store: Store,
    client: Client,
    terminal: Terminal,
    policy: OfflinePolicy,
    /// The last attempt to reach the library system failed and no heartbeat has reached it
    /// since: live transactions go straight to the journal instead of waiting out another
    /// connect timeout on a dead network.
    known_unreachable: bool,
}

impl Circulation {
    /// Circulation for a configuration over an open store and a (not necessarily connected) client.
    pub fn new(config: &Config, store: Store, client: Client) -> Circulation {
        Circulation {
            store,
            client,
            terminal: Terminal {
                institution_id: config.ils.institution_id.clone(),
                terminal_password: config.ils.terminal_password.clone(),
                location: config.ils.location_code.clone(),
            },
            policy: config.offline.clone(),
            known_unreachable: false,
        }
    }

    /// The journal.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Queue counts.
    pub fn counts(&self) -> anyhow::Result<JournalCounts> {
        Ok(self.store.journal_counts()?)
    }

    /// What the heartbeat found: whether the library system can be reached. A failure makes
    /// live transactions skip the network until a heartbeat succeeds again.
    pub fn set_reachable(&mut self, reachable: bool) {
        self.known_unreachable = !reachable;
    }

    async fn reachable(&mut self) -> bool {
        if self.known_unreachable {
            return false;
        }
        match self.client.ensure_connected().await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "the library system is unreachable; working off line");
                self.known_unreachable = true;
                false
            }
        }
    }

    /// Whether a new transaction can go to the ILS now. Queued rows go first — a live
    /// send must never overtake an older row for the same item — so a non-empty queue is
    /// forwarded first; if it cannot be emptied, the new transaction joins the queue.
    async fn online(&mut self, now: NaiveDateTime) -> anyhow::Result<bool> {
        if !self.reachable().await {
            return Ok(false);
        }
        if self.store.journal_counts()?.queued() > 0 {
            let report = self.sync_once(now).await?;
            return Ok(report.remaining == 0);
        }
        Ok(true)
    }

    /// Lends `item` to `patron`.
    pub async fn checkout(
        &mut self,
        patron: &str,
        item: &str,
        now: NaiveDateTime,
    ) -> anyhow::Result<Outcome> {
        let now = circulation::journal_time(now);
        let online = self.online(now).await?;
        if !online
            && let Err(refusal) =
                circulation::offline_loan_allowed(&self.policy, self.store.journal_offline_loans(patron)?)
        {
            return Ok(Outcome::NotAllowed { reason: refusal.to_string() });
        }
        let due = (!online).then(|| circulation::offline_due_date(&self.policy, now));
        self.journal_then_send(
            NewTransaction {
                kind: TransactionKind::Checkout,
                patron: Some(patron.to_string()),
                item: item.to_string(),
                title: None,
                at: now,
                due_date: due,
                offline: !online,
                cancel: false,
            },
            now,
        )
        .await
    }

    /// Writes a transaction to the journal, then sends it, or leaves it queued when the
    /// library system is off line: the journal always has it before anyone sees an outcome.
    async fn journal_then_send(
        &mut self,
        transaction: NewTransaction,
        now: NaiveDateTime,
    ) -> anyhow::Result<Outcome> {
        let id = self.store.journal_append(&transaction)?;
        let patron = transaction.patron.as_deref().map(|p| kiosk_core::mask::identifier(p).to_string());
        tracing::info!(
            %id,
            kind = %transaction.kind,
            patron,
            item = transaction.item,
            online = !transaction.offline,
            cancel = transaction.cancel,
            "transaction recorded"
        );
        if transaction.offline {
            return Ok(Outcome::Queued { id, due: transaction.due_date });
        }
        self.send(id, now).await
    }

    /// Takes `item` back. Returns are always accepted off line.
    pub async fn checkin(&mut self, item: &str, now: NaiveDateTime) -> anyhow::Result<Outcome> {
        let now = circulation::journal_time(now);
        let online = self.online(now).await?;
        self.journal_then_send(
            NewTransaction {
                kind: TransactionKind::Checkin,
                patron: None,
                item: item.to_string(),
                title: None,
                at: now,
                due_date: None,
                offline: !online,
                cancel: false,
            },
            now,
        )
        .await
    }

    /// Cancels a loan whose security write failed: a return with SIP2 cancel, journal first.
    pub async fn cancel_checkout(
        &mut self,
        patron: &str,
        item: &str,
        now: NaiveDateTime,
    ) -> anyhow::Result<Outcome> {
        let now = circulation::journal_time(now);
        let online = self.online(now).await?;
        self.journal_then_send(
            NewTransaction {
                kind: TransactionKind::Checkin,
                patron: Some(patron.to_string()),
                item: item.to_string(),
                title: None,
                at: now,
                due_date: None,
                offline: !online,
                cancel: true,
            },
            now,
        )
        .await
    }

    /// Renews a loan, journal first (renewals need the library system: not done off line).
    pub async fn renew(&mut self, patron: &str, item: &str, now: NaiveDateTime) -> anyhow::Result<Outcome> {
        let now = circulation::journal_time(now);
        if !self.online(now).await? {
            return Ok(Outcome::NotAllowed {
                reason: "renewals need the library system, which is off line".into(),
            });
        }
        self.journal_then_send(
            NewTransaction {
                kind: TransactionKind::Renew,
                patron: Some(patron.to_string()),
                item: item.to_string(),
                title: None,
                at: now,
                due_date: None,
                offline: false,
                cancel: false,
            },
            now,
        )
        .await
    }

    /// Looks a patron up (`63`, with the list of loans), checking the PIN when given; with
    /// `loans`, also each loan's title and due date (`17` per item, at most 50).
    pub async fn lookup(
        &mut self,
        patron: &str,
        pin: Option<&str>,
        loans: bool,
        chinese: bool,
        now: NaiveDateTime,
    ) -> kiosk_core::circulation::session::Lookup {
        use kiosk_core::circulation::session::{Lookup, Patron};
        use kiosk_sip2::messages::PatronInformation;
        use kiosk_sip2::types::{LanguageCode, Summary, SummaryCategory};
        let request = Message::from(PatronInformation {
            language: if chinese { LanguageCode::CHINESE } else { LanguageCode::ENGLISH },
            transaction_date: kiosk_core::ils::sip_date(now),
            summary: Summary::only(SummaryCategory::ChargedItems),
            institution_id: self.terminal.institution_id.as_str().into(),
            patron_identifier: patron.into(),
            terminal_password: Some(self.terminal.terminal_password.as_str().into()),
            patron_password: pin.map(Into::into),
            ..Default::default()
        });
        if !self.reachable().await {
            return if self.policy.allow_loans {
                Lookup::Offline
            } else {
                Lookup::Unavailable("the library system is unreachable".into())
            };
        }
        match self.client.request(&request).await {
            Ok(Message::PatronInformationResponse(response)) if response.valid_patron == Some(false) => {
                Lookup::Unknown
            }
            Ok(Message::PatronInformationResponse(response)) => {
                // A PIN was given: an ILS that does not confirm it (no CQ) does not get a pass.
                let pin_ok = pin.map(|_| response.valid_patron_password == Some(true));
                let mut patron = Patron::from_response(&response);
                if loans && pin_ok != Some(false) {
                    patron.loans_detail = self.loan_details(&patron.charged_items, now).await;
                }
                Lookup::Found { patron, pin_ok }
            }
            Ok(other) => Lookup::Unavailable(format!("unexpected reply {}", other.code())),
            Err(error) if self.policy.allow_loans => {
                tracing::info!(%error, "patron not checked: the library system is unreachable; offline loans allowed");
                Lookup::Offline
            }
            Err(error) => Lookup::Unavailable(error.to_string()),
        }
    }

    /// Titles and due dates of loans; a loan the library system does not describe is
    /// still listed, by its barcode.
    async fn loan_details(
        &mut self,
        items: &[String],
        now: NaiveDateTime,
    ) -> Vec<kiosk_core::circulation::session::Loan> {
        let mut loans = Vec::new();
        for barcode in items.iter().take(50) {
            let request = Message::from(kiosk_sip2::messages::ItemInformation {
                transaction_date: kiosk_core::ils::sip_date(now),
                institution_id: self.terminal.institution_id.as_str().into(),
                item_identifier: barcode.as_str().into(),
                terminal_password: Some(self.terminal.terminal_password.as_str().into()),
                ..Default::default()
            });
            let (title, due) = match self.client.request(&request).await {
                Ok(Message::ItemInformationResponse(item)) => (
                    Some(item.title_identifier.to_string()).filter(|t| !t.is_empty()),
                    item.due_date.as_ref().and_then(|d| kiosk_core::ils::parse_due_date(d)),
                ),
                _ => (None, None),
            };
            loans.push(kiosk_core::circulation::session::Loan {
                barcode: barcode.clone(),
                title,
                due,
                overdue: due.is_some_and(|due| due < now),
            });
        }
        loans
    }

    /// Tells the library system the patron is done (`35`); failures only matter to the log.
    pub async fn end_session(&mut self, patron: &str, now: NaiveDateTime) {
        let request = Message::from(kiosk_sip2::messages::EndPatronSession {
            transaction_date: kiosk_core::ils::sip_date(now),
            institution_id: self.terminal.institution_id.as_str().into(),
            patron_identifier: patron.into(),
            ..Default::default()
        });
        if let Err(error) = self.client.request(&request).await {
            tracing::info!(%error, "end of patron session not confirmed");
        }
    }

    /// Sends one pending row and records the answer.
    async fn send(&mut self, id: JournalId, now: NaiveDateTime) -> anyhow::Result<Outcome> {
        let entry = self.store.journal_entry(id)?;
        let request = circulation::request_for(&entry, &self.terminal, now);
        self.store.journal_mark_in_flight(id, now)?;
        match self.client.request(&request).await {
            Ok(reply) => self.record(id, entry.kind, &reply, now),
            Err(error) => self.after_failure(id, &error, now),
        }
    }

    fn record(
        &mut self,
        id: JournalId,
        kind: TransactionKind,
        reply: &Message,
        now: NaiveDateTime,
    ) -> anyhow::Result<Outcome> {
        Ok(match circulation::verdict(kind, reply) {
            Verdict::Accepted { due, message, details } => {
                self.store.journal_mark_done(id, now, due, Some(&message))?;
                Outcome::Done { id, due, message, details }
            }
            Verdict::Refused { message } => {
                self.store.journal_mark_rejected(id, now, &message)?;
                Outcome::Refused { id, message }
            }
        })
    }

    fn after_failure(
        &mut self,
        id: JournalId,
        error: &ClientError,
        now: NaiveDateTime,
    ) -> anyhow::Result<Outcome> {
        tracing::warn!(%id, %error, unknown = error.outcome_unknown(), "sending a transaction failed");
        if !error.outcome_unknown() {
            // It never left: back in the queue as it was.
            self.store.journal_mark_pending(id, now, &format!("not sent: {error}"))?;
        }
        let entry = self.store.journal_entry(id)?;
        Ok(Outcome::Queued { id, due: entry.due_date })
    }

    /// Forwards the queue in order: settles rows whose answer was lost by asking about the
    /// item first, then sends what is pending. Stops at the first network failure so
    /// the order is kept.
    pub async fn sync_once(&mut self, now: NaiveDateTime) -> anyhow::Result<SyncReport> {
        let mut report = SyncReport::default();
        // Forwarding is asked for explicitly (the worker's heartbeat got through, or a
        // technician ran it): always try the network.
        self.known_unreachable = false;
        if !self.reachable().await {
            report.stopped = Some("the library system is unreachable".into());
            report.remaining = self.store.journal_counts()?.queued();
            return Ok(report);
        }
        for entry in self.store.journal_queue()? {
            if entry.state == JournalState::InFlight {
                let question = circulation::resolution_request(&entry, &self.terminal, now);
                let resolution = match self.client.request(&question).await {
                    Ok(Message::ItemInformationResponse(item)) => circulation::resolve(&entry, &item),
                    Ok(_) => Resolution::Unknown,
                    Err(error) => {
                        report.stopped = Some(error.to_string());
                        break;
                    }
                };
                match resolution {
                    Resolution::Applied => {
                        self.store.journal_mark_done(
                            entry.id,
                            now,
                            None,
                            Some("confirmed by item information"),
                        )?;
                        report.resolved += 1;
                        continue;
                    }
                    Resolution::NotApplied | Resolution::Unknown => {
                        self.store.journal_mark_pending(
                            entry.id,
                            now,
                            "the library system had not applied it",
                        )?;
                        report.resolved += u32::from(resolution == Resolution::NotApplied);
                    }
                }
            }
            match self.send(entry.id, now).await? {
                Outcome::Done { .. } => report.accepted += 1,
                Outcome::Refused { .. } => report.rejected += 1,
                Outcome::Queued { .. } | Outcome::NotAllowed { .. } => {
                    report.stopped = Some("the library system stopped answering".into());
                    break;
                }
            }
        }
        report.remaining = self.store.journal_counts()?.queued();
        Ok(report)
    }
}
