//! Any ESC/POS byte stream renders (with warnings), never a panic.
#![no_main]

use kiosk_hardware::escpos::{PaperWidth, render::render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = render(data, PaperWidth::Mm58);
});
