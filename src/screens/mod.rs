//! One module per screen, each with its own `Message` and `view`.

pub mod home;
pub mod visit;
