//! Any status byte for any query: parsed only when it has the fixed-bit pattern.
#![no_main]

use kiosk_hardware::escpos::{StatusQuery, parse_status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for &byte in data {
        for query in [StatusQuery::Printer, StatusQuery::OfflineCause, StatusQuery::ErrorCause, StatusQuery::Paper] {
            assert_eq!(parse_status(query, byte).is_ok(), byte & 0x93 == 0x12);
        }
    }
});
