//! HF (ISO 15693) RFID readers: the frame codecs of the 3M/Bibliotheca 810 and FEIG
//! ISO-host protocols, and drivers that speak them over any byte transport.

pub mod driver;
pub mod fake;
pub mod feig;
pub mod m3;
pub mod stack;

pub use driver::{FeigReader, HfReader, M3Reader, ReaderError, SecurityState, apply_security};
