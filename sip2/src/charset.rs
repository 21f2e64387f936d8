//! Character sets a SIP2 server may use on the wire.
//!
//! SIP2 has no negotiation: the kiosk and the server agree out of band. The specification's
//! default is code page 850; Chinese deployments use UTF-8 or GB18030/GBK. Checksums are
//! computed over the encoded bytes, so the charset must be right for them to match.

use std::borrow::Cow;

/// The character set of one SIP2 server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// UTF-8.
    #[default]
    Utf8,
    /// GB18030; also reads GBK and GB2312.
    Gb18030,
    /// IBM code page 850, the specification's default ("English 850").
    Cp850,
    /// ISO 8859-1.
    Latin1,
}

/// A character the charset cannot represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{ch:?} (U+{code:04X}) cannot be sent in {charset:?}", code = *.ch as u32)]
pub struct Unrepresentable {
    /// The character.
    pub ch: char,
    /// The charset.
    pub charset: Charset,
}

/// CP850 bytes 0x80–0xFF (IBM code page 850 as published by IBM and Unicode's mapping file).
const CP850_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©', '╣', '║', '╗', '╝', '¢', '¥', '┐', //
    '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦', '╠', '═', '╬', '¤', //
    'ð', 'Ð', 'Ê', 'Ë', 'È', 'ı', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì', '▀', //
    'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', //
    '\u{AD}', '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{A0}',
];

impl Charset {
    /// Appends `text` encoded in this charset to `out`.
    pub fn encode_into(self, text: &str, out: &mut Vec<u8>) -> Result<(), Unrepresentable> {
        if text.is_ascii() {
            out.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        match self {
            Charset::Utf8 => out.extend_from_slice(text.as_bytes()),
            Charset::Latin1 => {
                for ch in text.chars() {
                    let code = ch as u32;
                    if code > 0xFF {
                        return Err(Unrepresentable { ch, charset: self });
                    }
                    out.push(code as u8);
                }
            }
            Charset::Cp850 => {
                for ch in text.chars() {
                    if ch.is_ascii() {
                        out.push(ch as u8);
                    } else {
                        let index = CP850_HIGH
                            .iter()
                            .position(|&c| c == ch)
                            .ok_or(Unrepresentable { ch, charset: self })?;
                        out.push(0x80 + index as u8);
                    }
                }
            }
            Charset::Gb18030 => {
                let mut encoder = encoding_rs::GB18030.new_encoder();
                let needed = encoder
                    .max_buffer_length_from_utf8_without_replacement(text.len())
                    .unwrap_or(text.len() * 4);
                let start = out.len();
                out.resize(start + needed, 0);
                let (result, _, written) =
                    encoder.encode_from_utf8_without_replacement(text, &mut out[start..], true);
                out.truncate(start + written);
                if let encoding_rs::EncoderResult::Unmappable(ch) = result {
                    return Err(Unrepresentable { ch, charset: self });
                }
            }
        }
        Ok(())
    }

    /// Encodes `text` in this charset.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, Unrepresentable> {
        let mut out = Vec::with_capacity(text.len());
        self.encode_into(text, &mut out)?;
        Ok(out)
    }

    /// Decodes bytes in this charset; malformed sequences become U+FFFD and are reported
    /// by the second value.
    pub fn decode(self, bytes: &[u8]) -> (Cow<'_, str>, bool) {
        if self != Charset::Utf8
            && bytes.is_ascii()
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            // ASCII is the same in every supported charset.
            return (Cow::Borrowed(text), false);
        }
        match self {
            Charset::Utf8 => match std::str::from_utf8(bytes) {
                Ok(text) => (Cow::Borrowed(text), false),
                Err(_) => (String::from_utf8_lossy(bytes), true),
            },
            Charset::Latin1 => (Cow::Owned(bytes.iter().map(|&b| b as char).collect()), false),
            Charset::Cp850 => (
                Cow::Owned(
                    bytes
                        .iter()
                        .map(|&b| if b < 0x80 { b as char } else { CP850_HIGH[usize::from(b - 0x80)] })
                        .collect(),
                ),
                false,
            ),
            Charset::Gb18030 => {
                let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
                (text, had_errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gb18030_vectors() {
        // devices.md TV-G1 / TV-G2.
        assert_eq!(Charset::Gb18030.encode("借书").unwrap(), [0xBD, 0xE8, 0xCA, 0xE9]);
        assert_eq!(Charset::Gb18030.encode("€").unwrap(), [0xA2, 0xE3]);
        assert_eq!(Charset::Gb18030.encode("𠀀").unwrap(), [0x95, 0x32, 0x82, 0x36]);
        assert_eq!(Charset::Gb18030.decode(&[0xBD, 0xE8, 0xCA, 0xE9]).0, "借书");
    }

    #[test]
    fn cp850_and_latin1() {
        assert_eq!(Charset::Cp850.encode("Müller").unwrap(), b"M\x81ller");
        assert_eq!(Charset::Latin1.encode("Müller").unwrap(), b"M\xfcller");
        assert_eq!(Charset::Cp850.decode(b"J\x94rg").0, "Jörg");
        let err = Charset::Cp850.encode("张三").unwrap_err();
        assert_eq!(err.ch, '张');
        assert!(Charset::Latin1.encode("张").is_err());
    }

    #[test]
    fn bad_utf8_is_replaced_and_reported() {
        let (text, bad) = Charset::Utf8.decode(b"ab\xffc");
        assert!(bad);
        assert_eq!(text, "ab\u{FFFD}c");
    }

    proptest! {
        #[test]
        fn round_trips(text in "\\PC{0,40}") {
            for charset in [Charset::Utf8, Charset::Gb18030, Charset::Cp850, Charset::Latin1] {
                if let Ok(bytes) = charset.encode(&text) {
                    let (decoded, bad) = charset.decode(&bytes);
                    prop_assert!(!bad);
                    prop_assert_eq!(decoded, text.as_str());
                }
            }
        }

        #[test]
        fn every_cp850_byte_round_trips(byte in 0u8..=255) {
            let bytes = [byte];
            let (text, _) = Charset::Cp850.decode(&bytes);
            prop_assert_eq!(Charset::Cp850.encode(&text).unwrap(), vec![byte]);
        }
    }
}
