//! One-shot command-line tools for technicians.

pub mod hardware;
pub mod ils;
