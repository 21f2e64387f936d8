//! Properties of the codec over arbitrary input.

use kiosk_sip2::{Charset, Codec, FrameEvent, Framer};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for charset in [Charset::Utf8, Charset::Gb18030, Charset::Cp850, Charset::Latin1] {
            let _ = Codec::with_charset(charset).decode(&bytes);
        }
    }

    #[test]
    fn decoding_sip2_shaped_text_never_panics(text in "[0-9]{2}[ 0-9YNU]{0,40}([A-Z]{2}[^|\r]{0,12}\\|){0,8}(AY[0-9])?(AZ[0-9A-Fa-f]{3,4})?") {
        let _ = Codec::default().decode(text.as_bytes());
    }

    #[test]
    fn framer_never_loses_a_frame(frames in proptest::collection::vec("[ -~]{1,40}", 1..10), split in 1usize..50) {
        let mut wire = Vec::new();
        for frame in &frames {
            wire.extend_from_slice(frame.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        let mut framer = Framer::new();
        let mut seen = Vec::new();
        for chunk in wire.chunks(split) {
            framer.push(chunk);
            while let Some(FrameEvent::Frame(frame)) = framer.next_frame() {
                seen.push(String::from_utf8(frame).unwrap());
            }
        }
        prop_assert_eq!(seen, frames);
    }
}
