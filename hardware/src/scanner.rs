//! Barcode scanner input, sans-IO: serial / USB-CDC line scanners, and USB HID
//! keyboard-wedge scanners read as Linux `input_event` records with the scanner's own key
//! map (never the desktop's).
//!
//! Both decoders take bytes or events with the time they arrived and return whole scans;
//! a scan broken off by the inter-character timeout is dropped, never merged into the next.

use std::time::{Duration, Instant};

use crate::barcode::{Symbology, strip_aim};

/// A complete scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The symbology (from the AIM identifier when the scanner sends one).
    pub symbology: Symbology,
    /// The data.
    pub text: String,
}

impl Scan {
    fn from_line(line: &str, aim: bool) -> Scan {
        if aim {
            let (symbology, text) = strip_aim(line);
            Scan { symbology, text: text.to_string() }
        } else {
            Scan { symbology: Symbology::Unknown, text: line.to_string() }
        }
    }
}

/// What ends a scan on a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suffix {
    /// CR, LF or CR LF (any of them ends a scan).
    Line,
    /// Nothing: the inter-character timeout ends a scan.
    None,
}

/// Serial line-scanner framing.
#[derive(Debug)]
pub struct LineDecoder {
    suffix: Suffix,
    aim: bool,
    timeout: Duration,
    buffer: Vec<u8>,
    last_byte: Option<Instant>,
}

/// Longest scan kept (QR e-cards are short; anything longer is noise).
const MAX_SCAN: usize = 4096;

impl LineDecoder {
    /// A decoder: `aim` strips AIM identifiers; `timeout` is the inter-character gap
    /// that ends (suffix `None`) or abandons (suffix `Line`) a scan.
    pub fn new(suffix: Suffix, aim: bool, timeout: Duration) -> LineDecoder {
        LineDecoder { suffix, aim, timeout, buffer: Vec::new(), last_byte: None }
    }

    /// Feeds received bytes; returns the scans they complete.
    pub fn push(&mut self, bytes: &[u8], now: Instant) -> Vec<Scan> {
        let mut scans = Vec::new();
        if let Some(scan) = self.handle_timeout(now) {
            scans.push(scan);
        }
        for &byte in bytes {
            if self.suffix == Suffix::Line && (byte == b'\r' || byte == b'\n') {
                if !self.buffer.is_empty() {
                    let line = String::from_utf8_lossy(&self.buffer).into_owned();
                    self.buffer.clear();
                    scans.push(Scan::from_line(&line, self.aim));
                }
                continue;
            }
            if self.buffer.len() < MAX_SCAN {
                self.buffer.push(byte);
            }
        }
        self.last_byte = (!self.buffer.is_empty()).then_some(now);
        scans
    }

    /// When [`LineDecoder::handle_timeout`] is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.last_byte.map(|t| t + self.timeout)
    }

    /// After the timeout: a suffix-less scan is complete; a half line is dropped.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Scan> {
        let due = self.poll_timeout()?;
        if now < due {
            return None;
        }
        self.last_byte = None;
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.buffer)).into_owned();
        match self.suffix {
            Suffix::None if !line.is_empty() => Some(Scan::from_line(line.trim(), self.aim)),
            _ => {
                tracing::debug!(
                    len = line.len(),
                    "incomplete scan dropped after the inter-character timeout"
                );
                None
            }
        }
    }
}

/// One Linux `struct input_event` (24 bytes on 64-bit Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEvent {
    /// Seconds.
    pub seconds: i64,
    /// Microseconds.
    pub microseconds: i64,
    /// `EV_KEY` = 1, `EV_SYN` = 0, `EV_MSC` = 4.
    pub kind: u16,
    /// Key code.
    pub code: u16,
    /// 1 press, 0 release, 2 autorepeat.
    pub value: i32,
}

/// Size of one record.
pub const INPUT_EVENT_SIZE: usize = 24;
/// `EV_KEY`.
pub const EV_KEY: u16 = 1;

impl InputEvent {
    /// Parses one little-endian record.
    pub fn parse(record: &[u8]) -> Option<InputEvent> {
        let record: &[u8; INPUT_EVENT_SIZE] = record.get(..INPUT_EVENT_SIZE)?.try_into().ok()?;
        Some(InputEvent {
            seconds: i64::from_le_bytes(record[0..8].try_into().ok()?),
            microseconds: i64::from_le_bytes(record[8..16].try_into().ok()?),
            kind: u16::from_le_bytes([record[16], record[17]]),
            code: u16::from_le_bytes([record[18], record[19]]),
            value: i32::from_le_bytes(record[20..24].try_into().ok()?),
        })
    }

    /// Encodes a record.
    pub fn to_bytes(self) -> [u8; INPUT_EVENT_SIZE] {
        let mut out = [0u8; INPUT_EVENT_SIZE];
        out[0..8].copy_from_slice(&self.seconds.to_le_bytes());
        out[8..16].copy_from_slice(&self.microseconds.to_le_bytes());
        out[16..18].copy_from_slice(&self.kind.to_le_bytes());
        out[18..20].copy_from_slice(&self.code.to_le_bytes());
        out[20..24].copy_from_slice(&self.value.to_le_bytes());
        out
    }

    fn micros(&self) -> i64 {
        self.seconds.saturating_mul(1_000_000).saturating_add(self.microseconds)
    }
}

/// The keyboard layout the scanner is programmed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keymap {
    /// US English (most scanners' default).
    Us,
    /// German QWERTZ.
    De,
}

/// Key codes and the characters they type.
type KeyTable = &'static [(u16, char)];

const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;
const KEY_TAB: u16 = 15;

impl Keymap {
    /// The character a key code types, with and without Shift.
    pub fn character(self, code: u16, shift: bool) -> Option<char> {
        const LETTERS: [(u16, char); 26] = [
            (30, 'a'),
            (48, 'b'),
            (46, 'c'),
            (32, 'd'),
            (18, 'e'),
            (33, 'f'),
            (34, 'g'),
            (35, 'h'),
            (23, 'i'),
            (36, 'j'),
            (37, 'k'),
            (38, 'l'),
            (50, 'm'),
            (49, 'n'),
            (24, 'o'),
            (25, 'p'),
            (16, 'q'),
            (19, 'r'),
            (31, 's'),
            (20, 't'),
            (22, 'u'),
            (47, 'v'),
            (17, 'w'),
            (45, 'x'),
            (21, 'y'),
            (44, 'z'),
        ];
        if let Some(&(_, letter)) = LETTERS.iter().find(|(c, _)| *c == code) {
            let letter = match (self, letter) {
                (Keymap::De, 'y') => 'z',
                (Keymap::De, 'z') => 'y',
                (_, letter) => letter,
            };
            return Some(if shift { letter.to_ascii_uppercase() } else { letter });
        }
        // Keypad keys type digits whatever the layout.
        let keypad = [
            (82, '0'),
            (79, '1'),
            (80, '2'),
            (81, '3'),
            (75, '4'),
            (76, '5'),
            (77, '6'),
            (71, '7'),
            (72, '8'),
            (73, '9'),
            (74, '-'),
            (78, '+'),
            (83, '.'),
            (55, '*'),
            (98, '/'),
        ];
        if let Some(&(_, c)) = keypad.iter().find(|(k, _)| *k == code) {
            return Some(c);
        }
        let (plain, shifted): (KeyTable, KeyTable) = match self {
            Keymap::Us => (
                &[
                    (2, '1'),
                    (3, '2'),
                    (4, '3'),
                    (5, '4'),
                    (6, '5'),
                    (7, '6'),
                    (8, '7'),
                    (9, '8'),
                    (10, '9'),
                    (11, '0'),
                    (12, '-'),
                    (13, '='),
                    (26, '['),
                    (27, ']'),
                    (39, ';'),
                    (40, '\''),
                    (41, '`'),
                    (43, '\\'),
                    (51, ','),
                    (52, '.'),
                    (53, '/'),
                    (57, ' '),
                ],
                &[
                    (2, '!'),
                    (3, '@'),
                    (4, '#'),
                    (5, '$'),
                    (6, '%'),
                    (7, '^'),
                    (8, '&'),
                    (9, '*'),
                    (10, '('),
                    (11, ')'),
                    (12, '_'),
                    (13, '+'),
                    (26, '{'),
                    (27, '}'),
                    (39, ':'),
                    (40, '"'),
                    (41, '~'),
                    (43, '|'),
                    (51, '<'),
                    (52, '>'),
                    (53, '?'),
                    (57, ' '),
                ],
            ),
            Keymap::De => (
                &[
                    (2, '1'),
                    (3, '2'),
                    (4, '3'),
                    (5, '4'),
                    (6, '5'),
                    (7, '6'),
                    (8, '7'),
                    (9, '8'),
                    (10, '9'),
                    (11, '0'),
                    (12, 'ß'),
                    (27, '+'),
                    (43, '#'),
                    (51, ','),
                    (52, '.'),
                    (53, '-'),
                    (57, ' '),
                ],
                &[
                    (2, '!'),
                    (3, '"'),
                    (4, '§'),
                    (5, '$'),
                    (6, '%'),
                    (7, '&'),
                    (8, '/'),
                    (9, '('),
                    (10, ')'),
                    (11, '='),
                    (12, '?'),
                    (27, '*'),
                    (43, '\''),
                    (51, ';'),
                    (52, ':'),
                    (53, '_'),
                    (57, ' '),
                ],
            ),
        };
        let table = if shift { shifted } else { plain };
        table.iter().find(|(k, _)| *k == code).map(|&(_, c)| c)
    }
}

/// Keyboard-wedge decoding from key events.
#[derive(Debug)]
pub struct WedgeDecoder {
    keymap: Keymap,
    aim: bool,
    timeout_micros: i64,
    shift: bool,
    buffer: String,
    last_key: Option<i64>,
}

impl WedgeDecoder {
    /// A decoder with the scanner's key map; `timeout` between keys abandons a scan.
    pub fn new(keymap: Keymap, aim: bool, timeout: Duration) -> WedgeDecoder {
        WedgeDecoder {
            keymap,
            aim,
            timeout_micros: timeout.as_micros() as i64,
            shift: false,
            buffer: String::new(),
            last_key: None,
        }
    }

    /// Handles one event; returns a scan when Enter (or Tab) ends one.
    pub fn handle(&mut self, event: &InputEvent) -> Option<Scan> {
        if event.kind != EV_KEY {
            return None;
        }
        if matches!(event.code, KEY_LEFTSHIFT | KEY_RIGHTSHIFT) {
            self.shift = event.value != 0;
            return None;
        }
        if event.value != 1 {
            // Releases and autorepeat type nothing.
            return None;
        }
        let at = event.micros();
        if self.last_key.is_some_and(|last| at - last > self.timeout_micros) && !self.buffer.is_empty() {
            tracing::debug!(len = self.buffer.len(), "half scan dropped after the inter-key timeout");
            self.buffer.clear();
        }
        self.last_key = Some(at);
        if matches!(event.code, KEY_ENTER | KEY_KPENTER | KEY_TAB) {
            let text = std::mem::take(&mut self.buffer);
            return (!text.is_empty()).then(|| Scan::from_line(&text, self.aim));
        }
        if let Some(c) = self.keymap.character(event.code, self.shift)
            && self.buffer.len() < MAX_SCAN
        {
            self.buffer.push(c);
        }
        None
    }

    /// Decodes a stream of raw records; returns the scans and the bytes consumed.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> (Vec<Scan>, usize) {
        let mut scans = Vec::new();
        let whole = bytes.len() / INPUT_EVENT_SIZE * INPUT_EVENT_SIZE;
        for record in bytes[..whole].chunks_exact(INPUT_EVENT_SIZE) {
            if let Some(scan) = InputEvent::parse(record).and_then(|e| self.handle(&e)) {
                scans.push(scan);
            }
        }
        (scans, whole)
    }
}

/// Key events that type `text` on a US-layout scanner, then Enter (for tests and the
/// simulator).
pub fn us_key_events(text: &str, start_micros: i64) -> Vec<InputEvent> {
    let mut events = Vec::new();
    let mut t = start_micros;
    let mut key = |code: u16, value: i32, events: &mut Vec<InputEvent>| {
        t += 2_000;
        events.push(InputEvent {
            seconds: t / 1_000_000,
            microseconds: t % 1_000_000,
            kind: EV_KEY,
            code,
            value,
        });
    };
    for c in text.chars() {
        let found = (1..100u16).find_map(|code| {
            [false, true]
                .into_iter()
                .find(|&shift| Keymap::Us.character(code, shift) == Some(c))
                .map(|shift| (code, shift))
        });
        if let Some((code, shift)) = found {
            if shift {
                key(KEY_LEFTSHIFT, 1, &mut events);
            }
            key(code, 1, &mut events);
            key(code, 0, &mut events);
            if shift {
                key(KEY_LEFTSHIFT, 0, &mut events);
            }
        }
    }
    key(KEY_ENTER, 1, &mut events);
    key(KEY_ENTER, 0, &mut events);
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn line_scanner_with_cr_crlf_and_lf() {
        let mut decoder = LineDecoder::new(Suffix::Line, false, Duration::from_millis(100));
        let now = Instant::now();
        let scans = decoder.push(b"30234000000017\r20234000000019\r\n3023", now);
        assert_eq!(
            scans.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["30234000000017", "20234000000019"]
        );
        let scans = decoder.push(b"4000000025\n", now + Duration::from_millis(20));
        assert_eq!(scans[0].text, "30234000000025");
    }

    #[test]
    fn aim_prefix_is_stripped() {
        let mut decoder = LineDecoder::new(Suffix::Line, true, Duration::from_millis(100));
        let scans = decoder.push(b"]E09780306406157\r]Q1https://x/?card=1\r", Instant::now());
        assert_eq!(scans[0], Scan { symbology: Symbology::Ean13, text: "9780306406157".into() });
        assert_eq!(scans[1].symbology, Symbology::Qr);
    }

    #[test]
    fn a_half_scan_never_leaks_into_the_next() {
        let mut decoder = LineDecoder::new(Suffix::Line, false, Duration::from_millis(100));
        let start = Instant::now();
        assert!(decoder.push(b"30234", start).is_empty());
        assert_eq!(decoder.poll_timeout(), Some(start + Duration::from_millis(100)));
        let scans = decoder.push(b"20234000000019\r", start + Duration::from_millis(500));
        assert_eq!(scans.len(), 1);
        assert_eq!(scans[0].text, "20234000000019");
    }

    #[test]
    fn suffixless_scanner_ends_scans_by_timeout() {
        let mut decoder = LineDecoder::new(Suffix::None, false, Duration::from_millis(50));
        let start = Instant::now();
        assert!(decoder.push(b"30234000000017", start).is_empty());
        assert_eq!(decoder.handle_timeout(start + Duration::from_millis(10)), None);
        assert_eq!(decoder.handle_timeout(start + Duration::from_millis(60)).unwrap().text, "30234000000017");
    }

    #[test]
    fn wedge_decoding_with_shift_and_autorepeat() {
        let mut decoder = WedgeDecoder::new(Keymap::Us, false, Duration::from_millis(100));
        let mut events = us_key_events("Ab-1", 0);
        // An autorepeat of the last key types nothing.
        events.insert(
            events.len() - 2,
            InputEvent { seconds: 0, microseconds: 20_000, kind: EV_KEY, code: 2, value: 2 },
        );
        let bytes: Vec<u8> = events.iter().flat_map(|e| e.to_bytes()).collect();
        let (scans, consumed) = decoder.handle_bytes(&bytes);
        assert_eq!(consumed, bytes.len());
        assert_eq!(scans, [Scan { symbology: Symbology::Unknown, text: "Ab-1".into() }]);
    }

    #[test]
    fn scanner_keymap_not_desktop_keymap() {
        // A scanner programmed for German QWERTZ sends KEY_Y for 'z'.
        let mut german = WedgeDecoder::new(Keymap::De, false, Duration::from_millis(100));
        let press =
            |code: u16, t: i64| InputEvent { seconds: 0, microseconds: t, kind: EV_KEY, code, value: 1 };
        assert_eq!(german.handle(&press(21, 1)), None);
        assert_eq!(german.handle(&press(53, 2)), None);
        assert_eq!(german.handle(&press(KEY_ENTER, 3)).unwrap().text, "z-");
        assert_eq!(Keymap::Us.character(21, false), Some('y'));
    }

    #[test]
    fn wedge_scan_split_by_timeout_is_dropped() {
        let mut decoder = WedgeDecoder::new(Keymap::Us, false, Duration::from_millis(100));
        for event in &us_key_events("123", 0)[..6] {
            assert_eq!(decoder.handle(event), None);
        }
        let later = us_key_events("456", 5_000_000);
        let scans: Vec<Scan> = later.iter().filter_map(|e| decoder.handle(e)).collect();
        assert_eq!(scans[0].text, "456");
    }

    #[test]
    fn input_event_records() {
        let event =
            InputEvent { seconds: 1_700_000_000, microseconds: 123_456, kind: EV_KEY, code: 28, value: 1 };
        assert_eq!(InputEvent::parse(&event.to_bytes()), Some(event));
        assert_eq!(InputEvent::parse(&[0; 10]), None);
    }

    proptest! {
        #[test]
        fn arbitrary_serial_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8)) {
            let mut decoder = LineDecoder::new(Suffix::Line, true, Duration::from_millis(50));
            let start = Instant::now();
            for (i, chunk) in chunks.iter().enumerate() {
                for scan in decoder.push(chunk, start + Duration::from_millis(i as u64 * 30)) {
                    prop_assert!(!scan.text.contains('\r') && !scan.text.contains('\n'));
                }
            }
        }

        #[test]
        fn arbitrary_event_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..500)) {
            let mut decoder = WedgeDecoder::new(Keymap::Us, true, Duration::from_millis(50));
            let _ = decoder.handle_bytes(&bytes);
        }

        #[test]
        fn typed_text_comes_back(text in "[ -~]{1,30}") {
            let mut decoder = WedgeDecoder::new(Keymap::Us, false, Duration::from_millis(100));
            let scans: Vec<Scan> = us_key_events(&text, 0).iter().filter_map(|e| decoder.handle(e)).collect();
            prop_assert_eq!(scans.len(), 1);
            prop_assert_eq!(&scans[0].text, &text);
        }
    }
}
