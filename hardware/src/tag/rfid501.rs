//! 3M RFID501: eight 4-byte blocks, big-endian (shared/reference rfid.md §5).
//!
//! Block 0: `04`, set byte (item number high nibble, total low nibble), `00`, item type;
//! blocks 1–4: barcode, ASCII, NUL-terminated; block 5: branch (upper 12 bits) and
//! library (lower 20 bits); block 6: custom; block 7: zero. Deviations in the fixed bytes
//! are warnings, not failures.

use super::{SetInfo, TagData, TagError, TagFormat};

/// Decodes RFID501 memory (at least 32 bytes).
pub fn decode(memory: &[u8]) -> Result<TagData, TagError> {
    let invalid = |reason: String| TagError::Invalid { format: TagFormat::Rfid501, reason };
    if memory.len() < 32 {
        return Err(invalid(format!("{} bytes, need 32", memory.len())));
    }
    let barcode_bytes = &memory[4..20];
    let end = barcode_bytes.iter().position(|&b| b == 0).unwrap_or(16);
    let barcode = &barcode_bytes[..end];
    if barcode.is_empty() || !barcode.iter().all(|b| b.is_ascii_graphic()) {
        return Err(invalid("no printable barcode in blocks 1–4".into()));
    }
    if barcode_bytes[end..].iter().any(|&b| b != 0) {
        return Err(invalid("bytes after the barcode's terminator".into()));
    }
    let mut tag = TagData {
        format: Some(TagFormat::Rfid501),
        primary_item_id: String::from_utf8_lossy(barcode).into_owned(),
        ..TagData::default()
    };
    if memory[0] != 0x04 {
        tag.warnings.push(format!("byte 0 is {:02X}, expected 04", memory[0]));
    }
    if memory[2] != 0x00 {
        tag.warnings.push(format!("byte 2 is {:02X}, expected 00", memory[2]));
    }
    if memory[28..32].iter().any(|&b| b != 0) {
        tag.warnings.push("block 7 is not zero".into());
    }
    let (part, parts) = (memory[1] >> 4, memory[1] & 0x0F);
    if parts >= 1 && (1..=parts).contains(&part) {
        tag.set = Some(SetInfo { parts, part });
    }
    let location = u32::from_be_bytes([memory[20], memory[21], memory[22], memory[23]]);
    let item_type = match memory[3] {
        0 => "other",
        1 => "book",
        2 => "magazine",
        3 => "bound journal",
        4 => "audio tape",
        5 => "video",
        6 => "CD/CD-ROM",
        7 => "diskette",
        8 => "book with diskette",
        9 => "book with CD/CD-ROM",
        13 => "book with audio tape",
        _ => "unknown",
    };
    tag.other.push(("item type".into(), format!("{} ({item_type})", memory[3])));
    tag.other.push(("branch".into(), (location >> 20).to_string()));
    tag.other.push(("library".into(), (location & 0xF_FFFF).to_string()));
    let custom = i32::from_be_bytes([memory[24], memory[25], memory[26], memory[27]]);
    tag.other.push(("custom".into(), custom.to_string()));
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut memory = vec![0x04, 0x11, 0x00, 0x01];
        let mut barcode = b"1301234567".to_vec();
        barcode.resize(16, 0);
        memory.extend(barcode);
        memory.extend((3u32 << 20 | 1234).to_be_bytes());
        memory.extend(0i32.to_be_bytes());
        memory.extend([0; 4]);
        memory
    }

    #[test]
    fn decodes_the_layout() {
        let tag = decode(&sample()).unwrap();
        assert_eq!(tag.primary_item_id, "1301234567");
        assert_eq!(tag.set, Some(SetInfo { parts: 1, part: 1 }));
        assert!(tag.other.contains(&("branch".into(), "3".into())));
        assert!(tag.other.contains(&("library".into(), "1234".into())));
        assert!(tag.other.contains(&("item type".into(), "1 (book)".into())));
        assert!(tag.warnings.is_empty());
    }

    #[test]
    fn deviations_warn_and_garbage_fails() {
        let mut memory = sample();
        memory[0] = 0x05;
        memory[31] = 1;
        assert_eq!(decode(&memory).unwrap().warnings.len(), 2);
        memory[4] = 0;
        assert!(decode(&memory).is_err());
        assert!(decode(&[0; 10]).is_err());
    }
}
