//! A library visit on screen: identify, PIN, the patron's account, the live list of books
//! being lent or returned, the receipt question and the goodbye. The circulation session
//! (`kiosk_core::circulation::session`) decides; this module shows it and turns taps
//! into its inputs.

use chrono::NaiveDateTime;
use fluent_bundle::FluentValue;
use iced::widget::{Column, button, column, container, responsive, row, space, text};
use iced::{Alignment, Color, Element, Length};
use kiosk_core::circulation::Routing;
use kiosk_core::circulation::session::{
    EndReason, Input, Line, LineState, Loan, Mode, Patron, Phase, Session,
};
use kiosk_core::config::OfflinePolicy;
use kiosk_core::mask;

use crate::theme::TOUCH_MIN;
use crate::ui::Ui;
use crate::widgets::banner::view as banner;
use crate::widgets::{big_button, keypad};

/// The width of question screens (identify, PIN, receipt), so buttons stay within reach.
const QUESTION_WIDTH: f32 = 760.0;

/// What the visit's buttons send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A keypad digit.
    Digit(char),
    /// Delete the last digit.
    Backspace,
    /// Send what was typed (card number or PIN).
    Submit,
    /// Show the keypad to type the card number.
    TypeCard,
    /// Renew every loan (account).
    RenewAll,
    /// Select or unselect a loan for renewal (account).
    ToggleLoan(String),
    /// Renew the selected loans (account).
    RenewSelected,
    /// Done with the books.
    Finish,
    /// The receipt answer.
    Receipt(bool),
    /// "I need more time".
    MoreTime,
    /// Leave (before anything was done) or go home after the goodbye.
    Leave,
    /// Show this page of the list.
    Page(usize),
}

/// The printer's part after the visitor asked for a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printing {
    /// Sent to the printer.
    InProgress,
    /// Printed.
    Done,
    /// It could not print; the summary stays on screen.
    Failed(String),
}

/// A visit in progress.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The circulation session.
    pub session: Session,
    /// Digits typed on the keypad.
    pub keypad: String,
    /// The keypad is open for the card number.
    pub typing_card: bool,
    /// The last refused scan or pad problem, for a banner.
    pub notice: Option<String>,
    /// Seconds left when the timeout warning shows.
    pub warning: Option<i64>,
    /// The receipt's printing.
    pub printing: Option<Printing>,
    /// The page of the item list; `None` follows the newest line.
    pub page: Option<usize>,
    /// The session is waiting for the library system.
    pub working: bool,
    /// Loans selected for renewal on the account screen.
    pub selected: std::collections::BTreeSet<String>,
    /// The receipt as a QR code, shown when the printer cannot print it.
    pub receipt_qr: Option<iced::widget::image::Handle>,
}

impl Visit {
    /// A new visit.
    pub fn new(session: Session) -> Visit {
        Visit {
            session,
            keypad: String::new(),
            typing_card: false,
            notice: None,
            warning: None,
            printing: None,
            page: None,
            working: false,
            selected: std::collections::BTreeSet::new(),
            receipt_qr: None,
        }
    }

    /// Applies a tap; returns the session input it means, if any.
    pub fn on_message(&mut self, message: &Message) -> Option<Input> {
        match message {
            Message::Digit(digit) => {
                let limit = if matches!(self.session.phase(), Phase::Pin { .. }) { 12 } else { 20 };
                if self.keypad.chars().count() < limit {
                    self.keypad.push(*digit);
                }
                Some(Input::Activity)
            }
            Message::Backspace => {
                self.keypad.pop();
                Some(Input::Activity)
            }
            Message::Submit => {
                let typed = std::mem::take(&mut self.keypad);
                if typed.is_empty() {
                    return None;
                }
                self.typing_card = false;
                match self.session.phase() {
                    Phase::Pin { .. } => Some(Input::Pin(typed)),
                    Phase::Identify => Some(Input::Card(typed)),
                    _ => None,
                }
            }
            Message::TypeCard => {
                self.typing_card = true;
                Some(Input::Activity)
            }
            Message::RenewAll => {
                let items = self.session.patron().map(|p| p.charged_items.clone()).unwrap_or_default();
                (!items.is_empty()).then_some(Input::Renew(items))
            }
            Message::ToggleLoan(barcode) => {
                if !self.selected.remove(barcode) {
                    self.selected.insert(barcode.clone());
                }
                Some(Input::Activity)
            }
            Message::RenewSelected => {
                let items: Vec<String> = std::mem::take(&mut self.selected).into_iter().collect();
                (!items.is_empty()).then_some(Input::Renew(items))
            }
            Message::Finish => Some(Input::Finish),
            Message::Receipt(print) => Some(Input::Receipt(*print)),
            Message::MoreTime => {
                self.warning = None;
                Some(Input::MoreTime)
            }
            Message::Page(page) => {
                self.page = Some(*page);
                Some(Input::Activity)
            }
            Message::Leave => None,
        }
    }

    /// Shows the newest page when a line is added.
    pub fn follow_newest(&mut self) {
        self.page = None;
    }
}

fn heading<'a, M: 'a>(ui: &Ui<'_>, words: String) -> Element<'a, M> {
    text(words).size(ui.sizes.headline).into()
}

fn leave_button<'a>(ui: &Ui<'_>) -> Element<'a, Message> {
    big_button::wide(ui, ui.tr("visit-leave"), false, Message::Leave)
}

/// A question answered on the keypad: above it on a tall screen, beside it on a short one.
fn keypad_screen<'a>(
    ui: &Ui<'a>,
    title: String,
    notice: Option<(String, Color)>,
    shown: String,
) -> Element<'a, Message> {
    let ui = *ui;
    responsive(move |size| {
        let mut side = column![heading(&ui, title.clone())].spacing(20).align_x(Alignment::Center);
        if let Some((words, tone)) = &notice {
            side = side.push(banner(&ui, words.clone(), *tone));
        }
        let keys =
            keypad::Keys { digit: Message::Digit, backspace: Message::Backspace, submit: Message::Submit };
        let pad = keypad::view(&ui, shown.clone(), ui.tr("keypad-ok"), keys);
        let stacked = ui.sizes.headline * 1.5 + 6.0 * (TOUCH_MIN + 14.0) + 60.0;
        if size.height >= stacked {
            side.push(pad).push(leave_button(&ui)).max_width(QUESTION_WIDTH).into()
        } else {
            row![side.push(leave_button(&ui)).width(Length::Fill), pad]
                .spacing(40)
                .align_y(Alignment::Center)
                .into()
        }
    })
    .into()
}

fn identify<'a>(ui: &Ui<'a>, visit: &Visit) -> Element<'a, Message> {
    let notice = visit.session.unavailable().map(|why| {
        let words = match why {
            "unknown card" => ui.tr("identify-unknown"),
            "offline" => ui.tr("identify-account-offline"),
            _ => ui.tr("identify-unavailable"),
        };
        (words, ui.look.danger)
    });
    if visit.typing_card {
        return keypad_screen(ui, ui.tr("identify-title"), notice, visit.keypad.clone());
    }
    let mut content = column![heading(ui, ui.tr("identify-title"))].spacing(24).align_x(Alignment::Center);
    if let Some((words, tone)) = notice {
        content = content.push(banner(ui, words, tone));
    }
    content = content.push(text(ui.tr("identify-hint")).size(ui.sizes.body));
    content = content.push(big_button::wide(ui, ui.tr("identify-type"), true, Message::TypeCard));
    content.push(leave_button(ui)).max_width(QUESTION_WIDTH).into()
}

fn pin<'a>(ui: &Ui<'a>, visit: &Visit, attempts_left: u32, wrong: bool) -> Element<'a, Message> {
    let notice = wrong
        .then(|| (ui.tr_args("pin-wrong", &[("count", FluentValue::from(attempts_left))]), ui.look.danger));
    keypad_screen(ui, ui.tr("pin-title"), notice, "●".repeat(visit.keypad.chars().count()))
}

fn patron_summary<'a>(ui: &Ui<'_>, patron: &Patron, policy: &OfflinePolicy) -> Element<'a, Message> {
    if patron.offline {
        let card = mask::identifier(&patron.id).to_string();
        let words = ui.tr_args(
            "patron-offline",
            &[
                ("card", FluentValue::from(card)),
                ("limit", FluentValue::from(policy.max_items_per_patron)),
                ("days", FluentValue::from(policy.loan_days)),
            ],
        );
        return banner(ui, words, ui.look.warning);
    }
    let loans = match patron.limit {
        Some(limit) => ui.tr_args(
            "patron-loans-limit",
            &[("count", FluentValue::from(patron.loans)), ("limit", FluentValue::from(limit))],
        ),
        None => ui.tr_args("patron-loans", &[("count", FluentValue::from(patron.loans))]),
    };
    let mut facts = row![
        text(ui.tr_args("patron-hello", &[("name", FluentValue::from(mask::name(&patron.name)))]))
            .size(ui.sizes.title),
        text(loans).size(ui.sizes.body),
    ]
    .spacing(32)
    .align_y(Alignment::Center);
    if patron.holds_ready > 0 {
        facts = facts.push(
            text(ui.tr_args("patron-holds", &[("count", FluentValue::from(patron.holds_ready))]))
                .size(ui.sizes.body),
        );
    }
    if let Some(fines) = &patron.fines {
        facts = facts.push(
            text(ui.tr_args("patron-fines", &[("amount", FluentValue::from(fines.as_str()))]))
                .size(ui.sizes.body),
        );
    }
    let mut summary = column![facts].spacing(12);
    for block in &patron.blocks {
        summary = summary.push(banner(ui, ui.tr(block.message_key()), ui.look.danger));
    }
    container(summary).padding(16).width(Length::Fill).style(ui.look.card()).into()
}

fn date(at: Option<NaiveDateTime>) -> String {
    at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// One line's outcome: words and colour.
pub fn outcome(ui: &Ui<'_>, line: &Line) -> (String, Color) {
    let due = |key: &str, at| ui.tr_args(key, &[("date", FluentValue::from(date(at)))]);
    let queued =
        |words: String, on: bool| if on { format!("{words} · {}", ui.tr("line-queued")) } else { words };
    match &line.state {
        LineState::Working | LineState::Securing { .. } => (ui.tr("line-working"), ui.look.muted),
        LineState::Loaned { due: at, renewed: false, queued: q } => {
            (queued(due("line-due", *at), *q), ui.look.success)
        }
        LineState::Loaned { due: at, renewed: true, queued: q } => {
            (queued(due("line-renewed", *at), *q), ui.look.success)
        }
        LineState::Renewed { due: at } => (due("line-renewed", *at), ui.look.success),
        LineState::Returned { routing: Routing::Shelve, queued: q } => {
            (queued(ui.tr("line-returned"), *q), ui.look.success)
        }
        LineState::Returned { routing: Routing::HoldShelf { patron_name }, queued: q } => {
            let name = patron_name.as_deref().map(mask::name).unwrap_or_default();
            (queued(ui.tr_args("line-hold-shelf", &[("name", FluentValue::from(name))]), *q), ui.look.warning)
        }
        LineState::Returned { routing: Routing::Transit { destination }, queued: q } => {
            let to = destination.clone().unwrap_or_default();
            (queued(ui.tr_args("line-transit", &[("branch", FluentValue::from(to))]), *q), ui.look.warning)
        }
        LineState::Returned { routing: Routing::Staff, queued: q } => {
            (queued(ui.tr("line-staff"), *q), ui.look.warning)
        }
        LineState::Refused(reason) => {
            (ui.tr_args("line-refused", &[("reason", FluentValue::from(reason.as_str()))]), ui.look.danger)
        }
        LineState::SetIncomplete { parts, found } => (
            ui.tr_args(
                "line-set-incomplete",
                &[("parts", FluentValue::from(*parts)), ("found", FluentValue::from(*found))],
            ),
            ui.look.danger,
        ),
        LineState::SecurityFailed => (ui.tr("line-security-failed"), ui.look.danger),
        LineState::Blocked => (ui.tr("line-blocked"), ui.look.danger),
    }
}

fn line_view<'a>(ui: &Ui<'_>, number: usize, line: &Line) -> Element<'a, Message> {
    let (words, tone) = outcome(ui, line);
    let title = line.title.clone().unwrap_or_else(|| line.barcode.clone());
    // Colour and a symbol, so the outcome does not rest on colour alone.
    let symbol = match &line.state {
        LineState::Working | LineState::Securing { .. } => "…",
        LineState::Loaned { .. }
        | LineState::Renewed { .. }
        | LineState::Returned { routing: Routing::Shelve, .. } => "√",
        LineState::Returned { .. } => "！",
        _ => "×",
    };
    let on_tone = ui.look.on_primary;
    let side = TOUCH_MIN * 0.75;
    let mark = container(text(symbol).size(ui.sizes.title).color(on_tone))
        .center_x(Length::Fixed(side))
        .center_y(Length::Fixed(side))
        .style(move |_| container::Style {
            background: Some(tone.into()),
            border: iced::border::rounded(side / 2.0),
            ..Default::default()
        });
    let body = column![
        text(format!("{number}. {title}")).size(ui.sizes.body),
        row![
            // The barcode under the title; alone on the first line when the title is unknown.
            text(if line.title.is_some() { line.barcode.clone() } else { String::new() })
                .size(ui.sizes.small),
            space::horizontal(),
            text(words).size(ui.sizes.body).color(tone)
        ]
        .spacing(16),
    ]
    .spacing(4)
    .width(Length::Fill);
    container(row![mark, body].spacing(16).align_y(Alignment::Center))
        .padding(12)
        .width(Length::Fill)
        .style(ui.look.card())
        .into()
}

/// The height one item line takes, for fitting whole lines to the screen.
fn line_height(ui: &Ui<'_>) -> f32 {
    let text = ui.sizes.body * 1.3 * 2.0 + 4.0;
    text.max(TOUCH_MIN * 0.75) + 24.0 + 2.0
}

/// The buttons under the list: renew all (account), and done.
fn actions<'a>(ui: &Ui<'a>, visit: &'a Visit) -> iced::widget::Row<'a, Message> {
    let session = &visit.session;
    let mut actions = row![].spacing(16).align_y(Alignment::Center);
    if session.mode() == Mode::Account && session.lines().is_empty() {
        let chosen = visit.selected.len();
        let label = ui.tr_args("account-renew-selected", &[("count", FluentValue::from(chosen))]);
        if chosen > 0 {
            actions = actions.push(big_button::wide(ui, label, false, Message::RenewSelected));
        }
        actions = actions.push(big_button::wide(ui, ui.tr("account-renew-all"), false, Message::RenewAll));
    }
    let finish = if session.busy() {
        big_button::wide(ui, ui.tr("visit-wait"), false, Message::Finish)
    } else {
        big_button::wide(ui, ui.tr("visit-finish"), true, Message::Finish)
    };
    actions.push(finish)
}

/// A list with the visit's actions under it; `empty` shows when there is nothing to list.
fn list_or<'a, T>(
    ui: &Ui<'a>,
    visit: &'a Visit,
    items: &'a [T],
    empty: String,
    newest_first_page: bool,
    line: impl Fn(&Ui<'a>, usize, &'a T) -> Element<'a, Message> + 'a,
) -> Element<'a, Message> {
    if items.is_empty() {
        let empty = container(text(empty).size(ui.sizes.title)).center_x(Length::Fill).center_y(Length::Fill);
        return column![empty, actions(ui, visit)].spacing(16).into();
    }
    let ui = *ui;
    // As many whole lines as fit; the rest is a page away (no drag-scrolling). The paging
    // buttons share the row of the done button, so short screens keep room for lines.
    responsive(move |size| {
        let spacing = 10.0;
        let bottom = TOUCH_MIN.max(ui.sizes.button * 2.2);
        let per_page = (((size.height - bottom) / (line_height(&ui) + spacing)).floor() as usize).max(1);
        let pages = items.len().div_ceil(per_page);
        let unset = if newest_first_page { pages - 1 } else { 0 };
        let page = visit.page.unwrap_or(unset).min(pages - 1);
        let mut list = Column::new().spacing(spacing);
        for (index, item) in items.iter().enumerate().skip(page * per_page).take(per_page) {
            list = list.push(line(&ui, index, item));
        }
        let mut bottom_row = row![].spacing(16).align_y(Alignment::Center);
        if pages > 1 {
            bottom_row = bottom_row.push(pager(&ui, page, pages, bottom));
        }
        column![list.height(Length::Fill), bottom_row.push(actions(&ui, visit))].spacing(spacing).into()
    })
    .into()
}

/// The session's items, following the newest until the visitor pages back.
fn item_list<'a>(ui: &Ui<'a>, visit: &'a Visit, empty_hint: String) -> Element<'a, Message> {
    list_or(ui, visit, visit.session.lines(), empty_hint, true, |ui, index, line| {
        line_view(ui, index + 1, line)
    })
}

/// One loan on the account screen: tap to select it for renewal.
fn loan_row<'a>(ui: &Ui<'a>, loan: &'a Loan, selected: bool) -> Element<'a, Message> {
    let date = loan.due.map(|due| due.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let (due, tone) = if loan.overdue {
        (ui.tr_args("loan-overdue", &[("date", FluentValue::from(date))]), ui.look.danger)
    } else {
        (ui.tr_args("loan-due", &[("date", FluentValue::from(date))]), ui.look.text)
    };
    let side = TOUCH_MIN * 0.75;
    let (fill, on_fill) =
        if selected { (ui.look.primary, ui.look.on_primary) } else { (ui.look.surface, ui.look.text) };
    let border = ui.look.primary;
    let tick = container(text(if selected { "√" } else { "" }).size(ui.sizes.title).color(on_fill))
        .center_x(Length::Fixed(side))
        .center_y(Length::Fixed(side))
        .style(move |_| container::Style {
            background: Some(fill.into()),
            border: iced::Border { color: border, width: 3.0, radius: 8.0.into() },
            ..Default::default()
        });
    let title = loan.title.clone().unwrap_or_else(|| loan.barcode.clone());
    let body = column![
        text(title).size(ui.sizes.body),
        row![
            text(if loan.title.is_some() { loan.barcode.clone() } else { String::new() })
                .size(ui.sizes.small),
            space::horizontal(),
            text(due).size(ui.sizes.body).color(tone),
        ]
        .spacing(16),
    ]
    .spacing(4)
    .width(Length::Fill);
    button(row![tick, body].spacing(16).align_y(Alignment::Center))
        .padding(12)
        .width(Length::Fill)
        .style(ui.look.secondary_button())
        .on_press(Message::ToggleLoan(loan.barcode.clone()))
        .into()
}

/// The patron's loans, paged to the screen, with the renewal buttons.
fn loan_list<'a>(ui: &Ui<'a>, visit: &'a Visit) -> Element<'a, Message> {
    let loans: &'a [Loan] = visit.session.patron().map_or(&[], |p| p.loans_detail.as_slice());
    list_or(ui, visit, loans, ui.tr("account-no-loans"), false, |ui, _, loan| {
        loan_row(ui, loan, visit.selected.contains(&loan.barcode))
    })
}

/// Previous / page of pages / next.
fn pager<'a>(ui: &Ui<'a>, page: usize, pages: usize, height: f32) -> iced::widget::Row<'a, Message> {
    let step = |label: String, target: Option<usize>| {
        let b = button(text(label).size(ui.sizes.button).center())
            .height(Length::Fixed(height))
            .padding([10, 24])
            .style(ui.look.secondary_button());
        match target {
            Some(target) => b.on_press(Message::Page(target)),
            None => b,
        }
    };
    row![
        step(ui.tr("page-previous"), page.checked_sub(1)),
        text(format!("{} / {pages}", page + 1)).size(ui.sizes.body),
        step(ui.tr("page-next"), (page + 1 < pages).then_some(page + 1)),
    ]
    .spacing(24)
    .align_y(Alignment::Center)
}

fn ready<'a>(ui: &Ui<'a>, visit: &'a Visit, policy: &OfflinePolicy) -> Element<'a, Message> {
    let session = &visit.session;
    let mut content = Column::new().spacing(16).height(Length::Fill);
    let (title, hint) = match session.mode() {
        Mode::Borrow => ("borrow-title", "borrow-hint"),
        Mode::Return => ("return-title", "return-hint"),
        Mode::Account => ("account-title", "account-hint"),
    };
    content = content.push(text(ui.tr(title)).size(ui.sizes.title));
    if let Some(patron) = session.patron() {
        content = content.push(patron_summary(ui, patron, policy));
    }
    if let Some(notice) = &visit.notice {
        content = content.push(banner(ui, notice.clone(), ui.look.warning));
    }
    if session.mode() == Mode::Account && session.lines().is_empty() {
        content.push(loan_list(ui, visit)).into()
    } else {
        content.push(item_list(ui, visit, ui.tr(hint))).into()
    }
}

fn receipt_choice<'a>(ui: &Ui<'_>) -> Element<'a, Message> {
    column![
        heading(ui, ui.tr("receipt-question")),
        row![
            big_button::wide(ui, ui.tr("receipt-print"), true, Message::Receipt(true)),
            big_button::wide(ui, ui.tr("receipt-none"), false, Message::Receipt(false)),
        ]
        .spacing(24),
    ]
    .spacing(32)
    .align_x(Alignment::Center)
    .max_width(QUESTION_WIDTH)
    .into()
}

fn goodbye<'a>(ui: &Ui<'_>, visit: &Visit, reason: EndReason) -> Element<'a, Message> {
    let words = match reason {
        EndReason::Finished => ui.tr("goodbye-finished"),
        EndReason::TimedOut => ui.tr("goodbye-timed-out"),
        EndReason::TooManyPins => ui.tr("goodbye-too-many-pins"),
    };
    let mut content = column![heading(ui, words)].spacing(24).align_x(Alignment::Center);
    match &visit.printing {
        Some(Printing::InProgress) => {
            content = content.push(text(ui.tr("receipt-printing")).size(ui.sizes.title))
        }
        Some(Printing::Done) => content = content.push(text(ui.tr("receipt-printed")).size(ui.sizes.title)),
        Some(Printing::Failed(_)) => {
            content = content.push(banner(ui, ui.tr("receipt-failed"), ui.look.warning));
            let mut summary = Column::new().spacing(8).width(Length::Fill);
            for (index, line) in visit.session.lines().iter().enumerate().take(6) {
                summary = summary.push(line_view(ui, index + 1, line));
            }
            let mut row = row![summary].spacing(24).align_y(Alignment::Center);
            if let Some(qr) = &visit.receipt_qr {
                let side = TOUCH_MIN * 4.0;
                row = row.push(
                    column![
                        iced::widget::image(qr.clone()).width(side).height(side),
                        text(ui.tr("receipt-qr-hint")).size(ui.sizes.small),
                    ]
                    .spacing(8)
                    .align_x(Alignment::Center),
                );
            }
            content = content.push(row);
        }
        None => {}
    }
    content
        .push(big_button::wide(ui, ui.tr("goodbye-home"), true, Message::Leave))
        .max_width(QUESTION_WIDTH * 1.4)
        .into()
}

fn warning_overlay<'a>(ui: &Ui<'_>, seconds: i64) -> Element<'a, Message> {
    container(
        row![
            text(ui.tr_args("timeout-warning", &[("seconds", FluentValue::from(seconds))]))
                .size(ui.sizes.title),
            space::horizontal(),
            big_button::wide(ui, ui.tr("timeout-more-time"), true, Message::MoreTime),
        ]
        .align_y(Alignment::Center),
    )
    .padding(16)
    .width(Length::Fill)
    .style(ui.look.banner(ui.look.warning))
    .into()
}

/// Draws the visit.
pub fn view<'a>(ui: &Ui<'a>, visit: &'a Visit, policy: &OfflinePolicy) -> Element<'a, Message> {
    let body = match visit.session.phase() {
        Phase::Identify => identify(ui, visit),
        Phase::Pin { attempts_left, wrong } => pin(ui, visit, attempts_left, wrong),
        Phase::LookingUp => heading(ui, ui.tr("identify-looking-up")),
        Phase::Ready => ready(ui, visit, policy),
        Phase::ReceiptChoice => receipt_choice(ui),
        Phase::Ended(reason) => goodbye(ui, visit, reason),
    };
    let mut screen = Column::new().spacing(16).width(Length::Fill).height(Length::Fill);
    if let Some(seconds) = visit.warning {
        screen = screen.push(warning_overlay(ui, seconds));
    }
    // Questions sit in the middle of the screen; the item list uses all of it.
    let body = container(body).center_x(Length::Fill);
    screen = screen.push(if visit.session.phase() == Phase::Ready {
        body.height(Length::Fill)
    } else {
        body.center_y(Length::Fill)
    });
    container(screen).padding(24).width(Length::Fill).height(Length::Fill).into()
}
