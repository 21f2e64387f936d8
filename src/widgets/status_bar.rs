//! The status bar: terminal name, network state, queued transactions, the clock and
//! the language switch. Always visible.

use chrono::NaiveDateTime;
use iced::widget::{button, container, row, space, text};
use iced::{Alignment, Element, Length};

use crate::theme::TOUCH_MIN;
use crate::ui::Ui;

/// Whether the library system can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// Not yet known (starting up).
    Connecting,
    /// The ILS answers.
    Online,
    /// The ILS does not answer; the kiosk works from its journal.
    Offline,
}

/// What the status bar shows.
#[derive(Debug, Clone, Copy)]
pub struct Status<'a> {
    /// The terminal's name.
    pub terminal: &'a str,
    /// The wall clock.
    pub now: NaiveDateTime,
    /// The ILS connection.
    pub network: Network,
    /// Transactions waiting to be sent.
    pub queued: u64,
    /// Running the demo.
    pub demo: bool,
}

/// Messages the bar's buttons send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarMessage {
    /// Switch the language.
    ToggleLanguage,
    /// Switch large text.
    ToggleLargeText,
    /// Switch high contrast.
    ToggleHighContrast,
}

/// Draws the bar.
pub fn view<'a>(ui: &Ui<'_>, status: Status<'_>) -> Element<'a, BarMessage> {
    let network = match status.network {
        Network::Connecting => format!("○ {}", ui.tr("status-connecting")),
        Network::Online => format!("● {}", ui.tr("status-online")),
        Network::Offline => format!("○ {}", ui.tr("status-offline")),
    };
    let mut middle = row![text(network).size(ui.sizes.small)].spacing(20).align_y(Alignment::Center);
    if status.queued > 0 {
        middle = middle
            .push(text(ui.tr_args("status-queued", &[("count", status.queued.into())])).size(ui.sizes.small));
    }
    if status.demo {
        middle = middle.push(text(format!("▲ {}", ui.tr("status-demo"))).size(ui.sizes.small));
    }
    let bar_button = |label: String, message: BarMessage| {
        button(
            text(label)
                .size(ui.sizes.small)
                .height(Length::Fill)
                .align_y(Alignment::Center)
                .wrapping(iced::widget::text::Wrapping::None),
        )
        .padding([8, 12])
        .height(Length::Fixed(TOUCH_MIN))
        .style(ui.look.bar_button())
        .on_press(message)
    };
    let content = row![
        text(status.terminal.to_string()).size(ui.sizes.body).wrapping(iced::widget::text::Wrapping::None),
        middle,
        space::horizontal(),
        text(status.now.format("%H:%M").to_string()).size(ui.sizes.title),
        bar_button(ui.tr("home-large-text"), BarMessage::ToggleLargeText),
        bar_button(ui.tr("home-high-contrast"), BarMessage::ToggleHighContrast),
        bar_button(ui.tr("language-switch"), BarMessage::ToggleLanguage),
    ]
    .spacing(12)
    .align_y(Alignment::Center);
    container(content).padding([4, 20]).width(Length::Fill).style(ui.look.status_bar()).into()
}
