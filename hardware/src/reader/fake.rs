//! Tags in memory and a reader that answers the 3M and FEIG protocols from them: the
//! other end of the pty in driver tests, and the simulated RFID pad.

use super::{feig, m3};
use crate::tag::iso15693::{SystemInfo, Uid};

/// A tag: UID, memory, AFI, EAS and DSFID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTag {
    /// UID.
    pub uid: Uid,
    /// User memory (whole 4-byte blocks).
    pub memory: Vec<u8>,
    /// AFI.
    pub afi: u8,
    /// EAS bit.
    pub eas: bool,
    /// DSFID.
    pub dsfid: u8,
    /// Writes to ignore before one takes (a detuned tag in a stack).
    pub flaky_writes: u32,
}

impl FakeTag {
    /// A tag with `memory` padded to 28 blocks, secured (AFI 0x07, EAS on).
    pub fn new(uid: Uid, mut memory: Vec<u8>) -> FakeTag {
        memory.resize(memory.len().max(112).div_ceil(4) * 4, 0);
        FakeTag { uid, memory, afi: 0x07, eas: true, dsfid: 0, flaky_writes: 0 }
    }

    fn info(&self) -> SystemInfo {
        SystemInfo {
            uid: self.uid,
            dsfid: Some(self.dsfid),
            afi: Some(self.afi),
            memory: Some(((self.memory.len() / 4) as u16, 4)),
            ic_reference: Some(1),
        }
    }

    fn accept_write(&mut self) -> bool {
        if self.flaky_writes > 0 {
            self.flaky_writes -= 1;
            false
        } else {
            true
        }
    }
}

/// A library book's tag with ISO 28560-2 data (owner `CN-WCP`, circulating), secured, as
/// the demo pad carries them; `serial` makes the UID unique.
pub fn library_book(serial: u32, barcode: &str, title: &str, set: Option<crate::tag::SetInfo>) -> FakeTag {
    let content = crate::tag::iso28560_2::Content {
        primary_item_id: barcode.to_string(),
        owner_institution: Some("CN-WCP".into()),
        set,
        usage: Some(crate::tag::TypeOfUsage(0x10)),
        title: Some(title.to_string()),
        shelf_location: None,
    };
    let memory = crate::tag::iso28560_2::encode(&content).unwrap_or_default();
    let [a, b, c, d] = serial.to_be_bytes();
    FakeTag::new(Uid([0xE0, 0x04, 0x01, 0x50, a, b, c, d]), memory)
}

/// The tags on a fake pad.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakePad {
    /// Tags in the field.
    pub tags: Vec<FakeTag>,
}

impl FakePad {
    fn tag(&mut self, uid: Uid) -> Option<&mut FakeTag> {
        self.tags.iter_mut().find(|t| t.uid == uid)
    }

    /// The tag, if it is in the field and this write reaches it.
    fn writable(&mut self, uid: Option<Uid>) -> Option<&mut FakeTag> {
        let tag = self.tag(uid?)?;
        tag.accept_write().then_some(tag)
    }

    /// Answers one 3M request payload.
    pub fn answer_m3(&mut self, prefix: u8, request: &[u8]) -> Vec<u8> {
        let command = request.first().copied().unwrap_or(0);
        if prefix == m3::PROBE_PREFIX {
            return vec![0x04, 0x00, 0x11, 0x0A, 0x05, 0x00, 0x02];
        }
        let uid = m3::uid_at(request, 1);
        let error = vec![command, 0x06];
        match (command, uid) {
            (0xFE, _) => {
                let afi = request.get(1).copied().unwrap_or(0);
                let uids: Vec<Uid> =
                    self.tags.iter().filter(|t| afi == 0 || t.afi == afi).map(|t| t.uid).collect();
                let mut reply = vec![0xFE, 0x00, 0x00, 0x05, uids.len() as u8];
                uids.iter().for_each(|u| reply.extend(u.0));
                reply
            }
            (0x02, Some(uid)) => {
                let (start, count) =
                    (request.get(9).copied().unwrap_or(0), request.get(10).copied().unwrap_or(0));
                let Some(tag) = self.tag(uid) else { return error };
                let mut reply = vec![0x02, 0x00];
                reply.extend(uid.0);
                reply.push(count);
                for block in start..start.saturating_add(count) {
                    let at = usize::from(block) * 4;
                    let data = tag.memory.get(at..at + 4).map(|d| d.to_vec()).unwrap_or(vec![0; 4]);
                    reply.extend((u16::from(block)).to_le_bytes());
                    reply.extend(data);
                }
                reply
            }
            (0x04, Some(uid)) => {
                let start = usize::from(request.get(9).copied().unwrap_or(0));
                let data = request.get(12..).unwrap_or(&[]).to_vec();
                let Some(tag) = self.writable(Some(uid)) else { return error };
                let end = (start * 4 + data.len()).min(tag.memory.len());
                tag.memory[start * 4..end].copy_from_slice(&data[..end - start * 4]);
                let mut reply = vec![0x04, 0x00];
                reply.extend(uid.0);
                reply.push((data.len() / 4) as u8);
                reply
            }
            (0x0A, Some(uid)) => match self.tag(uid) {
                Some(tag) => [vec![0x0A, 0x00], uid.0.to_vec(), vec![tag.afi]].concat(),
                None => error,
            },
            (0x09, Some(uid)) => {
                let afi = request.get(9).copied().unwrap_or(0);
                match self.writable(Some(uid)) {
                    Some(tag) => {
                        tag.afi = afi;
                        [vec![0x09, 0x00], uid.0.to_vec()].concat()
                    }
                    None => error,
                }
            }
            (0x03, Some(uid)) => match self.tag(uid) {
                Some(tag) if tag.eas => [vec![0x03, 0x00], uid.0.to_vec()].concat(),
                _ => error,
            },
            (0x0C, Some(uid)) => {
                let on = request.get(9).copied().unwrap_or(0) == 1;
                match self.writable(Some(uid)) {
                    Some(tag) => {
                        tag.eas = on;
                        [vec![0x0C, 0x00], uid.0.to_vec()].concat()
                    }
                    None => error,
                }
            }
            (0x0D, Some(uid)) => match self.tag(uid) {
                Some(tag) => [vec![0x0D, 0x00], tag.info().encode()].concat(),
                None => error,
            },
            _ => error,
        }
    }

    /// Answers one FEIG request (command and body); returns the reply body.
    pub fn answer_feig(&mut self, command: u8, body: &[u8]) -> Vec<u8> {
        let no_tag = vec![feig::STATUS_NO_TRANSPONDER];
        let uid_at = |at: usize| body.get(at..at + 8).and_then(|b| b.try_into().ok()).map(Uid);
        match (command, body.first().copied()) {
            (0xB0, Some(0x01)) => {
                if self.tags.is_empty() {
                    return no_tag;
                }
                let mut reply = vec![feig::STATUS_OK, self.tags.len() as u8];
                for tag in &self.tags {
                    reply.extend([0x03, tag.dsfid]);
                    reply.extend(tag.uid.0);
                }
                reply
            }
            (0xB0, Some(0x2B)) => match uid_at(2).and_then(|u| self.tag(u)) {
                Some(tag) => {
                    let mut reply = vec![feig::STATUS_OK, tag.dsfid];
                    reply.extend(tag.uid.0);
                    reply.extend([tag.afi, 0x03, (tag.memory.len() / 4 - 1) as u8, 0x01]);
                    reply
                }
                None => no_tag,
            },
            (0xB0, Some(0x23)) => {
                let (start, count) =
                    (usize::from(body.get(10).copied().unwrap_or(0)), body.get(11).copied().unwrap_or(0));
                match uid_at(2).and_then(|u| self.tag(u)) {
                    Some(tag) => {
                        let mut reply = vec![feig::STATUS_OK, count, 4];
                        for block in start..start + usize::from(count) {
                            reply.push(0);
                            let data = tag
                                .memory
                                .get(block * 4..block * 4 + 4)
                                .map(|d| d.to_vec())
                                .unwrap_or(vec![0; 4]);
                            reply.extend(data.iter().rev());
                        }
                        reply
                    }
                    None => no_tag,
                }
            }
            (0xB0, Some(0x24)) => {
                let start = usize::from(body.get(10).copied().unwrap_or(0));
                let size = usize::from(body.get(12).copied().unwrap_or(4)).max(1);
                let data = feig::swap_blocks(body.get(13..).unwrap_or(&[]), size);
                match self.writable(uid_at(2)) {
                    Some(tag) => {
                        let end = (start * 4 + data.len()).min(tag.memory.len());
                        tag.memory[start * 4..end].copy_from_slice(&data[..end - start * 4]);
                        vec![feig::STATUS_OK]
                    }
                    None => no_tag,
                }
            }
            (0xB0, Some(0x27)) => {
                let afi = body.get(10).copied().unwrap_or(0);
                match self.writable(uid_at(2)) {
                    Some(tag) => {
                        tag.afi = afi;
                        vec![feig::STATUS_OK]
                    }
                    None => no_tag,
                }
            }
            (0xB1, Some(0x04)) => {
                let operation = body.get(1).copied().unwrap_or(0);
                match operation {
                    0xA2 | 0xA3 => match self.writable(uid_at(3)) {
                        Some(tag) => {
                            tag.eas = operation == 0xA2;
                            vec![feig::STATUS_OK]
                        }
                        None => no_tag,
                    },
                    0xA5 if uid_at(3).and_then(|u| self.tag(u)).is_some_and(|t| t.eas) => {
                        vec![feig::STATUS_OK]
                    }
                    _ => no_tag,
                }
            }
            _ => vec![0x80],
        }
    }
}

/// Which protocol [`serve`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// 3M / Bibliotheca 810.
    M3,
    /// FEIG ISO-host.
    Feig,
}

/// Answers frames arriving on `port` from `pad`, on a thread of its own, until the port
/// closes: a reader at the far end of a serial line (the master side of a pseudo-terminal
/// in driver tests and benchmarks). Read timeouts are waited out; other errors end it.
pub fn serve<P>(mut port: P, pad: std::sync::Arc<std::sync::Mutex<FakePad>>, protocol: Protocol)
where
    P: std::io::Read + std::io::Write + Send + 'static,
{
    std::thread::spawn(move || {
        let mut m3_frames = m3::Deframer::default();
        let mut feig_frames = feig::Deframer::default();
        let mut buffer = [0u8; 512];
        loop {
            let received = match port.read(&mut buffer) {
                Ok(0) => return,
                Ok(n) => &buffer[..n],
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            };
            let mut replies = Vec::new();
            let mut pad = pad.lock().unwrap_or_else(|p| p.into_inner());
            match protocol {
                Protocol::M3 => {
                    m3_frames.push(received);
                    while let Some(Ok(frame)) = m3_frames.next_frame() {
                        let reply = pad.answer_m3(frame.prefix, &frame.payload);
                        replies.push(m3::encode(frame.prefix, &reply));
                    }
                }
                Protocol::Feig => {
                    feig_frames.push(received);
                    while let Some(Ok(frame)) = feig_frames.next_frame() {
                        let reply = pad.answer_feig(frame.command, &frame.body);
                        replies.push(feig::encode(frame.address, frame.command, &reply));
                    }
                }
            }
            drop(pad);
            for reply in replies {
                if port.write_all(&reply).is_err() {
                    return;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_books_carry_decodable_data() {
        let tag = library_book(7, "30234000000017", "活着", None);
        let data = crate::tag::decode(&tag.memory).unwrap();
        assert_eq!(data.primary_item_id, "30234000000017");
        assert_eq!(data.title.as_deref(), Some("活着"));
        assert_eq!(data.owner_institution.as_deref(), Some("CN-WCP"));
        assert_ne!(tag.uid, library_book(8, "30234000000017", "活着", None).uid);
    }
}
