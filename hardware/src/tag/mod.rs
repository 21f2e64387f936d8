//! Library RFID tag data: ISO 28560-2 / GB/T 35660.2, ISO 28560-3 (Danish data model),
//! 3M RFID501, blank tags — decoded from raw tag memory, the format chosen by content.
//!
//! The DSFID cannot be relied on (many tags leave it at zero), so [`decode`] sniffs: a
//! strictly valid ISO 28560-2 element list first (the format Chinese libraries use), then
//! a Danish-model block whose CRC validates in either block order, then the 3M layout,
//! then blank memory. A site profile may force one format with [`decode_as`].

mod bits;
pub mod ddm;
pub mod iso15693;
pub mod iso28560_2;
pub mod rfid501;

use std::fmt;

/// The data model of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagFormat {
    /// ISO 28560-2 / GB/T 35660.2 (object based, compacted).
    Iso28560_2,
    /// ISO 28560-3 / Danish data model (fixed 32-byte block with CRC).
    Danish,
    /// 3M RFID501.
    Rfid501,
    /// Factory-fresh memory.
    Blank,
}

impl fmt::Display for TagFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TagFormat::Iso28560_2 => "ISO 28560-2",
            TagFormat::Danish => "ISO 28560-3 (Danish)",
            TagFormat::Rfid501 => "3M RFID501",
            TagFormat::Blank => "blank",
        })
    }
}

/// Parts of a multi-part item ("set"), e.g. a book with a CD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetInfo {
    /// How many parts the item has.
    pub parts: u8,
    /// Which part this tag is on (1-based).
    pub part: u8,
}

/// What a tag is used for (ISO 28560-1 type of usage: class in the high nibble).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeOfUsage(pub u8);

impl TypeOfUsage {
    /// The class (high nibble): 0 acquisition, 1 circulating, 2 not for circulation,
    /// 7 discarded, 8 patron card, 9 equipment.
    pub fn class(self) -> u8 {
        self.0 >> 4
    }

    /// A patron card: route it to identification, never to checkout.
    pub fn is_patron_card(self) -> bool {
        self.class() == 8
    }

    /// Qualifiers 13/15: not for loan while the ILS is off line.
    pub fn no_offline_loan(self) -> bool {
        matches!(self.0, 0x13 | 0x15)
    }

    /// Qualifiers 14/15: not for return while the ILS is off line.
    pub fn no_offline_return(self) -> bool {
        matches!(self.0, 0x14 | 0x15)
    }
}

/// A decoded tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagData {
    /// The data model; `None` only for [`TagData::default`].
    pub format: Option<TagFormat>,
    /// The primary item identifier (the barcode); empty on blank tags.
    pub primary_item_id: String,
    /// The owner library's ISIL (`CN-…`, `US-InU-Mu`, `DE-705`).
    pub owner_institution: Option<String>,
    /// Set information.
    pub set: Option<SetInfo>,
    /// Type of usage.
    pub usage: Option<TypeOfUsage>,
    /// Title.
    pub title: Option<String>,
    /// Shelf location.
    pub shelf_location: Option<String>,
    /// Other elements as text, by ISO 28560-1 number (or a name for vendor fields).
    pub other: Vec<(String, String)>,
    /// Deviations that did not stop decoding.
    pub warnings: Vec<String>,
}

/// Tag memory that cannot be read as the expected format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    /// The memory ends inside an element.
    #[error("tag data ends inside an element at byte {0}")]
    Truncated(usize),
    /// The data is not valid for this format.
    #[error("not valid {format} data: {reason}")]
    Invalid {
        /// The format tried.
        format: TagFormat,
        /// Why.
        reason: String,
    },
    /// The Danish-model CRC failed in both block orders.
    #[error("ISO 28560-3 CRC mismatch: stored {stored:04X}, computed {computed:04X}")]
    Crc {
        /// The stored CRC.
        stored: u16,
        /// The CRC of the data as read.
        computed: u16,
    },
    /// No supported format matches.
    #[error("unknown tag data format")]
    Unknown,
}

/// Decodes tag memory, choosing the format by content.
pub fn decode(memory: &[u8]) -> Result<TagData, TagError> {
    if is_blank(memory) {
        return Ok(TagData { format: Some(TagFormat::Blank), ..TagData::default() });
    }
    if let Ok(data) = iso28560_2::decode(memory) {
        return Ok(data);
    }
    if let Ok(data) = ddm::decode(memory) {
        return Ok(data);
    }
    if let Ok(data) = rfid501::decode(memory) {
        return Ok(data);
    }
    Err(TagError::Unknown)
}

/// Decodes tag memory as one format.
pub fn decode_as(format: TagFormat, memory: &[u8]) -> Result<TagData, TagError> {
    match format {
        TagFormat::Iso28560_2 => iso28560_2::decode(memory),
        TagFormat::Danish => ddm::decode(memory),
        TagFormat::Rfid501 => rfid501::decode(memory),
        TagFormat::Blank if is_blank(memory) => {
            Ok(TagData { format: Some(TagFormat::Blank), ..TagData::default() })
        }
        TagFormat::Blank => Err(TagError::Invalid { format, reason: "the memory holds data".into() }),
    }
}

/// New memory for a tag that must carry `barcode` (a technician re-encoding a tag whose
/// data is wrong or unreadable). What can be kept of the current data is kept: an
/// ISO 28560-3 tag stays ISO 28560-3 in its block order; owner, set, usage, title and shelf
/// location carry over. Anything else (blank, RFID501, unreadable) becomes ISO 28560-2 with
/// `default_owner` and a circulating usage. The result is padded to `memory_len` when given.
pub fn reencode(
    current: &[u8],
    barcode: &str,
    default_owner: Option<&str>,
    memory_len: Option<usize>,
) -> Result<Vec<u8>, TagError> {
    let mut memory = match ddm::decode_with_order(current) {
        Ok((data, order)) if data.format == Some(TagFormat::Danish) => {
            let content = ddm::Content {
                usage_class: data.usage.map_or(1, TypeOfUsage::class),
                set: data.set.unwrap_or(SetInfo { parts: 1, part: 1 }),
                primary_item_id: barcode.to_string(),
                owner_institution: data
                    .owner_institution
                    .or_else(|| default_owner.map(str::to_string))
                    .unwrap_or_default(),
            };
            ddm::encode(&content, order)?
        }
        _ => {
            let data = iso28560_2::decode(current).ok();
            let keep = data.as_ref();
            let content = iso28560_2::Content {
                primary_item_id: barcode.to_string(),
                owner_institution: keep
                    .and_then(|d| d.owner_institution.clone())
                    .or_else(|| default_owner.map(str::to_string)),
                set: keep.and_then(|d| d.set),
                usage: Some(keep.and_then(|d| d.usage).unwrap_or(TypeOfUsage(0x10))),
                title: keep.and_then(|d| d.title.clone()),
                shelf_location: keep.and_then(|d| d.shelf_location.clone()),
            };
            iso28560_2::encode(&content)?
        }
    };
    if let Some(length) = memory_len {
        if memory.len() > length {
            return Err(TagError::Invalid {
                format: TagFormat::Iso28560_2,
                reason: format!("the data needs {} bytes; the tag holds {length}", memory.len()),
            });
        }
        memory.resize(length, 0);
    }
    Ok(memory)
}

/// All zeros, all 0xFF, or the 3M factory pattern (24 × `55` then zeros).
pub fn is_blank(memory: &[u8]) -> bool {
    if memory.is_empty() {
        return true;
    }
    let all = |b: u8| memory.iter().all(|&x| x == b);
    let three_m =
        memory.len() >= 28 && memory[..24].iter().all(|&b| b == 0x55) && memory[24..].iter().all(|&b| b == 0);
    all(0) || all(0xFF) || three_m
}

/// Parses hex text (spaces, colons and a `0x` prefix allowed) into bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-' && *c != '|')
        .collect();
    if !cleaned.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", cleaned.len()));
    }
    (0..cleaned.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&cleaned[i..i + 2], 16)
                .map_err(|_| format!("{:?} is not hex", &cleaned[i..i + 2]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TV_R1: &str = "9100051cbe991a140201d0140204b34607441cb6e2e335d6830207acc09ebaa06f6b0000";
    const TV_R2: &str = "11010131313232333334340000000000000000513e4445373035000000000000";

    #[test]
    fn formats_are_chosen_by_content() {
        assert_eq!(decode(&parse_hex(TV_R1).unwrap()).unwrap().format, Some(TagFormat::Iso28560_2));
        assert_eq!(decode(&parse_hex(TV_R2).unwrap()).unwrap().format, Some(TagFormat::Danish));
        assert_eq!(decode(&[0; 32]).unwrap().format, Some(TagFormat::Blank));
        let mut three_m = vec![0x55; 24];
        three_m.extend([0; 8]);
        assert_eq!(decode(&three_m).unwrap().format, Some(TagFormat::Blank));
        assert_eq!(decode(b"\x77garbage that is no tag at all.."), Err(TagError::Unknown));
    }

    #[test]
    fn reencoding_keeps_the_data_model_and_what_else_the_tag_said() {
        // ISO 28560-3 (TV-R2) stays ISO 28560-3 with its owner; only the barcode changes.
        let danish = parse_hex(TV_R2).unwrap();
        let before = decode(&danish).unwrap();
        let after = decode(&reencode(&danish, "30234000000017", Some("CN-WCP"), None).unwrap()).unwrap();
        assert_eq!(after.format, Some(TagFormat::Danish));
        assert_eq!(after.primary_item_id, "30234000000017");
        assert_eq!(after.owner_institution, before.owner_institution);
        // ISO 28560-2 (TV-R1) keeps owner and shelf location.
        let object = parse_hex(TV_R1).unwrap();
        let before = decode(&object).unwrap();
        let after = decode(&reencode(&object, "30234000000025", None, Some(112)).unwrap()).unwrap();
        assert_eq!(after.format, Some(TagFormat::Iso28560_2));
        assert_eq!(after.primary_item_id, "30234000000025");
        assert_eq!(
            (after.owner_institution, after.shelf_location),
            (before.owner_institution, before.shelf_location)
        );
        // A blank tag gets the default owner and a circulating usage.
        let fresh = reencode(&[0; 112], "30234000000033", Some("CN-WCP"), Some(112)).unwrap();
        assert_eq!(fresh.len(), 112);
        let data = decode(&fresh).unwrap();
        assert_eq!(data.owner_institution.as_deref(), Some("CN-WCP"));
        assert_eq!(data.usage, Some(TypeOfUsage(0x10)));
        // Too long for the tag: refused, nothing to write.
        assert!(reencode(&[0; 8], "30234000000033", Some("CN-WCP"), Some(8)).is_err());
    }

    #[test]
    fn forced_format_refuses_other_data() {
        assert!(decode_as(TagFormat::Danish, &parse_hex(TV_R1).unwrap()).is_err());
        assert!(decode_as(TagFormat::Blank, &parse_hex(TV_R2).unwrap()).is_err());
    }

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("0x0A ff:10").unwrap(), [0x0A, 0xFF, 0x10]);
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
    }

    #[test]
    fn usage_classes() {
        assert!(TypeOfUsage(0x81).is_patron_card());
        assert!(!TypeOfUsage(0x10).is_patron_card());
        assert!(TypeOfUsage(0x15).no_offline_loan() && TypeOfUsage(0x15).no_offline_return());
        assert!(!TypeOfUsage(0x13).no_offline_return());
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_memory_never_panics(memory in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = decode(&memory);
            for format in [TagFormat::Iso28560_2, TagFormat::Danish, TagFormat::Rfid501, TagFormat::Blank] {
                let _ = decode_as(format, &memory);
            }
        }
    }
}
