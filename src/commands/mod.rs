//! One-shot command-line tools for technicians.

pub mod diag;
pub mod hardware;
pub mod ils;
pub mod report;
