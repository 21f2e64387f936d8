//! Diagnostics for technicians, without a screen: who may enter ([`gate`]), what the
//! machine looks like from the inside ([`overview`]), the transaction queue's staff
//! actions ([`queue`]) and the log tail ([`logs`]).
//!
//! Every entry attempt and every action that changes something is written to the audit
//! log ([`crate::store::AuditEntry`]); nothing here deletes a transaction.

pub mod gate;
pub mod logs;
pub mod overview;
pub mod queue;

pub use gate::{EntryGate, EntryOutcome};
pub use logs::{LogLevelFilter, LogLine};
pub use overview::{DeviceHealth, DeviceRecord, IlsSnapshot, Overview};
pub use queue::QueueDesk;
