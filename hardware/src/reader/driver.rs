//! Reader drivers over a byte transport (a serial port, a pty in tests), and the security
//! write that every loan and return depends on: write, read back, retry.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use super::{feig, m3};
use crate::tag::iso15693::{SystemInfo, Uid};

/// What went wrong talking to a reader.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    /// The transport failed (unplugged, permission, …).
    #[error("reader I/O: {0}")]
    Io(#[from] std::io::Error),
    /// No complete reply in time.
    #[error("no reply from the reader within {0:?}")]
    Timeout(Duration),
    /// The reply did not make sense.
    #[error("unexpected reply from the reader: {0}")]
    Protocol(String),
    /// The tag did not answer (moved away, detuned by the stack).
    #[error("tag {0} did not answer")]
    NoTag(Uid),
    /// A security write did not stick after every retry.
    #[error("tag {uid}: security state still wrong after {attempts} attempts")]
    SecurityNotVerified {
        /// The tag.
        uid: Uid,
        /// Attempts made.
        attempts: u32,
    },
}

/// The operations the kiosk needs from an HF reader.
pub trait HfReader {
    /// UIDs in the field (deduplicated); with `afi`, only tags with that AFI.
    fn inventory(&mut self, afi: Option<u8>) -> Result<Vec<Uid>, ReaderError>;
    /// Get System Information.
    fn system_info(&mut self, uid: Uid) -> Result<SystemInfo, ReaderError>;
    /// Reads `count` blocks from `start`.
    fn read_blocks(&mut self, uid: Uid, start: u8, count: u8) -> Result<Vec<u8>, ReaderError>;
    /// Writes whole blocks from `start`.
    fn write_blocks(&mut self, uid: Uid, start: u8, data: &[u8]) -> Result<(), ReaderError>;
    /// Writes the AFI (never locks it).
    fn write_afi(&mut self, uid: Uid, afi: u8) -> Result<(), ReaderError>;
    /// Sets or resets the EAS bit (never locks it).
    fn set_eas(&mut self, uid: Uid, on: bool) -> Result<(), ReaderError>;
    /// Whether the EAS bit is set.
    fn check_eas(&mut self, uid: Uid) -> Result<bool, ReaderError>;
}

/// Reads from `transport` until `complete` finds a frame or the deadline passes.
fn read_until<T: Read, F, R>(transport: &mut T, timeout: Duration, mut complete: F) -> Result<R, ReaderError>
where
    F: FnMut(&[u8]) -> Option<R>,
{
    let deadline = Instant::now() + timeout;
    let mut buffer = [0u8; 256];
    loop {
        if Instant::now() >= deadline {
            return Err(ReaderError::Timeout(timeout));
        }
        match transport.read(&mut buffer) {
            Ok(0) => {
                return Err(ReaderError::Io(std::io::Error::new(ErrorKind::UnexpectedEof, "reader closed")));
            }
            Ok(n) => {
                if let Some(result) = complete(&buffer[..n]) {
                    return Ok(result);
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
                ) => {}
            Err(error) => return Err(error.into()),
        }
    }
}

/// A 3M/Bibliotheca 810 reader.
pub struct M3Reader<T> {
    transport: T,
    timeout: Duration,
    deframer: m3::Deframer,
}

impl<T: Read + Write> M3Reader<T> {
    /// A driver over `transport`, waiting `timeout` for each reply.
    pub fn new(transport: T, timeout: Duration) -> Self {
        M3Reader { transport, timeout, deframer: m3::Deframer::default() }
    }

    /// Sends a payload and returns the reply payload.
    pub fn exchange(&mut self, prefix: u8, payload: &[u8]) -> Result<Vec<u8>, ReaderError> {
        self.transport.write_all(&m3::encode(prefix, payload))?;
        self.transport.flush()?;
        let deframer = &mut self.deframer;
        read_until(&mut self.transport, self.timeout, |bytes| {
            deframer.push(bytes);
            while let Some(result) = deframer.next_frame() {
                match result {
                    Ok(frame) => return Some(frame.payload),
                    Err(error) => tracing::warn!(%error, "bad frame from the 3M reader"),
                }
            }
            None
        })
    }

    /// The hardware version (the probe exchange).
    pub fn version(&mut self) -> Result<[u8; 4], ReaderError> {
        let reply = self.exchange(m3::PROBE_PREFIX, &m3::request::version())?;
        reply
            .get(3..7)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| ReaderError::Protocol(format!("version reply {reply:02X?}")))
    }

    fn expect_ok(&mut self, payload: &[u8], uid: Uid) -> Result<Vec<u8>, ReaderError> {
        let reply = self.exchange(m3::PREFIX, payload)?;
        match reply.get(..2) {
            Some([command, 0x00]) if *command == payload[0] => Ok(reply),
            Some([command, 0x06]) if *command == payload[0] => Err(ReaderError::NoTag(uid)),
            _ => Err(ReaderError::Protocol(format!("{reply:02X?} in answer to {:02X}", payload[0]))),
        }
    }
}

impl<T: Read + Write> HfReader for M3Reader<T> {
    fn inventory(&mut self, afi: Option<u8>) -> Result<Vec<Uid>, ReaderError> {
        let reply = self.exchange(m3::PREFIX, &m3::request::inventory(afi.unwrap_or(0)))?;
        m3::parse_inventory(&reply)
            .ok_or_else(|| ReaderError::Protocol(format!("inventory reply {reply:02X?}")))
    }

    fn system_info(&mut self, uid: Uid) -> Result<SystemInfo, ReaderError> {
        let reply = self.expect_ok(&m3::request::system_info(uid), uid)?;
        SystemInfo::parse(&reply[2..])
            .ok_or_else(|| ReaderError::Protocol(format!("system info {reply:02X?}")))
    }

    fn read_blocks(&mut self, uid: Uid, start: u8, count: u8) -> Result<Vec<u8>, ReaderError> {
        let reply = self.expect_ok(&m3::request::read_blocks(uid, start, count), uid)?;
        let (_, blocks) =
            m3::parse_blocks(&reply).ok_or_else(|| ReaderError::Protocol(format!("blocks {reply:02X?}")))?;
        let mut blocks = blocks;
        blocks.sort_by_key(|(number, _)| *number);
        Ok(blocks.into_iter().flat_map(|(_, data)| data).collect())
    }

    fn write_blocks(&mut self, uid: Uid, start: u8, data: &[u8]) -> Result<(), ReaderError> {
        self.expect_ok(&m3::request::write_blocks(uid, start, data), uid).map(|_| ())
    }

    fn write_afi(&mut self, uid: Uid, afi: u8) -> Result<(), ReaderError> {
        self.expect_ok(&m3::request::write_afi(uid, afi), uid).map(|_| ())
    }

    fn set_eas(&mut self, uid: Uid, on: bool) -> Result<(), ReaderError> {
        self.expect_ok(&m3::request::eas_control(uid, on), uid).map(|_| ())
    }

    fn check_eas(&mut self, uid: Uid) -> Result<bool, ReaderError> {
        match self.expect_ok(&m3::request::check_eas(uid), uid) {
            Ok(_) => Ok(true),
            // Only EAS-set tags answer the alarm: "no transponder" means EAS off.
            Err(ReaderError::NoTag(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

/// A FEIG ISO-host reader.
pub struct FeigReader<T> {
    transport: T,
    timeout: Duration,
    deframer: feig::Deframer,
    block_size: u8,
}

impl<T: Read + Write> FeigReader<T> {
    /// A driver over `transport`, waiting `timeout` for each reply.
    pub fn new(transport: T, timeout: Duration) -> Self {
        FeigReader { transport, timeout, deframer: feig::Deframer::default(), block_size: 4 }
    }

    /// Sends a command and returns the reply body (status first).
    pub fn exchange(&mut self, command: u8, body: &[u8]) -> Result<Vec<u8>, ReaderError> {
        self.transport.write_all(&feig::encode(feig::BROADCAST, command, body))?;
        self.transport.flush()?;
        let deframer = &mut self.deframer;
        read_until(&mut self.transport, self.timeout, |bytes| {
            deframer.push(bytes);
            while let Some(result) = deframer.next_frame() {
                match result {
                    Ok(frame) if frame.command == command => return Some(frame.body),
                    Ok(frame) => {
                        tracing::warn!(command = frame.command, "unexpected frame from the FEIG reader")
                    }
                    Err(error) => tracing::warn!(%error, "bad frame from the FEIG reader"),
                }
            }
            None
        })
    }

    fn expect_ok(&mut self, command: u8, body: &[u8], uid: Uid) -> Result<Vec<u8>, ReaderError> {
        let reply = self.exchange(command, body)?;
        match reply.first() {
            Some(&feig::STATUS_OK) => Ok(reply),
            Some(&feig::STATUS_NO_TRANSPONDER) => Err(ReaderError::NoTag(uid)),
            _ => Err(ReaderError::Protocol(format!("status {reply:02X?}"))),
        }
    }
}

impl<T: Read + Write> HfReader for FeigReader<T> {
    fn inventory(&mut self, afi: Option<u8>) -> Result<Vec<Uid>, ReaderError> {
        let reply = self.exchange(0xB0, &feig::request::inventory())?;
        let uids = feig::parse_inventory(&reply)
            .ok_or_else(|| ReaderError::Protocol(format!("inventory {reply:02X?}")))?;
        match afi {
            None => Ok(uids),
            Some(wanted) => {
                let mut matching = Vec::new();
                for uid in uids {
                    if self.system_info(uid).ok().and_then(|i| i.afi) == Some(wanted) {
                        matching.push(uid);
                    }
                }
                Ok(matching)
            }
        }
    }

    fn system_info(&mut self, uid: Uid) -> Result<SystemInfo, ReaderError> {
        let reply = self.expect_ok(0xB0, &feig::request::system_info(uid), uid)?;
        let info = feig::parse_system_info(&reply)
            .ok_or_else(|| ReaderError::Protocol(format!("system info {reply:02X?}")))?;
        if let Some((_, size)) = info.memory {
            self.block_size = size;
        }
        Ok(info)
    }

    fn read_blocks(&mut self, uid: Uid, start: u8, count: u8) -> Result<Vec<u8>, ReaderError> {
        let reply = self.expect_ok(0xB0, &feig::request::read_blocks(uid, start, count), uid)?;
        feig::parse_blocks(&reply).ok_or_else(|| ReaderError::Protocol(format!("blocks {reply:02X?}")))
    }

    fn write_blocks(&mut self, uid: Uid, start: u8, data: &[u8]) -> Result<(), ReaderError> {
        let body = feig::request::write_blocks(uid, start, self.block_size, data);
        self.expect_ok(0xB0, &body, uid).map(|_| ())
    }

    fn write_afi(&mut self, uid: Uid, afi: u8) -> Result<(), ReaderError> {
        self.expect_ok(0xB0, &feig::request::write_afi(uid, afi), uid).map(|_| ())
    }

    fn set_eas(&mut self, uid: Uid, on: bool) -> Result<(), ReaderError> {
        self.expect_ok(0xB1, &feig::request::eas(uid, on), uid).map(|_| ())
    }

    fn check_eas(&mut self, uid: Uid) -> Result<bool, ReaderError> {
        match self.expect_ok(0xB1, &feig::request::eas_alarm(uid), uid) {
            Ok(_) => Ok(true),
            Err(ReaderError::NoTag(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

/// The security state to write: the site's AFI and, where the site uses it, the EAS bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityState {
    /// The AFI.
    pub afi: u8,
    /// The EAS bit, or `None` where the site does not use EAS.
    pub eas: Option<bool>,
}

/// Writes `state` to every tag and reads it back, retrying each tag up to `attempts`
/// times. Returns the tags that did not take it (the patron must put them back).
pub fn apply_security<R: HfReader + ?Sized>(
    reader: &mut R,
    tags: &[Uid],
    state: SecurityState,
    attempts: u32,
) -> Vec<(Uid, ReaderError)> {
    let mut failed = Vec::new();
    for &uid in tags {
        let mut last_error = None;
        let mut done = false;
        for _ in 0..attempts.max(1) {
            let result = (|| -> Result<bool, ReaderError> {
                reader.write_afi(uid, state.afi)?;
                if let Some(eas) = state.eas {
                    reader.set_eas(uid, eas)?;
                }
                let afi_ok = reader.system_info(uid)?.afi == Some(state.afi);
                let eas_ok = match state.eas {
                    Some(eas) => reader.check_eas(uid)? == eas,
                    None => true,
                };
                Ok(afi_ok && eas_ok)
            })();
            match result {
                Ok(true) => {
                    done = true;
                    break;
                }
                Ok(false) => last_error = Some(ReaderError::SecurityNotVerified { uid, attempts }),
                Err(error) => last_error = Some(error),
            }
        }
        if !done {
            failed.push((uid, last_error.unwrap_or(ReaderError::SecurityNotVerified { uid, attempts })));
        }
    }
    failed
}
