//! One-shot command-line tools for technicians.

pub mod ils;
