//! Diagnostics mode for technicians: entered with a technician card and PIN, never shown
//! to the public. One page per concern — overview, scanner test, RFID inspector, printer,
//! library system, queue, logs, configuration, support bundle — under a row of tabs.
//!
//! The state and its update live here; the app hands in a [`Context`] (devices, the
//! library system, the overview it keeps) and carries out the returned task. Every action
//! that changes something is audited.

mod pages;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDateTime;
use iced::Task;
use kiosk_core::Config;
use kiosk_core::diagnostics::{EntryGate, EntryOutcome, LogLevelFilter, LogLine, Overview, QueueDesk};
use kiosk_core::station::Station;
use kiosk_core::station::stats::{self, Period, Stats};
use kiosk_core::store::{AuditEntry, JournalEntry, JournalId, Store};
use kiosk_hardware::barcode::Symbology;
use kiosk_hardware::device::{Command, DeviceHandle, TagReport};
use kiosk_hardware::tag::iso15693::Uid;
use kiosk_sip2::client::ClientConfig;

use crate::commands::hardware::ScanCheck;

pub use pages::view;

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
    /// The overview as the app sees it now.
    pub overview: Overview,
    /// The ESC/POS bytes of a test receipt, ready to print.
    pub test_receipt: Vec<u8>,
    /// The ESC/POS bytes of the last receipt printed for a visitor.
    pub last_receipt: Option<Vec<u8>>,
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
                self.note =
                    crate::screens::diag::pages::preset_note_text(key, context.config.terminal.language);
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
                self.overview = Some(context.overview.clone());
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
                let language = context.config.terminal.language;
                let words = |key: &str, args: &[(&str, fluent_bundle::FluentValue<'_>)]| {
                    kiosk_core::i18n::Localizer::new().format(language, key, args)
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

    fn tag_action(&mut self, action: TagAction, context: &Context) -> Task<Message> {
        let Some(pad) = context.pad.clone() else {
            self.notice = Some(Notice { text: "no RFID reader is configured".into(), ok: false });
            return Task::none();
        };
        let current_memory = self
            .tags
            .iter()
            .find(|t| t.uid == action_uid(&action))
            .map(|t| t.memory.clone())
            .unwrap_or_default();
        // Only a tag with no owner of its own (blank, unreadable) gets this one: the
        // institution id as a Chinese ISIL.
        let owner = format!("CN-{}", context.config.ils.institution_id);
        let actor = self.actor.clone();
        let now = context.now;
        let config = context.config.clone();
        self.busy = true;
        Task::perform(
            async move {
                let (name, detail, result) = match &action {
                    TagAction::Secure(uid) | TagAction::Unsecure(uid) => {
                        let on_loan = matches!(action, TagAction::Unsecure(_));
                        let (reply, answer) = std::sync::mpsc::channel();
                        pad.send(Command::Secure { uids: vec![*uid], on_loan, reply });
                        let answer = wait(answer).await;
                        let name = if on_loan { "tag.unsecure" } else { "tag.secure" };
                        let result = match answer {
                            Ok(Ok(())) => {
                                Ok(format!("{uid}: {}", if on_loan { "unsecured" } else { "secured" }))
                            }
                            Ok(Err(failed)) => Err(failed
                                .into_iter()
                                .map(|(u, why)| format!("{u}: {why}"))
                                .collect::<Vec<_>>()
                                .join("; ")),
                            Err(why) => Err(why),
                        };
                        (name, uid.to_string(), result)
                    }
                    TagAction::Reencode(uid, barcode) => {
                        let detail = format!("{uid} → {barcode}");
                        let length = (!current_memory.is_empty()).then_some(current_memory.len());
                        match kiosk_hardware::tag::reencode(&current_memory, barcode, Some(&owner), length) {
                            Ok(memory) => {
                                let (reply, answer) = std::sync::mpsc::channel();
                                pad.send(Command::WriteTag { uid: *uid, memory, reply });
                                let result = match wait(answer).await {
                                    Ok(Ok(())) => Ok(format!(
                                        "{uid}: now carries {barcode}; lift it and put it back to read it again"
                                    )),
                                    Ok(Err(why)) | Err(why) => Err(format!("{uid}: {why}")),
                                };
                                ("tag.reencode", detail, result)
                            }
                            Err(error) => ("tag.reencode", detail, Err(error.to_string())),
                        }
                    }
                };
                let outcome = if result.is_ok() { "done" } else { "failed" };
                let audited = blocking_store(&config, move |store| {
                    audit(store, &actor, now, name, format!("{detail}: {outcome}"))
                })
                .await;
                Finished::Tag(audited.and(result))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn test_print(&mut self, context: &Context) -> Task<Message> {
        let Some(printer) = context.printer.clone() else {
            self.notice = Some(Notice { text: "no receipt printer is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let bytes = context.test_receipt.clone();
        self.receipt_preview = Some(preview(&bytes, &context.config));
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let (reply, answer) = std::sync::mpsc::channel();
                printer.send(Command::Print { bytes, reply });
                let (result, status) = match wait(answer).await {
                    Ok(Ok(status)) => {
                        (Ok(format!("printed; {}", status_words(&status))), Some(status_words(&status)))
                    }
                    Ok(Err(error)) => (Err(error.to_string()), None),
                    Err(why) => (Err(why), None),
                };
                let outcome = match &result {
                    Ok(_) => "printed".to_string(),
                    Err(why) => why.clone(),
                };
                let audited =
                    blocking_store(&config, move |store| audit(store, &actor, now, "printer.test", outcome))
                        .await;
                Finished::Printed(audited.and(result), status)
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn ils_status(&mut self, context: &Context) -> Task<Message> {
        let Some(client) = context.ils.clone() else {
            self.ils_report = Some("no library system is configured".into());
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let started = std::time::Instant::now();
                let result = crate::commands::ils::status((*client).clone(), false).await;
                let ms = started.elapsed().as_millis() as u64;
                let detail = if result.is_ok() { format!("{ms} ms") } else { "failed".into() };
                let _ = blocking_store(&config, move |store| audit(store, &actor, now, "ils.check", detail))
                    .await;
                Finished::Ils(
                    "login + status".into(),
                    result.map(|text| (text, ms)).map_err(|e| format!("{e:#}")),
                )
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn ils_lookup(&mut self, code: String, context: &Context) -> Task<Message> {
        let Some(client) = context.ils.clone() else { return Task::none() };
        self.busy = true;
        let config = context.config.clone();
        let patron = code.starts_with('2');
        Task::perform(
            async move {
                let started = std::time::Instant::now();
                let result = if patron {
                    crate::commands::ils::patron((*client).clone(), &config, &code, None, false).await
                } else {
                    crate::commands::ils::item((*client).clone(), &config, &code, false).await
                };
                let ms = started.elapsed().as_millis() as u64;
                let what = if patron {
                    format!("patron {}", kiosk_core::mask::identifier(&code))
                } else {
                    format!("item {code}")
                };
                Finished::Ils(what, result.map(|text| (text, ms)).map_err(|e| format!("{e:#}")))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn load_queue(&mut self, context: &Context, notice: Option<Notice>) -> Task<Message> {
        Task::perform(
            blocking_store(&context.config, |store| Ok(QueueDesk::new(store).open_rows(500)?)),
            move |rows| Message::Finished(Box::new(Finished::Queue(rows, notice.clone()))),
        )
    }

    fn queue_action(&mut self, action: QueueAction, context: &Context) -> Task<Message> {
        let Some(id) = self.selected_row else { return Task::none() };
        let note = self.note.clone();
        let (actor, now) = (self.actor.clone(), context.now);
        let language = context.config.terminal.language;
        if action == QueueAction::Resolve && note.trim().is_empty() {
            self.notice = Some(Notice { text: pages::words(language, "diag-queue-note-needed"), ok: false });
            return Task::none();
        }
        self.busy = true;
        self.note.clear();
        store_task(&context.config, move |store| {
            let desk = QueueDesk::new(store);
            let result = match action {
                QueueAction::Retry => desk.retry(id, &actor, now),
                QueueAction::Resolve => desk.resolve(id, &note, &actor, now),
            };
            let notice = match result {
                Ok(()) => Notice {
                    text: pages::words(
                        language,
                        if action == QueueAction::Retry {
                            "diag-queue-retried"
                        } else {
                            "diag-queue-resolved"
                        },
                    ),
                    ok: true,
                },
                Err(error) => Notice { text: format!("{id}: {error}"), ok: false },
            };
            Ok(Finished::Queue(Ok(desk.open_rows(500)?), Some(notice)))
        })
    }

    /// One forwarding pass now, as the sync worker would do on its next round.
    fn send_now(&mut self, context: &Context) -> Task<Message> {
        let Some(circulation) = context.circulation.clone() else {
            self.notice = Some(Notice { text: "no library system is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let report = circulation.lock().await.sync_once(now).await;
                let notice = match &report {
                    Ok(report) => Notice {
                        text: format!(
                            "accepted {}, refused {}, settled {}, still queued {}{}",
                            report.accepted,
                            report.rejected,
                            report.resolved,
                            report.remaining,
                            report
                                .stopped
                                .as_deref()
                                .map(|why| format!(" (stopped: {why})"))
                                .unwrap_or_default()
                        ),
                        ok: report.stopped.is_none(),
                    },
                    Err(error) => Notice { text: format!("{error:#}"), ok: false },
                };
                let detail = notice.text.clone();
                let rows = blocking_store(&config, move |store| {
                    audit(store, &actor, now, "queue.send", detail)?;
                    Ok(QueueDesk::new(store).open_rows(500)?)
                })
                .await;
                Finished::Queue(rows, Some(notice))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn export_queue(&mut self, context: &Context) -> Task<Message> {
        let folder = bundle_targets(&context.config).into_iter().next();
        let (actor, now) = (self.actor.clone(), context.now);
        self.busy = true;
        store_task(&context.config, move |store| {
            let folder = folder.ok_or_else(|| anyhow::anyhow!("no folder to write to"))?;
            std::fs::create_dir_all(&folder)?;
            let path = folder.join(format!("kiosk-queue-{}.csv", now.format("%Y%m%d-%H%M%S")));
            std::fs::write(&path, QueueDesk::new(store).export_csv()?)?;
            audit(store, &actor, now, "queue.export", path.display().to_string())?;
            Ok(Finished::Done(Notice { text: format!("→ {}", path.display()), ok: true }))
        })
    }

    fn load_logs(&mut self, context: &Context) -> Task<Message> {
        let dir = context.config.storage.resolved_data_dir().join("logs");
        let level = self.log_level;
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || kiosk_core::diagnostics::logs::tail(&dir, level, 500))
                    .await
                    .unwrap_or_default()
            },
            |lines| Message::Finished(Box::new(Finished::Logs(lines))),
        )
    }

    fn load_station(&mut self, context: &Context) -> Task<Message> {
        let (period, now, config) = (self.period, context.now, context.config.clone());
        let today = now.date();
        Task::perform(
            blocking_store(&context.config, move |store| {
                Station::open(store, &config.station)?.close_expired(now)?;
                let chosen = stats::for_period(store, &config.station, period, today)?;
                let month = stats::last_days(store, &config.station, today, 30)?;
                Ok(Box::new((chosen, month)))
            }),
            |result| Message::Finished(Box::new(Finished::Station(result))),
        )
    }

    fn print_summary(&mut self, context: &Context) -> Task<Message> {
        let Some(printer) = context.printer.clone() else {
            self.notice = Some(Notice { text: "no receipt printer is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        let language = context.language;
        Task::perform(
            async move {
                let config_for_stats = config.clone();
                let stats = blocking_store(&config, move |store| {
                    Ok(stats::for_period(store, &config_for_stats.station, Period::Day, now.date())?)
                })
                .await;
                let stats = match stats {
                    Ok(stats) => stats,
                    Err(error) => return Finished::Printed(Err(error), None),
                };
                let bytes = crate::runtime::receipt::station_summary(
                    &stats,
                    &config,
                    &kiosk_core::i18n::Localizer::new(),
                    language,
                    now,
                );
                let (reply, answer) = std::sync::mpsc::channel();
                printer.send(Command::Print { bytes, reply });
                let result = match wait(answer).await {
                    Ok(Ok(status)) => Ok(format!("printed; {}", status_words(&status))),
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(why) => Err(why),
                };
                let outcome = result.clone().unwrap_or_else(|why| why);
                let audited = blocking_store(&config, move |store| {
                    audit(store, &actor, now, "station.summary", outcome)
                })
                .await;
                Finished::Printed(audited.and(result), None)
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    fn write_bundle(&mut self, folder: PathBuf, context: &Context) -> Task<Message> {
        self.busy = true;
        let overview = context.overview.clone();
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        store_task(&context.config, move |store| {
            std::fs::create_dir_all(&folder)?;
            let summary =
                crate::runtime::diagnostics::write_bundle(&folder, &config, store, &overview, &actor, now)?;
            Ok(Finished::Done(Notice {
                text: format!(
                    "→ {} ({})",
                    summary.path.display(),
                    kiosk_core::diagnostics::overview::bytes(summary.bytes)
                ),
                ok: true,
            }))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueueAction {
    Retry,
    Resolve,
}

fn action_uid(action: &TagAction) -> Uid {
    match action {
        TagAction::Secure(uid) | TagAction::Unsecure(uid) | TagAction::Reencode(uid, _) => *uid,
    }
}

fn audit(store: &Store, actor: &str, at: NaiveDateTime, action: &str, detail: String) -> anyhow::Result<()> {
    store.audit(&AuditEntry { at, actor: actor.into(), action: action.into(), detail })?;
    Ok(())
}

/// Runs `work` on the kiosk's database off the UI thread.
fn blocking_store<T: Send + 'static>(
    config: &Config,
    work: impl FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
) -> impl std::future::Future<Output = Result<T, String>> + Send + 'static {
    let dir = config.storage.resolved_data_dir();
    async move {
        tokio::task::spawn_blocking(move || {
            let store = Store::open_in(&dir)?;
            work(&store)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{e:#}"))
    }
}

/// A task running `work` on the database; an error becomes a notice.
fn store_task(
    config: &Config,
    work: impl FnOnce(&Store) -> anyhow::Result<Finished> + Send + 'static,
) -> Task<Message> {
    Task::perform(blocking_store(config, work), |result| {
        Message::Finished(Box::new(result.unwrap_or_else(|text| Finished::Done(Notice { text, ok: false }))))
    })
}

/// Waits for a device's answer without holding up the runtime.
async fn wait<T: Send + 'static>(answer: std::sync::mpsc::Receiver<T>) -> Result<T, String> {
    tokio::task::spawn_blocking(move || answer.recv_timeout(std::time::Duration::from_secs(20)))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the device did not answer".to_string())
}

/// A printer status in words.
pub fn status_words(status: &kiosk_hardware::escpos::PrinterStatus) -> String {
    let problems = status.describe();
    if problems.is_empty() { "ready, paper ok".into() } else { problems.join(", ") }
}

/// A receipt's ESC/POS bytes drawn as the printer would print them.
fn preview(bytes: &[u8], config: &Config) -> iced::widget::image::Handle {
    let paper = kiosk_hardware::escpos::PaperWidth::from_mm(config.receipt.paper_width_mm)
        .unwrap_or(kiosk_hardware::escpos::PaperWidth::Mm80);
    let picture = kiosk_hardware::escpos::render::render(bytes, paper).image;
    let (width, height) = picture.dimensions();
    let rgba = picture.pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect::<Vec<u8>>();
    iced::widget::image::Handle::from_rgba(width, height, rgba)
}

/// Folders a support bundle can be written to: mounted USB sticks first, then the data
/// directory's `support` folder.
pub fn bundle_targets(config: &Config) -> Vec<PathBuf> {
    let mut targets = Vec::new();
    for base in ["/media", "/run/media"] {
        let Ok(users) = std::fs::read_dir(base) else { continue };
        for user in users.filter_map(Result::ok) {
            let Ok(media) = std::fs::read_dir(user.path()) else { continue };
            targets.extend(media.filter_map(Result::ok).map(|m| m.path()).filter(|p| p.is_dir()));
        }
    }
    targets.sort();
    targets.push(config.storage.resolved_data_dir().join("support"));
    targets
}
