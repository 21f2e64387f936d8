//! ESC/POS receipt printers: a typed command builder, `DLE EOT` status parsing, and a
//! renderer that turns a byte stream into a picture of the receipt.
//!
//! Command bytes from shared/reference/devices.md §4–6 (Epson ESC/POS and clones).

mod builder;
pub mod render;
mod status;

pub use builder::{Align, Barcode, EscPosError, PaperWidth, QrErrorCorrection, ReceiptBuilder};
pub use status::{PaperStatus, PrinterStatus, StatusError, StatusQuery, parse_status};

/// `ESC @`: initialise.
pub const INIT: [u8; 2] = [0x1B, 0x40];
/// `FS &`: Chinese (two-byte) character mode on.
pub const CHINESE_ON: [u8; 2] = [0x1C, 0x26];
/// `FS .`: Chinese character mode off.
pub const CHINESE_OFF: [u8; 2] = [0x1C, 0x2E];
/// `ESC t 16`: code page WPC1252, for Latin text.
pub const CODE_PAGE_1252: [u8; 3] = [0x1B, 0x74, 16];

/// `DLE EOT n`: the real-time status request for `query`.
pub fn status_request(query: StatusQuery) -> [u8; 3] {
    [0x10, 0x04, query as u8]
}
