//! Bit-level reading and writing, most significant bit first.

/// Reads groups of bits from a byte slice.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        BitReader { data, position: 0 }
    }

    /// Bits not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() * 8 - self.position
    }

    /// The next `count` (≤ 16) bits, or `None` when fewer remain.
    pub(crate) fn read(&mut self, count: usize) -> Option<u16> {
        if count > self.remaining() {
            return None;
        }
        let mut value = 0u16;
        for _ in 0..count {
            let byte = self.data[self.position / 8];
            let bit = (byte >> (7 - self.position % 8)) & 1;
            value = value << 1 | u16::from(bit);
            self.position += 1;
        }
        Some(value)
    }
}

/// Packs groups of bits into bytes.
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    used: usize,
}

impl BitWriter {
    pub(crate) fn write(&mut self, value: u16, count: usize) {
        for shift in (0..count).rev() {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((value >> shift) & 1) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bit << (7 - self.used % 8);
            }
            self.used += 1;
        }
    }

    /// Bits written into the last, partly filled byte.
    pub(crate) fn partial_bits(&self) -> usize {
        self.used % 8
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut writer = BitWriter::default();
        writer.write(0b10101, 5);
        writer.write(0b111, 3);
        writer.write(0b1, 1);
        assert_eq!(writer.partial_bits(), 1);
        let bytes = writer.into_bytes();
        assert_eq!(bytes, [0b1010_1111, 0b1000_0000]);
        let mut reader = BitReader::new(&bytes);
        assert_eq!(reader.read(5), Some(0b10101));
        assert_eq!(reader.read(4), Some(0b1111));
        assert_eq!(reader.remaining(), 7);
        assert_eq!(reader.read(8), None);
    }
}
