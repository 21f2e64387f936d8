//! The kiosk's domain, free of GUI and device I/O: configuration, the SQLite store,
//! internationalised text and the masking of personal data.
//!
//! Protocol and domain logic here are sans-IO: time and events are passed in, effects
//! come out, so everything can be tested without a clock, a network or a screen.

pub mod circulation;
pub mod config;
pub mod diagnostics;
pub mod i18n;
pub mod ils;
pub mod mask;
pub mod pin;
pub mod receipt;
pub mod station;
pub mod store;

pub use config::Config;
pub use store::Store;
