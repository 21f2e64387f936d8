//! The iced application: state, messages, update, view and subscriptions.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Local, NaiveDateTime, Timelike};
use iced::widget::{column, container};
use iced::{Element, Length, Subscription, Task, Theme};
use kiosk_core::Config;
use kiosk_core::config::Language;
use kiosk_core::i18n::Localizer;

use crate::runtime::devices::{self as device_runtime, Devices};
use crate::runtime::sync::{self as sync_runtime, SyncStatus, SyncWorker};
use crate::screens::home;
use crate::theme::{Look, Sizes};
use crate::ui::Ui;
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
}

/// Which screen is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The home screen for the terminal's role.
    Home,
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
    /// The sync worker reported (heartbeat and queue).
    Sync(SyncStatus),
    /// A device reported.
    Device(kiosk_hardware::device::Event),
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
    device_states: std::collections::BTreeMap<String, kiosk_hardware::device::DeviceState>,
    queued: u64,
    services: Services,
}

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
            device_states: std::collections::BTreeMap::new(),
            queued: 0,
            services,
            config,
        }
    }

    /// Boots the app for iced: the state and the first task.
    pub fn boot(config: Arc<Config>, overrides: Overrides, services: Services) -> (App, Task<Message>) {
        (App::new(config, &overrides, services, Local::now().naive_local()), Task::none())
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
        match message {
            Message::Tick(now) => self.now = now,
            Message::Bar(BarMessage::ToggleLanguage) => self.language = self.language.toggled(),
            Message::Bar(BarMessage::ToggleLargeText) => self.large_text = !self.large_text,
            Message::Bar(BarMessage::ToggleHighContrast) => self.high_contrast = !self.high_contrast,
            Message::Home(home::Message::Open(service)) => {
                tracing::info!(?service, "service chosen");
            }
            Message::Sync(status) => {
                self.network = if status.health.is_online() { Network::Online } else { Network::Offline };
                self.queued = status.counts.queued();
            }
            Message::Device(event) => self.on_device(event),
        }
        Task::none()
    }

    fn on_device(&mut self, event: kiosk_hardware::device::Event) {
        use kiosk_hardware::device::Event;
        match event {
            Event::DeviceState { device, state } => {
                self.device_states.insert(device, state);
            }
            Event::Scan { device, symbology, text } => {
                tracing::info!(device, %symbology, code = %kiosk_core::mask::identifier(&text), "scan");
            }
            Event::TagsPresent { device, tags } => {
                tracing::info!(device, count = tags.len(), "tags on the pad")
            }
            Event::TagsGone { device, uids } => {
                tracing::info!(device, count = uids.len(), "tags left the pad")
            }
            Event::PrinterStatus { device, status } => tracing::info!(device, ?status, "printer status"),
        }
    }

    /// Each device's last reported state.
    pub fn device_states(&self) -> &std::collections::BTreeMap<String, kiosk_hardware::device::DeviceState> {
        &self.device_states
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
        let ui = Ui::new(&self.localizer, self.language, self.look(), Sizes::select(self.large_text));
        let bar = status_bar::view(
            &ui,
            Status {
                terminal: &self.config.terminal.name,
                now: self.now,
                network: self.network,
                queued: self.queued,
                demo: self.config.is_demo(),
            },
        )
        .map(Message::Bar);
        let body = match self.screen {
            Screen::Home => home::view(&ui, self.config.terminal.role).map(Message::Home),
        };
        let look = self.look();
        container(column![bar, body])
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
        if let Some(worker) = &self.services.sync {
            subscriptions.push(Subscription::run_with(worker.clone(), sync_runtime::run).map(Message::Sync));
        }
        if let Some(devices) = &self.services.devices {
            subscriptions
                .push(Subscription::run_with(devices.clone(), device_runtime::events).map(Message::Device));
        }
        Subscription::batch(subscriptions)
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
