//! A full-width coloured band with one message: notices, warnings, refusals.

use iced::widget::{container, text};
use iced::{Color, Element, Length};

use crate::ui::Ui;

/// The band, in the tone's colour (the high-contrast look keeps it readable).
pub fn view<'a, M: 'a>(ui: &Ui<'_>, words: String, tone: Color) -> Element<'a, M> {
    container(text(words).size(ui.sizes.body))
        .padding([12, 20])
        .width(Length::Fill)
        .style(ui.look.banner(tone))
        .into()
}
