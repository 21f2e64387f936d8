//! The kiosk's hardware layer: library RFID tag data, reader protocols, barcode scanners
//! and receipt printers. No crate of ours underneath; no GUI.

/// The CJK font (WenQuanYi Micro Hei, Apache-2.0; licence in `assets/fonts/`): GB2312 and
/// GBK Han characters plus Latin. The receipt renderer draws with it; the GUI uses the same
/// bytes, so the binary carries it once.
pub const CJK_FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

pub mod barcode;
pub mod crc;
pub mod device;
pub mod escpos;
pub mod profile;
pub mod reader;
pub mod scanner;
pub mod tag;
pub mod usb;
