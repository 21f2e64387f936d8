//! One visitor's circulation session as a sans-IO state machine.
//!
//! Borrowing: card → PIN (when required, limited attempts) → patron information (loans and
//! limit, holds ready, fines, blocks with reasons) → items, each a line with its own
//! outcome → finish → end session. Returning needs no patron. Items come from the scanner
//! or as RFID stacks; an incomplete set is not lent; a loan whose security write fails is
//! rolled back with a cancel. The session times out with a warning countdown, but never
//! leaves an item half processed.
//!
//! The runtime feeds [`Input`]s and carries out the returned [`Effect`]s (journal + SIP2,
//! security writes), feeding their results back.

use chrono::{Duration, NaiveDateTime};
use kiosk_sip2::messages::PatronInformationResponse;
use kiosk_sip2::types::PatronStatus;

use super::Routing;
use crate::config::ReceiptPrompt;
use crate::receipt::{Receipt, ReceiptItem, ReceiptKind, ReceiptPatron, ReceiptStatus};

/// What the visitor came to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Borrow books.
    Borrow,
    /// Return books (no card needed).
    Return,
    /// See and renew loans.
    Account,
}

/// Session rules from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Ask for the PIN after the card.
    pub require_pin: bool,
    /// Wrong PINs before the session ends.
    pub pin_attempts: u32,
    /// Inactivity that ends the session.
    pub idle_timeout: Duration,
    /// How long before the end the warning starts.
    pub warning: Duration,
    /// Whether a receipt is offered, always printed or never.
    pub receipt: ReceiptPrompt,
}

/// Why borrowing is blocked, in words the screen can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockReason {
    /// Charge privileges denied (staff block, expired card).
    ChargeDenied,
    /// The card was reported lost.
    CardLost,
    /// At the loan limit.
    TooManyItems,
    /// Too many overdue items.
    TooManyOverdue,
    /// Fines over the limit.
    ExcessiveFines,
    /// Fees over the limit.
    ExcessiveFees,
    /// Another flag of the 14.
    Other(usize),
}

impl BlockReason {
    /// The message key of the reason and what to do about it, in `assets/locales`.
    pub fn message_key(self) -> &'static str {
        match self {
            BlockReason::ChargeDenied => "block-charge-denied",
            BlockReason::CardLost => "block-card-lost",
            BlockReason::TooManyItems => "block-too-many-items",
            BlockReason::TooManyOverdue => "block-too-many-overdue",
            BlockReason::ExcessiveFines => "block-excessive-fines",
            BlockReason::ExcessiveFees => "block-excessive-fees",
            BlockReason::Other(_) => "block-other",
        }
    }
}

/// One of the patron's loans, for the account screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    /// Barcode.
    pub barcode: String,
    /// Title, when the library system gave it.
    pub title: Option<String>,
    /// Due date, when the library system gave it.
    pub due: Option<NaiveDateTime>,
    /// Past its due date when it was looked up.
    pub overdue: bool,
}

/// The patron as the session knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patron {
    /// Card number.
    pub id: String,
    /// Name.
    pub name: String,
    /// Items on loan.
    pub loans: u16,
    /// Loan limit, when the ILS says.
    pub limit: Option<u32>,
    /// Holds ready to collect.
    pub holds_ready: u16,
    /// Overdue items.
    pub overdue: u16,
    /// Outstanding fines (text as the ILS sent it, e.g. `12.50`), when any.
    pub fines: Option<String>,
    /// What blocks borrowing.
    pub blocks: Vec<BlockReason>,
    /// The ILS's messages.
    pub messages: Vec<String>,
    /// Items on loan (when the ILS listed them).
    pub charged_items: Vec<String>,
    /// The loans with titles and due dates (account mode).
    pub loans_detail: Vec<Loan>,
    /// Known only by the card number: the library system could not be asked, and the
    /// offline policy allows loans (recorded, sent later, within its limits).
    pub offline: bool,
}

impl Patron {
    /// Reads a `64` response.
    pub fn from_response(response: &PatronInformationResponse) -> Patron {
        let blocks = response
            .patron_status
            .borrowing_blocks()
            .map(|position| match position {
                PatronStatus::CHARGE_DENIED => BlockReason::ChargeDenied,
                PatronStatus::CARD_LOST => BlockReason::CardLost,
                PatronStatus::TOO_MANY_CHARGED => BlockReason::TooManyItems,
                PatronStatus::TOO_MANY_OVERDUE => BlockReason::TooManyOverdue,
                PatronStatus::EXCESSIVE_FINES => BlockReason::ExcessiveFines,
                PatronStatus::EXCESSIVE_FEES => BlockReason::ExcessiveFees,
                other => BlockReason::Other(other),
            })
            .collect();
        let fines = response
            .fee_amount
            .as_ref()
            .map(|f| f.to_string())
            .filter(|f| f.parse::<f64>().map_or(!f.is_empty(), |v| v > 0.0));
        Patron {
            id: response.patron_identifier.to_string(),
            name: response.personal_name.to_string(),
            loans: response.charged_items_count.unwrap_or(0),
            limit: response.charged_items_limit.map(|n| n.value),
            holds_ready: response.hold_items_count.unwrap_or(0),
            overdue: response.overdue_items_count.unwrap_or(0),
            fines,
            blocks,
            messages: response.screen_message.iter().map(|m| m.to_string()).collect(),
            charged_items: response.charged_items.iter().map(|m| m.to_string()).collect(),
            loans_detail: Vec::new(),
            offline: false,
        }
    }
}

/// The result of looking a patron up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Known, with the PIN check when one was sent.
    Found {
        /// The patron.
        patron: Patron,
        /// Whether the PIN was right.
        pin_ok: Option<bool>,
    },
    /// Not a patron of the library.
    Unknown,
    /// The ILS could not be asked.
    Unavailable(String),
    /// The ILS could not be asked, but the offline policy lets the card borrow unverified.
    Offline,
}

/// What came of one item's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemResult {
    /// Lent (or renewed because the patron had it).
    Loaned {
        /// Due date.
        due: Option<NaiveDateTime>,
        /// It became a renewal.
        renewed: bool,
        /// Recorded, to be sent later.
        queued: bool,
        /// Leave the security alone.
        skip_security: bool,
    },
    /// Returned.
    Returned {
        /// Where it goes.
        routing: Routing,
        /// Recorded, to be sent later.
        queued: bool,
        /// Leave the security alone.
        skip_security: bool,
    },
    /// Renewed (from the account screen).
    Renewed {
        /// New due date.
        due: Option<NaiveDateTime>,
    },
    /// Refused by the ILS, or by the offline policy.
    Refused(String),
}

/// Where one line stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineState {
    /// Being processed.
    Working,
    /// Lent; its security is being switched.
    Securing {
        /// Due date.
        due: Option<NaiveDateTime>,
        /// It was a renewal of the patron's own loan.
        renewed: bool,
        /// Recorded off line.
        queued: bool,
    },
    /// Lent.
    Loaned {
        /// Due date.
        due: Option<NaiveDateTime>,
        /// It was a renewal of the patron's own loan.
        renewed: bool,
        /// Recorded off line.
        queued: bool,
    },
    /// Returned.
    Returned {
        /// Where it goes.
        routing: Routing,
        /// Recorded off line.
        queued: bool,
    },
    /// Renewed.
    Renewed {
        /// New due date.
        due: Option<NaiveDateTime>,
    },
    /// Not done, with the reason.
    Refused(String),
    /// A multi-part item with parts missing from the pad.
    SetIncomplete {
        /// Parts the item has.
        parts: u8,
        /// Parts on the pad.
        found: u8,
    },
    /// The security write failed and the loan was cancelled: put the book back.
    SecurityFailed,
    /// The patron's card blocks borrowing.
    Blocked,
}

impl LineState {
    /// Whether the line is still being processed.
    pub fn busy(&self) -> bool {
        matches!(self, LineState::Working | LineState::Securing { .. })
    }
}

/// One item in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Barcode.
    pub barcode: String,
    /// Title, when known.
    pub title: Option<String>,
    /// RFID tags of every part (empty for scanned barcodes).
    pub tags: Vec<[u8; 8]>,
    /// Where it stands.
    pub state: LineState,
}

/// An item presented to the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// Barcode.
    pub barcode: String,
    /// Title from the tag, if any.
    pub title: Option<String>,
    /// RFID tags of the parts on the pad.
    pub tags: Vec<[u8; 8]>,
    /// `(parts, found)` when it is a set with parts missing.
    pub incomplete: Option<(u8, u8)>,
}

/// What the session is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A card.
    Identify,
    /// The PIN.
    Pin {
        /// Attempts left.
        attempts_left: u32,
        /// The last PIN was wrong.
        wrong: bool,
    },
    /// The patron lookup.
    LookingUp,
    /// Items (or, in account mode, renewals).
    Ready,
    /// Finished; asking whether to print a receipt.
    ReceiptChoice,
    /// Over.
    Ended(EndReason),
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The visitor finished.
    Finished,
    /// Nobody touched the screen.
    TimedOut,
    /// Too many wrong PINs.
    TooManyPins,
}

/// Everything the session reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A patron card (barcode, QR e-card, RFID card).
    Card(String),
    /// A PIN from the keypad.
    Pin(String),
    /// The patron lookup's result.
    Looked(Lookup),
    /// An item scanned or placed on the pad.
    Item(Presented),
    /// An item's transaction result.
    Result {
        /// Which item.
        barcode: String,
        /// The result.
        result: ItemResult,
        /// The title the ILS gave.
        title: Option<String>,
    },
    /// A security write's result.
    Secured {
        /// Which item.
        barcode: String,
        /// It took (read back).
        ok: bool,
    },
    /// Renew these loans.
    Renew(Vec<String>),
    /// The visitor is done.
    Finish,
    /// The answer to the receipt question: print one or not.
    Receipt(bool),
    /// A touch or scan: the visitor is still there.
    Activity,
    /// "I need more time".
    MoreTime,
    /// Time passes.
    Tick,
}

/// What the runtime must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Patron information (`63`), with the PIN when one was entered.
    LookUpPatron {
        /// Card number.
        patron: String,
        /// PIN.
        pin: Option<String>,
        /// Also fetch each loan's title and due date (the account screen).
        loans: bool,
    },
    /// Lend (journal first).
    Checkout {
        /// Patron.
        patron: String,
        /// Item.
        barcode: String,
    },
    /// Take back (journal first).
    Checkin {
        /// Item.
        barcode: String,
    },
    /// Renew (journal first).
    Renew {
        /// Patron.
        patron: String,
        /// Item.
        barcode: String,
    },
    /// Write security to every part: on loan (unsecured) or in the library.
    Secure {
        /// Item.
        barcode: String,
        /// Its tags.
        tags: Vec<[u8; 8]>,
        /// On loan.
        on_loan: bool,
    },
    /// Cancel a loan whose security write failed (`09` with cancel, journal first).
    CancelLoan {
        /// Patron.
        patron: String,
        /// Item.
        barcode: String,
    },
    /// Tell the ILS the patron is done (`35`).
    EndPatronSession {
        /// Patron.
        patron: String,
    },
    /// Print this receipt.
    PrintReceipt(Receipt),
    /// Show the timeout warning.
    Warn {
        /// Seconds left.
        seconds_left: i64,
    },
    /// The session is over.
    Over(EndReason),
}

/// One visitor's session.
#[derive(Debug, Clone)]
pub struct Session {
    mode: Mode,
    settings: Settings,
    phase: Phase,
    card: Option<String>,
    patron: Option<Patron>,
    lines: Vec<Line>,
    last_activity: NaiveDateTime,
    warned: bool,
    unavailable: Option<String>,
    pending_pin_attempts: u32,
}

impl Session {
    /// A new session at `now`.
    pub fn new(mode: Mode, settings: Settings, now: NaiveDateTime) -> Session {
        let phase = if mode == Mode::Return { Phase::Ready } else { Phase::Identify };
        Session {
            mode,
            settings,
            phase,
            card: None,
            patron: None,
            lines: Vec::new(),
            last_activity: now,
            warned: false,
            unavailable: None,
            pending_pin_attempts: 0,
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// What the session waits for.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The patron, once known.
    pub fn patron(&self) -> Option<&Patron> {
        self.patron.as_ref()
    }

    /// The items so far.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Why the patron could not be looked up, if that happened.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// Whether an item is still being processed.
    pub fn busy(&self) -> bool {
        self.lines.iter().any(|l| l.state.busy()) || self.phase == Phase::LookingUp
    }

    fn line(&mut self, barcode: &str) -> Option<&mut Line> {
        self.lines.iter_mut().rev().find(|l| l.barcode == barcode)
    }

    /// Handles one input at `now`.
    pub fn handle(&mut self, input: Input, now: NaiveDateTime) -> Vec<Effect> {
        if matches!(self.phase, Phase::Ended(_)) {
            return Vec::new();
        }
        if !matches!(input, Input::Tick | Input::Looked(_) | Input::Result { .. } | Input::Secured { .. }) {
            self.last_activity = now;
            self.warned = false;
        }
        match input {
            Input::Card(card) => self.on_card(card),
            Input::Pin(pin) => self.on_pin(pin),
            Input::Looked(lookup) => self.on_lookup(lookup),
            Input::Item(item) => self.on_item(item),
            Input::Result { barcode, result, title } => self.on_result(&barcode, result, title),
            Input::Secured { barcode, ok } => self.on_secured(&barcode, ok),
            Input::Renew(barcodes) => self.on_renew(barcodes),
            Input::Finish => self.on_finish(now),
            Input::Receipt(print) => self.on_receipt(print, now),
            Input::Activity | Input::MoreTime => Vec::new(),
            Input::Tick => self.on_tick(now),
        }
    }

    fn on_card(&mut self, card: String) -> Vec<Effect> {
        if self.mode == Mode::Return || !matches!(self.phase, Phase::Identify) {
            return Vec::new();
        }
        self.card = Some(card.clone());
        self.unavailable = None;
        if self.settings.require_pin {
            self.phase = Phase::Pin { attempts_left: self.settings.pin_attempts, wrong: false };
            Vec::new()
        } else {
            self.phase = Phase::LookingUp;
            vec![Effect::LookUpPatron { patron: card, pin: None, loans: self.mode == Mode::Account }]
        }
    }

    fn on_pin(&mut self, pin: String) -> Vec<Effect> {
        let (Phase::Pin { attempts_left, .. }, Some(card)) = (self.phase, self.card.clone()) else {
            return Vec::new();
        };
        self.pending_pin_attempts = attempts_left;
        self.phase = Phase::LookingUp;
        vec![Effect::LookUpPatron { patron: card, pin: Some(pin), loans: self.mode == Mode::Account }]
    }

    fn on_lookup(&mut self, lookup: Lookup) -> Vec<Effect> {
        if self.phase != Phase::LookingUp {
            return Vec::new();
        }
        match lookup {
            Lookup::Found { pin_ok: Some(false), .. } => {
                let left = self.pending_pin_attempts.saturating_sub(1);
                if left == 0 {
                    return self.finish(EndReason::TooManyPins);
                }
                self.phase = Phase::Pin { attempts_left: left, wrong: true };
                Vec::new()
            }
            Lookup::Found { patron, .. } => {
                self.patron = Some(patron);
                self.phase = Phase::Ready;
                Vec::new()
            }
            Lookup::Unknown => {
                self.card = None;
                self.unavailable = Some("unknown card".into());
                self.phase = Phase::Identify;
                Vec::new()
            }
            Lookup::Offline if self.mode == Mode::Account => {
                // An account cannot be shown without the library system.
                self.card = None;
                self.unavailable = Some("offline".into());
                self.phase = Phase::Identify;
                Vec::new()
            }
            Lookup::Offline => {
                let Some(card) = self.card.clone() else { return Vec::new() };
                self.patron = Some(Patron {
                    id: card,
                    name: String::new(),
                    loans: 0,
                    limit: None,
                    holds_ready: 0,
                    overdue: 0,
                    fines: None,
                    blocks: Vec::new(),
                    messages: Vec::new(),
                    charged_items: Vec::new(),
                    loans_detail: Vec::new(),
                    offline: true,
                });
                self.phase = Phase::Ready;
                Vec::new()
            }
            Lookup::Unavailable(why) => {
                self.card = None;
                self.unavailable = Some(why);
                self.phase = Phase::Identify;
                Vec::new()
            }
        }
    }

    fn on_item(&mut self, item: Presented) -> Vec<Effect> {
        if self.phase != Phase::Ready || self.mode == Mode::Account {
            return Vec::new();
        }
        // A book already handled in this session is not a new transaction; one that failed
        // (security, incomplete set) may be tried again.
        let retry =
            |state: &LineState| matches!(state, LineState::SecurityFailed | LineState::SetIncomplete { .. });
        if self.lines.iter().any(|l| l.barcode == item.barcode && !retry(&l.state)) {
            return Vec::new();
        }
        let mut line = Line {
            barcode: item.barcode.clone(),
            title: item.title,
            tags: item.tags,
            state: LineState::Working,
        };
        let effect = match (self.mode, &self.patron) {
            (_, _) if item.incomplete.is_some() => {
                let (parts, found) = item.incomplete.unwrap_or((0, 0));
                line.state = LineState::SetIncomplete { parts, found };
                None
            }
            (Mode::Borrow, Some(patron)) if !patron.blocks.is_empty() => {
                line.state = LineState::Blocked;
                None
            }
            (Mode::Borrow, Some(patron)) => {
                Some(Effect::Checkout { patron: patron.id.clone(), barcode: item.barcode })
            }
            (Mode::Return, _) => Some(Effect::Checkin { barcode: item.barcode }),
            _ => None,
        };
        self.lines.push(line);
        effect.into_iter().collect()
    }

    fn on_result(&mut self, barcode: &str, result: ItemResult, title: Option<String>) -> Vec<Effect> {
        let Some(line) = self.line(barcode) else { return Vec::new() };
        if title.is_some() {
            line.title = title;
        }
        let tags = line.tags.clone();
        match result {
            ItemResult::Loaned { due, renewed, queued, skip_security } => {
                if !tags.is_empty() && !skip_security {
                    line.state = LineState::Securing { due, renewed, queued };
                    return vec![Effect::Secure { barcode: barcode.to_string(), tags, on_loan: true }];
                }
                line.state = LineState::Loaned { due, renewed, queued };
                if let Some(patron) = self.patron.as_mut() {
                    patron.loans += u16::from(!renewed);
                }
            }
            ItemResult::Returned { routing, queued, skip_security } => {
                line.state = LineState::Returned { routing, queued };
                // Secured again wherever it goes next: shelf, hold shelf or transit.
                if !tags.is_empty() && !skip_security {
                    return vec![Effect::Secure { barcode: barcode.to_string(), tags, on_loan: false }];
                }
            }
            ItemResult::Renewed { due } => line.state = LineState::Renewed { due },
            ItemResult::Refused(reason) => line.state = LineState::Refused(reason),
        }
        Vec::new()
    }

    fn on_secured(&mut self, barcode: &str, ok: bool) -> Vec<Effect> {
        let patron = self.patron.as_ref().map(|p| p.id.clone());
        let Some(line) = self.line(barcode) else { return Vec::new() };
        let LineState::Securing { due, renewed, queued } = line.state else {
            // A return's re-securing: the book is back either way; staff see failures.
            return Vec::new();
        };
        if ok {
            line.state = LineState::Loaned { due, renewed, queued };
            if let Some(patron) = self.patron.as_mut() {
                patron.loans += u16::from(!renewed);
            }
            return Vec::new();
        }
        line.state = LineState::SecurityFailed;
        patron.map(|patron| Effect::CancelLoan { patron, barcode: barcode.to_string() }).into_iter().collect()
    }

    fn on_renew(&mut self, barcodes: Vec<String>) -> Vec<Effect> {
        let (Phase::Ready, Some(patron)) = (self.phase, self.patron.clone()) else { return Vec::new() };
        barcodes
            .into_iter()
            .map(|barcode| {
                self.lines.push(Line {
                    barcode: barcode.clone(),
                    title: None,
                    tags: Vec::new(),
                    state: LineState::Working,
                });
                Effect::Renew { patron: patron.id.clone(), barcode }
            })
            .collect()
    }

    fn on_tick(&mut self, now: NaiveDateTime) -> Vec<Effect> {
        let idle = now - self.last_activity;
        if idle >= self.settings.idle_timeout {
            if self.busy() {
                // Never leave an item half processed: end once it is done.
                return Vec::new();
            }
            return self.finish(EndReason::TimedOut);
        }
        let warn_from = self.settings.idle_timeout - self.settings.warning;
        if idle >= warn_from {
            self.warned = true;
            return vec![Effect::Warn {
                seconds_left: (self.settings.idle_timeout - idle).num_seconds().max(0),
            }];
        }
        Vec::new()
    }

    fn on_finish(&mut self, now: NaiveDateTime) -> Vec<Effect> {
        if self.phase != Phase::Ready || self.busy() {
            return Vec::new();
        }
        let Some(receipt) = self.receipt(now) else { return self.finish(EndReason::Finished) };
        match self.settings.receipt {
            ReceiptPrompt::Ask => {
                self.phase = Phase::ReceiptChoice;
                Vec::new()
            }
            ReceiptPrompt::Always => {
                let mut effects = vec![Effect::PrintReceipt(receipt)];
                effects.extend(self.finish(EndReason::Finished));
                effects
            }
            ReceiptPrompt::Never => self.finish(EndReason::Finished),
        }
    }

    fn on_receipt(&mut self, print: bool, now: NaiveDateTime) -> Vec<Effect> {
        if self.phase != Phase::ReceiptChoice {
            return Vec::new();
        }
        let mut effects: Vec<Effect> =
            self.receipt(now).filter(|_| print).map(Effect::PrintReceipt).into_iter().collect();
        effects.extend(self.finish(EndReason::Finished));
        effects
    }

    /// The receipt for the session so far: every item with an outcome the visitor should
    /// keep a record of. `None` when there is nothing to print.
    pub fn receipt(&self, now: NaiveDateTime) -> Option<Receipt> {
        let items: Vec<ReceiptItem> = self
            .lines
            .iter()
            .filter_map(|line| {
                let (status, queued) = match &line.state {
                    LineState::Loaned { due, renewed, queued } => {
                        (ReceiptStatus::Loaned { due: *due, renewed: *renewed }, *queued)
                    }
                    LineState::Returned { queued, .. } => (ReceiptStatus::Returned, *queued),
                    LineState::Renewed { due } => (ReceiptStatus::Renewed { due: *due }, false),
                    LineState::Refused(reason) => {
                        (ReceiptStatus::NotDone { reason: Some(reason.clone()) }, false)
                    }
                    LineState::SetIncomplete { .. } | LineState::SecurityFailed | LineState::Blocked => {
                        (ReceiptStatus::NotDone { reason: None }, false)
                    }
                    LineState::Working | LineState::Securing { .. } => return None,
                };
                Some(ReceiptItem { barcode: line.barcode.clone(), title: line.title.clone(), status, queued })
            })
            .collect();
        if !items.iter().any(|item| !matches!(item.status, ReceiptStatus::NotDone { .. })) {
            return None;
        }
        Some(Receipt {
            kind: match self.mode {
                Mode::Borrow => ReceiptKind::Loan,
                Mode::Return => ReceiptKind::Return,
                Mode::Account => ReceiptKind::Renewal,
            },
            at: now,
            patron: self.patron.as_ref().map(|patron| ReceiptPatron {
                id: patron.id.clone(),
                name: patron.name.clone(),
                loans: patron.loans,
                holds_ready: patron.holds_ready,
            }),
            items,
        })
    }

    fn finish(&mut self, reason: EndReason) -> Vec<Effect> {
        if self.busy() && reason == EndReason::Finished {
            return Vec::new();
        }
        self.phase = Phase::Ended(reason);
        let mut effects = Vec::new();
        if let Some(patron) = &self.patron {
            effects.push(Effect::EndPatronSession { patron: patron.id.clone() });
        }
        effects.push(Effect::Over(reason));
        effects
    }

    /// Whether the timeout warning is showing.
    pub fn warned(&self) -> bool {
        self.warned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(seconds: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
            + Duration::seconds(seconds)
    }

    fn settings(require_pin: bool) -> Settings {
        Settings {
            require_pin,
            pin_attempts: 3,
            idle_timeout: Duration::seconds(90),
            receipt: ReceiptPrompt::Ask,
            warning: Duration::seconds(20),
        }
    }

    fn patron(blocks: Vec<BlockReason>) -> Patron {
        Patron {
            id: "20234000000019".into(),
            name: "张伟".into(),
            loans: 1,
            limit: Some(10),
            holds_ready: 0,
            overdue: 0,
            fines: None,
            blocks,
            messages: vec![],
            charged_items: vec!["30234000001064".into()],
            loans_detail: Vec::new(),
            offline: false,
        }
    }

    fn item(barcode: &str, tags: usize) -> Presented {
        Presented {
            barcode: barcode.into(),
            title: None,
            tags: (0..tags as u8).map(|n| [0xE0, 4, 1, 0, 0, 0, 0, n]).collect(),
            incomplete: None,
        }
    }

    fn ready(require_pin: bool) -> Session {
        let mut s = Session::new(Mode::Borrow, settings(require_pin), t(0));
        s.handle(Input::Card("20234000000019".into()), t(1));
        if require_pin {
            s.handle(Input::Pin("1234".into()), t(2));
        }
        s.handle(Input::Looked(Lookup::Found { patron: patron(vec![]), pin_ok: Some(true) }), t(2));
        assert_eq!(s.phase(), Phase::Ready);
        s
    }

    #[test]
    fn every_block_reason_has_words_in_both_languages() {
        let localizer = crate::i18n::Localizer::new();
        let reasons = [
            BlockReason::ChargeDenied,
            BlockReason::CardLost,
            BlockReason::TooManyItems,
            BlockReason::TooManyOverdue,
            BlockReason::ExcessiveFines,
            BlockReason::ExcessiveFees,
            BlockReason::Other(3),
        ];
        for language in [crate::config::Language::ZhCn, crate::config::Language::En] {
            for reason in reasons {
                let text = localizer.text(language, reason.message_key());
                assert!(!text.is_empty() && !text.contains("block-"), "{reason:?} in {language:?}: {text}");
            }
        }
    }

    #[test]
    fn offline_the_card_borrows_unverified_but_the_account_waits() {
        let mut s = Session::new(Mode::Borrow, settings(true), t(0));
        s.handle(Input::Card("20234000000019".into()), t(1));
        s.handle(Input::Pin("1234".into()), t(2));
        s.handle(Input::Looked(Lookup::Offline), t(3));
        assert_eq!(s.phase(), Phase::Ready);
        assert!(s.patron().unwrap().offline);
        assert_eq!(
            s.handle(Input::Item(item("30234000000017", 1)), t(4)),
            [Effect::Checkout { patron: "20234000000019".into(), barcode: "30234000000017".into() }]
        );

        let mut account = Session::new(Mode::Account, settings(false), t(0));
        account.handle(Input::Card("20234000000019".into()), t(1));
        account.handle(Input::Looked(Lookup::Offline), t(2));
        assert_eq!(account.phase(), Phase::Identify);
        assert_eq!(account.unavailable(), Some("offline"));
    }

    #[test]
    fn card_then_pin_then_lookup() {
        let mut s = Session::new(Mode::Borrow, settings(true), t(0));
        assert!(s.handle(Input::Card("20234000000019".into()), t(1)).is_empty());
        assert_eq!(s.phase(), Phase::Pin { attempts_left: 3, wrong: false });
        let effects = s.handle(Input::Pin("1234".into()), t(2));
        assert_eq!(
            effects,
            [Effect::LookUpPatron {
                patron: "20234000000019".into(),
                pin: Some("1234".into()),
                loans: false
            }]
        );
        assert_eq!(s.phase(), Phase::LookingUp);
    }

    #[test]
    fn wrong_pins_are_limited() {
        let mut s = Session::new(Mode::Borrow, settings(true), t(0));
        s.handle(Input::Card("20234000000019".into()), t(1));
        for left in [2, 1] {
            s.handle(Input::Pin("0000".into()), t(2));
            s.handle(Input::Looked(Lookup::Found { patron: patron(vec![]), pin_ok: Some(false) }), t(2));
            assert_eq!(s.phase(), Phase::Pin { attempts_left: left, wrong: true });
        }
        s.handle(Input::Pin("0000".into()), t(3));
        let effects =
            s.handle(Input::Looked(Lookup::Found { patron: patron(vec![]), pin_ok: Some(false) }), t(3));
        assert_eq!(s.phase(), Phase::Ended(EndReason::TooManyPins));
        assert_eq!(effects, [Effect::Over(EndReason::TooManyPins)], "no patron session was opened");
    }

    #[test]
    fn loans_are_secured_and_a_failed_write_is_rolled_back() {
        let mut s = ready(false);
        let effects = s.handle(Input::Item(item("30234000000041", 2)), t(3));
        assert_eq!(
            effects,
            [Effect::Checkout { patron: "20234000000019".into(), barcode: "30234000000041".into() }]
        );
        let loaned =
            ItemResult::Loaned { due: Some(t(86_400)), renewed: false, queued: false, skip_security: false };
        let effects = s.handle(
            Input::Result {
                barcode: "30234000000041".into(),
                result: loaned.clone(),
                title: Some("活着".into()),
            },
            t(4),
        );
        assert!(matches!(&effects[..], [Effect::Secure { on_loan: true, tags, .. }] if tags.len() == 2));
        assert!(s.busy());
        s.handle(Input::Secured { barcode: "30234000000041".into(), ok: true }, t(4));
        assert_eq!(
            s.lines()[0].state,
            LineState::Loaned { due: Some(t(86_400)), renewed: false, queued: false }
        );
        assert_eq!(s.lines()[0].title.as_deref(), Some("活着"));
        assert_eq!(s.patron().unwrap().loans, 2);

        s.handle(Input::Item(item("30234000000058", 1)), t(5));
        s.handle(Input::Result { barcode: "30234000000058".into(), result: loaned, title: None }, t(6));
        let effects = s.handle(Input::Secured { barcode: "30234000000058".into(), ok: false }, t(6));
        assert_eq!(
            effects,
            [Effect::CancelLoan { patron: "20234000000019".into(), barcode: "30234000000058".into() }]
        );
        assert_eq!(s.lines()[1].state, LineState::SecurityFailed);
        // Put back on the pad, it is tried again.
        assert_eq!(s.handle(Input::Item(item("30234000000058", 1)), t(7)).len(), 1);
        // A book already lent in this session is not lent twice.
        assert!(s.handle(Input::Item(item("30234000000041", 2)), t(8)).is_empty());
    }

    #[test]
    fn incomplete_sets_and_blocked_cards_make_no_transaction() {
        let mut s = ready(false);
        let mut set = item("30234000000900", 1);
        set.incomplete = Some((2, 1));
        assert!(s.handle(Input::Item(set), t(3)).is_empty());
        assert_eq!(s.lines()[0].state, LineState::SetIncomplete { parts: 2, found: 1 });

        let mut blocked = Session::new(Mode::Borrow, settings(false), t(0));
        blocked.handle(Input::Card("20234000000068".into()), t(1));
        blocked.handle(
            Input::Looked(Lookup::Found { patron: patron(vec![BlockReason::ChargeDenied]), pin_ok: None }),
            t(2),
        );
        assert!(blocked.handle(Input::Item(item("30234000000041", 0)), t(3)).is_empty());
        assert_eq!(blocked.lines()[0].state, LineState::Blocked);
    }

    #[test]
    fn returns_need_no_card_and_are_secured_again() {
        let mut s = Session::new(Mode::Return, settings(true), t(0));
        assert_eq!(s.phase(), Phase::Ready);
        assert_eq!(
            s.handle(Input::Item(item("30234000000025", 1)), t(1)),
            [Effect::Checkin { barcode: "30234000000025".into() }]
        );
        let returned = ItemResult::Returned {
            routing: Routing::HoldShelf { patron_name: Some("周杰".into()) },
            queued: false,
            skip_security: false,
        };
        let effects =
            s.handle(Input::Result { barcode: "30234000000025".into(), result: returned, title: None }, t(2));
        assert!(matches!(&effects[..], [Effect::Secure { on_loan: false, .. }]));
        assert!(matches!(s.lines()[0].state, LineState::Returned { routing: Routing::HoldShelf { .. }, .. }));
        assert!(s.handle(Input::Finish, t(3)).is_empty());
        assert_eq!(s.phase(), Phase::ReceiptChoice);
        let receipt = s.receipt(t(4)).unwrap();
        assert_eq!(receipt.kind, ReceiptKind::Return);
        assert_eq!(receipt.patron, None);
        assert_eq!(receipt.items[0].status, ReceiptStatus::Returned);
        assert_eq!(
            s.handle(Input::Receipt(true), t(4)),
            [Effect::PrintReceipt(receipt), Effect::Over(EndReason::Finished)]
        );
    }

    #[test]
    fn receipt_prompt_setting_decides_whether_to_ask() {
        let lent = |prompt: ReceiptPrompt| {
            let mut s = ready(false);
            s.settings.receipt = prompt;
            s.handle(Input::Item(item("30234000000017", 1)), t(1));
            let result =
                ItemResult::Loaned { due: Some(t(99)), renewed: false, queued: true, skip_security: true };
            s.handle(
                Input::Result { barcode: "30234000000017".into(), result, title: Some("活着".into()) },
                t(2),
            );
            s
        };
        let mut always = lent(ReceiptPrompt::Always);
        let effects = always.handle(Input::Finish, t(3));
        assert!(
            matches!(&effects[0], Effect::PrintReceipt(r) if r.items[0].queued && r.kind == ReceiptKind::Loan)
        );
        assert_eq!(effects.last(), Some(&Effect::Over(EndReason::Finished)));

        let mut never = lent(ReceiptPrompt::Never);
        let effects = never.handle(Input::Finish, t(3));
        assert!(!effects.iter().any(|e| matches!(e, Effect::PrintReceipt(_))));
        assert_eq!(never.phase(), Phase::Ended(EndReason::Finished));

        let mut ask = lent(ReceiptPrompt::Ask);
        assert!(ask.handle(Input::Finish, t(3)).is_empty());
        let effects = ask.handle(Input::Receipt(false), t(4));
        assert!(!effects.iter().any(|e| matches!(e, Effect::PrintReceipt(_))));
        assert_eq!(ask.phase(), Phase::Ended(EndReason::Finished));

        // Nothing done: no question, the session just ends.
        let mut empty = ready(false);
        assert_eq!(empty.handle(Input::Finish, t(3)).last(), Some(&Effect::Over(EndReason::Finished)));
    }

    #[test]
    fn timeout_warns_then_ends_but_not_while_an_item_is_in_progress() {
        let mut s = ready(false);
        assert!(s.handle(Input::Tick, t(60)).is_empty());
        assert_eq!(s.handle(Input::Tick, t(75)), [Effect::Warn { seconds_left: 16 }]);
        assert!(s.warned());
        s.handle(Input::MoreTime, t(76));
        assert!(!s.warned());
        assert!(s.handle(Input::Tick, t(100)).is_empty());
        s.handle(Input::Item(item("30234000000041", 0)), t(101));
        assert!(s.handle(Input::Tick, t(400)).is_empty(), "the loan is still in progress");
        let loaned = ItemResult::Loaned { due: None, renewed: false, queued: true, skip_security: false };
        s.handle(Input::Result { barcode: "30234000000041".into(), result: loaned, title: None }, t(401));
        assert_eq!(
            s.handle(Input::Tick, t(402)),
            [Effect::EndPatronSession { patron: "20234000000019".into() }, Effect::Over(EndReason::TimedOut)]
        );
    }

    #[test]
    fn renewals_from_the_account() {
        let mut s = Session::new(Mode::Account, settings(false), t(0));
        s.handle(Input::Card("20234000000019".into()), t(1));
        s.handle(Input::Looked(Lookup::Found { patron: patron(vec![]), pin_ok: None }), t(2));
        let effects = s.handle(Input::Renew(vec!["30234000001064".into()]), t(3));
        assert_eq!(
            effects,
            [Effect::Renew { patron: "20234000000019".into(), barcode: "30234000001064".into() }]
        );
        s.handle(
            Input::Result {
                barcode: "30234000001064".into(),
                result: ItemResult::Refused("已达续借次数上限".into()),
                title: None,
            },
            t(4),
        );
        assert_eq!(s.lines()[0].state, LineState::Refused("已达续借次数上限".into()));
    }

    #[test]
    fn unknown_cards_go_back_to_identify() {
        let mut s = Session::new(Mode::Borrow, settings(false), t(0));
        s.handle(Input::Card("29999999999999".into()), t(1));
        s.handle(Input::Looked(Lookup::Unknown), t(2));
        assert_eq!(s.phase(), Phase::Identify);
        assert_eq!(s.unavailable(), Some("unknown card"));
    }
}
