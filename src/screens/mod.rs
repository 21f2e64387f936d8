//! One module per screen, each with its own `Message` and `view`.

pub mod attract;
pub mod diag;
pub mod home;
pub mod station;
pub mod visit;
