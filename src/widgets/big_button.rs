//! A large tile button: an icon, a label and a hint line, at least [`TOUCH_MIN`] tall.

use iced::widget::{button, center, column, container, image, space, text};
use iced::{Alignment, Element, Length};

use crate::theme::TOUCH_MIN;
use crate::ui::Ui;

/// A tile for the home screen's main choices.
pub fn tile<'a, Message: Clone + 'a>(
    ui: &Ui<'_>,
    icon: &image::Handle,
    label: String,
    hint: String,
    on_press: Message,
) -> Element<'a, Message> {
    // The picture gives way on a short screen (down to nothing); the words always show.
    // The picture sits at the bottom of its share, just above the words.
    let side = ui.sizes.headline * 2.2;
    let picture = container(
        container(image(icon.clone()).width(Length::Fill).height(Length::Fill))
            .max_width(side)
            .max_height(side),
    )
    .center_x(Length::Fill)
    .align_bottom(Length::FillPortion(3));
    let content = column![
        picture,
        text(label).size(ui.sizes.title).center().width(Length::Fill),
        text(hint).size(ui.sizes.small).center().width(Length::Fill),
        space::vertical().height(Length::FillPortion(2)),
    ]
    .spacing(10)
    .align_x(Alignment::Center)
    .width(Length::Fill)
    .height(Length::Fill);
    button(center(content))
        .padding(24)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(ui.look.primary_button())
        .on_press(on_press)
        .into()
}

/// A wide button with one label, for actions inside a screen.
pub fn wide<'a, Message: Clone + 'a>(
    ui: &Ui<'_>,
    label: String,
    primary: bool,
    on_press: Message,
) -> Element<'a, Message> {
    let button = button(text(label).size(ui.sizes.button).center().width(Length::Fill).height(Length::Fill))
        .padding([14, 28])
        .height(Length::Fixed(TOUCH_MIN.max(ui.sizes.button * 2.2)))
        .on_press(on_press);
    if primary { button.style(ui.look.primary_button()) } else { button.style(ui.look.secondary_button()) }
        .into()
}
