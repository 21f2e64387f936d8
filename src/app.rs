//! The iced application: state, messages, update, view and subscriptions.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, NaiveDateTime, Timelike};
use iced::widget::{column, container};
use iced::{Element, Length, Subscription, Task, Theme};
use kiosk_core::Config;
use kiosk_core::circulation::session::{Effect, Input, Mode, Phase, Session, Settings};
use kiosk_core::config::{Language, Role};
use kiosk_core::diagnostics::{DeviceHealth, DeviceRecord, IlsSnapshot, Overview};
use kiosk_core::i18n::Localizer;
use kiosk_hardware::barcode::BarcodeRules;
use kiosk_hardware::device::DeviceKind;

use crate::runtime::devices::{self as device_runtime, Devices};
use crate::runtime::intake::{self, Intake};
use crate::runtime::session::{PadSecurity, SessionRunner};
use crate::runtime::sync::{self as sync_runtime, SharedCirculation, SyncStatus, SyncWorker};
use crate::screens::diag::{self, Diag};
use crate::screens::station::{self, StationDesk};
use crate::screens::visit::{self, Printing, Visit};
use crate::screens::{attract, home};
use crate::theme::{Look, Sizes};
use crate::ui::Ui;
use crate::widgets::demo_tray;
use crate::widgets::status_bar::{self, BarMessage, Network, Status};

/// Start-up choices that override the configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The language to start in.
    pub language: Option<Language>,
    /// Fullscreen or windowed.
    pub fullscreen: Option<bool>,
}

/// Background services the app talks to.
#[derive(Clone, Default)]
pub struct Services {
    /// The ILS heartbeat and journal forwarding; `None` leaves the network state unknown (tests).
    pub sync: Option<SyncWorker>,
    /// The devices; `None` in tests that drive the screens directly.
    pub devices: Option<Devices>,
    /// Journal-first circulation, shared with the sync worker; `None` in screen-only tests.
    pub circulation: Option<SharedCirculation>,
    /// The clock visits run on; `None` is the local wall clock (tests fix it).
    pub clock: Option<fn() -> NaiveDateTime>,
    /// The library system for diagnostics when there is no sync worker (tests).
    pub ils: Option<Arc<kiosk_sip2::client::ClientConfig>>,
    /// Disk space for the overview; `None` reads the data directory's file system (tests fix it).
    pub disk: Option<fn() -> Option<kiosk_core::diagnostics::overview::DiskSnapshot>>,
}

/// One session input carried out against the library system.
#[derive(Debug, Clone)]
pub struct Fed {
    /// The session afterwards.
    pub session: Session,
    /// What the screen must do.
    pub effects: Vec<Effect>,
    /// A failure of the kiosk itself (the journal), for the log and a plain-words banner.
    pub error: Option<String>,
}

/// Which screen is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The home screen for the terminal's role.
    Home,
    /// A library visit: borrowing, returning or the account.
    Visit,
    /// Nobody has used the kiosk for a while.
    Attract,
    /// A technician's diagnostics.
    Diagnostics,
    /// The rest station.
    Station,
}

/// Everything the app reacts to.
#[derive(Debug, Clone)]
pub enum Message {
    /// The wall clock moved on (once a minute, on the minute).
    Tick(NaiveDateTime),
    /// The status bar's buttons.
    Bar(BarMessage),
    /// The home screen.
    Home(home::Message),
    /// The attract screen.
    Attract(attract::Message),
    /// The sync worker reported (heartbeat and queue).
    Sync(SyncStatus),
    /// A device reported.
    Device(kiosk_hardware::device::Event),
    /// The visit's buttons.
    Visit(visit::Message),
    /// A session input was carried out.
    Fed(Box<Fed>),
    /// The receipt printer answered.
    Printed(Result<(), String>),
    /// A second passed during a visit (timeouts).
    Second(NaiveDateTime),
    /// The demo tray.
    Demo(demo_tray::Message),
    /// Diagnostics.
    Diag(diag::Message),
    /// The rest station.
    Station(station::Message),
    /// The daily rest-station summary was printed (or why not).
    SummaryPrinted(Result<(), String>),
    /// Time to tell systemd's watchdog the screen is alive.
    Watchdog,
}

/// The application state.
pub struct App {
    config: Arc<Config>,
    localizer: Arc<Localizer>,
    language: Language,
    large_text: bool,
    high_contrast: bool,
    now: NaiveDateTime,
    screen: Screen,
    network: Network,
    journal_counts: kiosk_core::store::JournalCounts,
    services: Services,
    visit: Option<Visit>,
    pending: VecDeque<Input>,
    pad: intake::Pad,
    rules: BarcodeRules,
    ended_at: Option<NaiveDateTime>,
    demo_tray_open: bool,
    demo_tags: Vec<kiosk_hardware::tag::iso15693::Uid>,
    last_touch: NaiveDateTime,
    diag: Option<Diag>,
    station: Option<StationDesk>,
    device_records: Vec<DeviceRecord>,
    ils: IlsSnapshot,
    started_at: NaiveDateTime,
    last_receipt: Option<Vec<u8>>,
    printer_status: Option<String>,
}

/// When the process started, for the start-up time in the log.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
static FIRST_VIEW: std::sync::Once = std::sync::Once::new();

/// Notes the process start, so the log says how long the first screen took.
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

/// The setting holding the date of the last printed rest-station summary.
const SUMMARY_PRINTED_KEY: &str = "station.summary_printed";

/// Idle time at the home screen before the attract screen shows.
const ATTRACT_AFTER: chrono::Duration = chrono::Duration::minutes(2);

impl App {
    /// Creates the app at the home screen, at the given time.
    pub fn new(config: Arc<Config>, overrides: &Overrides, services: Services, now: NaiveDateTime) -> App {
        App {
            language: overrides.language.unwrap_or(config.terminal.language),
            large_text: config.terminal.large_text,
            high_contrast: config.terminal.high_contrast,
            localizer: Arc::new(Localizer::new()),
            now,
            screen: Screen::Home,
            network: Network::Connecting,
            journal_counts: kiosk_core::store::JournalCounts::default(),
            services,
            visit: None,
            pending: VecDeque::new(),
            pad: intake::Pad::default(),
            rules: BarcodeRules::library_default(),
            ended_at: None,
            demo_tray_open: true,
            demo_tags: Vec::new(),
            last_touch: now,
            diag: None,
            station: None,
            device_records: crate::runtime::diagnostics::device_records(&config),
            ils: IlsSnapshot {
                address: crate::runtime::diagnostics::ils_address(&config),
                ..IlsSnapshot::default()
            },
            started_at: now,
            last_receipt: None,
            printer_status: None,
            config,
        }
    }

    /// Boots the app for iced: the state and the first task.
    pub fn boot(config: Arc<Config>, overrides: Overrides, services: Services) -> (App, Task<Message>) {
        let mut app = App::new(config, &overrides, services, Local::now().naive_local());
        let task = app.start();
        (app, task)
    }

    /// The first screen's work: a rest-station terminal opens at the station's welcome.
    pub fn start(&mut self) -> Task<Message> {
        if self.config.terminal.role == Role::Station {
            return self.open_station();
        }
        Task::none()
    }

    fn open_station(&mut self) -> Task<Message> {
        let now = self.clock();
        self.visit = None;
        self.station = Some(StationDesk::new(now));
        self.screen = Screen::Station;
        station::refresh(&self.config, now).map(Message::Station)
    }

    /// The rest station's screens, when showing.
    pub fn station(&self) -> Option<&StationDesk> {
        self.station.as_ref()
    }

    fn on_station(&mut self, message: station::Message) -> Task<Message> {
        let now = self.clock();
        let Some(desk) = &mut self.station else { return Task::none() };
        let (task, exit) = desk.update(message, &self.config, now);
        match exit {
            station::Exit::Stay => task.map(Message::Station),
            station::Exit::Home => self.go_home(),
            station::Exit::Borrow => {
                self.station = None;
                self.start_visit(Mode::Borrow);
                Task::none()
            }
        }
    }

    /// The window title.
    pub fn title(&self) -> String {
        format!("{} — {}", self.localizer.text(self.language, "app-title"), self.config.terminal.name)
    }

    /// The current screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The visitor's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        let touched = matches!(
            message,
            Message::Bar(_) | Message::Home(_) | Message::Attract(_) | Message::Visit(_) | Message::Demo(_)
        ) || matches!(&message, Message::Diag(m) if !matches!(m, diag::Message::Finished(_)))
            || matches!(&message, Message::Station(m) if !matches!(m, station::Message::Loaded(_)));
        if touched {
            self.last_touch = self.clock();
        }
        match message {
            Message::Tick(now) => {
                self.now = now;
                let idle_station =
                    self.screen == Screen::Station && self.station.as_ref().is_some_and(|s| !s.is_busy());
                if (self.screen == Screen::Home || idle_station) && now - self.last_touch >= ATTRACT_AFTER {
                    self.screen = Screen::Attract;
                }
                let mut tasks: Vec<Task<Message>> = self.daily_summary_due(now).into_iter().collect();
                if self.diag.is_some() && self.clock() - self.last_touch >= diag::IDLE_LIMIT {
                    tracing::info!("diagnostics left after five idle minutes");
                    tasks.push(self.on_diag(diag::Message::Leave));
                }
                return Task::batch(tasks);
            }
            Message::Attract(attract::Message::Wake) => {
                if self.config.terminal.role == Role::Station {
                    return self.open_station();
                }
                self.screen = Screen::Home;
            }
            Message::Bar(BarMessage::ToggleLanguage) => self.language = self.language.toggled(),
            Message::Bar(BarMessage::ToggleLargeText) => self.large_text = !self.large_text,
            Message::Bar(BarMessage::ToggleHighContrast) => self.high_contrast = !self.high_contrast,
            Message::Home(home::Message::Open(service)) => {
                tracing::info!(?service, "service chosen");
                let mode = match service {
                    home::Service::Borrow => Mode::Borrow,
                    home::Service::Return => Mode::Return,
                    home::Service::Account => Mode::Account,
                    home::Service::Station => return self.open_station(),
                };
                self.start_visit(mode);
            }
            Message::Visit(message) => return self.on_visit(message),
            Message::Fed(fed) => return self.on_fed(*fed),
            Message::Printed(result) => {
                let now = self.clock();
                let mut saved = Task::none();
                if let Err(why) = &result {
                    tracing::warn!(%why, "the receipt was not printed");
                    // Diagnostics shows it as the printer's last error, and so does `kiosk diag`.
                    if let Some(printer) = self.record_mut("printer") {
                        printer.observe_failure(format!("receipt not printed: {why}"), now);
                    }
                    saved = self.write_live_status();
                } else if let Some(printer) = self.record_mut("printer") {
                    printer.observe_event("receipt printed".into(), now);
                }
                if let Some(visit) = &mut self.visit {
                    visit.printing = Some(match result {
                        Ok(()) => Printing::Done,
                        Err(why) => Printing::Failed(why),
                    });
                }
                return saved;
            }
            Message::Second(now) => return self.on_second(now),
            Message::Demo(message) => return self.on_demo(message),
            Message::Sync(status) => {
                self.network = if status.health.is_online() { Network::Online } else { Network::Offline };
                self.journal_counts = status.counts;
                self.ils.checked_at = Some(self.clock());
                match &status.health {
                    sync_runtime::IlsHealth::Online { round_trip } => {
                        self.ils.online = Some(true);
                        self.ils.round_trip_ms = Some(round_trip.as_millis() as u64);
                    }
                    sync_runtime::IlsHealth::Offline { reason } => {
                        self.ils.online = Some(false);
                        self.ils.last_error = Some(reason.clone());
                    }
                }
                return self.write_live_status();
            }
            Message::Device(event) => return self.on_device(event),
            Message::Diag(message) => return self.on_diag(message),
            Message::Station(message) => return self.on_station(message),
            // Sent from the UI loop itself: a hung screen stops it, and systemd restarts the kiosk.
            Message::Watchdog => {
                crate::runtime::systemd::notify("WATCHDOG=1");
            }
            Message::SummaryPrinted(result) => match result {
                Ok(()) => tracing::info!("the rest station's daily summary went to the printer"),
                Err(why) => {
                    tracing::warn!(%why, "the rest station's daily summary was not printed");
                    let now = self.clock();
                    if let Some(printer) = self.record_mut("printer") {
                        printer.observe_failure(format!("daily summary not printed: {why}"), now);
                    }
                }
            },
        }
        Task::none()
    }

    /// At `station.daily_summary_at`, the day's rest-station summary goes to the printer,
    /// once a day (the date printed is kept in the store, so a restart does not print twice).
    fn daily_summary_due(&self, now: NaiveDateTime) -> Option<Task<Message>> {
        if self.config.terminal.role == Role::Library {
            return None;
        }
        let at = chrono::NaiveTime::parse_from_str(&self.config.station.daily_summary_at, "%H:%M").ok()?;
        if now.time() < at || now.time() >= at + chrono::Duration::minutes(30) {
            return None;
        }
        let printer = self.device(DeviceKind::Printer)?;
        let config = self.config.clone();
        let language = self.config.terminal.language;
        let localizer = self.localizer.clone();
        Some(Task::perform(
            async move {
                let work = config.clone();
                let due = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<Vec<u8>>> {
                    let store = kiosk_core::Store::open_in(&work.storage.resolved_data_dir())?;
                    let today = now.date().to_string();
                    if store.setting(SUMMARY_PRINTED_KEY)?.as_deref() == Some(today.as_str()) {
                        return Ok(None);
                    }
                    store.set_setting(SUMMARY_PRINTED_KEY, &today)?;
                    kiosk_core::station::Station::open(&store, &work.station)?.close_expired(now)?;
                    let stats = kiosk_core::station::stats::for_period(
                        &store,
                        &work.station,
                        kiosk_core::station::stats::Period::Day,
                        now.date(),
                    )?;
                    let bytes =
                        crate::runtime::receipt::station_summary(&stats, &work, &localizer, language, now);
                    store.audit(&kiosk_core::store::AuditEntry {
                        at: now,
                        actor: "kiosk".into(),
                        action: "station.summary".into(),
                        detail: format!("{} visits", stats.visits),
                    })?;
                    Ok(Some(bytes))
                })
                .await;
                match due {
                    Ok(Ok(Some(bytes))) => print(Some(printer), bytes).await,
                    Ok(Ok(None)) => Ok(()),
                    Ok(Err(error)) => Err(format!("{error:#}")),
                    Err(error) => Err(error.to_string()),
                }
            },
            Message::SummaryPrinted,
        ))
    }

    fn record_mut(&mut self, name: &str) -> Option<&mut DeviceRecord> {
        self.device_records.iter_mut().find(|record| record.name == name)
    }

    /// Keeps the status file `kiosk diag` reads in step with what the screen knows.
    /// Writes the file off the UI thread.
    fn write_live_status(&self) -> Task<Message> {
        // Only a kiosk with devices has a status worth telling (screen-only tests have none).
        if self.services.devices.is_none() {
            return Task::none();
        }
        let data_dir = self.config.storage.resolved_data_dir();
        let status = crate::runtime::diagnostics::LiveStatus {
            pid: std::process::id(),
            started_at: self.started_at,
            written_at: self.clock(),
            devices: self.device_records.clone(),
            ils: self.ils.clone(),
        };
        Task::future(async move {
            let written = tokio::task::spawn_blocking(move || status.write(&data_dir)).await;
            if let Ok(Err(error)) = written {
                tracing::debug!(%error, "the status file could not be written");
            }
        })
        .discard()
    }

    /// The overview as the screen knows it now.
    pub fn overview(&self) -> Overview {
        let now = self.clock();
        let counts = self.journal_counts;
        let disk = self.services.disk.map_or_else(
            || crate::runtime::diagnostics::disk_space(&self.config.storage.resolved_data_dir()),
            |disk| disk(),
        );
        Overview {
            terminal: self.config.terminal.name.clone(),
            version: crate::runtime::diagnostics::version(),
            at: now,
            uptime_secs: Some((now - self.started_at).num_seconds().max(0) as u64),
            devices: self.device_records.clone(),
            ils: self.ils.clone(),
            queue: counts.into(),
            disk,
        }
    }

    /// Technician cards: the configured ones, and the demo's in demo mode when none is set.
    fn technician_cards(&self) -> Vec<String> {
        let mut cards = self.config.diagnostics.technician_cards.clone();
        if cards.is_empty() && self.config.is_demo() {
            cards.push(diag::DEMO_TECHNICIAN_CARD.into());
        }
        cards
    }

    /// Diagnostics in progress, if any.
    pub fn diagnostics(&self) -> Option<&Diag> {
        self.diag.as_ref()
    }

    fn on_diag(&mut self, message: diag::Message) -> Task<Message> {
        let context = diag::Context {
            config: self.config.clone(),
            now: self.clock(),
            printer: self.device(DeviceKind::Printer),
            pad: self.device(DeviceKind::Rfid),
            ils: self
                .services
                .sync
                .as_ref()
                .map(|sync| sync.probe.clone())
                .or_else(|| self.services.ils.clone()),
            overview: message.needs_overview().then(|| self.overview()),
            localizer: self.localizer.clone(),
            last_receipt: self.last_receipt.clone(),
            printer_status: self.printer_status.clone(),
            language: self.language,
            circulation: self.services.circulation.clone(),
        };
        let Some(diag) = &mut self.diag else { return Task::none() };
        let (task, leave) = diag.update(message, context);
        if leave {
            self.diag = None;
            return Task::batch([task.map(Message::Diag), self.go_home()]);
        }
        task.map(Message::Diag)
    }

    /// The time now, by the services' clock.
    fn clock(&self) -> NaiveDateTime {
        self.services.clock.map_or_else(|| Local::now().naive_local(), |clock| clock())
    }

    fn settings(&self) -> Settings {
        let seconds = |s: u32| chrono::Duration::seconds(i64::from(s));
        Settings {
            require_pin: self.config.circulation.require_pin,
            pin_attempts: self.config.circulation.pin_attempts,
            idle_timeout: seconds(self.config.terminal.idle_timeout_secs),
            warning: seconds(self.config.terminal.idle_warning_secs),
            receipt: self.config.receipt.prompt,
        }
    }

    fn start_visit(&mut self, mode: Mode) {
        // A visit and the station's screens never run at once: the station's timers
        // would take the visit's seconds.
        self.station = None;
        let session = Session::new(mode, self.settings(), self.clock());
        self.visit = Some(Visit::new(session));
        self.pending.clear();
        self.pad.clear();
        self.ended_at = None;
        self.screen = Screen::Visit;
    }

    /// Back to the home screen; a rest-station terminal's home is the station's welcome
    /// (the task reloads who is there).
    fn go_home(&mut self) -> Task<Message> {
        self.visit = None;
        self.station = None;
        self.pending.clear();
        self.ended_at = None;
        self.screen = Screen::Home;
        if self.config.terminal.role == Role::Station {
            return self.open_station();
        }
        Task::none()
    }

    /// The visit in progress, if any.
    pub fn visit(&self) -> Option<&Visit> {
        self.visit.as_ref()
    }

    fn on_visit(&mut self, message: visit::Message) -> Task<Message> {
        let Some(visit) = &mut self.visit else { return Task::none() };
        if message == visit::Message::Leave {
            let phase = visit.session.phase();
            if matches!(phase, Phase::Identify | Phase::Pin { .. } | Phase::Ended(_)) {
                return self.go_home();
            }
            return Task::none();
        }
        match visit.on_message(&message) {
            Some(input) => self.feed(input),
            None => Task::none(),
        }
    }

    /// Carries out one session input: through the library system when there is one.
    fn feed(&mut self, input: Input) -> Task<Message> {
        let now = self.clock();
        self.feed_at(input, now)
    }

    fn feed_at(&mut self, input: Input, now: NaiveDateTime) -> Task<Message> {
        let Some(visit) = &mut self.visit else { return Task::none() };
        if visit.working {
            if input != Input::Tick {
                self.pending.push_back(input);
            }
            return Task::none();
        }
        let Some(circulation) = self.services.circulation.clone() else {
            let effects = visit.session.handle(input, now);
            let session = visit.session.clone();
            return self.on_fed(Fed { session, effects, error: None });
        };
        let pad = self.device(DeviceKind::Rfid);
        let Some(visit) = &mut self.visit else { return Task::none() };
        visit.working = true;
        let mut session = visit.session.clone();
        let chinese = self.language == Language::ZhCn;
        Task::perform(
            async move {
                let mut circulation = circulation.lock().await;
                let mut security = PadSecurity { pad };
                let result = SessionRunner::new(&mut circulation, &mut security, chinese)
                    .feed(&mut session, input, now)
                    .await;
                match result {
                    Ok(effects) => Fed { session, effects, error: None },
                    Err(error) => Fed { session, effects: Vec::new(), error: Some(format!("{error:#}")) },
                }
            },
            |fed| Message::Fed(Box::new(fed)),
        )
    }

    fn on_fed(&mut self, fed: Fed) -> Task<Message> {
        let printer = self.device(DeviceKind::Printer);
        let now = self.clock();
        let Some(visit) = &mut self.visit else { return Task::none() };
        let grew = fed.session.lines().len() > visit.session.lines().len();
        visit.session = fed.session;
        visit.working = false;
        if grew {
            visit.follow_newest();
        }
        if !visit.session.warned() {
            visit.warning = None;
        }
        if let Some(error) = fed.error {
            tracing::error!("a transaction could not be carried out: {error}");
            visit.notice = Some(self.localizer.text(self.language, "error-ask-staff"));
        }
        let mut tasks = Vec::new();
        for effect in fed.effects {
            match effect {
                Effect::Warn { seconds_left } => visit.warning = Some(seconds_left),
                Effect::PrintReceipt(receipt) => {
                    visit.printing = Some(Printing::InProgress);
                    visit.receipt_qr = receipt_qr(&receipt, &self.config, &self.localizer, self.language);
                    let bytes = crate::runtime::receipt::print_job(
                        &receipt,
                        &self.config,
                        &self.localizer,
                        self.language,
                    );
                    self.last_receipt = Some(bytes.clone());
                    tasks.push(Task::perform(print(printer.clone(), bytes), Message::Printed));
                }
                Effect::Over(reason) => {
                    tracing::info!(?reason, "visit over");
                    visit.warning = None;
                    self.ended_at = Some(now);
                }
                _ => {}
            }
        }
        if let Some(next) = self.pending.pop_front() {
            tasks.push(self.feed(next));
        }
        Task::batch(tasks)
    }

    fn on_second(&mut self, now: NaiveDateTime) -> Task<Message> {
        if let Some(desk) = &mut self.station {
            return desk.tick(&self.config, now).map(Message::Station);
        }
        let Some(visit) = &self.visit else { return Task::none() };
        if let Some(ended) = self.ended_at {
            let linger = match visit.printing {
                Some(Printing::InProgress) => return Task::none(),
                Some(Printing::Failed(_)) => chrono::Duration::seconds(30),
                _ => chrono::Duration::seconds(8),
            };
            if now - ended >= linger {
                return self.go_home();
            }
            return Task::none();
        }
        self.feed_at(Input::Tick, now)
    }

    fn on_device(&mut self, event: kiosk_hardware::device::Event) -> Task<Message> {
        use kiosk_hardware::device::{DeviceState, Event};
        let technicians = self.technician_cards();
        let now = self.clock();
        let open_diag = self.diag.as_mut().filter(|diag| diag.is_open());
        let intakes = match event {
            Event::DeviceState { device, state } => {
                let health = match state {
                    DeviceState::Connected => DeviceHealth::Connected,
                    DeviceState::Disconnected { reason } => DeviceHealth::Disconnected(reason),
                    DeviceState::NoPermission { fix } => DeviceHealth::NoPermission(fix),
                    DeviceState::Error { message } => DeviceHealth::Error(message),
                };
                if let Some(record) = self.record_mut(&device) {
                    record.observe_state(health, now);
                }
                return self.write_live_status();
            }
            Event::Scan { device, symbology, text } => {
                tracing::info!(device, %symbology, code = %kiosk_core::mask::identifier(&text), "scan");
                if let Some(diag) = open_diag {
                    let follow_up = diag.on_scan(&text, symbology, &technicians, now);
                    if let Some(record) = self.record_mut(&device) {
                        record.observe_event(format!("scan ({symbology})"), now);
                    }
                    return follow_up.map_or_else(Task::none, |message| self.on_diag(message));
                }
                if let Some(record) = self.record_mut(&device) {
                    record.observe_event(format!("scan ({symbology})"), now);
                }
                let intake = intake::from_scan(&text, symbology, &self.rules, &technicians);
                if self.station_takes(&intake) {
                    return self.station_scan(&text);
                }
                vec![intake]
            }
            Event::TagsPresent { device, tags } => {
                tracing::info!(device, count = tags.len(), "tags on the pad");
                if let Some(diag) = &mut self.diag {
                    diag.on_tags(&tags);
                }
                if let Some(record) = self.record_mut(&device) {
                    record.observe_event(format!("{} tag(s) arrived", tags.len()), now);
                }
                // In diagnostics the pad is the technician's: books on it start no return.
                if self.diag.is_some() { Vec::new() } else { self.pad.arrived(&tags) }
            }
            Event::TagsGone { device, uids } => {
                tracing::info!(device, count = uids.len(), "tags left the pad");
                if let Some(diag) = &mut self.diag {
                    diag.on_tags_gone(&uids);
                }
                if let Some(record) = self.record_mut(&device) {
                    record.observe_event(format!("{} tag(s) left", uids.len()), now);
                }
                self.pad.left(&uids);
                Vec::new()
            }
            Event::PrinterStatus { device, status } => {
                tracing::info!(device, ?status, "printer status");
                let words = diag::status_words(&status);
                self.printer_status = Some(words.clone());
                if let Some(diag) = &mut self.diag {
                    diag.on_printer_status(words.clone());
                }
                if let Some(record) = self.record_mut(&device) {
                    record.observe_event(words, now);
                }
                Vec::new()
            }
        };
        Task::batch(intakes.into_iter().map(|intake| self.on_intake(intake)).collect::<Vec<_>>())
    }

    fn device(&self, kind: DeviceKind) -> Option<kiosk_hardware::device::DeviceHandle> {
        self.services.devices.as_ref().and_then(|d| d.supervisor.handle(kind).cloned())
    }

    /// The demo tray's buttons act through the simulated devices, like real hardware.
    fn on_demo(&mut self, message: demo_tray::Message) -> Task<Message> {
        use kiosk_hardware::device::Command;
        use kiosk_hardware::reader::fake::library_book;
        use kiosk_hardware::tag::SetInfo;

        let mut tags = Vec::new();
        match message {
            demo_tray::Message::Toggle => self.demo_tray_open = !self.demo_tray_open,
            demo_tray::Message::Scan(code) => match self.device(DeviceKind::Scanner) {
                Some(scanner) => {
                    scanner.send(Command::SimulateScan(code));
                }
                None => {
                    let technicians = self.technician_cards();
                    let intake = intake::from_scan(
                        &code,
                        kiosk_hardware::barcode::Symbology::Unknown,
                        &self.rules,
                        &technicians,
                    );
                    return self.on_intake(intake);
                }
            },
            demo_tray::Message::PlaceStack => {
                for (title, barcode, _) in &demo_tray::PAD_BOOKS[..2] {
                    tags.push(library_book(demo_serial(barcode, 0), barcode, title, None));
                }
            }
            demo_tray::Message::PlaceSet { complete } => {
                let (title, barcode, parts) = demo_tray::PAD_BOOKS[2];
                let placed = if complete { parts } else { parts - 1 };
                for part in 1..=placed {
                    let set = Some(SetInfo { parts, part });
                    tags.push(library_book(demo_serial(barcode, part), barcode, title, set));
                }
            }
            demo_tray::Message::ClearPad => {
                if let Some(pad) = self.device(DeviceKind::Rfid) {
                    pad.send(Command::RemoveTags(std::mem::take(&mut self.demo_tags)));
                }
            }
        }
        if !tags.is_empty()
            && let Some(pad) = self.device(DeviceKind::Rfid)
        {
            self.demo_tags.extend(tags.iter().map(|tag| tag.uid));
            pad.send(Command::PlaceTags(tags));
        }
        Task::none()
    }

    /// Whether a scan is the rest station's: any card while its screens show (a union
    /// card, QR code or work badge), and at the home screen of a kiosk that is both, any
    /// code that is no library card or book.
    fn station_takes(&self, intake: &Intake) -> bool {
        if matches!(intake, Intake::Technician(_)) || self.diag.is_some() || self.visit.is_some() {
            return false;
        }
        match (self.screen.clone(), self.config.terminal.role) {
            (Screen::Station, _) | (Screen::Attract, Role::Station) => true,
            (Screen::Home | Screen::Attract, Role::Both) => matches!(intake, Intake::Rejected { .. }),
            _ => false,
        }
    }

    fn station_scan(&mut self, text: &str) -> Task<Message> {
        let code = kiosk_hardware::barcode::strip_aim(text).1.trim().to_string();
        let now = self.clock();
        let mut tasks = Vec::new();
        if self.screen != Screen::Station || self.station.is_none() {
            tasks.push(self.open_station());
        }
        if let Some(desk) = &mut self.station {
            tasks.push(desk.scan(code, &self.config, now).map(Message::Station));
        }
        Task::batch(tasks)
    }

    /// A card, a book or a refusal from the scanner or the pad.
    fn on_intake(&mut self, intake: Intake) -> Task<Message> {
        if let Intake::Technician(card) = &intake {
            return self.technician_arrived(card);
        }
        if self.diag.is_some() {
            return Task::none();
        }
        if self.visit.is_none()
            && matches!(self.screen, Screen::Home | Screen::Attract)
            && self.config.terminal.role != Role::Station
        {
            // At the home screen a card starts borrowing and a book starts a return.
            match &intake {
                Intake::Card(_) => self.start_visit(Mode::Borrow),
                Intake::Item(_) => self.start_visit(Mode::Return),
                _ => {}
            }
        }
        let Some(visit) = &mut self.visit else { return Task::none() };
        if matches!(visit.session.phase(), Phase::Ended(_)) {
            return Task::none();
        }
        match intake {
            Intake::Card(card) => self.feed(Input::Card(card)),
            Intake::Item(item) => {
                visit.notice = None;
                self.feed(Input::Item(item))
            }
            Intake::Technician(_) => Task::none(),
            Intake::Rejected { code, reason } => {
                tracing::info!(%reason, "scan refused");
                visit.notice =
                    Some(self.localizer.format(self.language, "scan-rejected", &[("code", code.into())]));
                Task::none()
            }
            Intake::Unreadable { reason, .. } => {
                tracing::info!(%reason, "unreadable tag");
                visit.notice = Some(self.localizer.text(self.language, "tag-unreadable"));
                Task::none()
            }
        }
    }

    /// A technician's card: diagnostics asks for the PIN, unless a visitor is in the
    /// middle of something (then the card waits until the visit is over).
    fn technician_arrived(&mut self, card: &str) -> Task<Message> {
        let busy_visit = self.visit.as_ref().is_some_and(|visit| {
            !matches!(visit.session.phase(), Phase::Identify | Phase::Ended(_)) || visit.working
        });
        if busy_visit {
            tracing::info!("technician card scanned during a visit; ignored");
            return Task::none();
        }
        if self.diag.is_some() {
            return Task::none();
        }
        tracing::info!(card = %kiosk_core::mask::identifier(card), "technician card scanned");
        self.visit = None;
        self.station = None;
        self.pending.clear();
        self.diag = Some(Diag::new(card, self.clock()));
        self.screen = Screen::Diagnostics;
        Task::none()
    }

    /// The look in effect.
    pub fn look(&self) -> Look {
        Look::select(self.high_contrast)
    }

    /// The iced theme in effect.
    pub fn theme(&self) -> Theme {
        self.look().theme()
    }

    /// Draws the current screen under the status bar.
    pub fn view(&self) -> Element<'_, Message> {
        if let Some(start) = STARTED.get() {
            FIRST_VIEW.call_once(|| {
                tracing::info!(elapsed_ms = start.elapsed().as_millis() as u64, "first screen built");
                // The service is up once there is a screen to show.
                crate::runtime::systemd::notify("READY=1");
            });
        }
        let ui = Ui::new(&self.localizer, self.language, self.look(), Sizes::select(self.large_text));
        let bar = status_bar::view(
            &ui,
            Status {
                terminal: &self.config.terminal.name,
                now: self.now,
                network: self.network,
                queued: self.journal_counts.queued(),
                demo: self.config.is_demo(),
            },
        )
        .map(Message::Bar);
        let body = match (&self.screen, &self.visit) {
            (Screen::Diagnostics, _) if self.diag.is_some() => {
                let diag = self.diag.as_ref().expect("checked above");
                diag::view(&ui, diag, &self.config).map(Message::Diag)
            }
            (Screen::Station, _) if self.station.is_some() => {
                let desk = self.station.as_ref().expect("checked above");
                station::view(&ui, desk, &self.config).map(Message::Station)
            }
            (Screen::Visit, Some(visit)) => visit::view(&ui, visit, &self.config.offline).map(Message::Visit),
            (Screen::Attract, _) => attract::view(&ui, self.config.terminal.role, |language, key| {
                self.localizer.text(language, key)
            })
            .map(Message::Attract),
            _ => home::view(&ui, self.config.terminal.role).map(Message::Home),
        };
        let look = self.look();
        let mut screen = column![bar];
        if self.network == Network::Offline && self.config.terminal.role != Role::Station {
            let words = ui.tr(if self.config.offline.allow_loans {
                "offline-banner"
            } else {
                "offline-banner-no-loans"
            });
            screen = screen.push(
                container(iced::widget::text(words).size(ui.sizes.body))
                    .padding([10, 24])
                    .width(Length::Fill)
                    .style(ui.look.banner(ui.look.warning)),
            );
        }
        screen = screen.push(body);
        if self.config.is_demo() {
            let technician = self.config.diagnostics.technician_cards.is_empty();
            screen = screen.push(demo_tray::view(&ui, self.demo_tray_open, technician).map(Message::Demo));
        }
        container(screen)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(move |_| iced::widget::container::Style {
                background: Some(look.background.into()),
                text_color: Some(look.text),
                ..Default::default()
            })
            .into()
    }

    /// The library system's state as the status bar shows it.
    pub fn network(&self) -> Network {
        self.network
    }

    /// Background work: the clock, the devices, and the ILS heartbeat with journal forwarding.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![Subscription::run(minute_ticks).map(Message::Tick)];
        if let Some(every) = crate::runtime::systemd::watchdog_interval() {
            subscriptions.push(iced::time::every(every).map(|_| Message::Watchdog));
        }
        if let Some(worker) = &self.services.sync {
            subscriptions.push(Subscription::run_with(worker.clone(), sync_runtime::run).map(Message::Sync));
        }
        if let Some(devices) = &self.services.devices {
            subscriptions
                .push(Subscription::run_with(devices.clone(), device_runtime::events).map(Message::Device));
        }
        if self.visit.is_some() || self.station.as_ref().is_some_and(StationDesk::is_busy) {
            // Only during a visit: the idle home screen wakes nothing.
            subscriptions.push(iced::time::every(Duration::from_secs(1)).with(self.services.clock).map(
                |(clock, _)| Message::Second(clock.map_or_else(|| Local::now().naive_local(), |c| c())),
            ));
        }
        Subscription::batch(subscriptions)
    }
}

/// A stable tag serial number for a demo book's part, so it can be taken off the pad again.
fn demo_serial(barcode: &str, part: u8) -> u32 {
    let tail: u32 = barcode.get(barcode.len().saturating_sub(6)..).and_then(|t| t.parse().ok()).unwrap_or(0);
    tail * 10 + u32::from(part)
}

/// The receipt's text as a QR code picture, for the screen when the printer cannot print:
/// the visitor can keep it with a phone camera. `None` when it is too long for a QR code.
pub fn receipt_qr_picture(
    receipt: &kiosk_core::receipt::Receipt,
    config: &Config,
    localizer: &Localizer,
    language: Language,
) -> Option<image::GrayImage> {
    let lines =
        kiosk_core::receipt::layout(receipt, &config.receipt, &config.terminal.name, localizer, language, 32);
    let text: Vec<&str> = lines
        .iter()
        .map(|line| line.text.trim_end())
        .filter(|line| !line.chars().all(|c| c == '-'))
        .collect();
    kiosk_hardware::escpos::render::qr_bitmap(text.join("\n").as_bytes(), 4, 0x31)
}

fn receipt_qr(
    receipt: &kiosk_core::receipt::Receipt,
    config: &Config,
    localizer: &Localizer,
    language: Language,
) -> Option<iced::widget::image::Handle> {
    let picture = receipt_qr_picture(receipt, config, localizer, language)?;
    let (width, height) = picture.dimensions();
    let rgba =
        picture.pixels().flat_map(|pixel| [pixel.0[0], pixel.0[0], pixel.0[0], 255]).collect::<Vec<u8>>();
    Some(iced::widget::image::Handle::from_rgba(width, height, rgba))
}

/// Sends a print job and waits for the printer's answer.
async fn print(printer: Option<kiosk_hardware::device::DeviceHandle>, bytes: Vec<u8>) -> Result<(), String> {
    let Some(printer) = printer else { return Err("no receipt printer is configured".into()) };
    let (reply, answer) = std::sync::mpsc::channel();
    if !printer.send(kiosk_hardware::device::Command::Print { bytes, reply }) {
        return Err("the printer's thread has stopped".into());
    }
    let waited =
        tokio::task::spawn_blocking(move || answer.recv_timeout(std::time::Duration::from_secs(20))).await;
    match waited {
        Ok(Ok(Ok(_status))) => Ok(()),
        Ok(Ok(Err(error))) => Err(error.to_string()),
        Ok(Err(_)) => Err("the printer did not answer".into()),
        Err(error) => Err(error.to_string()),
    }
}

/// A stream that yields the local time just after each full minute, so the clock stays
/// right without waking the UI every second.
fn minute_ticks() -> impl iced::futures::Stream<Item = NaiveDateTime> {
    iced::futures::stream::unfold((), |()| async {
        let now = Local::now();
        let into_minute = Duration::from_secs(u64::from(now.second()))
            + Duration::from_nanos(u64::from(now.nanosecond() % 1_000_000_000));
        tokio::time::sleep(Duration::from_secs(60).saturating_sub(into_minute) + Duration::from_millis(5))
            .await;
        Some((Local::now().naive_local(), ()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::receipt::{Receipt, ReceiptItem, ReceiptKind, ReceiptStatus};

    #[test]
    fn the_receipt_qr_code_reads_back_as_the_receipt_text() {
        let at = |day| chrono::NaiveDate::from_ymd_opt(2026, 7, day).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let receipt = Receipt {
            kind: ReceiptKind::Loan,
            at: at(15),
            patron: None,
            items: vec![ReceiptItem {
                barcode: "30234000000017".into(),
                title: Some("活着".into()),
                status: ReceiptStatus::Loaned { due: Some(at(29)), renewed: false },
                queued: false,
            }],
        };
        let picture =
            receipt_qr_picture(&receipt, &Config::default(), &Localizer::new(), Language::ZhCn).unwrap();
        let mut prepared = rqrr::PreparedImage::prepare(picture);
        let grids = prepared.detect_grids();
        let (_, content) = grids.first().expect("a QR code").decode().unwrap();
        for expected in ["借书凭条", "1. 活着", "30234000000017", "应还 2026-07-29"] {
            assert!(content.contains(expected), "{expected} missing from {content}");
        }
    }
}
