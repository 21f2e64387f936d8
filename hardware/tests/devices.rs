//! Device supervision end to end: a serial scanner unplugged and replugged (pty closed and
//! reopened), the simulated RFID pad through the real 3M driver, a TCP 9100 printer that
//! runs out of paper, and the simulated printer's receipt pictures.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use kiosk_hardware::device::{
    Command, DeviceKind, DeviceSpec, DeviceState, Driver, Event, PrintError, Supervisor,
};
use kiosk_hardware::escpos::{PaperStatus, PaperWidth, ReceiptBuilder};
use kiosk_hardware::profile::Profile;
use kiosk_hardware::reader::fake::FakeTag;
use kiosk_hardware::tag::iso15693::Uid;
use kiosk_hardware::tag::iso28560_2;
use serialport::{SerialPort, TTYPort};

static PTY: Mutex<()> = Mutex::new(());

fn pty_pair() -> (TTYPort, TTYPort) {
    let _guard = PTY.lock().unwrap_or_else(|p| p.into_inner());
    let (mut master, slave) = TTYPort::pair().expect("a pseudo-terminal pair");
    master.set_timeout(Duration::from_millis(50)).unwrap();
    (master, slave)
}

fn wait_for(events: &Receiver<Event>, what: &str, mut test: impl FnMut(&Event) -> bool) -> Event {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(event) = events.recv_timeout(Duration::from_millis(100))
            && test(&event)
        {
            return event;
        }
    }
    panic!("no {what} event in time");
}

fn spec(kind: DeviceKind, driver: Driver, profile: &str) -> DeviceSpec {
    DeviceSpec {
        name: format!("{kind:?}").to_lowercase(),
        kind,
        driver,
        path: None,
        address: None,
        profile: Profile::built_in(profile).unwrap(),
        output_dir: None,
    }
}

fn relink(link: &Path, slave: &TTYPort) {
    let target = slave.name().expect("pty name");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[test]
fn serial_scanner_unplugged_and_replugged() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyScanner");
    let (mut master, slave) = pty_pair();
    relink(&link, &slave);
    let (events_tx, events) = mpsc::channel();
    let mut scanner = spec(DeviceKind::Scanner, Driver::SerialScanner, "honeywell-1900");
    scanner.path = Some(link.clone());
    let _supervisor = Supervisor::start(vec![scanner], events_tx);
    wait_for(&events, "connected", |e| matches!(e, Event::DeviceState { state: DeviceState::Connected, .. }));
    master.write_all(b"]F030234000000017\r").unwrap();
    let scan = wait_for(&events, "scan", |e| matches!(e, Event::Scan { .. }));
    assert!(matches!(scan, Event::Scan { ref text, .. } if text == "30234000000017"), "{scan:?}");

    // Unplug: the pty's master goes away.
    drop(master);
    drop(slave);
    wait_for(&events, "disconnected", |e| {
        matches!(e, Event::DeviceState { state: DeviceState::Disconnected { .. }, .. })
    });

    // Replug at the same path: the supervisor reopens it.
    let (mut master, slave) = pty_pair();
    relink(&link, &slave);
    wait_for(&events, "reconnected", |e| {
        matches!(e, Event::DeviceState { state: DeviceState::Connected, .. })
    });
    master.write_all(b"]F020234000000019\r\n").unwrap();
    let scan = wait_for(&events, "scan after replug", |e| matches!(e, Event::Scan { .. }));
    assert!(matches!(scan, Event::Scan { ref text, .. } if text == "20234000000019"));
}

#[test]
fn missing_serial_device_is_reported_disconnected() {
    let (events_tx, events) = mpsc::channel();
    let mut scanner = spec(DeviceKind::Scanner, Driver::SerialScanner, "honeywell-1900");
    scanner.path = Some("/dev/does-not-exist-kiosk".into());
    let _supervisor = Supervisor::start(vec![scanner], events_tx);
    let event = wait_for(&events, "disconnected", |e| matches!(e, Event::DeviceState { .. }));
    assert!(
        matches!(event, Event::DeviceState { state: DeviceState::Disconnected { ref reason }, .. } if reason.contains("does-not-exist"))
    );
}

#[test]
fn simulated_pad_reports_stacks_and_takes_security_writes() {
    let (events_tx, events) = mpsc::channel();
    let supervisor = Supervisor::start(vec![spec(DeviceKind::Rfid, Driver::Simulated, "3m-810")], events_tx);
    let pad = supervisor.handle(DeviceKind::Rfid).unwrap();
    let tags: Vec<FakeTag> = (1..=3u8)
        .map(|n| {
            let memory = iso28560_2::encode(&iso28560_2::Content {
                primary_item_id: format!("302340000000{n}7"),
                ..Default::default()
            })
            .unwrap();
            FakeTag::new(Uid([0xE0, 4, 1, 0, 0, 0, 0, n]), memory)
        })
        .collect();
    let uids: Vec<Uid> = tags.iter().map(|t| t.uid).collect();
    assert!(pad.send(Command::PlaceTags(tags)));
    let present = wait_for(&events, "tags present", |e| matches!(e, Event::TagsPresent { .. }));
    let Event::TagsPresent { tags, .. } = present else { unreachable!() };
    assert_eq!(tags.len(), 3);
    assert!(tags.iter().all(|t| t.afi == Some(0x07)));
    assert_eq!(tags[0].data.as_ref().unwrap().primary_item_id, "30234000000017");

    let (reply, answer) = mpsc::channel();
    assert!(pad.send(Command::Secure { uids: uids.clone(), on_loan: true, reply }));
    assert_eq!(answer.recv_timeout(Duration::from_secs(5)).unwrap(), Ok(()));

    assert!(pad.send(Command::RemoveTags(uids[..1].to_vec())));
    let gone = wait_for(&events, "tags gone", |e| matches!(e, Event::TagsGone { .. }));
    assert!(matches!(gone, Event::TagsGone { ref uids, .. } if uids.len() == 1));
}

/// A printer on TCP 9100 answering DLE EOT from a fixed paper state.
fn fake_tcp_printer(paper_byte: u8) -> (String, std::sync::Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let received = std::sync::Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = [0u8; 4096];
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let n = match stream.read(&mut buffer) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buffer[..n]);
            log.lock().unwrap().extend_from_slice(&buffer[..n]);
            while let Some(at) = pending.windows(2).position(|w| w == [0x10, 0x04]) {
                let Some(&query) = pending.get(at + 2) else { break };
                let reply = match query {
                    1 => {
                        if paper_byte == 0x72 {
                            0x1A
                        } else {
                            0x12
                        }
                    }
                    2 => {
                        if paper_byte == 0x72 {
                            0x32
                        } else {
                            0x12
                        }
                    }
                    _ => paper_byte,
                };
                stream.write_all(&[reply]).unwrap();
                pending.drain(..at + 3);
            }
        }
    });
    (address, received)
}

#[test]
fn tcp_printer_out_of_paper_refuses_and_reports() {
    let (address, received) = fake_tcp_printer(0x72);
    let (events_tx, events) = mpsc::channel();
    let mut printer = spec(DeviceKind::Printer, Driver::EscPosTcp, "generic-escpos-80");
    printer.address = Some(address);
    let supervisor = Supervisor::start(vec![printer], events_tx);
    let status = wait_for(&events, "printer status", |e| matches!(e, Event::PrinterStatus { .. }));
    assert!(
        matches!(status, Event::PrinterStatus { status, .. } if status.paper == PaperStatus::Out && status.offline)
    );
    let (reply, answer) = mpsc::channel();
    let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
    receipt.line("借书凭条");
    supervisor.handle(DeviceKind::Printer).unwrap().send(Command::Print { bytes: receipt.finish(), reply });
    let result = answer.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        matches!(result, Err(PrintError::NotReady(ref why)) if why.contains("out of paper")),
        "{result:?}"
    );
    assert!(!received.lock().unwrap().windows(2).any(|w| w == [0x1B, 0x40]), "nothing was printed");
}

#[test]
fn tcp_printer_with_paper_prints() {
    let (address, received) = fake_tcp_printer(0x12);
    let (events_tx, _events) = mpsc::channel();
    let mut printer = spec(DeviceKind::Printer, Driver::EscPosTcp, "generic-escpos-80");
    printer.address = Some(address);
    let supervisor = Supervisor::start(vec![printer], events_tx);
    let (reply, answer) = mpsc::channel();
    let mut receipt = ReceiptBuilder::new(PaperWidth::Mm80);
    receipt.line("借书凭条").cut(false);
    let bytes = receipt.finish();
    supervisor.handle(DeviceKind::Printer).unwrap().send(Command::Print { bytes: bytes.clone(), reply });
    assert!(answer.recv_timeout(Duration::from_secs(5)).unwrap().is_ok());
    let log = received.lock().unwrap();
    assert!(log.windows(bytes.len()).any(|w| w == bytes.as_slice()));
}

#[test]
fn simulated_printer_saves_a_picture_and_can_run_out_of_paper() {
    let dir = tempfile::tempdir().unwrap();
    let (events_tx, _events) = mpsc::channel();
    let mut printer = spec(DeviceKind::Printer, Driver::Simulated, "generic-escpos-58");
    printer.output_dir = Some(dir.path().to_path_buf());
    let supervisor = Supervisor::start(vec![printer], events_tx);
    let handle = supervisor.handle(DeviceKind::Printer).unwrap();
    let (reply, answer) = mpsc::channel();
    let mut receipt = ReceiptBuilder::new(PaperWidth::Mm58);
    receipt.line("还书凭条");
    handle.send(Command::Print { bytes: receipt.finish(), reply });
    assert!(answer.recv_timeout(Duration::from_secs(5)).unwrap().is_ok());
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1);
    let picture = image::open(files[0].as_ref().unwrap().path()).unwrap();
    assert_eq!(picture.width(), 384);

    handle.send(Command::SetPaper(PaperStatus::Out));
    let (reply, answer) = mpsc::channel();
    handle.send(Command::Print { bytes: vec![b'x'], reply });
    assert!(matches!(answer.recv_timeout(Duration::from_secs(5)).unwrap(), Err(PrintError::NotReady(_))));
}
