//! Any configuration text: a config or a list of errors naming keys, never a panic.
#![no_main]

use kiosk_core::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match Config::parse(text, std::path::Path::new("fuzz.toml")) {
            Ok(config) => assert!(config.validate().is_empty()),
            Err(errors) => assert!(!errors.0.is_empty()),
        }
    }
});
