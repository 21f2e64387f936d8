//! Reusable touch widgets.

pub mod big_button;
pub mod status_bar;
