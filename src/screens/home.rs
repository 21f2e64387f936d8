//! The home screen for the terminal's role: Borrow, Return and My account for the
//! library; check-in for the rest station; all four when the role is `both`.

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length};
use kiosk_core::config::Role;

use crate::icons;
use crate::ui::Ui;
use crate::widgets::big_button;

/// A service a visitor can start from the home screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Borrow books.
    Borrow,
    /// Return books.
    Return,
    /// See loans, renew, holds and fines.
    Account,
    /// Check in at the rest station.
    Station,
}

/// What the home screen reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// A tile was tapped.
    Open(Service),
}

/// The services offered for a role, in screen order.
pub fn services(role: Role) -> &'static [Service] {
    match role {
        Role::Library => &[Service::Borrow, Service::Return, Service::Account],
        Role::Station => &[Service::Station],
        Role::Both => &[Service::Borrow, Service::Return, Service::Account, Service::Station],
    }
}

/// Draws the home screen.
pub fn view<'a>(ui: &Ui<'_>, role: Role) -> Element<'a, Message> {
    let welcome = match role {
        Role::Library => ui.tr("home-welcome-library"),
        Role::Station => ui.tr("home-welcome-station"),
        Role::Both => ui.tr("home-welcome"),
    };
    let tiles = services(role).iter().map(|service| {
        let (icon, label, hint) = match service {
            Service::Borrow => (&*icons::BORROW, "home-borrow", "home-borrow-hint"),
            Service::Return => (&*icons::RETURN, "home-return", "home-return-hint"),
            Service::Account => (&*icons::ACCOUNT, "home-account", "home-account-hint"),
            Service::Station => (&*icons::STATION, "home-station", "home-station-hint"),
        };
        big_button::tile(ui, icon, ui.tr(label), ui.tr(hint), Message::Open(*service))
    });
    // As tall as the screen allows, up to a comfortable size: on a short screen the
    // tiles give way (their pictures shrink) rather than run off the bottom.
    let tiles = container(row(tiles).spacing(24).height(Length::Fill).width(Length::Fill))
        .max_height(ui.sizes.headline * 9.0)
        .height(Length::Fill);
    container(column![text(welcome).size(ui.sizes.headline), tiles].spacing(40).align_x(Alignment::Center))
        .center_y(Length::Fill)
        .padding(32)
        .width(Length::Fill)
        .height(Length::Fill)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_offer_their_services() {
        assert_eq!(services(Role::Library), [Service::Borrow, Service::Return, Service::Account]);
        assert_eq!(services(Role::Station), [Service::Station]);
        assert_eq!(services(Role::Both).len(), 4);
    }
}
