//! FEIG ISO-host protocol (OBID classic-pro / i-scan), 38400 8E1 by default.
//!
//! Frame: `LEN | COM-ADR | CMD | [STATUS in replies] | DATA | CRC (LSB, MSB)` where LEN is
//! the whole frame's length and the CRC is CRC-16/MCRF4XX over every byte before it
//! (shared/reference rfid.md §12). ISO 15693 commands go through `B0` (and the NXP
//! custom EAS commands through `B1` with manufacturer code `04`). In ISO-host mode block
//! data travels "MSB first": the bytes of each block are reversed on the wire. Lock
//! commands (`B0 22`) are never built here.

use crate::crc;
use crate::tag::iso15693::{SystemInfo, Uid};

/// Any reader on the bus.
pub const BROADCAST: u8 = 0xFF;

/// A decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The reader's bus address.
    pub address: u8,
    /// The command.
    pub command: u8,
    /// Status (replies) and data.
    pub body: Vec<u8>,
}

/// Status `00`: OK.
pub const STATUS_OK: u8 = 0x00;
/// Status `01`: no transponder in the field.
pub const STATUS_NO_TRANSPONDER: u8 = 0x01;

/// A frame that does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The CRC does not match.
    #[error("FEIG frame CRC mismatch: got {got:04X}, computed {computed:04X}")]
    Crc {
        /// In the frame.
        got: u16,
        /// Over its bytes.
        computed: u16,
    },
    /// A length byte too small for a frame.
    #[error("FEIG frame length {0} is too short")]
    Length(u8),
}

/// Builds a frame.
pub fn encode(address: u8, command: u8, body: &[u8]) -> Vec<u8> {
    let length = body.len() + 5;
    let mut frame = vec![length as u8, address, command];
    frame.extend_from_slice(body);
    let crc = crc::mcrf4xx(&frame);
    frame.extend(crc.to_le_bytes());
    frame
}

/// Splits a byte stream into frames.
#[derive(Debug, Default)]
pub struct Deframer {
    buffer: Vec<u8>,
}

impl Deframer {
    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next frame or error, if the buffer holds one. After an error the first byte is
    /// dropped so the stream can resynchronise.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        let length = usize::from(*self.buffer.first()?);
        if length < 5 {
            self.buffer.drain(..1);
            return Some(Err(FrameError::Length(length as u8)));
        }
        if self.buffer.len() < length {
            return None;
        }
        let computed = crc::mcrf4xx(&self.buffer[..length - 2]);
        let got = u16::from_le_bytes([self.buffer[length - 2], self.buffer[length - 1]]);
        if computed != got {
            self.buffer.drain(..1);
            return Some(Err(FrameError::Crc { got, computed }));
        }
        let frame: Vec<u8> = self.buffer.drain(..length).collect();
        Some(Ok(Frame { address: frame[1], command: frame[2], body: frame[3..length - 2].to_vec() }))
    }
}

/// Reverses the bytes of each block (ISO-host "MSB first").
pub fn swap_blocks(data: &[u8], block_size: usize) -> Vec<u8> {
    data.chunks(block_size.max(1)).flat_map(|b| b.iter().rev().copied()).collect()
}

/// Request bodies for command `B0` (`B1` for EAS).
pub mod request {
    use super::{Uid, swap_blocks};

    /// `B0 01`: inventory (mode 00).
    pub fn inventory() -> Vec<u8> {
        vec![0x01, 0x00]
    }

    fn addressed(sub: u8, uid: Uid, rest: &[u8]) -> Vec<u8> {
        let mut body = vec![sub, 0x01];
        body.extend(uid.0);
        body.extend_from_slice(rest);
        body
    }

    /// `B0 2B`: get system information.
    pub fn system_info(uid: Uid) -> Vec<u8> {
        addressed(0x2B, uid, &[])
    }

    /// `B0 23`: read multiple blocks.
    pub fn read_blocks(uid: Uid, start: u8, count: u8) -> Vec<u8> {
        addressed(0x23, uid, &[start, count])
    }

    /// `B0 24`: write multiple blocks of `block_size` bytes.
    pub fn write_blocks(uid: Uid, start: u8, block_size: u8, data: &[u8]) -> Vec<u8> {
        let count = (data.len() / usize::from(block_size.max(1))) as u8;
        let mut rest = vec![start, count, block_size];
        rest.extend(swap_blocks(data, usize::from(block_size)));
        addressed(0x24, uid, &rest)
    }

    /// `B0 27`: write AFI.
    pub fn write_afi(uid: Uid, afi: u8) -> Vec<u8> {
        addressed(0x27, uid, &[afi])
    }

    /// `B1 04 A2` / `A3`: set or reset the NXP EAS bit.
    pub fn eas(uid: Uid, on: bool) -> Vec<u8> {
        let mut body = vec![0x04, if on { 0xA2 } else { 0xA3 }, 0x01];
        body.extend(uid.0);
        body
    }

    /// `B1 04 A5`: EAS alarm — only tags with EAS set answer.
    pub fn eas_alarm(uid: Uid) -> Vec<u8> {
        let mut body = vec![0x04, 0xA5, 0x01];
        body.extend(uid.0);
        body
    }
}

/// Parses an inventory reply body (`STATUS DATA-SETS {TR-TYPE DSFID UID}`), deduplicated.
pub fn parse_inventory(body: &[u8]) -> Option<Vec<Uid>> {
    match *body.first()? {
        STATUS_NO_TRANSPONDER => return Some(Vec::new()),
        STATUS_OK => {}
        _ => return None,
    }
    let count = usize::from(*body.get(1)?);
    let mut uids = Vec::new();
    for index in 0..count {
        let at = 2 + index * 10;
        let uid = Uid(body.get(at + 2..at + 10)?.try_into().ok()?);
        if !uids.contains(&uid) {
            uids.push(uid);
        }
    }
    Some(uids)
}

/// Parses a system-information reply body (`STATUS DSFID UID AFI MEM(2) IC`).
pub fn parse_system_info(body: &[u8]) -> Option<SystemInfo> {
    if *body.first()? != STATUS_OK {
        return None;
    }
    let dsfid = *body.get(1)?;
    let uid = Uid(body.get(2..10)?.try_into().ok()?);
    let afi = *body.get(10)?;
    let (size, blocks) = (*body.get(11)?, *body.get(12)?);
    let ic = *body.get(13)?;
    Some(SystemInfo {
        uid,
        dsfid: Some(dsfid),
        afi: Some(afi),
        memory: Some((u16::from(blocks) + 1, (size & 0x1F) + 1)),
        ic_reference: Some(ic),
    })
}

/// Parses a read-blocks reply body (`STATUS DB-N DB-SIZE {SEC DB}`) into block data in
/// tag order.
pub fn parse_blocks(body: &[u8]) -> Option<Vec<u8>> {
    if *body.first()? != STATUS_OK {
        return None;
    }
    let count = usize::from(*body.get(1)?);
    let size = usize::from(*body.get(2)?);
    let mut data = Vec::with_capacity(count * size);
    for index in 0..count {
        let at = 3 + index * (size + 1);
        let block = body.get(at + 1..at + 1 + size)?;
        data.extend(block.iter().rev());
    }
    Some(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::parse_hex;
    use proptest::prelude::*;

    #[test]
    fn tv_f2_frames() {
        for (vector, command, body) in [
            ("05FF65E5CB", 0x65, vec![]),
            ("05FF698901", 0x69, vec![]),
            ("07FFB001001C56", 0xB0, vec![0x01, 0x00]),
        ] {
            let bytes = parse_hex(vector).unwrap();
            assert_eq!(encode(BROADCAST, command, &body), bytes, "{vector}");
            let mut deframer = Deframer::default();
            deframer.push(&bytes);
            assert_eq!(deframer.next_frame(), Some(Ok(Frame { address: 0xFF, command, body })));
        }
        assert_eq!(encode(BROADCAST, 0xB0, &request::inventory()), parse_hex("07FFB001001C56").unwrap());
    }

    #[test]
    fn block_data_is_swapped_on_the_wire() {
        let uid = Uid([0xE0, 4, 1, 0, 0, 0, 0, 9]);
        let body = request::write_blocks(uid, 0, 4, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&body[body.len() - 8..], &[4, 3, 2, 1, 8, 7, 6, 5]);
        let reply = [STATUS_OK, 2, 4, 0, 4, 3, 2, 1, 0, 8, 7, 6, 5];
        assert_eq!(parse_blocks(&reply), Some(vec![1, 2, 3, 4, 5, 6, 7, 8]));
    }

    #[test]
    fn inventory_and_system_info_replies() {
        let uid = Uid([0xE0, 4, 1, 0x50, 0x11, 0x22, 0x33, 0x44]);
        let mut body = vec![STATUS_OK, 2];
        for _ in 0..2 {
            body.extend([0x03, 0x00]);
            body.extend(uid.0);
        }
        assert_eq!(parse_inventory(&body), Some(vec![uid]));
        assert_eq!(parse_inventory(&[STATUS_NO_TRANSPONDER]), Some(vec![]));
        let mut info = vec![STATUS_OK, 0x00];
        info.extend(uid.0);
        info.extend([0x07, 0x03, 27, 0x01]);
        let parsed = parse_system_info(&info).unwrap();
        assert_eq!(parsed.afi, Some(0x07));
        assert_eq!(parsed.memory, Some((28, 4)));
    }

    proptest! {
        #[test]
        fn deframing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut deframer = Deframer::default();
            deframer.push(&bytes);
            while let Some(result) = deframer.next_frame() {
                if let Ok(frame) = result {
                    let _ = parse_inventory(&frame.body);
                    let _ = parse_system_info(&frame.body);
                    let _ = parse_blocks(&frame.body);
                }
            }
        }

        #[test]
        fn crc_catches_any_single_bit_flip(body in proptest::collection::vec(any::<u8>(), 0..30), bit in 0usize..8) {
            let mut frame = encode(BROADCAST, 0xB0, &body);
            let position = 1 + (body.len() % (frame.len() - 1));
            frame[position] ^= 1 << bit;
            let mut deframer = Deframer::default();
            deframer.push(&frame);
            prop_assert!(!matches!(deframer.next_frame(), Some(Ok(ref f)) if f.body == body && f.command == 0xB0));
        }
    }
}
