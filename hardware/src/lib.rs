//! The kiosk's hardware layer: library RFID tag data, reader protocols, barcode scanners
//! and receipt printers. No crate of ours underneath; no GUI.

pub mod barcode;
pub mod crc;
pub mod scanner;
pub mod tag;
