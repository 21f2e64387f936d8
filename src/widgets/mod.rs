//! Reusable touch widgets.

pub mod banner;
pub mod big_button;
pub mod chart;
pub mod demo_tray;
pub mod keypad;
pub mod status_bar;
