//! 3M / Bibliotheca 810 (and 210) reader protocol, 19200 8N1.
//!
//! Frame: `D6 | LEN (2, big-endian: bytes after LEN, CRC included) | payload | CRC (2,
//! big-endian)`, CRC-16/GENIBUS over LEN and payload; the version probe uses `D5`.
//! Payloads (command first; replies add a status byte, `00` ok, `06` error / no tag):
//!
//! | Command | Request | Reply |
//! |---|---|---|
//! | version | `D5: 04 00 11` | `04 00 11 hw hw hw hw` |
//! | inventory | `FE afi options` | `FE 00 00 options count UID×count` |
//! | read blocks | `02 UID start count` | `02 00 UID count {block(2, LE) data(4)}×count` |
//! | write blocks | `04 UID start count 00 data` | `04 00 UID count` |
//! | read AFI | `0A UID` | `0A 00 UID afi` |
//! | write AFI | `09 UID afi` | `09 00 UID` |
//! | check EAS | `03 UID` | `03 00 UID` (EAS set) / `03 06` (no answer: EAS clear) |
//! | EAS control | `0C UID 01/00` | `0C 00 UID` |
//! | system info | `0D UID` | `0D 00 info-flags UID(LSB first) [DSFID] [AFI] [size] [IC]` |
//!
//! UIDs are sent most significant byte first. Frames and the first rows of the table are
//! from the 3M RFID Reader Protocol Specification as published with Biblio-RFID
//! (shared/reference rfid.md §11); EAS control and system info follow the same shape.
//! Lock AFI (`06`) and lock DSFID (`0E`) are never built here.

use crate::crc;
use crate::tag::iso15693::Uid;

/// Prefix of normal frames.
pub const PREFIX: u8 = 0xD6;
/// Prefix of the version probe.
pub const PROBE_PREFIX: u8 = 0xD5;

/// The longest frame accepted; anything longer is a misread length.
const MAX_LENGTH: u16 = 1024;

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// `D6` or `D5`.
    pub prefix: u8,
    /// Command, status (replies) and data.
    pub payload: Vec<u8>,
}

/// A frame that does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The CRC does not match.
    #[error("3M frame CRC mismatch: got {got:04X}, computed {computed:04X}")]
    Crc {
        /// In the frame.
        got: u16,
        /// Over its bytes.
        computed: u16,
    },
    /// Bytes before a frame start were skipped.
    #[error("{0} stray bytes skipped")]
    Garbage(usize),
    /// A length too short to hold a CRC, or implausibly long.
    #[error("3M frame length {0} is not plausible")]
    Length(u16),
}

/// Builds a frame.
pub fn encode(prefix: u8, payload: &[u8]) -> Vec<u8> {
    let length = (payload.len() + 2) as u16;
    let mut frame = vec![prefix];
    frame.extend(length.to_be_bytes());
    frame.extend_from_slice(payload);
    let crc = crc::genibus(&frame[1..]);
    frame.extend(crc.to_be_bytes());
    frame
}

/// Splits a byte stream into frames, resynchronising on garbage.
#[derive(Debug, Default)]
pub struct Deframer {
    buffer: Vec<u8>,
}

impl Deframer {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next frame or error, if the buffer holds one.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        let start = self.buffer.iter().position(|&b| b == PREFIX || b == PROBE_PREFIX);
        match start {
            None if self.buffer.is_empty() => return None,
            None => {
                let skipped = self.buffer.len();
                self.buffer.clear();
                return Some(Err(FrameError::Garbage(skipped)));
            }
            Some(start) if start > 0 => {
                self.buffer.drain(..start);
                return Some(Err(FrameError::Garbage(start)));
            }
            Some(_) => {}
        }
        if self.buffer.len() < 3 {
            return None;
        }
        let length = u16::from_be_bytes([self.buffer[1], self.buffer[2]]);
        if !(3..=MAX_LENGTH).contains(&length) {
            self.buffer.drain(..1);
            return Some(Err(FrameError::Length(length)));
        }
        let total = 3 + usize::from(length);
        if self.buffer.len() < total {
            return None;
        }
        let frame: Vec<u8> = self.buffer.drain(..total).collect();
        let computed = crc::genibus(&frame[1..total - 2]);
        let got = u16::from_be_bytes([frame[total - 2], frame[total - 1]]);
        if computed != got {
            return Some(Err(FrameError::Crc { got, computed }));
        }
        Some(Ok(Frame { prefix: frame[0], payload: frame[3..total - 2].to_vec() }))
    }
}

/// Request payloads.
pub mod request {
    use super::Uid;

    /// The version probe (sent with prefix `D5`).
    pub fn version() -> Vec<u8> {
        vec![0x04, 0x00, 0x11]
    }

    /// Inventory; `afi` 0 = all tags.
    pub fn inventory(afi: u8) -> Vec<u8> {
        vec![0xFE, afi, 0x05]
    }

    fn with_uid(command: u8, uid: Uid, rest: &[u8]) -> Vec<u8> {
        let mut payload = vec![command];
        payload.extend(uid.0);
        payload.extend_from_slice(rest);
        payload
    }

    /// Read `count` 4-byte blocks from `start`.
    pub fn read_blocks(uid: Uid, start: u8, count: u8) -> Vec<u8> {
        with_uid(0x02, uid, &[start, count])
    }

    /// Write whole 4-byte blocks from `start`.
    pub fn write_blocks(uid: Uid, start: u8, data: &[u8]) -> Vec<u8> {
        let mut rest = vec![start, (data.len() / 4) as u8, 0x00];
        rest.extend_from_slice(data);
        with_uid(0x04, uid, &rest)
    }

    /// Read the AFI.
    pub fn read_afi(uid: Uid) -> Vec<u8> {
        with_uid(0x0A, uid, &[])
    }

    /// Write the AFI.
    pub fn write_afi(uid: Uid, afi: u8) -> Vec<u8> {
        with_uid(0x09, uid, &[afi])
    }

    /// Check the EAS bit.
    pub fn check_eas(uid: Uid) -> Vec<u8> {
        with_uid(0x03, uid, &[])
    }

    /// Set (`true`) or reset the EAS bit.
    pub fn eas_control(uid: Uid, on: bool) -> Vec<u8> {
        with_uid(0x0C, uid, &[u8::from(on)])
    }

    /// System information.
    pub fn system_info(uid: Uid) -> Vec<u8> {
        with_uid(0x0D, uid, &[])
    }
}

/// Reads a UID at `offset` of a reply.
pub fn uid_at(payload: &[u8], offset: usize) -> Option<Uid> {
    Some(Uid(payload.get(offset..offset + 8)?.try_into().ok()?))
}

/// Parses an inventory reply: the UIDs, deduplicated (the reader may repeat one).
pub fn parse_inventory(payload: &[u8]) -> Option<Vec<Uid>> {
    if payload.first() != Some(&0xFE) || payload.get(1) != Some(&0x00) {
        return None;
    }
    let count = usize::from(*payload.get(4)?);
    let mut uids = Vec::new();
    for index in 0..count {
        let uid = uid_at(payload, 5 + index * 8)?;
        if !uids.contains(&uid) {
            uids.push(uid);
        }
    }
    Some(uids)
}

/// Numbered 4-byte blocks.
pub type Blocks = Vec<(u16, [u8; 4])>;

/// Parses a read-blocks reply into the numbered blocks.
pub fn parse_blocks(payload: &[u8]) -> Option<(Uid, Blocks)> {
    if payload.get(..2)? != [0x02, 0x00] {
        return None;
    }
    let uid = uid_at(payload, 2)?;
    let count = usize::from(*payload.get(10)?);
    let mut blocks = Vec::with_capacity(count);
    for index in 0..count {
        let at = 11 + index * 6;
        let number = u16::from_le_bytes([*payload.get(at)?, *payload.get(at + 1)?]);
        blocks.push((number, payload.get(at + 2..at + 6)?.try_into().ok()?));
    }
    Some((uid, blocks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::parse_hex;
    use proptest::prelude::*;

    /// TV-F1: frames from the 3M specification, Biblio-RFID and the Helmet app.
    const TV_F1: [&str; 7] = [
        "D6 00 09 03 00 02 00 00 00 03 12 E6",
        "D5 00 05 04 00 11 8C 66",
        "D5 00 09 04 00 11 0A 05 00 02 72 50",
        "D5 00 09 04 00 11 0A 05 02 1B 97 2A",
        "D5 00 09 04 00 11 0A 05 01 19 E2 3B",
        "D6 00 07 FE 00 00 07 00 AF 19",
        "D6 00 10 13 06 01 00 02 00 03 00 04 00 0B 00 0A 00 FD BF",
    ];

    #[test]
    fn tv_f1_frames_check_out_and_re_encode() {
        for vector in TV_F1 {
            let bytes = parse_hex(vector).unwrap();
            let mut deframer = Deframer::default();
            deframer.push(&bytes);
            let frame = deframer.next_frame().unwrap().unwrap_or_else(|e| panic!("{vector}: {e}"));
            assert_eq!(encode(frame.prefix, &frame.payload), bytes, "{vector}");
            assert_eq!(deframer.next_frame(), None);
        }
        assert_eq!(encode(PROBE_PREFIX, &request::version()), parse_hex(TV_F1[1]).unwrap());
    }

    #[test]
    fn no_tag_inventory_reply() {
        let mut deframer = Deframer::default();
        deframer.push(&parse_hex(TV_F1[5]).unwrap());
        let frame = deframer.next_frame().unwrap().unwrap();
        assert_eq!(parse_inventory(&frame.payload), Some(vec![]));
    }

    #[test]
    fn inventory_deduplicates() {
        let a = Uid([0xE0, 4, 1, 0, 0, 0, 0, 1]);
        let b = Uid([0xE0, 4, 1, 0, 0, 0, 0, 2]);
        let mut payload = vec![0xFE, 0x00, 0x00, 0x05, 3];
        for uid in [a, b, a] {
            payload.extend(uid.0);
        }
        assert_eq!(parse_inventory(&payload), Some(vec![a, b]));
        assert_eq!(parse_inventory(&[0xFE, 0x00, 0x00, 0x05, 2, 1, 2]), None, "truncated");
    }

    #[test]
    fn garbage_and_bad_crc_resynchronise() {
        let good = encode(PREFIX, &[0xFE, 0x00, 0x00, 0x05, 0]);
        let mut bad = good.clone();
        bad[4] ^= 1;
        let mut deframer = Deframer::default();
        deframer.push(b"\x01\x02");
        deframer.push(&bad);
        deframer.push(&good);
        assert_eq!(deframer.next_frame(), Some(Err(FrameError::Garbage(2))));
        assert!(matches!(deframer.next_frame(), Some(Err(FrameError::Crc { .. }))));
        assert!(matches!(deframer.next_frame(), Some(Ok(_))));
        assert_eq!(deframer.next_frame(), None);
    }

    #[test]
    fn read_blocks_reply() {
        let uid = Uid([0xE0, 4, 1, 0, 0x12, 0x34, 0x56, 0x78]);
        let mut payload = vec![0x02, 0x00];
        payload.extend(uid.0);
        payload.push(2);
        payload.extend([0, 0, 0x91, 0x00, 0x05, 0x1C, 1, 0, 0xBE, 0x99, 0x1A, 0x14]);
        let (got, blocks) = parse_blocks(&payload).unwrap();
        assert_eq!(got, uid);
        assert_eq!(blocks, [(0, [0x91, 0x00, 0x05, 0x1C]), (1, [0xBE, 0x99, 0x1A, 0x14])]);
    }

    proptest! {
        #[test]
        fn deframing_arbitrary_bytes_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..6)) {
            let mut deframer = Deframer::default();
            for chunk in chunks {
                deframer.push(&chunk);
                while let Some(result) = deframer.next_frame() {
                    if let Ok(frame) = result {
                        let _ = parse_inventory(&frame.payload);
                        let _ = parse_blocks(&frame.payload);
                    }
                }
            }
        }

        #[test]
        fn encode_then_deframe(payload in proptest::collection::vec(any::<u8>(), 1..60)) {
            let mut deframer = Deframer::default();
            deframer.push(&encode(PREFIX, &payload));
            prop_assert_eq!(deframer.next_frame(), Some(Ok(Frame { prefix: PREFIX, payload })));
        }
    }
}
