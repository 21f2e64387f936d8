//! The client's error-detection rules as a sans-IO state machine.
//!
//! The session never touches a socket or a clock: the caller hands it outgoing messages,
//! received frames and the current time, and takes bytes to write and events out. The
//! rules (3M SIP2 2.00, "Error detection"; shared reference §9):
//!
//! 1. each new message gets the next sequence number 0–9, wrapping;
//! 2. no reply in time → the *same* bytes again, up to the retry limit;
//! 3. a reply with a bad checksum → `97`, up to the retry limit;
//! 4. a `96` → the original again, unless retries are used up or the last thing sent was
//!    a `97`;
//! 5. a valid reply with the wrong sequence number → discarded; keep waiting;
//! 6. a `98` in answer to something else → the ACS's status push: note it, send again.
//!
//! `98`'s timeout period and retries allowed are honoured when the ACS states them.

use std::time::{Duration, Instant};

use crate::codec::{ChecksumCheck, Codec, DecodeError, Decoded, EncodeError};
use crate::messages::{AcsStatus, Message, RequestAcsResend};

/// Whether the session uses and requires AY/AZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorDetection {
    /// Send nothing; accept (and verify) checksums if the ACS sends them.
    Off,
    /// Send AY/AZ; require AZ in every reply.
    #[default]
    On,
    /// Send AY/AZ; accept replies without AZ.
    Auto,
}

/// Session settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// The wire format.
    pub codec: Codec,
    /// AY/AZ use.
    pub error_detection: ErrorDetection,
    /// How long to wait for a reply before sending again.
    pub timeout: Duration,
    /// How often to send again (after a timeout, a bad checksum or a `96`).
    pub retries: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            codec: Codec::default(),
            error_detection: ErrorDetection::On,
            timeout: Duration::from_secs(10),
            retries: 2,
        }
    }
}

/// Why an exchange failed. The request's outcome at the ACS is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// No valid reply after every retry.
    #[error("no reply from the library system after {attempts} attempt(s)")]
    Timeout {
        /// Sends of the request (and `97`s).
        attempts: u32,
    },
    /// Replies kept failing their checksum.
    #[error("the library system's replies kept failing their checksum ({0})")]
    BadChecksum(DecodeError),
    /// The ACS asked for a resend after we asked it for one, or too often.
    #[error("the library system kept asking to resend")]
    ResendLoop,
    /// The ACS answered with a message that does not answer the request.
    #[error("the library system answered {got} to a {sent}")]
    UnexpectedReply {
        /// The request's command.
        sent: &'static str,
        /// The reply's command.
        got: &'static str,
    },
    /// A reply without a checksum while error detection is on.
    #[error("the library system's reply has no checksum, but error detection is on")]
    MissingChecksum,
}

/// What the session reports.
// One event per exchange, moved once: boxing the reply would cost an allocation each time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The reply to the current request.
    Reply(Decoded),
    /// The exchange failed; the session is idle again.
    Failed(ExchangeError),
    /// The ACS pushed its status (a `98` in answer to something else); the request was sent again.
    StatusPushed(AcsStatus),
}

/// The session is already waiting for a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// One request at a time: SIP2 has no pipelining.
    #[error("a request is already waiting for its reply")]
    Busy,
    /// The message cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

#[derive(Debug)]
struct Pending {
    request_code: &'static str,
    bytes: Vec<u8>,
    sequence: Option<u8>,
    deadline: Instant,
    /// Sends after the first: re-sends and `97`s.
    retries_used: u32,
    last_sent_was_resend_request: bool,
}

/// One SIP2 client connection's protocol state.
#[derive(Debug)]
pub struct ClientSession {
    config: SessionConfig,
    next_sequence: u8,
    pending: Option<Pending>,
    outgoing: Vec<Vec<u8>>,
}

impl ClientSession {
    /// A new session; the first message gets sequence number 0.
    pub fn new(config: SessionConfig) -> ClientSession {
        ClientSession { config, next_sequence: 0, pending: None, outgoing: Vec::new() }
    }

    /// The settings in effect.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Applies the ACS's stated timeout period and retries (from a `98`); `000`/`999` and
    /// zero mean "not stated" and keep the configured values.
    pub fn apply_acs_status(&mut self, status: &AcsStatus) {
        if (1..999).contains(&status.timeout_period) {
            self.config.timeout = Duration::from_millis(u64::from(status.timeout_period) * 100);
        }
        if status.retries_allowed < 999 {
            self.config.retries = u32::from(status.retries_allowed);
        }
    }

    /// Whether a request is waiting for its reply.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Starts an exchange: encodes `message` with the next sequence number and queues it.
    pub fn send(&mut self, message: &Message, now: Instant) -> Result<(), SendError> {
        if self.pending.is_some() {
            return Err(SendError::Busy);
        }
        let codec = self.codec();
        let sequence = codec.error_detection.then_some(self.next_sequence);
        let bytes = codec.encode(message, sequence)?;
        if sequence.is_some() {
            self.next_sequence = (self.next_sequence + 1) % 10;
        }
        self.outgoing.push(bytes.clone());
        self.pending = Some(Pending {
            request_code: message.code(),
            bytes,
            sequence,
            deadline: now + self.config.timeout,
            retries_used: 0,
            last_sent_was_resend_request: false,
        });
        Ok(())
    }

    /// Bytes to write to the connection, oldest first.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.outgoing.is_empty() { None } else { Some(self.outgoing.remove(0)) }
    }

    /// Whether bytes are waiting to be written.
    pub fn has_transmit(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// When [`ClientSession::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.deadline)
    }

    /// Abandons the current exchange (the connection was lost).
    pub fn reset(&mut self) {
        self.pending = None;
        self.outgoing.clear();
    }

    fn codec(&self) -> Codec {
        Codec { error_detection: self.config.error_detection != ErrorDetection::Off, ..self.config.codec }
    }

    /// Called when the deadline passed: re-sends the same bytes or gives up.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Event> {
        let pending = self.pending.as_mut()?;
        if now < pending.deadline {
            return None;
        }
        if pending.retries_used >= self.config.retries {
            let attempts = pending.retries_used + 1;
            self.pending = None;
            return Some(Event::Failed(ExchangeError::Timeout { attempts }));
        }
        pending.retries_used += 1;
        pending.deadline = now + self.config.timeout;
        pending.last_sent_was_resend_request = false;
        self.outgoing.push(pending.bytes.clone());
        None
    }

    /// Handles one received frame.
    pub fn handle_frame(&mut self, frame: &[u8], now: Instant) -> Option<Event> {
        let codec = self.codec();
        let Some(pending) = self.pending.as_mut() else {
            tracing::warn!("reply received while no request was waiting; discarded");
            return None;
        };
        let decoded = match codec.decode(frame) {
            Ok(decoded) => decoded,
            Err(error) => {
                tracing::warn!(%error, "garbled reply from the library system");
                if pending.retries_used >= self.config.retries {
                    self.pending = None;
                    return Some(Event::Failed(ExchangeError::BadChecksum(error)));
                }
                pending.retries_used += 1;
                pending.last_sent_was_resend_request = true;
                pending.deadline = now + self.config.timeout;
                if let Ok(bytes) = codec.encode(&Message::RequestAcsResend(RequestAcsResend::default()), None)
                {
                    self.outgoing.push(bytes);
                }
                return None;
            }
        };
        if decoded.checksum == ChecksumCheck::Absent && self.config.error_detection == ErrorDetection::On {
            self.pending = None;
            return Some(Event::Failed(ExchangeError::MissingChecksum));
        }
        if let (Some(sent), Some(got)) = (pending.sequence, decoded.sequence)
            && sent != got
        {
            tracing::warn!(sent, got, "reply with the wrong sequence number; discarded");
            return None;
        }
        if let Message::RequestScResend(_) = decoded.message {
            if pending.last_sent_was_resend_request || pending.retries_used >= self.config.retries {
                self.pending = None;
                return Some(Event::Failed(ExchangeError::ResendLoop));
            }
            pending.retries_used += 1;
            pending.deadline = now + self.config.timeout;
            self.outgoing.push(pending.bytes.clone());
            return None;
        }
        let expected = expected_reply(pending.request_code);
        if decoded.message.code() != expected {
            if let Message::AcsStatus(status) = &decoded.message
                && pending.retries_used < self.config.retries
            {
                pending.retries_used += 1;
                pending.last_sent_was_resend_request = false;
                pending.deadline = now + self.config.timeout;
                self.outgoing.push(pending.bytes.clone());
                let status = status.clone();
                self.apply_acs_status(&status);
                return Some(Event::StatusPushed(status));
            }
            let sent = pending.request_code;
            self.pending = None;
            return Some(Event::Failed(ExchangeError::UnexpectedReply { sent, got: decoded.message.code() }));
        }
        self.pending = None;
        Some(Event::Reply(decoded))
    }
}

/// The command that answers `request`.
pub fn expected_reply(request: &str) -> &'static str {
    match request {
        "93" => "94",
        "99" => "98",
        "23" | "01" => "24",
        "63" => "64",
        "11" => "12",
        "09" => "10",
        "17" => "18",
        "29" => "30",
        "35" => "36",
        "19" => "20",
        "25" => "26",
        "37" => "38",
        "15" => "16",
        "65" => "66",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::*;
    use crate::types::SipDate;

    fn session(retries: u32) -> ClientSession {
        ClientSession::new(SessionConfig {
            retries,
            timeout: Duration::from_secs(5),
            ..SessionConfig::default()
        })
    }

    fn item_request() -> Message {
        Message::from(ItemInformation { item_identifier: "31234000654321".into(), ..Default::default() })
    }

    fn reply(sequence: Option<u8>) -> Vec<u8> {
        let response = Message::from(ItemInformationResponse {
            item_identifier: "31234000654321".into(),
            title_identifier: "活着".into(),
            transaction_date: SipDate::local(2026, 7, 15, 10, 0, 0),
            ..Default::default()
        });
        Codec::default().encode(&response, sequence).unwrap()
    }

    fn sent(session: &mut ClientSession) -> Vec<Vec<u8>> {
        std::iter::from_fn(|| session.poll_transmit()).collect()
    }

    #[test]
    fn sequence_numbers_wrap_from_9_to_0() {
        let mut s = session(0);
        let now = Instant::now();
        let mut seen = Vec::new();
        for _ in 0..12 {
            s.send(&item_request(), now).unwrap();
            let bytes = sent(&mut s).remove(0);
            let decoded = Codec::default().decode(&bytes).unwrap();
            let sequence = decoded.sequence.unwrap();
            seen.push(sequence);
            assert!(matches!(s.handle_frame(&reply(Some(sequence)), now), Some(Event::Reply(_))));
        }
        assert_eq!(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    }

    #[test]
    fn one_request_at_a_time() {
        let mut s = session(0);
        s.send(&item_request(), Instant::now()).unwrap();
        assert_eq!(s.send(&item_request(), Instant::now()), Err(SendError::Busy));
    }

    #[test]
    fn timeout_resends_the_same_bytes_then_fails() {
        let mut s = session(2);
        let start = Instant::now();
        s.send(&item_request(), start).unwrap();
        let first = sent(&mut s);
        assert_eq!(s.poll_timeout(), Some(start + Duration::from_secs(5)));
        assert_eq!(s.handle_timeout(start + Duration::from_secs(1)), None);
        assert!(sent(&mut s).is_empty(), "nothing before the deadline");
        let t1 = start + Duration::from_secs(5);
        assert_eq!(s.handle_timeout(t1), None);
        assert_eq!(sent(&mut s), first, "the same message, same AY and AZ");
        let t2 = t1 + Duration::from_secs(5);
        assert_eq!(s.handle_timeout(t2), None);
        assert_eq!(sent(&mut s), first);
        let event = s.handle_timeout(t2 + Duration::from_secs(5));
        assert_eq!(event, Some(Event::Failed(ExchangeError::Timeout { attempts: 3 })));
        assert!(!s.is_busy());
    }

    #[test]
    fn bad_checksum_asks_for_a_resend() {
        let mut s = session(2);
        let now = Instant::now();
        s.send(&item_request(), now).unwrap();
        sent(&mut s);
        let mut corrupted = reply(Some(0));
        corrupted[30] ^= 0x01;
        assert_eq!(s.handle_frame(&corrupted, now), None);
        assert_eq!(sent(&mut s), [b"97AZFEF5\r".to_vec()]);
        assert!(
            matches!(s.handle_frame(&reply(None), now), Some(Event::Reply(_))),
            "a replay without AY is accepted"
        );
    }

    #[test]
    fn bad_checksums_past_the_retry_limit_fail() {
        let mut s = session(1);
        let now = Instant::now();
        s.send(&item_request(), now).unwrap();
        let mut corrupted = reply(Some(0));
        corrupted[30] ^= 0x01;
        assert_eq!(s.handle_frame(&corrupted, now), None);
        assert!(matches!(
            s.handle_frame(&corrupted, now),
            Some(Event::Failed(ExchangeError::BadChecksum(_)))
        ));
    }

    #[test]
    fn answer_96_by_resending_unless_we_just_sent_97() {
        let mut s = session(3);
        let now = Instant::now();
        s.send(&item_request(), now).unwrap();
        let first = sent(&mut s);
        assert_eq!(s.handle_frame(b"96AZFEF6\r", now), None);
        assert_eq!(sent(&mut s), first);
        let mut corrupted = reply(Some(0));
        corrupted[30] ^= 0x01;
        assert_eq!(s.handle_frame(&corrupted, now), None);
        assert_eq!(sent(&mut s), [b"97AZFEF5\r".to_vec()]);
        assert_eq!(s.handle_frame(b"96AZFEF6\r", now), Some(Event::Failed(ExchangeError::ResendLoop)));
    }

    #[test]
    fn wrong_sequence_number_is_discarded() {
        let mut s = session(0);
        let now = Instant::now();
        s.send(&item_request(), now).unwrap();
        assert_eq!(s.handle_frame(&reply(Some(7)), now), None);
        assert!(s.is_busy());
        assert!(matches!(s.handle_frame(&reply(Some(0)), now), Some(Event::Reply(_))));
    }

    #[test]
    fn missing_checksum_fails_only_when_required() {
        let plain = Codec { error_detection: false, ..Codec::default() };
        let response = Codec::default().decode(&reply(Some(0))).unwrap().message;
        let unchecked = plain.encode(&response, None).unwrap();
        let mut strict = session(0);
        strict.send(&item_request(), Instant::now()).unwrap();
        assert_eq!(
            strict.handle_frame(&unchecked, Instant::now()),
            Some(Event::Failed(ExchangeError::MissingChecksum))
        );
        let mut auto = ClientSession::new(SessionConfig {
            error_detection: ErrorDetection::Auto,
            ..SessionConfig::default()
        });
        auto.send(&item_request(), Instant::now()).unwrap();
        assert!(matches!(auto.handle_frame(&unchecked, Instant::now()), Some(Event::Reply(_))));
    }

    #[test]
    fn unexpected_reply_fails_and_status_push_resends() {
        let mut s = session(2);
        let now = Instant::now();
        s.send(&item_request(), now).unwrap();
        let first = sent(&mut s);
        let status =
            Message::from(AcsStatus { timeout_period: 30, retries_allowed: 1, ..Default::default() });
        let bytes = Codec::default().encode(&status, Some(0)).unwrap();
        assert!(matches!(s.handle_frame(&bytes, now), Some(Event::StatusPushed(_))));
        assert_eq!(sent(&mut s), first);
        assert_eq!(s.config().timeout, Duration::from_secs(3));
        assert_eq!(s.config().retries, 1);
        let wrong = Codec::default()
            .encode(&Message::from(LoginResponse { ok: true, ..Default::default() }), Some(0))
            .unwrap();
        assert_eq!(
            s.handle_frame(&wrong, now),
            Some(Event::Failed(ExchangeError::UnexpectedReply { sent: "17", got: "94" }))
        );
    }

    #[test]
    fn acs_timeout_and_retries_are_honoured_unless_unknown() {
        let mut s = session(2);
        s.apply_acs_status(&AcsStatus { timeout_period: 999, retries_allowed: 999, ..Default::default() });
        assert_eq!((s.config().timeout, s.config().retries), (Duration::from_secs(5), 2));
        s.apply_acs_status(&AcsStatus { timeout_period: 50, retries_allowed: 3, ..Default::default() });
        assert_eq!((s.config().timeout, s.config().retries), (Duration::from_secs(5), 3));
    }

    #[test]
    fn error_detection_off_sends_no_trailer() {
        let mut s = ClientSession::new(SessionConfig {
            error_detection: ErrorDetection::Off,
            ..SessionConfig::default()
        });
        s.send(&item_request(), Instant::now()).unwrap();
        let bytes = sent(&mut s).remove(0);
        assert!(!bytes.windows(2).any(|w| w == b"AZ"));
    }
}
