//! Any tag memory: a decoded tag or an error, in every format, never a panic.
#![no_main]

use kiosk_hardware::tag::{self, TagFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|memory: &[u8]| {
    let _ = tag::decode(memory);
    for format in [TagFormat::Iso28560_2, TagFormat::Danish, TagFormat::Rfid501, TagFormat::Blank] {
        let _ = tag::decode_as(format, memory);
    }
});
