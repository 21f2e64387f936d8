//! The AZ checksum: the 16-bit two's complement of the sum of every byte from the command
//! code up to and including `AZ`, as four upper-case hex digits (3M SIP2 2.00, "Error
//! detection"; the worked example of the 3M SelfCheck developer's guide).

/// The checksum of `prefix` (which ends with `AZ`).
pub fn compute(prefix: &[u8]) -> u16 {
    let sum = prefix.iter().fold(0u16, |sum, &b| sum.wrapping_add(u16::from(b)));
    sum.wrapping_neg()
}

/// The checksum over Unicode code points instead of bytes, as some servers compute it.
pub fn compute_code_points(prefix: &str) -> u16 {
    let sum = prefix.chars().fold(0u32, |sum, c| sum.wrapping_add(c as u32));
    (sum as u16).wrapping_neg()
}

/// Writes a checksum as four upper-case hex digits.
pub fn write_hex(value: u16, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((value >> shift) & 0xF)]);
    }
}

/// Parses 3 or 4 hex digits of either case.
pub fn parse_hex(digits: &[u8]) -> Option<u16> {
    if !(3..=4).contains(&digits.len()) {
        return None;
    }
    digits.iter().try_fold(0u16, |value, &d| Some(value << 4 | u16::from((d as char).to_digit(16)? as u8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn developer_guide_example() {
        // sip2.md V1.
        assert_eq!(compute(b"990 402.00AY1AZ"), 0xFCB4);
    }

    #[test]
    fn hex_formatting() {
        let mut out = Vec::new();
        write_hex(0x0A1, &mut out);
        assert_eq!(out, b"00A1");
        assert_eq!(parse_hex(b"fcb4"), Some(0xFCB4));
        assert_eq!(parse_hex(b"A1"), None);
        assert_eq!(parse_hex(b"0A1"), Some(0xA1));
        assert_eq!(parse_hex(b"zz00"), None);
    }
}
