//! ISO 28560-2 / GB/T 35660.2: a list of elements in the ISO/IEC 15962 "no-directory"
//! encoding, each `precursor [OID extension] [offset] length data [pad]`, ended by a
//! zero precursor or the end of memory.
//!
//! Precursor bits: 7 = offset flag (a pad-count byte follows), 6–4 = compaction
//! (0 application-defined, 1 integer, 2 numeric, 3 5-bit, 4 6-bit, 5 7-bit, 6 octet,
//! 7 UTF-8), 3–0 = relative OID (15 = 15 + the next byte). Facts from shared/reference
//! rfid.md §3 and the compaction rules of ISO/IEC 15962 as implemented in dp2.

use std::collections::BTreeSet;

use super::bits::{BitReader, BitWriter};
use super::{SetInfo, TagData, TagError, TagFormat, TypeOfUsage};

/// OID of the primary item identifier.
pub const OID_PII: u8 = 1;
/// OID of the content parameter.
pub const OID_CONTENT_PARAMETER: u8 = 2;
/// OID of the owner institution (ISIL).
pub const OID_OWNER: u8 = 3;
/// OID of the set information.
pub const OID_SET: u8 = 4;
/// OID of the type of usage.
pub const OID_USAGE: u8 = 5;
/// OID of the shelf location.
pub const OID_SHELF: u8 = 6;
/// OID of the ILL borrowing institution (ISIL).
pub const OID_ILL_BORROWER: u8 = 11;
/// OID of the title.
pub const OID_TITLE: u8 = 17;

/// A compaction scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    /// 0: application-defined (ISIL for OIDs 3 and 11, a bitmap for OID 2).
    Application = 0,
    /// 1: unsigned big-endian integer.
    Integer = 1,
    /// 2: numeric, two digits a byte, padded with `F`.
    Numeric = 2,
    /// 3: 5-bit upper case (0x41–0x5F).
    FiveBit = 3,
    /// 4: 6-bit (0x20–0x5F).
    SixBit = 4,
    /// 5: 7-bit ASCII.
    SevenBit = 5,
    /// 6: octets (ISO 8859-1).
    Octet = 6,
    /// 7: UTF-8.
    Utf8 = 7,
}

impl Compaction {
    fn from_bits(bits: u8) -> Compaction {
        match bits & 7 {
            0 => Compaction::Application,
            1 => Compaction::Integer,
            2 => Compaction::Numeric,
            3 => Compaction::FiveBit,
            4 => Compaction::SixBit,
            5 => Compaction::SevenBit,
            6 => Compaction::Octet,
            _ => Compaction::Utf8,
        }
    }
}

/// One raw element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Relative OID.
    pub oid: u8,
    /// Compaction.
    pub compaction: Compaction,
    /// The compacted bytes.
    pub data: Vec<u8>,
    /// Pad bytes after the data.
    pub pad: u8,
}

fn invalid(reason: impl Into<String>) -> TagError {
    TagError::Invalid { format: TagFormat::Iso28560_2, reason: reason.into() }
}

/// Splits memory into elements.
pub fn elements(memory: &[u8]) -> Result<Vec<Element>, TagError> {
    let mut elements = Vec::new();
    let mut pos = 0;
    while pos < memory.len() {
        let precursor = memory[pos];
        if precursor == 0 {
            break;
        }
        pos += 1;
        let compaction = Compaction::from_bits(precursor >> 4);
        let mut oid = precursor & 0x0F;
        if oid == 15 {
            let extension = *memory.get(pos).ok_or(TagError::Truncated(pos))?;
            oid = 15u8.checked_add(extension).ok_or_else(|| invalid("OID extension out of range"))?;
            pos += 1;
        }
        let pad = if precursor & 0x80 != 0 {
            let pad = *memory.get(pos).ok_or(TagError::Truncated(pos))?;
            pos += 1;
            pad
        } else {
            0
        };
        let length = usize::from(*memory.get(pos).ok_or(TagError::Truncated(pos))?);
        pos += 1;
        let data = memory.get(pos..pos + length).ok_or(TagError::Truncated(pos))?.to_vec();
        pos += length;
        let padding = memory.get(pos..pos + usize::from(pad)).ok_or(TagError::Truncated(pos))?;
        if padding.iter().any(|&b| b != 0) {
            return Err(invalid(format!("non-zero pad bytes after OID {oid}")));
        }
        pos += usize::from(pad);
        elements.push(Element { oid, compaction, data, pad });
    }
    Ok(elements)
}

/// Decodes ISO 28560-2 memory strictly: the PII first, no OID twice, every value valid.
pub fn decode(memory: &[u8]) -> Result<TagData, TagError> {
    let elements = elements(memory)?;
    let first = elements.first().ok_or_else(|| invalid("no elements"))?;
    if first.oid != OID_PII {
        return Err(invalid(format!(
            "the first element is OID {}, not the primary item identifier",
            first.oid
        )));
    }
    let mut seen = BTreeSet::new();
    let mut tag = TagData { format: Some(TagFormat::Iso28560_2), ..TagData::default() };
    let mut announced: Option<BTreeSet<u8>> = None;
    for element in &elements {
        if !seen.insert(element.oid) {
            return Err(invalid(format!("OID {} appears twice", element.oid)));
        }
        if element.oid == OID_CONTENT_PARAMETER {
            if element.compaction != Compaction::Application {
                return Err(invalid("the content parameter is not a bitmap"));
            }
            announced = Some(bitmap_oids(&element.data));
            continue;
        }
        let value = decode_value(element)?;
        match element.oid {
            OID_PII => tag.primary_item_id = value,
            OID_OWNER => tag.owner_institution = Some(value),
            OID_SET => {
                tag.set = parse_set(&value);
                if tag.set.is_none() {
                    tag.warnings.push(format!("set information {value:?} is not parts/part"));
                }
                tag.other.push(("set information".into(), value));
            }
            OID_USAGE => match element.data.as_slice() {
                [byte] => tag.usage = Some(TypeOfUsage(*byte)),
                _ => tag.warnings.push(format!("type of usage {value:?} is not one byte")),
            },
            OID_SHELF => tag.shelf_location = Some(value),
            OID_TITLE => tag.title = Some(value),
            oid => tag.other.push((oid.to_string(), value)),
        }
    }
    if tag.primary_item_id.is_empty() {
        return Err(invalid("empty primary item identifier"));
    }
    if let Some(announced) = announced {
        let present: BTreeSet<u8> = seen.iter().copied().filter(|&oid| oid >= 3).collect();
        if announced != present {
            tag.warnings.push(format!(
                "the content parameter announces OIDs {announced:?} but the tag holds {present:?}"
            ));
        }
    }
    Ok(tag)
}

/// The OIDs announced by a content-parameter bitmap (MSB of the first byte = OID 3).
fn bitmap_oids(bitmap: &[u8]) -> BTreeSet<u8> {
    let mut oids = BTreeSet::new();
    for (index, byte) in bitmap.iter().enumerate() {
        for bit in 0..8 {
            if byte & (0x80 >> bit) != 0 {
                oids.insert(3 + (index * 8 + bit) as u8);
            }
        }
    }
    oids
}

/// "1203" → 12 parts, part 3: the first half is the number of parts, the second the part.
fn parse_set(text: &str) -> Option<SetInfo> {
    if text.len() < 2 || !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (parts, part) = text.split_at(text.len() / 2);
    let info = SetInfo { parts: parts.parse().ok()?, part: part.parse().ok()? };
    (info.part >= 1 && info.part <= info.parts).then_some(info)
}

fn decode_value(element: &Element) -> Result<String, TagError> {
    let data = &element.data;
    let bad = |what: &str| invalid(format!("OID {}: {what}", element.oid));
    Ok(match element.compaction {
        Compaction::Application => match element.oid {
            OID_OWNER | OID_ILL_BORROWER | 23 | 25 => {
                decode_isil(data).ok_or_else(|| bad("invalid ISIL compaction"))?
            }
            _ => data.iter().map(|b| format!("{b:02X}")).collect(),
        },
        Compaction::Integer => {
            if data.is_empty() || data.len() > 16 {
                return Err(bad("integer of unusual length"));
            }
            data.iter().fold(0u128, |value, &b| value << 8 | u128::from(b)).to_string()
        }
        Compaction::Numeric => {
            let mut digits = String::new();
            'bytes: for &b in data {
                for nibble in [b >> 4, b & 0x0F] {
                    match nibble {
                        0..=9 => digits.push(char::from(b'0' + nibble)),
                        0xF => break 'bytes,
                        _ => return Err(bad("invalid numeric digit")),
                    }
                }
            }
            digits
        }
        Compaction::FiveBit => {
            let mut reader = BitReader::new(data);
            let mut text = String::new();
            while let Some(code) = reader.read(5) {
                if code == 0 {
                    break;
                }
                text.push(char::from(code as u8 | 0x40));
            }
            text
        }
        Compaction::SixBit => {
            let mut reader = BitReader::new(data);
            let mut text = String::new();
            while let Some(code) = reader.read(6) {
                // The pad "100000" that ends the last byte is not a character.
                if code == 0x20 && reader.remaining() == 0 {
                    break;
                }
                let code = code as u8;
                text.push(char::from(if code & 0x20 == 0 { code | 0x40 } else { code }));
            }
            text
        }
        Compaction::SevenBit => {
            let mut reader = BitReader::new(data);
            let mut text = String::new();
            while let Some(code) = reader.read(7) {
                if code == 0x7F && reader.remaining() == 0 {
                    break;
                }
                text.push(char::from(code as u8));
            }
            text
        }
        Compaction::Octet => data.iter().map(|&b| char::from(b)).collect(),
        Compaction::Utf8 => String::from_utf8(data.clone()).map_err(|_| bad("invalid UTF-8"))?,
    })
}

/// The three ISIL character sets (ISO/IEC 15962 ISIL compaction).
#[derive(Clone, Copy, PartialEq, Eq)]
enum IsilSet {
    Upper,
    Lower,
    Digit,
}

impl IsilSet {
    fn width(self) -> usize {
        if self == IsilSet::Digit { 4 } else { 5 }
    }

    /// The code of `ch` in this set.
    fn code(self, ch: char) -> Option<u16> {
        match (self, ch) {
            (IsilSet::Upper | IsilSet::Lower, '-') => Some(0),
            (IsilSet::Upper, 'A'..='Z') => Some(ch as u16 - 'A' as u16 + 1),
            (IsilSet::Lower, 'a'..='z') => Some(ch as u16 - 'a' as u16 + 1),
            (IsilSet::Upper, ':') | (IsilSet::Lower, '/') => Some(27),
            (IsilSet::Digit, '0'..='9') => Some(ch as u16 - '0' as u16),
            (IsilSet::Digit, '-') => Some(10),
            (IsilSet::Digit, ':') => Some(11),
            _ => None,
        }
    }

    fn character(self, code: u16) -> Option<char> {
        match (self, code) {
            (IsilSet::Upper | IsilSet::Lower, 0) => Some('-'),
            (IsilSet::Upper, 1..=26) => char::from_u32('A' as u32 + u32::from(code) - 1),
            (IsilSet::Lower, 1..=26) => char::from_u32('a' as u32 + u32::from(code) - 1),
            (IsilSet::Upper, 27) => Some(':'),
            (IsilSet::Lower, 27) => Some('/'),
            (IsilSet::Digit, 0..=9) => char::from_u32('0' as u32 + u32::from(code)),
            (IsilSet::Digit, 10) => Some('-'),
            (IsilSet::Digit, 11) => Some(':'),
            _ => None,
        }
    }

    /// The latch (`false`) or shift (`true`) code from this set to `target`.
    fn switch_code(self, target: IsilSet, shift: bool) -> u16 {
        let base = match (self, target) {
            (IsilSet::Digit, IsilSet::Upper) => 12,
            (IsilSet::Digit, _) => 14,
            (_, IsilSet::Digit) => 30,
            _ => 28,
        };
        base + u16::from(shift)
    }

    /// What a switch code in this set does: (target, is_shift).
    fn switch(self, code: u16) -> Option<(IsilSet, bool)> {
        match (self, code) {
            (IsilSet::Digit, 12 | 13) => Some((IsilSet::Upper, code == 13)),
            (IsilSet::Digit, 14 | 15) => Some((IsilSet::Lower, code == 15)),
            (IsilSet::Upper, 28 | 29) => Some((IsilSet::Lower, code == 29)),
            (IsilSet::Lower, 28 | 29) => Some((IsilSet::Upper, code == 29)),
            (IsilSet::Upper | IsilSet::Lower, 30 | 31) => Some((IsilSet::Digit, code == 31)),
            _ => None,
        }
    }
}

/// Decodes ISIL compaction; stops at the trailing pad bits.
pub fn decode_isil(data: &[u8]) -> Option<String> {
    let mut reader = BitReader::new(data);
    let mut current = IsilSet::Upper;
    let mut text = String::new();
    while let Some(code) = reader.read(current.width()) {
        match current.switch(code) {
            Some((target, true)) => {
                let Some(code) = reader.read(target.width()) else { break };
                text.push(target.character(code)?);
            }
            Some((target, false)) => current = target,
            None => text.push(current.character(code)?),
        }
    }
    (!text.is_empty()).then_some(text)
}

/// Encodes an ISIL with latches and shifts, padding the last byte with 1 bits.
pub fn encode_isil(isil: &str) -> Option<Vec<u8>> {
    let chars: Vec<char> = isil.chars().collect();
    let sets_of = |ch: char| -> Vec<IsilSet> {
        [IsilSet::Upper, IsilSet::Lower, IsilSet::Digit]
            .into_iter()
            .filter(|s| s.code(ch).is_some())
            .collect()
    };
    let mut writer = BitWriter::default();
    let mut current = IsilSet::Upper;
    for (index, &ch) in chars.iter().enumerate() {
        let sets = sets_of(ch);
        if sets.is_empty() {
            return None;
        }
        if let Some(code) = current.code(ch) {
            writer.write(code, current.width());
            continue;
        }
        let target = sets[0];
        let next_fits_current = chars.get(index + 1).is_none_or(|&next| current.code(next).is_some());
        writer.write(current.switch_code(target, next_fits_current), current.width());
        writer.write(target.code(ch)?, target.width());
        if !next_fits_current {
            current = target;
        }
    }
    let partial = writer.partial_bits();
    if partial != 0 {
        writer.write(0xFF, 8 - partial);
    }
    Some(writer.into_bytes())
}

/// What to encode on a tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content {
    /// The barcode.
    pub primary_item_id: String,
    /// Owner ISIL.
    pub owner_institution: Option<String>,
    /// Set information.
    pub set: Option<SetInfo>,
    /// Type of usage.
    pub usage: Option<TypeOfUsage>,
    /// Shelf location.
    pub shelf_location: Option<String>,
    /// Title (UTF-8 when it has characters beyond ISO 8859-1).
    pub title: Option<String>,
}

/// Compacts text with the scheme that gives the fewest bytes.
fn compact_text(text: &str) -> (Compaction, Vec<u8>) {
    let mut candidates: Vec<(Compaction, Vec<u8>)> = Vec::new();
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if digits
        && !text.starts_with('0')
        && text.len() <= 38
        && let Ok(value) = text.parse::<u128>()
    {
        let bytes = value.to_be_bytes();
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(15);
        candidates.push((Compaction::Integer, bytes[first..].to_vec()));
    }
    if digits {
        let mut bytes = Vec::new();
        for pair in text.as_bytes().chunks(2) {
            let high = pair[0] - b'0';
            let low = pair.get(1).map_or(0xF, |d| d - b'0');
            bytes.push(high << 4 | low);
        }
        candidates.push((Compaction::Numeric, bytes));
    }
    if !text.is_empty() && text.bytes().all(|b| (0x41..=0x5F).contains(&b)) {
        let mut writer = BitWriter::default();
        for b in text.bytes() {
            writer.write(u16::from(b & 0x1F), 5);
        }
        candidates.push((Compaction::FiveBit, writer.into_bytes()));
    }
    if !text.is_empty() && text.bytes().all(|b| (0x20..=0x5F).contains(&b)) && !text.ends_with(' ') {
        let mut writer = BitWriter::default();
        for b in text.bytes() {
            writer.write(u16::from(b & 0x3F), 6);
        }
        if writer.partial_bits() != 0 {
            writer.write(1, 1);
        }
        candidates.push((Compaction::SixBit, writer.into_bytes()));
    }
    if text.is_ascii() && !text.bytes().any(|b| b == 0x7F) {
        let mut writer = BitWriter::default();
        for b in text.bytes() {
            writer.write(u16::from(b), 7);
        }
        let partial = writer.partial_bits();
        if partial != 0 {
            writer.write(0xFF, 8 - partial);
        }
        candidates.push((Compaction::SevenBit, writer.into_bytes()));
    }
    if text.chars().all(|c| (c as u32) <= 0xFF) {
        candidates.push((Compaction::Octet, text.chars().map(|c| c as u8).collect()));
    }
    candidates.push((Compaction::Utf8, text.as_bytes().to_vec()));
    candidates
        .into_iter()
        .min_by_key(|(_, bytes)| bytes.len())
        .unwrap_or((Compaction::Utf8, text.as_bytes().to_vec()))
}

fn push_element(memory: &mut Vec<u8>, oid: u8, compaction: Compaction, data: &[u8]) -> Result<(), TagError> {
    if data.len() > 255 {
        return Err(invalid(format!("OID {oid}: value longer than 255 bytes")));
    }
    let compaction_bits = (compaction as u8) << 4;
    if oid < 15 {
        memory.push(compaction_bits | oid);
    } else {
        memory.push(compaction_bits | 0x0F);
        memory.push(oid - 15);
    }
    memory.push(data.len() as u8);
    memory.extend_from_slice(data);
    Ok(())
}

/// Encodes content as ISO 28560-2 memory, padded with zeros to whole 4-byte blocks.
pub fn encode(content: &Content) -> Result<Vec<u8>, TagError> {
    if content.primary_item_id.is_empty() {
        return Err(invalid("the primary item identifier is empty"));
    }
    let mut optional: Vec<(u8, Compaction, Vec<u8>)> = Vec::new();
    if let Some(owner) = &content.owner_institution {
        let bytes = encode_isil(owner).ok_or_else(|| invalid(format!("{owner:?} is not an ISIL")))?;
        optional.push((OID_OWNER, Compaction::Application, bytes));
    }
    if let Some(set) = content.set {
        let (compaction, bytes) = compact_text(&format!("{:02}{:02}", set.parts, set.part));
        optional.push((OID_SET, compaction, bytes));
    }
    if let Some(usage) = content.usage {
        optional.push((OID_USAGE, Compaction::Octet, vec![usage.0]));
    }
    if let Some(shelf) = &content.shelf_location {
        let (compaction, bytes) = compact_text(shelf);
        optional.push((OID_SHELF, compaction, bytes));
    }
    if let Some(title) = &content.title {
        let compaction =
            if title.chars().all(|c| (c as u32) <= 0xFF) { Compaction::Octet } else { Compaction::Utf8 };
        let bytes = if compaction == Compaction::Octet {
            title.chars().map(|c| c as u8).collect()
        } else {
            title.as_bytes().to_vec()
        };
        optional.push((OID_TITLE, compaction, bytes));
    }
    let mut memory = Vec::new();
    let (compaction, pii) = compact_text(&content.primary_item_id);
    push_element(&mut memory, OID_PII, compaction, &pii)?;
    if !optional.is_empty() {
        let highest = optional.iter().map(|(oid, ..)| *oid).max().unwrap_or(3);
        let mut bitmap = vec![0u8; usize::from(highest - 3) / 8 + 1];
        for (oid, ..) in &optional {
            let bit = usize::from(oid - 3);
            bitmap[bit / 8] |= 0x80 >> (bit % 8);
        }
        push_element(&mut memory, OID_CONTENT_PARAMETER, Compaction::Application, &bitmap)?;
    }
    for (oid, compaction, bytes) in &optional {
        push_element(&mut memory, *oid, *compaction, bytes)?;
    }
    memory.resize(memory.len().div_ceil(4) * 4, 0);
    Ok(memory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::parse_hex;
    use proptest::prelude::*;

    const TV_R1: &str = "9100051cbe991a140201d0140204b34607441cb6e2e335d6830207acc09ebaa06f6b0000";

    #[test]
    fn tv_r1_the_complete_example_of_gb_t_35660_2() {
        let tag = decode(&parse_hex(TV_R1).unwrap()).unwrap();
        assert_eq!(tag.primary_item_id, "123456789012");
        assert_eq!(tag.owner_institution.as_deref(), Some("US-InU-Mu"));
        assert_eq!(tag.shelf_location.as_deref(), Some("QA268.L55"));
        assert_eq!(tag.other, [("set information".to_string(), "1203".to_string())]);
        assert_eq!(tag.set, Some(SetInfo { parts: 12, part: 3 }));
        assert!(tag.warnings.is_empty(), "{:?}", tag.warnings);
        let oids: Vec<u8> = elements(&parse_hex(TV_R1).unwrap()).unwrap().iter().map(|e| e.oid).collect();
        assert_eq!(oids, [1, 2, 4, 6, 3]);
        assert_eq!(bitmap_oids(&[0xD0]), [3, 4, 6].into_iter().collect());
    }

    #[test]
    fn tv_r1_with_a_changed_content_parameter_is_flagged() {
        let mut memory = parse_hex(TV_R1).unwrap();
        memory[10] = 0xC0;
        let tag = decode(&memory).unwrap();
        assert!(tag.warnings.iter().any(|w| w.contains("content parameter")), "{:?}", tag.warnings);
    }

    #[test]
    fn isil_walk_through() {
        assert_eq!(decode_isil(&parse_hex("acc09ebaa06f6b").unwrap()).as_deref(), Some("US-InU-Mu"));
        assert_eq!(encode_isil("US-InU-Mu").unwrap(), parse_hex("acc09ebaa06f6b").unwrap());
        for isil in ["CN-110000-1", "DK-718500", "DE-705", "FI-Helmet", "CN-HZL:1/2", "US-a1B2"] {
            let bytes = encode_isil(isil).unwrap();
            assert_eq!(decode_isil(&bytes).as_deref(), Some(isil), "{isil}");
        }
        assert_eq!(encode_isil("中国"), None);
    }

    #[test]
    fn malformed_memory_is_refused() {
        assert!(decode(&[0x91]).is_err(), "truncated");
        assert!(decode(&[0x11, 0x01, 0x05, 0x11, 0x01, 0x06]).is_err(), "OID 1 twice");
        assert!(decode(&[0x13, 0x01, 0x41]).is_err(), "does not start with the PII");
        assert!(decode(&[0x91, 0x02, 0x01, 0x05, 0x07, 0x00]).is_err(), "non-zero pad");
        assert!(decode(&[0x71, 0x02, 0xFF, 0xFE]).is_err(), "invalid UTF-8");
    }

    #[test]
    fn chinese_title_and_full_content_round_trip() {
        let content = Content {
            primary_item_id: "30234000000017".into(),
            owner_institution: Some("CN-WCP".into()),
            set: Some(SetInfo { parts: 3, part: 2 }),
            usage: Some(TypeOfUsage(0x10)),
            shelf_location: Some("I247.57/Y88".into()),
            title: Some("活着".into()),
        };
        let memory = encode(&content).unwrap();
        assert_eq!(memory.len() % 4, 0);
        let tag = decode(&memory).unwrap();
        assert_eq!(tag.primary_item_id, content.primary_item_id);
        assert_eq!(tag.owner_institution, content.owner_institution);
        assert_eq!(tag.set, content.set);
        assert_eq!(tag.usage, content.usage);
        assert_eq!(tag.shelf_location, content.shelf_location);
        assert_eq!(tag.title, content.title);
        assert!(tag.warnings.is_empty(), "{:?}", tag.warnings);
        assert_eq!(elements(&memory).unwrap()[0].compaction, Compaction::Integer);
    }

    #[test]
    fn compaction_choice() {
        assert_eq!(compact_text("123456789012").0, Compaction::Integer);
        assert_eq!(compact_text("0012345").0, Compaction::Numeric);
        assert_eq!(compact_text("QA268.L55").0, Compaction::SixBit);
        assert_eq!(compact_text("ABCDEFGH").0, Compaction::FiveBit);
        assert_eq!(compact_text("abc-123x").0, Compaction::SevenBit);
        assert_eq!(compact_text("Müller").0, Compaction::Octet);
        assert_eq!(compact_text("张三").0, Compaction::Utf8);
    }

    proptest! {
        #[test]
        fn any_barcode_round_trips(pii in "[ -~]{1,30}", shelf in proptest::option::of("[A-Z0-9./ ]{1,12}[A-Z0-9]")) {
            let content = Content { primary_item_id: pii.clone(), shelf_location: shelf.clone(), ..Content::default() };
            let tag = decode(&encode(&content).unwrap()).unwrap();
            prop_assert_eq!(tag.primary_item_id, pii);
            prop_assert_eq!(tag.shelf_location, shelf);
        }

        #[test]
        fn any_isil_round_trips(isil in "[A-Z]{2}-[A-Za-z0-9:/-]{1,12}") {
            let bytes = encode_isil(&isil).unwrap();
            prop_assert_eq!(decode_isil(&bytes), Some(isil));
        }
    }
}
