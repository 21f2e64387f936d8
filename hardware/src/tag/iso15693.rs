//! ISO/IEC 15693 values the readers report: UIDs and Get System Information.

use std::fmt;

/// A tag's 8-byte unique identifier, most significant byte first (`E0 04 …` for NXP).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(pub [u8; 8]);

impl Uid {
    /// From the on-air order (least significant byte first).
    pub fn from_lsb_first(bytes: [u8; 8]) -> Uid {
        let mut msb = bytes;
        msb.reverse();
        Uid(msb)
    }

    /// In the on-air order.
    pub fn to_lsb_first(self) -> [u8; 8] {
        let mut lsb = self.0;
        lsb.reverse();
        lsb
    }

    /// The IC manufacturer code (byte 2; 0x04 = NXP).
    pub fn manufacturer(self) -> u8 {
        self.0[1]
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({self})")
    }
}

/// A Get System Information answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemInfo {
    /// The tag.
    pub uid: Uid,
    /// DSFID, when reported.
    pub dsfid: Option<u8>,
    /// AFI, when reported.
    pub afi: Option<u8>,
    /// Number of blocks and bytes per block, when reported.
    pub memory: Option<(u16, u8)>,
    /// IC reference, when reported.
    pub ic_reference: Option<u8>,
}

impl SystemInfo {
    /// Parses `info-flags UID(LSB first) [DSFID] [AFI] [blocks-1 size-1] [IC ref]`
    /// (the response after the ISO 15693 response-flags byte).
    pub fn parse(bytes: &[u8]) -> Option<SystemInfo> {
        let flags = *bytes.first()?;
        let uid = Uid::from_lsb_first(bytes.get(1..9)?.try_into().ok()?);
        let mut pos = 9;
        let mut take = |present: bool, count: usize| -> Option<Option<&[u8]>> {
            if !present {
                return Some(None);
            }
            let slice = bytes.get(pos..pos + count)?;
            pos += count;
            Some(Some(slice))
        };
        let dsfid = take(flags & 0x01 != 0, 1)?.map(|b| b[0]);
        let afi = take(flags & 0x02 != 0, 1)?.map(|b| b[0]);
        let memory = take(flags & 0x04 != 0, 2)?.map(|b| (u16::from(b[0]) + 1, (b[1] & 0x1F) + 1));
        let ic_reference = take(flags & 0x08 != 0, 1)?.map(|b| b[0]);
        Some(SystemInfo { uid, dsfid, afi, memory, ic_reference })
    }

    /// Encodes in the same layout.
    pub fn encode(&self) -> Vec<u8> {
        let flags = u8::from(self.dsfid.is_some())
            | u8::from(self.afi.is_some()) << 1
            | u8::from(self.memory.is_some()) << 2
            | u8::from(self.ic_reference.is_some()) << 3;
        let mut bytes = vec![flags];
        bytes.extend(self.uid.to_lsb_first());
        bytes.extend(self.dsfid);
        bytes.extend(self.afi);
        if let Some((blocks, size)) = self.memory {
            bytes.extend([(blocks - 1) as u8, size - 1]);
        }
        bytes.extend(self.ic_reference);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::parse_hex;

    #[test]
    fn tv_r2b_system_information() {
        let info = SystemInfo::parse(&parse_hex("0355443322110004E00007").unwrap()).unwrap();
        assert_eq!(info.uid.to_string(), "E004001122334455");
        assert_eq!(info.uid.manufacturer(), 0x04);
        assert_eq!((info.dsfid, info.afi), (Some(0x00), Some(0x07)));
        let unsecured = SystemInfo::parse(&parse_hex("0355443322110004E00021").unwrap()).unwrap();
        assert_eq!(unsecured.afi, Some(0x21));
        assert_eq!(info.encode(), parse_hex("0355443322110004E00007").unwrap());
        assert_eq!(SystemInfo::parse(&[0x03, 1, 2]), None);
    }

    #[test]
    fn memory_size_and_ic_reference() {
        let info = SystemInfo {
            uid: Uid([0xE0, 4, 1, 2, 3, 4, 5, 6]),
            dsfid: None,
            afi: Some(0xC2),
            memory: Some((28, 4)),
            ic_reference: Some(1),
        };
        assert_eq!(SystemInfo::parse(&info.encode()), Some(info));
    }
}
