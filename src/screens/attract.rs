//! The attract screen shown when nobody has used the kiosk for a while: what the machine
//! does, in both languages at once, with the services' pictures. A touch anywhere (or a
//! scan) wakes it.

use iced::widget::{column, container, image, mouse_area, row, text};
use iced::{Alignment, Element, Length};
use kiosk_core::config::{Language, Role};

use crate::icons;
use crate::ui::Ui;

/// What the attract screen reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// Somebody touched the screen.
    Wake,
}

/// Draws the attract screen; `text_in` gives a key's text in a language.
pub fn view<'a>(ui: &Ui<'_>, role: Role, text_in: impl Fn(Language, &str) -> String) -> Element<'a, Message> {
    let (title, hint) = match role {
        Role::Library => ("attract-library", "attract-library-hint"),
        Role::Station => ("attract-station", "attract-station-hint"),
        Role::Both => ("attract-both", "attract-both-hint"),
    };
    // Where to scan the card and where to put the books; the rest station's cup.
    let pictures: Vec<(&image::Handle, Option<&str>)> = match role {
        Role::Library | Role::Both => {
            vec![(&*icons::HOW_SCAN, Some("attract-how-scan")), (&*icons::HOW_PAD, Some("attract-how-pad"))]
        }
        Role::Station => vec![(&*icons::STATION, None)],
    };
    let height = ui.sizes.headline * 3.2;
    let pictures = row(pictures.into_iter().map(|(picture, caption)| {
        let width = if caption.is_some() { height * 1.5 } else { height };
        let mut column =
            column![image(picture.clone()).width(width).height(height)].spacing(8).align_x(Alignment::Center);
        if let Some(key) = caption {
            column = column.push(
                text(format!("{} · {}", text_in(Language::ZhCn, key), text_in(Language::En, key)))
                    .size(ui.sizes.body),
            );
        }
        column.into()
    }))
    .spacing(64);
    let mut content = column![pictures].spacing(24).align_x(Alignment::Center);
    for language in [Language::ZhCn, Language::En] {
        content = content
            .push(text(text_in(language, title)).size(ui.sizes.headline))
            .push(text(text_in(language, hint)).size(ui.sizes.title));
    }
    content = content.push(
        text(format!(
            "{} · {}",
            text_in(Language::ZhCn, "attract-touch"),
            text_in(Language::En, "attract-touch")
        ))
        .size(ui.sizes.title)
        .color(ui.look.primary),
    );
    mouse_area(container(content).center_x(Length::Fill).center_y(Length::Fill).padding(32))
        .on_press(Message::Wake)
        .into()
}
