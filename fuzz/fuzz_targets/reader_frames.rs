//! Any bytes from a reader: 3M and FEIG deframers resynchronise and reply parsers return
//! `None` on nonsense, never a panic.
#![no_main]

use kiosk_hardware::reader::{feig, m3};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut three_m = m3::Deframer::default();
    let mut feig_frames = feig::Deframer::default();
    for chunk in data.chunks(7) {
        three_m.push(chunk);
        feig_frames.push(chunk);
        while let Some(result) = three_m.next_frame() {
            if let Ok(frame) = result {
                let _ = m3::parse_inventory(&frame.payload);
                let _ = m3::parse_blocks(&frame.payload);
            }
        }
        while let Some(result) = feig_frames.next_frame() {
            if let Ok(frame) = result {
                let _ = feig::parse_inventory(&frame.body);
                let _ = feig::parse_system_info(&frame.body);
                let _ = feig::parse_blocks(&frame.body);
            }
        }
    }
});
