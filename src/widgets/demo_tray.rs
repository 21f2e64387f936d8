//! The demo tray: in demo mode only, a clearly marked strip that lets a newcomer "scan"
//! demo cards and books and "place" tagged books on the simulated pad with the mouse.
//! Everything it does goes through the simulated devices, exactly like real hardware.

use iced::widget::{button, container, row, text};
use iced::{Alignment, Element, Length};

use crate::ui::Ui;

/// A demo card or book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoItem {
    /// What the button says.
    pub label: &'static str,
    /// The barcode.
    pub code: &'static str,
}

/// Cards to scan: a patron in good standing, a blocked one, an English speaker.
pub const CARDS: [DemoItem; 3] = [
    DemoItem { label: "张伟 · 1234", code: "20234000000019" },
    DemoItem { label: "杨磊 · 1234", code: "20234000000068" },
    DemoItem { label: "John Smith · 4321", code: "20234000000191" },
];

/// Union cards for the rest station (any code that is no library card).
pub const UNION_CARDS: [DemoItem; 2] =
    [DemoItem { label: "王师傅", code: "GH3201000088" }, DemoItem { label: "李师傅", code: "GH3201000131" }];

/// Books to scan by barcode.
pub const SCANNED_BOOKS: [DemoItem; 3] = [
    DemoItem { label: "活着", code: "30234000000017" },
    DemoItem { label: "在细雨中呼喊", code: "30234000000041" },
    DemoItem { label: "许三观卖血记", code: "30234000000025" },
];

/// Tagged books for the pad (title, barcode, parts).
pub const PAD_BOOKS: [(&str, &str, u8); 3] = [
    ("白鹿原", "30234000000074", 1),
    ("人生", "30234000000066", 1),
    ("平凡的世界（全三册）", "30234000000058", 3),
];

/// What the tray asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Open or close the tray.
    Toggle,
    /// Scan this code.
    Scan(String),
    /// Put two single books on the pad.
    PlaceStack,
    /// Put a multi-part set on the pad, whole or with a part missing.
    PlaceSet {
        /// All parts.
        complete: bool,
    },
    /// Take everything off the pad.
    ClearPad,
}

/// Draws the tray (a single toggle when closed).
/// `technician` adds the demo technician card (only when it is the one accepted).
pub fn view<'a>(ui: &Ui<'_>, open: bool, technician: bool) -> Element<'a, Message> {
    let small = |label: String, message: Message| {
        button(text(label).size(ui.sizes.small).center())
            .padding([10, 14])
            .style(ui.look.secondary_button())
            .on_press(message)
    };
    let toggle = small(
        format!("▲ {}", ui.tr(if open { "demo-tray-close" } else { "demo-tray-open" })),
        Message::Toggle,
    );
    if !open {
        return container(toggle).padding([4, 16]).into();
    }
    let mut tray = row![toggle, text(ui.tr("demo-tray-cards")).size(ui.sizes.small)]
        .spacing(8)
        .align_y(Alignment::Center);
    for card in CARDS {
        tray = tray.push(small(card.label.to_string(), Message::Scan(card.code.into())));
    }
    tray = tray.push(text(ui.tr("demo-tray-union")).size(ui.sizes.small));
    for card in UNION_CARDS {
        tray = tray.push(small(card.label.to_string(), Message::Scan(card.code.into())));
    }
    tray = tray.push(text(ui.tr("demo-tray-scan")).size(ui.sizes.small));
    for book in SCANNED_BOOKS {
        tray = tray.push(small(book.label.to_string(), Message::Scan(book.code.into())));
    }
    tray = tray
        .push(text(ui.tr("demo-tray-pad")).size(ui.sizes.small))
        .push(small(ui.tr("demo-tray-stack"), Message::PlaceStack))
        .push(small(ui.tr("demo-tray-set"), Message::PlaceSet { complete: true }))
        .push(small(ui.tr("demo-tray-set-missing"), Message::PlaceSet { complete: false }))
        .push(small(ui.tr("demo-tray-clear"), Message::ClearPad));
    if technician {
        tray = tray.push(small(
            ui.tr("demo-tray-technician"),
            Message::Scan(crate::screens::diag::DEMO_TECHNICIAN_CARD.into()),
        ));
    }
    container(tray.wrap().vertical_spacing(8))
        .padding([8, 16])
        .width(Length::Fill)
        .style(ui.look.banner(ui.look.warning))
        .into()
}
