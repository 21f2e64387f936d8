//! The 3M and FEIG drivers over real serial I/O: a pseudo-terminal pair with a fake
//! reader answering on the other end from tags that carry real ISO 28560 data.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_hardware::reader::fake::{FakePad, FakeTag, Protocol, serve};
use kiosk_hardware::reader::{FeigReader, HfReader, M3Reader, SecurityState, apply_security};
use kiosk_hardware::tag::iso15693::Uid;
use kiosk_hardware::tag::{self, SetInfo, iso28560_2};
use serialport::{SerialPort, TTYPort};

/// `TTYPort::pair` is documented as not thread-safe.
static PTY: Mutex<()> = Mutex::new(());

fn pty_pair() -> (TTYPort, TTYPort) {
    let _guard = PTY.lock().unwrap_or_else(|p| p.into_inner());
    let (mut master, mut slave) = TTYPort::pair().expect("a pseudo-terminal pair");
    master.set_timeout(Duration::from_millis(50)).unwrap();
    slave.set_timeout(Duration::from_millis(50)).unwrap();
    (master, slave)
}

fn book(n: u8, pii: &str, set: Option<SetInfo>) -> FakeTag {
    let memory = iso28560_2::encode(&iso28560_2::Content {
        primary_item_id: pii.into(),
        owner_institution: Some("CN-WCP".into()),
        set,
        title: Some(format!("第{n}册")),
        ..Default::default()
    })
    .unwrap();
    FakeTag::new(Uid([0xE0, 0x04, 0x01, 0x50, 0x00, 0x00, 0x10, n]), memory)
}

fn check_driver(reader: &mut dyn HfReader, pad: &Arc<Mutex<FakePad>>) {
    // A stack of ten books, one of them a two-part set.
    let uids = reader.inventory(None).unwrap();
    assert_eq!(uids.len(), 10);
    let mut decoded = Vec::new();
    for &uid in &uids {
        let info = reader.system_info(uid).unwrap();
        assert_eq!(info.afi, Some(0x07), "books on the shelf are secured");
        let memory = reader.read_blocks(uid, 0, 28).unwrap();
        decoded.push((uid, tag::decode(&memory).unwrap()));
    }
    let items = kiosk_hardware::reader::stack::group_items(&decoded);
    assert_eq!(items.len(), 9);
    assert!(items.iter().all(|i| i.complete));
    assert!(decoded.iter().any(|(_, t)| t.title.as_deref() == Some("第3册")));

    // Lending: unsecure every part, read back; a detuned tag takes a retry.
    pad.lock().unwrap().tags[4].flaky_writes = 2;
    let failed = apply_security(reader, &uids, SecurityState { afi: 0xC2, eas: Some(false) }, 5);
    assert!(failed.is_empty(), "{failed:?}");
    assert!(pad.lock().unwrap().tags.iter().all(|t| t.afi == 0xC2 && !t.eas));
    assert!(!reader.check_eas(uids[0]).unwrap());
    assert_eq!(reader.inventory(Some(0x07)).unwrap(), [], "no secured tag answers an AFI 07 inventory");

    // A tag that never takes the write is reported, not silently skipped.
    pad.lock().unwrap().tags[0].flaky_writes = 100;
    let failed = apply_security(reader, &uids[..1], SecurityState { afi: 0x07, eas: Some(true) }, 3);
    assert_eq!(failed.len(), 1);

    // Re-encoding a tag from a barcode.
    let memory = iso28560_2::encode(&iso28560_2::Content {
        primary_item_id: "30234000000999".into(),
        ..Default::default()
    })
    .unwrap();
    reader.write_blocks(uids[1], 0, &memory).unwrap();
    let back = reader.read_blocks(uids[1], 0, (memory.len() / 4) as u8).unwrap();
    assert_eq!(tag::decode(&back).unwrap().primary_item_id, "30234000000999");
}

fn pad() -> Arc<Mutex<FakePad>> {
    let mut tags: Vec<FakeTag> = (1..=8).map(|n| book(n, &format!("3023400000{n:04}"), None)).collect();
    tags.push(book(9, "30234000000900", Some(SetInfo { parts: 2, part: 1 })));
    tags.push(book(10, "30234000000900", Some(SetInfo { parts: 2, part: 2 })));
    Arc::new(Mutex::new(FakePad { tags }))
}

#[test]
fn three_m_reader_over_a_pty() {
    let (master, slave) = pty_pair();
    let pad = pad();
    serve(master, pad.clone(), Protocol::M3);
    let mut reader = M3Reader::new(slave, Duration::from_secs(2));
    assert_eq!(reader.version().unwrap(), [0x0A, 0x05, 0x00, 0x02]);
    check_driver(&mut reader, &pad);
}

#[test]
fn feig_reader_over_a_pty() {
    let (master, slave) = pty_pair();
    let pad = pad();
    serve(master, pad.clone(), Protocol::Feig);
    let mut reader = FeigReader::new(slave, Duration::from_secs(2));
    check_driver(&mut reader, &pad);
}

#[test]
fn a_silent_reader_times_out() {
    let (_master, slave) = pty_pair();
    let mut reader = M3Reader::new(slave, Duration::from_millis(300));
    let error = reader.inventory(None).unwrap_err();
    assert!(matches!(error, kiosk_hardware::reader::ReaderError::Timeout(_)), "{error}");
}
