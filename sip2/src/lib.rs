//! SIP2 — the 3M Standard Interchange Protocol 2.00 — for a library self-check kiosk and
//! for a test ILS.
//!
//! - [`messages`]: every message pair as typed Rust values (fixed fields typed; variable
//!   fields typed where the specification gives them a type; unknown fields kept).
//! - [`Codec`]: frames with the per-server charset, AY/AZ error detection and terminator;
//!   strict on send, lenient on receive.
//! - [`session`]: the client's rules (sequence numbers, re-sends, `97`/`96`) as a sans-IO
//!   state machine, and [`client`], a tokio client over TCP or TLS that runs it.
//! - [`server`]: an async server over a [`server::Backend`] trait, with AY/AZ checks and
//!   duplicate replay.
//!
//! ```
//! use kiosk_sip2::{Codec, Message, messages::ItemInformation, types::SipDate};
//!
//! let codec = Codec::default();
//! let request = Message::from(ItemInformation {
//!     transaction_date: SipDate::local(2000, 2, 27, 16, 12, 43),
//!     institution_id: "institutionId".into(),
//!     item_identifier: "itemId".into(),
//!     ..Default::default()
//! });
//! let bytes = codec.encode(&request, Some(0)).unwrap();
//! assert_eq!(bytes, b"1720000227    161243AOinstitutionId|ABitemId|AY0AZF117\r");
//! assert_eq!(codec.decode(&bytes).unwrap().message, request);
//! ```

pub mod charset;
pub mod checksum;
pub mod client;
pub mod codec;
pub mod messages;
pub mod server;
pub mod session;
pub mod transport;
pub mod types;

#[cfg(test)]
mod testing;

pub use charset::Charset;
pub use codec::{
    ChecksumCheck, Codec, DecodeError, Decoded, EncodeError, FrameEvent, Framer, Terminator, Warning,
};
pub use messages::{Field, FieldId, Message};
