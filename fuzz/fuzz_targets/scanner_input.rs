//! Any serial bytes and any `input_event` records: whole scans or nothing, never a panic,
//! never a terminator inside a scan.
#![no_main]

use std::time::{Duration, Instant};

use kiosk_hardware::scanner::{Keymap, LineDecoder, Suffix, WedgeDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut line = LineDecoder::new(Suffix::Line, true, Duration::from_millis(50));
    let start = Instant::now();
    for (i, chunk) in data.chunks(5).enumerate() {
        for scan in line.push(chunk, start + Duration::from_millis(i as u64 * 20)) {
            assert!(!scan.text.contains('\r') && !scan.text.contains('\n'));
        }
    }
    let mut wedge = WedgeDecoder::new(Keymap::De, true, Duration::from_millis(50));
    let _ = wedge.handle_bytes(data);
});
