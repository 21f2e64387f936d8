//! Diagnostics mode for technicians: entered with a technician card and PIN, never shown
//! to the public. One page per concern — overview, scanner test, RFID inspector, printer,
//! library system, queue, logs, configuration, support bundle — under a row of tabs.
//!
//! The state and its update live here; the app hands in a [`Context`] (devices, the
//! library system, the overview it keeps) and carries out the returned task. Every action
//! that changes something is audited.

mod pages;
mod work;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDateTime;
use iced::Task;
use kiosk_core::Config;
use kiosk_core::diagnostics::{EntryGate, EntryOutcome, LogLevelFilter, LogLine, Overview};
use kiosk_core::station::stats::{Period, Stats};
use kiosk_core::store::{JournalEntry, JournalId};
use kiosk_hardware::barcode::Symbology;
use kiosk_hardware::device::{DeviceHandle, TagReport};
use kiosk_hardware::tag::iso15693::Uid;
use kiosk_sip2::client::ClientConfig;

use crate::commands::hardware::ScanCheck;

pub use pages::view;
pub use work::{bundle_targets, status_words};

use work::{QueueAction, audit, blocking_store, preview, store_task};

/// The demo's technician card and PIN: only in demo mode, when no card is configured.
pub const DEMO_TECHNICIAN_CARD: &str = "T20260001";
/// The demo technician PIN.
pub const DEMO_TECHNICIAN_PIN: &str = "2580";

/// Diagnostics leaves by itself after this long without a touch, so a forgotten session
/// does not leave the machine to the public in technician mode.
pub const IDLE_LIMIT: chrono::Duration = chrono::Duration::minutes(5);

/// Diagnostics pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// Devices, library system, queue, disk.
    Overview,
    /// Live scans.
    Scanner,
    /// Tags on the pad.
    Rfid,
    /// Printer status and test receipt.
    Printer,
    /// The library system.
    Ils,
    /// The transaction queue.
    Queue,
    /// The log tail.
    Logs,
    /// The configuration in effect.
    Config,
    /// The support bundle.
    Bundle,
    /// Rest-station statistics.
    Station,
}

impl Page {
    /// Every page, in tab order.
    pub const ALL: [Page; 10] = [
        Page::Overview,
        Page::Scanner,
        Page::Rfid,
        Page::Printer,
        Page::Ils,
        Page::Queue,
        Page::Logs,
        Page::Config,
        Page::Bundle,
        Page::Station,
    ];

    /// The Fluent key of the tab's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Page::Overview => "diag-tab-overview",
            Page::Scanner => "diag-tab-scanner",
            Page::Rfid => "diag-tab-rfid",
            Page::Printer => "diag-tab-printer",
            Page::Ils => "diag-tab-ils",
            Page::Queue => "diag-tab-queue",
            Page::Logs => "diag-tab-logs",
            Page::Config => "diag-tab-config",
            Page::Bundle => "diag-tab-bundle",
            Page::Station => "diag-tab-station",
        }
    }
}

/// A tag action that needs the technician's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagAction {
    /// Set the in-library security state.
    Secure(Uid),
    /// Set the on-loan security state.
    Unsecure(Uid),
    /// Write new data carrying this barcode.
    Reencode(Uid, String),
}

/// One scan on the scanner test page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRow {
    /// When.
    pub at: NaiveDateTime,
    /// What the site rules make of it.
    pub check: ScanCheck,
}

/// One exchange with the library system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTrip {
    /// When.
    pub at: NaiveDateTime,
    /// What was asked.
    pub what: String,
    /// Milliseconds, or why it failed.
    pub result: Result<u64, String>,
}

/// Where entry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Typing the PIN.
    Pin {
        /// Digits typed.
        typed: String,
        /// What the last attempt came to, in words.
        notice: Option<String>,
        /// The attempt is being checked.
        checking: bool,
    },
    /// Inside.
    Open,
}

/// What the last action came to, for a line at the top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The words.
    pub text: String,
    /// Whether it went well.
    pub ok: bool,
}

/// Results of work done off the UI thread.
#[derive(Debug, Clone)]
pub enum Finished {
    /// A PIN attempt.
    Entry(Result<EntryOutcome, String>),
    /// The queue, after an action (with what the action came to).
    Queue(Result<Vec<JournalEntry>, String>, Option<Notice>),
    /// The journal's counts, for the overview.
    Counts(Result<kiosk_core::store::JournalCounts, String>),
    /// The log tail.
    Logs(Vec<LogLine>),
    /// A library system exchange: what, the answer as text, milliseconds.
    Ils(String, Result<(String, u64), String>),
    /// A test receipt: what came of it, and the printer's status in words when it answered.
    Printed(Result<String, String>, Option<String>),
    /// A tag action.
    Tag(Result<String, String>),
    /// Something with a plain result (bundle, export, audit).
    Done(Notice),
    /// Rest-station statistics: the period chosen and the last 30 days.
    Station(Result<Box<(Stats, Stats)>, String>),
}

/// What the diagnostics screens send.
#[derive(Debug, Clone)]
pub enum Message {
    /// A PIN digit.
    Digit(char),
    /// Delete a PIN digit.
    Backspace,
    /// Check the PIN.
    SubmitPin,
    /// Leave diagnostics.
    Leave,
    /// Show a page.
    Show(Page),
    /// Show this page of a long list.
    ListPage(usize),
    /// Inspect the tag at this index.
    SelectTag(usize),
    /// Ask to do something to a tag.
    Ask(TagAction),
    /// Do what was asked.
    Confirm,
    /// Do not.
    Cancel,
    /// Print a test receipt.
    TestPrint,
    /// Log in and ask the library system for its status.
    CheckIls,
    /// Look up the last scanned code at the library system.
    LookUp(String),
    /// Select a queue row.
    SelectRow(JournalId),
    /// The resolution note, as typed.
    Note(String),
    /// A ready-made resolution note (a Fluent key).
    PresetNote(&'static str),
    /// Put the selected refused row back in the queue.
    Retry,
    /// Mark the selected refused row as dealt with.
    Resolve,
    /// Export the queue as CSV.
    ExportQueue,
    /// Send the waiting transactions to the library system now.
    SendNow,
    /// Show log entries at or above a level.
    Level(LogLevelFilter),
    /// Write the support bundle to this folder.
    WriteBundle(PathBuf),
    /// Show rest-station statistics for this period.
    Period(Period),
    /// Print the day's rest-station summary.
    PrintSummary,
    /// Work done off the UI thread.
    Finished(Box<Finished>),
}

impl Message {
    /// Whether handling this message looks at the overview: opening its page (also right
    /// after the PIN is accepted) and writing the support bundle.
    pub fn needs_overview(&self) -> bool {
        match self {
            Message::Show(Page::Overview) | Message::WriteBundle(_) => true,
            Message::Finished(finished) => matches!(**finished, Finished::Entry(_)),
            _ => false,
        }
    }
}

/// What the app hands in for an update.
pub struct Context {
    /// The configuration.
    pub config: Arc<Config>,
    /// The time now.
    pub now: NaiveDateTime,
    /// The receipt printer.
    pub printer: Option<DeviceHandle>,
    /// The RFID pad.
    pub pad: Option<DeviceHandle>,
    /// The library system.
    pub ils: Option<Arc<ClientConfig>>,
    /// The overview as the app sees it now, for the messages that need one
    /// ([`Message::needs_overview`]; it reads the disk's free space).
    pub overview: Option<Overview>,
    /// The kiosk's texts, for notices and printouts.
    pub localizer: Arc<kiosk_core::i18n::Localizer>,
    /// The ESC/POS bytes of the last receipt printed for a visitor.
    pub last_receipt: Option<Vec<u8>>,
    /// The printer's last reported status, in words (it reports every change).
    pub printer_status: Option<String>,
    /// The language on screen (printouts follow it).
    pub language: kiosk_core::config::Language,
    /// The kiosk's circulation, to send the queue now.
    pub circulation: Option<crate::runtime::sync::SharedCirculation>,
}

/// The diagnostics state.
#[derive(Debug, Clone)]
pub struct Diag {
    /// Who is in: `card ****0001`.
    pub actor: String,
    /// Entry.
    pub stage: Stage,
    /// The page showing.
    pub page: Page,
    /// What the last action came to.
    pub notice: Option<Notice>,
    /// Work is under way.
    pub busy: bool,
    /// The overview, refreshed when its page opens.
    pub overview: Option<Overview>,
    /// Scans, newest first.
    pub scans: Vec<ScanRow>,
    /// Tags on the pad.
    pub tags: Vec<TagReport>,
    /// The tag being inspected.
    pub selected_tag: usize,
    /// A tag action waiting for confirmation.
    pub confirm: Option<TagAction>,
    /// The printer's last status, in words.
    pub printer_status: Option<String>,
    /// The last receipt as the printer would print it.
    pub receipt_preview: Option<iced::widget::image::Handle>,
    /// The library system's last status answer, as text.
    pub ils_report: Option<String>,
    /// Exchanges with the library system, newest first.
    pub ils_history: Vec<RoundTrip>,
    /// Open queue rows.
    pub queue: Vec<JournalEntry>,
    /// The selected row.
    pub selected_row: Option<JournalId>,
    /// The resolution note.
    pub note: String,
    /// The log level shown.
    pub log_level: LogLevelFilter,
    /// The log tail.
    pub logs: Vec<LogLine>,
    /// The page of a long list.
    pub list_page: usize,
    /// Folders a bundle can go to (USB sticks first).
    pub bundle_targets: Vec<PathBuf>,
    /// The rest-station statistics period shown.
    pub period: Period,
    /// Statistics for that period and for the last 30 days.
    pub station_stats: Option<Box<(Stats, Stats)>>,
    /// The last touch, for leaving by itself.
    pub last_touch: NaiveDateTime,
}

/// Keeps the scanner page's list short.
const SCANS_KEPT: usize = 50;

impl Diag {
    /// Diagnostics asking for the PIN of the technician whose card was scanned.
    pub fn new(card: &str, now: NaiveDateTime) -> Diag {
        Diag {
            actor: format!("card {}", kiosk_core::mask::identifier(card)),
            stage: Stage::Pin { typed: String::new(), notice: None, checking: false },
            page: Page::Overview,
            notice: None,
            busy: false,
            overview: None,
            scans: Vec::new(),
            tags: Vec::new(),
            selected_tag: 0,
            confirm: None,
            printer_status: None,
            receipt_preview: None,
            ils_report: None,
            ils_history: Vec::new(),
            queue: Vec::new(),
            selected_row: None,
            note: String::new(),
            log_level: LogLevelFilter::Info,
            logs: Vec::new(),
            list_page: 0,
            bundle_targets: Vec::new(),
            period: Period::Day,
            station_stats: None,
            last_touch: now,
        }
    }

    /// Whether the PIN was accepted.
    pub fn is_open(&self) -> bool {
        self.stage == Stage::Open
    }

    /// A scan while diagnostics is open: shown on the scanner page; on the RFID page it
    /// offers re-encoding the selected tag; on the library system page it is looked up.
    pub fn on_scan(
        &mut self,
        text: &str,
        symbology: Symbology,
        technicians: &[String],
        now: NaiveDateTime,
    ) -> Option<Message> {
        let check = crate::commands::hardware::check_scan(text, symbology, technicians);
        let code = check.code.clone();
        let kind = check.kind;
        self.scans.insert(0, ScanRow { at: now, check });
        self.scans.truncate(SCANS_KEPT);
        match self.page {
            Page::Rfid if kind == "item" => {
                let uid = self.tags.get(self.selected_tag).map(|t| t.uid)?;
                self.confirm = Some(TagAction::Reencode(uid, code));
                None
            }
            Page::Ils if kind == "item" || kind == "patron card" => Some(Message::LookUp(code)),
            _ => None,
        }
    }

    /// Tags arrived on the pad.
    pub fn on_tags(&mut self, tags: &[TagReport]) {
        for tag in tags {
            self.tags.retain(|t| t.uid != tag.uid);
            self.tags.push(tag.clone());
        }
    }

    /// Tags left the pad.
    pub fn on_tags_gone(&mut self, uids: &[Uid]) {
        self.tags.retain(|t| !uids.contains(&t.uid));
        self.selected_tag = self.selected_tag.min(self.tags.len().saturating_sub(1));
        if let Some(TagAction::Secure(uid) | TagAction::Unsecure(uid) | TagAction::Reencode(uid, _)) =
            &self.confirm
            && uids.contains(uid)
        {
            self.confirm = None;
        }
    }

    /// The printer reported its status.
    pub fn on_printer_status(&mut self, words: String) {
        self.printer_status = Some(words);
    }

    /// Handles a message; `true` in the second place means: leave diagnostics.
    pub fn update(&mut self, message: Message, context: Context) -> (Task<Message>, bool) {
        if !matches!(message, Message::Finished(_)) {
            self.last_touch = context.now;
        }
        if let Message::Finished(finished) = message {
            return (self.finished(*finished, &context), false);
        }
        if let Stage::Pin { typed, checking, .. } = &mut self.stage {
            match message {
                Message::Digit(digit) if typed.len() < 12 && !*checking => typed.push(digit),
                Message::Backspace => {
                    typed.pop();
                }
                Message::SubmitPin if !typed.is_empty() && !*checking => {
                    *checking = true;
                    let pin = std::mem::take(typed);
                    return (self.check_pin(pin, &context), false);
                }
                Message::Leave => return (Task::none(), true),
                _ => {}
            }
            return (Task::none(), false);
        }
        let task = match message {
            Message::Leave => {
                let actor = self.actor.clone();
                let now = context.now;
                return (
                    store_task(&context.config, move |store| {
                        audit(store, &actor, now, "diagnostics.leave", String::new())?;
                        Ok(Finished::Done(Notice { text: String::new(), ok: true }))
                    }),
                    true,
                );
            }
            Message::Show(page) => {
                self.page = page;
                self.list_page = 0;
                self.notice = None;
                self.confirm = None;
                self.open_page(&context)
            }
            Message::ListPage(page) => {
                self.list_page = page;
                Task::none()
            }
            Message::SelectTag(index) => {
                self.selected_tag = index;
                self.confirm = None;
                Task::none()
            }
            Message::Ask(action) => {
                self.confirm = Some(action);
                Task::none()
            }
            Message::Cancel => {
                self.confirm = None;
                Task::none()
            }
            Message::Confirm => match self.confirm.take() {
                Some(action) => self.tag_action(action, &context),
                None => Task::none(),
            },
            Message::TestPrint => self.test_print(&context),
            Message::CheckIls => self.ils_status(&context),
            Message::LookUp(code) => self.ils_lookup(code, &context),
            Message::SelectRow(id) => {
                self.selected_row = Some(id);
                Task::none()
            }
            Message::Note(note) => {
                self.note = note.chars().take(200).collect();
                Task::none()
            }
            Message::PresetNote(key) => {
                // Notes are kept in the terminal's language, whoever reads them later.
                self.note = context.localizer.text(context.config.terminal.language, key);
                Task::none()
            }
            Message::Retry => self.queue_action(QueueAction::Retry, &context),
            Message::Resolve => self.queue_action(QueueAction::Resolve, &context),
            Message::ExportQueue => self.export_queue(&context),
            Message::SendNow => self.send_now(&context),
            Message::Level(level) => {
                self.log_level = level;
                self.list_page = 0;
                self.load_logs(&context)
            }
            Message::WriteBundle(folder) => self.write_bundle(folder, &context),
            Message::Period(period) => {
                self.period = period;
                self.load_station(&context)
            }
            Message::PrintSummary => self.print_summary(&context),
            Message::Digit(_) | Message::Backspace | Message::SubmitPin | Message::Finished(_) => {
                Task::none()
            }
        };
        (task, false)
    }

    fn check_pin(&mut self, pin: String, context: &Context) -> Task<Message> {
        let configured = context.config.diagnostics.technician_pin_hash.clone();
        let demo = context.config.is_demo() && context.config.diagnostics.technician_cards.is_empty();
        let actor = self.actor.clone();
        let now = context.now;
        store_task(&context.config, move |store| {
            let hash = match configured {
                Some(hash) => Some(hash),
                None if demo => Some(kiosk_core::pin::hash(DEMO_TECHNICIAN_PIN)?),
                None => None,
            };
            let outcome = EntryGate::new(store, hash.as_deref()).attempt(&actor, &pin, now)?;
            Ok(Finished::Entry(Ok(outcome)))
        })
    }

    /// Loads what a page shows when it opens.
    fn open_page(&mut self, context: &Context) -> Task<Message> {
        match self.page {
            Page::Overview => {
                if let Some(overview) = &context.overview {
                    self.overview = Some(overview.clone());
                }
                // The queue's counts come from the journal itself: refused rows included.
                Task::perform(
                    blocking_store(&context.config, |store| Ok(store.journal_counts()?)),
                    |counts| Message::Finished(Box::new(Finished::Counts(counts))),
                )
            }
            Page::Queue => self.load_queue(context, None),
            Page::Logs => self.load_logs(context),
            Page::Bundle => {
                self.bundle_targets = bundle_targets(&context.config);
                Task::none()
            }
            Page::Printer => {
                if self.printer_status.is_none() {
                    self.printer_status = context.printer_status.clone();
                }
                if let Some(bytes) = &context.last_receipt {
                    self.receipt_preview = Some(preview(bytes, &context.config));
                }
                Task::none()
            }
            Page::Station => self.load_station(context),
            Page::Scanner | Page::Rfid | Page::Ils | Page::Config => Task::none(),
        }
    }

    fn finished(&mut self, finished: Finished, context: &Context) -> Task<Message> {
        self.busy = false;
        match finished {
            Finished::Entry(result) => {
                let words = |key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]| {
                    context.localizer.format(context.language, key, args)
                };
                let notice = match result {
                    Ok(EntryOutcome::Granted) => {
                        self.stage = Stage::Open;
                        return self.open_page(context);
                    }
                    Ok(EntryOutcome::Wrong { left }) => {
                        words("diag-pin-wrong", &[("left", fluent_bundle::FluentValue::from(left))])
                    }
                    Ok(EntryOutcome::Locked { until }) => words(
                        "diag-pin-locked",
                        &[("time", fluent_bundle::FluentValue::from(until.format("%H:%M").to_string()))],
                    ),
                    Ok(EntryOutcome::NotConfigured) => words("diag-not-configured", &[]),
                    Err(error) => error,
                };
                self.stage = Stage::Pin { typed: String::new(), notice: Some(notice), checking: false };
            }
            Finished::Queue(rows, notice) => {
                match rows {
                    Ok(rows) => {
                        if self.selected_row.is_some_and(|id| !rows.iter().any(|r| r.id == id)) {
                            self.selected_row = None;
                        }
                        self.queue = rows;
                    }
                    Err(error) => self.notice = Some(Notice { text: error, ok: false }),
                }
                if notice.is_some() {
                    self.notice = notice;
                }
            }
            Finished::Counts(Ok(counts)) => {
                if let Some(overview) = &mut self.overview {
                    overview.queue = counts.into();
                }
            }
            Finished::Counts(Err(error)) => self.notice = Some(Notice { text: error, ok: false }),
            Finished::Logs(lines) => self.logs = lines,
            Finished::Ils(what, result) => {
                let at = context.now;
                match result {
                    Ok((text, ms)) => {
                        self.ils_history.insert(0, RoundTrip { at, what, result: Ok(ms) });
                        self.ils_report = Some(text);
                    }
                    Err(error) => {
                        self.ils_history.insert(0, RoundTrip { at, what, result: Err(error.clone()) });
                        self.ils_report = Some(error);
                    }
                }
                self.ils_history.truncate(20);
            }
            Finished::Printed(result, status) => {
                if status.is_some() {
                    self.printer_status = status;
                }
                self.notice = Some(match result {
                    Ok(text) => Notice { text, ok: true },
                    Err(text) => Notice { text, ok: false },
                });
            }
            Finished::Tag(result) => {
                self.notice = Some(match result {
                    Ok(text) => Notice { text, ok: true },
                    Err(text) => Notice { text, ok: false },
                });
            }
            Finished::Station(result) => match result {
                Ok(stats) => self.station_stats = Some(stats),
                Err(text) => self.notice = Some(Notice { text, ok: false }),
            },
            Finished::Done(notice) => {
                if !notice.text.is_empty() {
                    self.notice = Some(notice);
                }
            }
        }
        Task::none()
    }
}
