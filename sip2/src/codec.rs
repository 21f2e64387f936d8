//! Encoding and decoding whole SIP2 frames: charset, the AY sequence number, the AZ
//! checksum and the terminator.
//!
//! Strict on send, lenient on receive: the kiosk always emits `…|AYnAZxxxx` with four
//! upper-case hex digits and never a pipe after the fixed fields; it accepts CR, CRLF or
//! LF endings, lower-case and 3-digit checksums, replays with AZ but no AY, a stray pipe
//! after the fixed fields, and — in lenient mode — checksums computed over Unicode code
//! points instead of bytes. Anything accepted with a deviation is reported as a
//! [`Warning`]; nothing from the wire ever panics the decoder.

use crate::charset::{Charset, Unrepresentable};
use crate::checksum;
use crate::messages::{FieldId, Message};

/// The byte sequence that ends a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Terminator {
    /// CR, as the specification says.
    #[default]
    Cr,
    /// CR LF, as Koha sends by default.
    CrLf,
}

impl Terminator {
    /// The bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::Cr => b"\r",
            Terminator::CrLf => b"\r\n",
        }
    }
}

/// Frame settings for one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Codec {
    /// The wire charset.
    pub charset: Charset,
    /// Append AY/AZ to outgoing messages.
    pub error_detection: bool,
    /// The terminator to send.
    pub terminator: Terminator,
    /// Also accept checksums computed over code points (reported as such).
    pub lenient_checksums: bool,
}

impl Default for Codec {
    fn default() -> Self {
        Codec {
            charset: Charset::Utf8,
            error_detection: true,
            terminator: Terminator::Cr,
            lenient_checksums: true,
        }
    }
}

/// A message that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A value contains `|`, CR, LF or NUL (or a fixed field contains non-ASCII text).
    #[error("field {field}: {ch:?} cannot be sent in a SIP2 value")]
    ForbiddenCharacter {
        /// The field id, or the message's fixed part.
        field: String,
        /// The offending character.
        ch: char,
    },
    /// The server's charset cannot represent a character.
    #[error(transparent)]
    Unrepresentable(#[from] Unrepresentable),
    /// A sequence number above 9.
    #[error("sequence number {0} is not a single digit")]
    BadSequence(u8),
}

/// A frame that cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing but terminators.
    #[error("empty message")]
    Empty,
    /// Shorter than a command code.
    #[error("message too short")]
    TooShort,
    /// The command code is not a SIP2 2.00 message.
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
    /// A fixed field is missing or invalid.
    #[error("message {command}: fixed field {field} is invalid: {raw:?}")]
    FixedField {
        /// The command code.
        command: &'static str,
        /// The field's name.
        field: &'static str,
        /// What was there.
        raw: String,
    },
    /// The AZ checksum does not match.
    #[error("checksum mismatch: the message says {found:04X}, its bytes sum to {expected:04X}")]
    Checksum {
        /// The checksum of the bytes received.
        expected: u16,
        /// The checksum in the message.
        found: u16,
    },
    /// The frame is larger than any SIP2 message should be.
    #[error("message longer than {0} bytes")]
    TooLong(usize),
}

/// A deviation from the specification that was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Warning {
    /// A pipe right after the fixed fields.
    PipeAfterFixedFields,
    /// The last field had no pipe.
    MissingFinalPipe,
    /// A required field was absent (read as empty).
    MissingRequired(FieldId),
    /// A non-repeatable field came twice (the second is kept in `extra`).
    Duplicate(FieldId),
    /// A typed field's value was invalid (kept in `extra`).
    InvalidValue(FieldId),
    /// Text that is not a field.
    Garbage(String),
    /// A 3-digit checksum.
    ShortChecksum,
    /// The checksum matched only over code points.
    CodePointChecksum,
    /// Bytes invalid in the charset were replaced.
    MalformedText,
    /// A `98` in the short layout with one-digit timeout and retries.
    ShortAcsStatusLayout,
}

/// How the checksum of a received frame was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumCheck {
    /// The frame had no AZ.
    Absent,
    /// It matched over the bytes.
    Valid,
    /// It matched over Unicode code points only (lenient mode).
    ValidOverCodePoints,
}

/// A decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The message.
    pub message: Message,
    /// The AY sequence number, if present.
    pub sequence: Option<u8>,
    /// The checksum's state.
    pub checksum: ChecksumCheck,
    /// Accepted deviations.
    pub warnings: Vec<Warning>,
}

/// The largest frame accepted: far above any real message, small enough to bound memory.
pub const MAX_FRAME: usize = 64 * 1024;

impl Codec {
    /// A codec with the given charset and the other settings at their defaults.
    pub fn with_charset(charset: Charset) -> Codec {
        Codec { charset, ..Codec::default() }
    }

    /// Encodes `message` with sequence number `sequence` (used when error detection is on;
    /// `97`/`96` never carry one) and the terminator.
    pub fn encode(&self, message: &Message, sequence: Option<u8>) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(128);
        self.encode_into(message, sequence, &mut out)?;
        Ok(out)
    }

    /// Like [`Codec::encode`], appending to `out` (which is left unchanged on error).
    pub fn encode_into(
        &self,
        message: &Message,
        sequence: Option<u8>,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let mut body = String::with_capacity(128);
        message.write_body(&mut body)?;
        let start = out.len();
        if let Err(error) = self.charset.encode_into(&body, out) {
            out.truncate(start);
            return Err(error.into());
        }
        if self.error_detection {
            let resend = matches!(message, Message::RequestAcsResend(_) | Message::RequestScResend(_));
            if let Some(sequence) = sequence.filter(|_| !resend) {
                if sequence > 9 {
                    out.truncate(start);
                    return Err(EncodeError::BadSequence(sequence));
                }
                out.extend_from_slice(b"AY");
                out.push(b'0' + sequence);
            }
            out.extend_from_slice(b"AZ");
            let sum = checksum::compute(&out[start..]);
            checksum::write_hex(sum, out);
        }
        out.extend_from_slice(self.terminator.bytes());
        Ok(())
    }

    /// Decodes one frame (with or without its terminator).
    pub fn decode(&self, frame: &[u8]) -> Result<Decoded, DecodeError> {
        let frame = trim_terminators(frame);
        if frame.is_empty() {
            return Err(DecodeError::Empty);
        }
        if frame.len() > MAX_FRAME {
            return Err(DecodeError::TooLong(MAX_FRAME));
        }
        let mut warnings = Vec::new();
        let trailer = find_trailer(frame);
        let body_bytes = &frame[..trailer.body_end];
        let (body, malformed) = self.charset.decode(body_bytes);
        if malformed {
            warnings.push(Warning::MalformedText);
        }
        let checksum = match trailer.checksum {
            None => ChecksumCheck::Absent,
            Some((az_end, found, digits)) => {
                if digits == 3 {
                    warnings.push(Warning::ShortChecksum);
                }
                let expected = checksum::compute(&frame[..az_end]);
                if expected == found {
                    ChecksumCheck::Valid
                } else {
                    let ascii_tail: u32 = frame[trailer.body_end..az_end].iter().map(|&b| u32::from(b)).sum();
                    let points: u32 =
                        body.chars().fold(0u32, |s, c| s.wrapping_add(c as u32)).wrapping_add(ascii_tail);
                    if self.lenient_checksums && !malformed && (points as u16).wrapping_neg() == found {
                        warnings.push(Warning::CodePointChecksum);
                        ChecksumCheck::ValidOverCodePoints
                    } else {
                        return Err(DecodeError::Checksum { expected, found });
                    }
                }
            }
        };
        let message = Message::read_body(&body, &mut warnings)?;
        Ok(Decoded { message, sequence: trailer.sequence, checksum, warnings })
    }
}

fn trim_terminators(frame: &[u8]) -> &[u8] {
    let start = frame.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(frame.len());
    let end = frame.iter().rposition(|&b| b != b'\r' && b != b'\n').map_or(start, |i| i + 1);
    &frame[start..end]
}

struct Trailer {
    /// Where the message body ends (before AY or AZ).
    body_end: usize,
    sequence: Option<u8>,
    /// End of the `AZ` (the checksummed prefix), the value, and the digit count.
    checksum: Option<(usize, u16, usize)>,
}

fn find_trailer(frame: &[u8]) -> Trailer {
    let len = frame.len();
    let mut found = None;
    for digits in [4usize, 3] {
        if len >= digits + 4
            && &frame[len - digits - 2..len - digits] == b"AZ"
            && let Some(value) = checksum::parse_hex(&frame[len - digits..])
        {
            found = Some((len - digits - 2, value, digits));
            break;
        }
    }
    let Some((az_at, value, digits)) = found else {
        return Trailer { body_end: len, sequence: None, checksum: None };
    };
    let (body_end, sequence) =
        if az_at >= 5 && &frame[az_at - 3..az_at - 1] == b"AY" && frame[az_at - 1].is_ascii_digit() {
            (az_at - 3, Some(frame[az_at - 1] - b'0'))
        } else {
            (az_at, None)
        };
    Trailer { body_end, sequence, checksum: Some((az_at + 2, value, digits)) }
}

/// Splits a byte stream into frames at CR or LF, buffering partial reads.
///
/// Empty lines (the LF of a CRLF) are skipped; a frame longer than [`MAX_FRAME`] is
/// discarded up to its terminator and reported once.
#[derive(Debug, Default)]
pub struct Framer {
    buffer: Vec<u8>,
    discarding: bool,
}

/// What [`Framer::next_frame`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameEvent {
    /// A complete frame, without its terminator.
    Frame(Vec<u8>),
    /// An over-long frame was dropped.
    Oversized,
}

impl Framer {
    /// A new framer.
    pub fn new() -> Framer {
        Framer::default()
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a complete frame.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// The next complete frame, if any.
    pub fn next_frame(&mut self) -> Option<FrameEvent> {
        loop {
            match self.buffer.iter().position(|&b| b == b'\r' || b == b'\n') {
                Some(end) => {
                    let frame: Vec<u8> = self.buffer.drain(..=end).take(end).collect();
                    if std::mem::take(&mut self.discarding) {
                        return Some(FrameEvent::Oversized);
                    }
                    if frame.is_empty() {
                        continue;
                    }
                    if frame.len() > MAX_FRAME {
                        return Some(FrameEvent::Oversized);
                    }
                    return Some(FrameEvent::Frame(frame));
                }
                None => {
                    if self.buffer.len() > MAX_FRAME {
                        self.buffer.clear();
                        self.discarding = true;
                    }
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn every_message_type_round_trips(seed in any::<u64>(), sequence in 0u8..10, crlf in any::<bool>()) {
            let mut rng = Rng::new(seed);
            for charset in [Charset::Utf8, Charset::Gb18030] {
                let codec = Codec { charset, terminator: if crlf { Terminator::CrLf } else { Terminator::Cr }, ..Codec::default() };
                for message in Message::random_of_every_type(&mut rng) {
                    let bytes = codec.encode(&message, Some(sequence)).unwrap();
                    let decoded = codec.decode(&bytes).unwrap();
                    prop_assert_eq!(&decoded.message, &message);
                    prop_assert_eq!(decoded.checksum, ChecksumCheck::Valid);
                    prop_assert!(decoded.warnings.is_empty(), "{:?} for {:?}", decoded.warnings, message);
                    let resend = matches!(message, Message::RequestAcsResend(_) | Message::RequestScResend(_));
                    prop_assert_eq!(decoded.sequence, (!resend).then_some(sequence));
                }
            }
        }

        #[test]
        fn without_error_detection_nothing_is_appended(seed in any::<u64>()) {
            let mut rng = Rng::new(seed);
            let codec = Codec { error_detection: false, ..Codec::default() };
            for message in Message::random_of_every_type(&mut rng) {
                let bytes = codec.encode(&message, Some(3)).unwrap();
                let decoded = codec.decode(&bytes).unwrap();
                prop_assert_eq!(decoded.checksum, ChecksumCheck::Absent);
                prop_assert_eq!(decoded.message, message);
            }
        }
    }

    #[test]
    fn forbidden_characters_are_refused_on_encode() {
        for bad in ["a|b", "a\rb", "a\nb", "a\0b"] {
            let message = Message::from(crate::messages::ItemInformation {
                item_identifier: bad.into(),
                ..Default::default()
            });
            let error = Codec::default().encode(&message, Some(0)).unwrap_err();
            assert!(
                matches!(error, EncodeError::ForbiddenCharacter { ref field, .. } if field == "AB"),
                "{error}"
            );
        }
        let message = Message::from(crate::messages::Login { uid_algorithm: '|', ..Default::default() });
        assert!(Codec::default().encode(&message, None).is_err());
        let mut extra = crate::messages::Checkout::default();
        extra.extra.push(crate::messages::Field::new("ZZ", "x|y").unwrap());
        assert!(Codec::default().encode(&Message::from(extra), None).is_err());
    }

    #[test]
    fn unknown_fields_pass_through_in_order() {
        let frame = b"2300120251124    100000AOLIB|PBbirth|AA42|ZZfirst|AC|AD|ZZsecond|";
        let decoded = Codec::default().decode(frame).unwrap();
        let Message::PatronStatusRequest(request) = &decoded.message else { panic!() };
        let extra: Vec<String> = request.extra.iter().map(|f| format!("{}={}", f.id, f.value)).collect();
        assert_eq!(extra, ["PB=birth", "ZZ=first", "ZZ=second"]);
        let out =
            Codec { error_detection: false, ..Codec::default() }.encode(&decoded.message, None).unwrap();
        assert_eq!(out, b"2300120251124    100000AOLIB|AA42|AC|AD|PBbirth|ZZfirst|ZZsecond|\r");
    }

    #[test]
    fn repeatable_fields_keep_their_order_and_missing_required_fields_are_reported() {
        let frame = b"24              00120251124    100000AOLIB|AA1|AFfirst|AFsecond|AFthird|";
        let decoded = Codec::default().decode(frame).unwrap();
        let Message::PatronStatusResponse(response) = &decoded.message else { panic!() };
        assert_eq!(response.screen_message, ["first", "second", "third"]);
        assert_eq!(decoded.warnings, [Warning::MissingRequired(FieldId(['A', 'E']))]);
    }

    #[test]
    fn required_fields_are_sent_even_when_empty() {
        let message = Message::from(crate::messages::Checkout::default());
        let bytes = Codec { error_detection: false, ..Codec::default() }.encode(&message, None).unwrap();
        assert_eq!(bytes, format!("11NN{0}{0}AO|AA|AB|AC|\r", " ".repeat(18)).as_bytes());
    }

    #[test]
    fn unknown_commands_and_broken_fixed_fields_are_errors() {
        assert_eq!(Codec::default().decode(b"42xyz").unwrap_err(), DecodeError::UnknownCommand("42".into()));
        assert!(matches!(
            Codec::default().decode(b"12X").unwrap_err(),
            DecodeError::FixedField { command: "12", .. }
        ));
        assert_eq!(Codec::default().decode(b"\r\n").unwrap_err(), DecodeError::Empty);
        assert_eq!(Codec::default().decode(b"9").unwrap_err(), DecodeError::TooShort);
    }

    #[test]
    fn framer_drops_oversized_frames() {
        let mut framer = Framer::new();
        framer.push(&vec![b'9'; MAX_FRAME + 10]);
        assert_eq!(framer.next_frame(), None);
        framer.push(b"tail\r941AZFEC7\r");
        assert_eq!(framer.next_frame(), Some(FrameEvent::Oversized));
        assert_eq!(framer.next_frame(), Some(FrameEvent::Frame(b"941AZFEC7".to_vec())));
        assert_eq!(framer.pending(), 0);
    }
}

#[cfg(test)]
mod describe_tests {
    use super::*;

    #[test]
    fn describe_lists_fixed_and_variable_fields() {
        let decoded = Codec::default().decode(b"941AY3AZFDFA").unwrap();
        let views = decoded.message.describe();
        assert_eq!(views.len(), 1);
        assert_eq!((views[0].name, views[0].value.as_str()), ("ok", "1"));
        let decoded = Codec::default().decode(b"2300120251124    100000AOLIB|AA42|AC|ADsecret|ZZx|").unwrap();
        let shown: Vec<String> = decoded
            .message
            .describe()
            .iter()
            .map(|v| {
                format!(
                    "{}{}={}",
                    v.id.as_deref().map(|i| format!("{i} ")).unwrap_or_default(),
                    v.name,
                    v.value
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "language=001",
                "transaction_date=20251124    100000",
                "AO institution_id=LIB",
                "AA patron_identifier=42",
                "AC terminal_password=",
                "AD patron_password=secret",
                "ZZ extra=x"
            ]
        );
        assert_eq!(decoded.message.name(), "PatronStatusRequest");
    }
}
