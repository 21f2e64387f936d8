//! Reusable touch widgets.

pub mod big_button;
pub mod demo_tray;
pub mod keypad;
pub mod status_bar;
