//! Any bytes, in any charset: decoding returns a message or an error, never panics; a
//! decoded message re-encodes and decodes to itself.
#![no_main]

use kiosk_sip2::{Charset, Codec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Utf8, Charset::Gb18030, Charset::Cp850, Charset::Latin1] {
        let codec = Codec::with_charset(charset);
        if let Ok(decoded) = codec.decode(data)
            && let Ok(bytes) = codec.encode(&decoded.message, decoded.sequence)
        {
            let again = codec.decode(&bytes).expect("our own encoding decodes");
            assert_eq!(again.message, decoded.message);
        }
    }
});
