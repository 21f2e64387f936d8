//! Replies from a hostile ACS: the client session handles any sequence of frames and
//! timeouts without panicking and always ends the exchange within its retry budget.
#![no_main]

use std::time::{Duration, Instant};

use kiosk_sip2::messages::ItemInformation;
use kiosk_sip2::session::{ClientSession, SessionConfig};
use kiosk_sip2::{Framer, FrameEvent, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut session = ClientSession::new(SessionConfig { retries: 3, ..SessionConfig::default() });
    let start = Instant::now();
    let request = Message::from(ItemInformation { item_identifier: "30234000000017".into(), ..Default::default() });
    session.send(&request, start).expect("idle session accepts a request");
    let mut framer = Framer::new();
    framer.push(data);
    let mut now = start;
    while let Some(event) = framer.next_frame() {
        if let FrameEvent::Frame(frame) = event {
            let _ = session.handle_frame(&frame, now);
        }
        while session.poll_transmit().is_some() {}
        if !session.is_busy() {
            return;
        }
    }
    // Whatever happened, timeouts end the exchange.
    for _ in 0..10 {
        now += Duration::from_secs(60);
        let _ = session.handle_timeout(now);
        if !session.is_busy() {
            return;
        }
    }
    panic!("the exchange never ended");
});
