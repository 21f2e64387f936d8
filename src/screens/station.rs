//! The rest station's public screens: the welcome with big trade buttons, the services
//! picker, "you are checked in" with what the station offers, check-out by tap, goodbye,
//! and "full". Card scans check in (after the trade) or check out. The domain is
//! `kiosk_core::station`; this module shows it and runs it off the UI thread.

use std::sync::Arc;

use chrono::NaiveDateTime;
use fluent_bundle::FluentValue;
use iced::widget::{Column, Row, button, column, container, image, row, space, text};
use iced::{Alignment, Element, Length, Task};
use kiosk_core::Config;
use kiosk_core::config::{Choice, Role};
use kiosk_core::station::{CardScan, CheckIn, Occupancy, Station};
use kiosk_core::store::{Store, Visit, VisitId};

use crate::icons;
use crate::theme::TOUCH_MIN;
use crate::ui::Ui;
use crate::widgets::big_button;

/// A scanned card waiting for its trade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// Its salted hash.
    pub hash: String,
    /// The trade of its last visit.
    pub last_trade: Option<String>,
    /// Its earlier visits.
    pub earlier_visits: u32,
}

/// Where the visitor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The trade buttons (with a scanned card waiting for its trade, when there is one).
    Welcome {
        /// The scanned card.
        card: Option<Card>,
    },
    /// Which services.
    Services {
        /// The trade tapped.
        trade: String,
        /// The scanned card.
        card: Option<Card>,
        /// Services ticked.
        chosen: Vec<String>,
    },
    /// Checked in.
    CheckedIn {
        /// The trade.
        trade: String,
        /// Earlier visits of the card.
        earlier_visits: u32,
    },
    /// Choosing one's own visit to check out.
    CheckOut,
    /// Checked out.
    Goodbye {
        /// How long the visit lasted.
        minutes: i64,
    },
    /// No seat left.
    Full,
}

/// Results of work done off the UI thread.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Who is here.
    Present(Result<(Vec<Visit>, Occupancy), String>),
    /// A card scan.
    Scanned(Result<CardScan, String>),
    /// A check-in.
    CheckedIn(Result<CheckIn, String>, String),
    /// A check-out by tap.
    CheckedOut(Result<Option<Visit>, String>),
}

/// What the station's buttons send.
#[derive(Debug, Clone)]
pub enum Message {
    /// Reload who is here.
    Refresh,
    /// A trade was tapped.
    Trade(String),
    /// A service was ticked or unticked.
    Service(String),
    /// Check in with the services ticked.
    Confirm,
    /// Show the visits to check out.
    ShowCheckOut,
    /// Check out this visit.
    CheckOut(VisitId),
    /// Show this page of the check-out list.
    Page(usize),
    /// Back to the welcome (or home, from the welcome).
    Back,
    /// Borrow a book (when the kiosk is also a library machine).
    Borrow,
    /// Work done off the UI thread.
    Loaded(Box<Loaded>),
}

/// What the app must do after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Stay on the station screens.
    Stay,
    /// Go to the home screen.
    Home,
    /// Start borrowing.
    Borrow,
}

/// The station screens' state.
#[derive(Debug, Clone)]
pub struct StationDesk {
    /// The step.
    pub step: Step,
    /// Who is here, oldest first.
    pub present: Vec<Visit>,
    /// How full it is.
    pub occupancy: Option<Occupancy>,
    /// The station's records could not be used (the screen asks to try again or ask staff;
    /// the log has why).
    pub failed: bool,
    /// When the step began (screens return to the welcome by themselves).
    pub since: NaiveDateTime,
    /// The page of the check-out list.
    pub page: usize,
}

/// Confirmation screens go back to the welcome after this long.
const CONFIRMATION_SECONDS: i64 = 10;
/// Visits per page of the check-out list.
const CHECK_OUT_PAGE: usize = 6;
/// A half-finished check-in is dropped after this long without a touch.
const ABANDONED_SECONDS: i64 = 60;

impl StationDesk {
    /// The welcome, not loaded yet (send [`Message::Refresh`]).
    pub fn new(now: NaiveDateTime) -> StationDesk {
        StationDesk {
            step: Step::Welcome { card: None },
            present: Vec::new(),
            occupancy: None,
            failed: false,
            since: now,
            page: 0,
        }
    }

    fn go(&mut self, step: Step, now: NaiveDateTime) {
        self.step = step;
        self.since = now;
    }

    /// Whether a visitor is in the middle of something (the attract screen must wait).
    pub fn is_busy(&self) -> bool {
        !matches!(self.step, Step::Welcome { card: None })
    }

    /// A scanned card (any code that is not a library card or book).
    pub fn scan(&mut self, code: String, config: &Arc<Config>, now: NaiveDateTime) -> Task<Message> {
        let config = config.clone();
        self.failed = false;
        run(&config.clone(), move |station| {
            Ok(Loaded::Scanned(station.scan(&code, now).map_err(|e| e.to_string())))
        })
    }

    /// A second passed: confirmations and abandoned steps return to the welcome.
    pub fn tick(&mut self, config: &Arc<Config>, now: NaiveDateTime) -> Task<Message> {
        let elapsed = (now - self.since).num_seconds();
        let back = match self.step {
            Step::CheckedIn { .. } | Step::Goodbye { .. } | Step::Full => elapsed >= CONFIRMATION_SECONDS,
            Step::Services { .. } | Step::CheckOut | Step::Welcome { card: Some(_) } => {
                elapsed >= ABANDONED_SECONDS
            }
            Step::Welcome { card: None } => false,
        };
        if back {
            self.go(Step::Welcome { card: None }, now);
            return refresh(config, now);
        }
        Task::none()
    }

    /// Handles a message.
    pub fn update(
        &mut self,
        message: Message,
        config: &Arc<Config>,
        now: NaiveDateTime,
    ) -> (Task<Message>, Exit) {
        if !matches!(message, Message::Loaded(_)) {
            self.since = now;
            self.failed = false;
        }
        let task = match message {
            Message::Refresh => refresh(config, now),
            Message::Trade(trade) => {
                let card = match &self.step {
                    Step::Welcome { card } => card.clone(),
                    _ => None,
                };
                if self.occupancy.is_some_and(|o| o.is_full()) {
                    self.go(Step::Full, now);
                } else {
                    self.go(Step::Services { trade, card, chosen: Vec::new() }, now);
                }
                Task::none()
            }
            Message::Service(id) => {
                if let Step::Services { chosen, .. } = &mut self.step {
                    if let Some(at) = chosen.iter().position(|c| *c == id) {
                        chosen.remove(at);
                    } else {
                        chosen.push(id);
                    }
                }
                Task::none()
            }
            Message::Confirm => {
                let Step::Services { trade, card, chosen } = self.step.clone() else {
                    return (Task::none(), Exit::Stay);
                };
                run(config, move |station| {
                    let result = station.check_in(&trade, card.map(|c| c.hash), &chosen, now);
                    Ok(Loaded::CheckedIn(result.map_err(|e| e.to_string()), trade))
                })
            }
            Message::Page(page) => {
                self.page = page;
                Task::none()
            }
            Message::ShowCheckOut => {
                self.page = 0;
                self.go(Step::CheckOut, now);
                refresh(config, now)
            }
            Message::CheckOut(id) => run(config, move |station| {
                Ok(Loaded::CheckedOut(station.check_out(id, now).map_err(|e| e.to_string())))
            }),
            Message::Back => {
                if matches!(self.step, Step::Welcome { card: None }) && config.terminal.role == Role::Both {
                    return (Task::none(), Exit::Home);
                }
                self.go(Step::Welcome { card: None }, now);
                refresh(config, now)
            }
            Message::Borrow => return (Task::none(), Exit::Borrow),
            Message::Loaded(loaded) => self.loaded(*loaded, config, now),
        };
        (task, Exit::Stay)
    }

    fn loaded(&mut self, loaded: Loaded, config: &Arc<Config>, now: NaiveDateTime) -> Task<Message> {
        match loaded {
            Loaded::Present(Ok((present, occupancy))) => {
                self.present = present;
                self.occupancy = Some(occupancy);
            }
            Loaded::Scanned(Ok(CardScan::CheckedOut(visit))) => {
                let minutes = visit.checked_out_at.map_or(0, |out| (out - visit.checked_in_at).num_minutes());
                self.go(Step::Goodbye { minutes }, now);
                return refresh(config, now);
            }
            Loaded::Scanned(Ok(CardScan::ChooseTrade { card_hash, last_trade, earlier_visits })) => {
                let card = Card { hash: card_hash, last_trade, earlier_visits };
                match &mut self.step {
                    // A card scanned after the trade was tapped joins that check-in.
                    Step::Services { card: waiting, .. } => *waiting = Some(card),
                    _ => self.go(Step::Welcome { card: Some(card) }, now),
                }
            }
            Loaded::Scanned(Ok(CardScan::Full(occupancy))) => {
                self.occupancy = Some(occupancy);
                self.go(Step::Full, now);
            }
            Loaded::CheckedIn(Ok(CheckIn::Welcome { earlier_visits, .. }), trade) => {
                self.go(Step::CheckedIn { trade, earlier_visits }, now);
                return refresh(config, now);
            }
            Loaded::CheckedIn(Ok(CheckIn::Full(occupancy)), _) => {
                self.occupancy = Some(occupancy);
                self.go(Step::Full, now);
            }
            Loaded::CheckedOut(Ok(Some(visit))) => {
                let minutes = visit.checked_out_at.map_or(0, |out| (out - visit.checked_in_at).num_minutes());
                self.go(Step::Goodbye { minutes }, now);
                return refresh(config, now);
            }
            Loaded::CheckedOut(Ok(None)) => {
                self.go(Step::Welcome { card: None }, now);
                return refresh(config, now);
            }
            Loaded::Present(Err(error))
            | Loaded::Scanned(Err(error))
            | Loaded::CheckedIn(Err(error), _)
            | Loaded::CheckedOut(Err(error)) => {
                tracing::error!(%error, "the rest station's records could not be used");
                self.failed = true;
            }
        }
        Task::none()
    }
}

/// Reloads who is here as of `now`.
pub fn refresh(config: &Arc<Config>, now: NaiveDateTime) -> Task<Message> {
    run(config, move |station| {
        let present = station.present(now).map_err(|e| e.to_string());
        Ok(Loaded::Present(present.map(|present| {
            let occupancy = Occupancy { present: present.len() as u32, capacity: station.capacity() };
            (present, occupancy)
        })))
    })
}

/// Runs `work` on the station off the UI thread.
fn run(
    config: &Arc<Config>,
    work: impl FnOnce(&Station<'_>) -> Result<Loaded, String> + Send + 'static,
) -> Task<Message> {
    let config = config.clone();
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                let store = Store::open_in(&config.storage.resolved_data_dir()).map_err(|e| e.to_string())?;
                let station = Station::open(&store, &config.station).map_err(|e| e.to_string())?;
                work(&station)
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|result| result)
            .unwrap_or_else(|error| Loaded::Present(Err(error)))
        },
        |loaded| Message::Loaded(Box::new(loaded)),
    )
}

fn choice<'c>(choices: &'c [Choice], id: &str) -> Option<&'c Choice> {
    choices.iter().find(|c| c.id == id)
}

fn occupancy_pill<'a>(ui: &Ui<'_>, occupancy: Option<Occupancy>) -> Element<'a, Message> {
    let Some(occupancy) = occupancy else { return space::horizontal().width(0).into() };
    let (key, tone) = if occupancy.is_full() {
        ("station-full-now", ui.look.danger)
    } else {
        ("station-present", ui.look.success)
    };
    let words = ui.tr_args(
        key,
        &[
            ("present", FluentValue::from(occupancy.present)),
            ("capacity", FluentValue::from(occupancy.capacity)),
        ],
    );
    container(text(words).size(ui.sizes.body).wrapping(iced::widget::text::Wrapping::None))
        .padding([8, 20])
        .style(ui.look.banner(tone))
        .into()
}

/// A picture button for a trade or service; `selected` ones are filled. The picture
/// shrinks (down to nothing) on a short screen; the words always show.
fn picture_button<'a>(
    ui: &Ui<'_>,
    choice: &Choice,
    label: String,
    selected: bool,
    message: Message,
) -> Element<'a, Message> {
    let side = ui.sizes.headline * 1.8;
    let picture =
        container(image(icons::named(&choice.icon).clone()).width(Length::Fill).height(Length::Fill))
            .max_width(side)
            .max_height(side)
            .height(Length::Fill);
    let content = column![picture, text(label).size(ui.sizes.title).center().width(Length::Fill)]
        .spacing(8)
        .align_x(Alignment::Center)
        .height(Length::Fill);
    let b = button(container(content).center_x(Length::Fill))
        .width(Length::Fill)
        .height(Length::Fill)
        .padding(12)
        .on_press(message);
    if selected { b.style(ui.look.primary_button()) } else { b.style(ui.look.secondary_button()) }.into()
}

/// Choices laid out in rows of at most `per_row`, each row at most `height` tall; rows
/// shrink on a short screen so the buttons under them stay in reach.
fn grid<'a>(tiles: Vec<Element<'a, Message>>, per_row: usize, height: f32) -> Element<'a, Message> {
    let mut rows = Column::new().spacing(16).height(Length::Fill);
    let mut count = 0.0;
    let mut tiles = tiles.into_iter().peekable();
    while tiles.peek().is_some() {
        let mut line = Row::new().spacing(16).height(Length::Fill);
        for tile in tiles.by_ref().take(per_row.max(1)) {
            line = line.push(tile);
        }
        rows = rows.push(line);
        count += 1.0;
    }
    container(rows).height(Length::Fill).max_height(count * height + (count - 1.0).max(0.0) * 16.0).into()
}

fn heading<'a>(ui: &Ui<'_>, words: String) -> Element<'a, Message> {
    text(words).size(ui.sizes.headline).into()
}

/// Draws the station screens.
pub fn view<'a>(ui: &Ui<'a>, desk: &'a StationDesk, config: &'a Config) -> Element<'a, Message> {
    let station = &config.station;
    let language = ui.language;
    let tile_height = (ui.sizes.headline * 1.8 + ui.sizes.title * 1.4 + 40.0).max(TOUCH_MIN * 2.0);
    let mut page = Column::new().spacing(20).padding(28).width(Length::Fill).height(Length::Fill);
    if desk.failed {
        page = page.push(
            container(text(ui.tr("station-error")).size(ui.sizes.body))
                .padding([10, 20])
                .width(Length::Fill)
                .style(ui.look.banner(ui.look.danger)),
        );
    }
    match &desk.step {
        Step::Welcome { card } => {
            let title = match card {
                Some(card) if card.earlier_visits > 0 => {
                    ui.tr_args("station-card-again", &[("count", FluentValue::from(card.earlier_visits + 1))])
                }
                Some(_) => ui.tr("station-card-first"),
                None => ui.tr("station-welcome"),
            };
            page = page.push(
                row![
                    column![heading(ui, title), text(ui.tr("station-pick-trade")).size(ui.sizes.title)]
                        .spacing(4)
                        .width(Length::Fill),
                    occupancy_pill(ui, desk.occupancy)
                ]
                .spacing(16)
                .align_y(Alignment::Center),
            );
            let last = card.as_ref().and_then(|c| c.last_trade.as_deref());
            let tiles: Vec<_> = station
                .trades
                .iter()
                .map(|trade| {
                    let label = trade.name(language).to_string();
                    picture_button(
                        ui,
                        trade,
                        label,
                        Some(trade.id.as_str()) == last,
                        Message::Trade(trade.id.clone()),
                    )
                })
                .collect();
            let per_row = if station.trades.len() <= 5 {
                station.trades.len().max(1)
            } else {
                station.trades.len().div_ceil(2)
            };
            page = page.push(grid(tiles, per_row, tile_height));
            page = page.push(text(ui.tr("station-scan-hint")).size(ui.sizes.body).color(ui.look.muted));
            let mut actions =
                row![big_button::wide(ui, ui.tr("station-check-out"), false, Message::ShowCheckOut)]
                    .spacing(16);
            if config.terminal.role == Role::Both || card.is_some() {
                actions = actions.push(big_button::wide(ui, ui.tr("station-back"), false, Message::Back));
            }
            page = page.push(actions);
        }
        Step::Services { trade, chosen, card } => {
            let name = Choice::name_of(&station.trades, trade, language);
            page = page.push(heading(
                ui,
                ui.tr_args("station-services-title", &[("trade", FluentValue::from(name.to_string()))]),
            ));
            let mut hint = ui.tr("station-services-hint");
            if card.is_some() {
                hint = format!("{hint} {}", ui.tr("station-card-ready"));
            }
            page = page.push(text(hint).size(ui.sizes.body).color(ui.look.muted));
            let tiles: Vec<_> = station
                .services
                .iter()
                .map(|service| {
                    let selected = chosen.contains(&service.id);
                    let label = if selected {
                        format!("√ {}", service.name(language))
                    } else {
                        service.name(language).to_string()
                    };
                    picture_button(ui, service, label, selected, Message::Service(service.id.clone()))
                })
                .collect();
            page = page.push(grid(tiles, 4, tile_height * 0.9));
            page = page.push(
                row![
                    big_button::wide(ui, ui.tr("station-back"), false, Message::Back),
                    big_button::wide(ui, ui.tr("station-confirm"), true, Message::Confirm),
                ]
                .spacing(16),
            );
        }
        Step::CheckedIn { trade, earlier_visits } => {
            let name = Choice::name_of(&station.trades, trade, language);
            page = page.push(heading(ui, format!("√ {}", ui.tr("station-checked-in"))));
            let hello = if *earlier_visits > 0 {
                ui.tr_args(
                    "station-hello-again",
                    &[
                        ("trade", FluentValue::from(name.to_string())),
                        ("count", FluentValue::from(earlier_visits + 1)),
                    ],
                )
            } else {
                ui.tr_args("station-hello", &[("trade", FluentValue::from(name.to_string()))])
            };
            page = page.push(text(hello).size(ui.sizes.title));
            page = page.push(text(ui.tr("station-offers")).size(ui.sizes.body).color(ui.look.muted));
            let side = ui.sizes.title * 1.6;
            let mut offers = Row::new().spacing(24);
            for service in &station.services {
                offers = offers.push(
                    column![
                        image(icons::named(&service.icon).clone()).width(side).height(side),
                        text(service.name(language).to_string()).size(ui.sizes.small)
                    ]
                    .spacing(6)
                    .align_x(Alignment::Center),
                );
            }
            page = page.push(
                container(offers.wrap().vertical_spacing(12))
                    .padding(16)
                    .width(Length::Fill)
                    .style(ui.look.card()),
            );
            if !station.wifi_name.is_empty() {
                let wifi = ui.tr_args(
                    "station-wifi",
                    &[
                        ("name", FluentValue::from(station.wifi_name.clone())),
                        ("password", FluentValue::from(station.wifi_password.clone())),
                    ],
                );
                page = page.push(text(wifi).size(ui.sizes.title));
            }
            page = page.push(text(ui.tr("station-leave-hint")).size(ui.sizes.body).color(ui.look.muted));
            let mut actions =
                row![big_button::wide(ui, ui.tr("station-ok"), true, Message::Back)].spacing(16);
            if config.terminal.role == Role::Both {
                actions = actions.push(big_button::wide(ui, ui.tr("station-borrow"), false, Message::Borrow));
            }
            page = page.push(actions);
        }
        Step::CheckOut => {
            page = page.push(
                row![
                    container(heading(ui, ui.tr("station-check-out-title"))).width(Length::Fill),
                    occupancy_pill(ui, desk.occupancy)
                ]
                .spacing(16)
                .align_y(Alignment::Center),
            );
            page = page.push(text(ui.tr("station-check-out-hint")).size(ui.sizes.body).color(ui.look.muted));
            let mut list = Column::new().spacing(10);
            if desk.present.is_empty() {
                list = list.push(text(ui.tr("station-nobody")).size(ui.sizes.title));
            }
            let side = ui.sizes.title * 1.5;
            // Newest first, a page at a time (no drag-scrolling).
            let pages = desk.present.len().div_ceil(CHECK_OUT_PAGE).max(1);
            let shown = desk.page.min(pages - 1);
            for visit in desk.present.iter().rev().skip(shown * CHECK_OUT_PAGE).take(CHECK_OUT_PAGE) {
                let trade = choice(&station.trades, &visit.trade);
                let name = trade.map_or(visit.trade.clone(), |t| t.name(language).to_string());
                let icon = icons::named(trade.map_or("", |t| t.icon.as_str())).clone();
                let since = ui.tr_args(
                    "station-since",
                    &[("time", FluentValue::from(visit.checked_in_at.format("%H:%M").to_string()))],
                );
                let label = row![
                    image(icon).width(side).height(side),
                    text(name).size(ui.sizes.title).width(Length::Fill),
                    text(since).size(ui.sizes.body),
                    text(ui.tr("station-this-is-me")).size(ui.sizes.body).color(ui.look.primary),
                ]
                .spacing(20)
                .align_y(Alignment::Center);
                list = list.push(
                    button(label)
                        .width(Length::Fill)
                        .height(Length::Fixed(TOUCH_MIN.max(side + 16.0)))
                        .padding([8, 16])
                        .style(ui.look.secondary_button())
                        .on_press(Message::CheckOut(visit.id)),
                );
            }
            page = page.push(list.height(Length::Fill));
            let mut actions =
                row![big_button::wide(ui, ui.tr("station-back"), false, Message::Back)].spacing(16);
            if pages > 1 {
                let step = |key: &str, target: Option<usize>| {
                    let b = button(text(ui.tr(key)).size(ui.sizes.button).center())
                        .height(Length::Fixed(TOUCH_MIN))
                        .padding([10, 24])
                        .style(ui.look.secondary_button());
                    match target {
                        Some(target) => b.on_press(Message::Page(target)),
                        None => b,
                    }
                };
                actions = actions
                    .push(step("page-previous", shown.checked_sub(1)))
                    .push(text(format!("{} / {pages}", shown + 1)).size(ui.sizes.body))
                    .push(step("page-next", (shown + 1 < pages).then_some(shown + 1)));
            }
            page = page.push(actions.align_y(Alignment::Center));
        }
        Step::Goodbye { minutes } => {
            page = page.push(heading(ui, format!("√ {}", ui.tr("station-goodbye"))));
            page = page.push(
                text(ui.tr_args("station-stayed", &[("minutes", FluentValue::from(*minutes))]))
                    .size(ui.sizes.title),
            );
            page = page.push(big_button::wide(ui, ui.tr("station-ok"), true, Message::Back));
        }
        Step::Full => {
            let words = desk.occupancy.map_or_else(
                || ui.tr("station-full"),
                |o| ui.tr_args("station-full-count", &[("capacity", FluentValue::from(o.capacity))]),
            );
            page = page.push(heading(ui, words));
            page = page.push(text(ui.tr("station-full-hint")).size(ui.sizes.title));
            page = page.push(
                row![
                    big_button::wide(ui, ui.tr("station-check-out"), false, Message::ShowCheckOut),
                    big_button::wide(ui, ui.tr("station-ok"), true, Message::Back),
                ]
                .spacing(16),
            );
        }
    }
    page.into()
}
