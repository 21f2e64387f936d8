//! The kiosk's own numeric keypad (no system keyboard on a touch kiosk): card numbers,
//! PINs, the technician PIN.

use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Element, Length};

use crate::theme::TOUCH_MIN;
use crate::ui::Ui;

/// What the keypad's keys send.
#[derive(Debug, Clone)]
pub struct Keys<M> {
    /// A digit key.
    pub digit: fn(char) -> M,
    /// The delete key.
    pub backspace: M,
    /// The confirm key.
    pub submit: M,
}

/// A 3×4 keypad under a display of what was typed (`shown`, already masked for PINs).
pub fn view<'a, M: Clone + 'a>(
    ui: &Ui<'_>,
    shown: String,
    submit_label: String,
    keys: Keys<M>,
) -> Element<'a, M> {
    let key = |label: String, message: M| -> Element<'a, M> {
        button(text(label).size(ui.sizes.title).center().width(Length::Fill))
            .width(Length::Fixed(TOUCH_MIN * 1.6))
            .height(Length::Fixed(TOUCH_MIN))
            .style(ui.look.secondary_button())
            .on_press(message)
            .into()
    };
    let digits = |row_digits: &[char]| {
        row(row_digits.iter().map(|d| key(d.to_string(), (keys.digit)(*d)))).spacing(12)
    };
    let display = container(text(shown).size(ui.sizes.title))
        .padding([8, 16])
        .width(Length::Fixed(TOUCH_MIN * 1.6 * 3.0 + 24.0))
        .style(ui.look.card());
    column![
        display,
        digits(&['1', '2', '3']),
        digits(&['4', '5', '6']),
        digits(&['7', '8', '9']),
        row![
            key("⌫".into(), keys.backspace.clone()),
            key("0".into(), (keys.digit)('0')),
            key(submit_label, keys.submit.clone())
        ]
        .spacing(12),
    ]
    .spacing(12)
    .align_x(Alignment::Center)
    .into()
}
