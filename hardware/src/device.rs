//! Device supervision: each configured device runs on its own thread (blocking serial,
//! USB and evdev calls never touch the UI thread or an async worker), is reopened with
//! backoff when it vanishes, and reports [`Event`]s on one channel. Commands (security
//! writes, printing) go to a device through its [`DeviceHandle`] with a reply channel.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::barcode::Symbology;
use crate::escpos::{self, PaperStatus, PaperWidth, PrinterStatus, StatusQuery};
use crate::profile::{Parity, Profile};
use crate::reader::fake::{FakePad, FakeTag};
use crate::reader::stack::StackTracker;
use crate::reader::{FeigReader, HfReader, M3Reader, SecurityState, apply_security, m3};
use crate::scanner::LineDecoder;
use crate::tag::iso15693::Uid;
use crate::tag::{self, TagData};

/// What a device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// Barcode / QR scanner.
    Scanner,
    /// HF RFID pad.
    Rfid,
    /// Receipt printer.
    Printer,
}

/// How the kiosk talks to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    /// In-process simulation (demo, tests).
    Simulated,
    /// A serial / USB-CDC line scanner.
    SerialScanner,
    /// A 3M/Bibliotheca 810 reader.
    M3,
    /// A FEIG ISO-host reader.
    Feig,
    /// An ESC/POS printer on a serial line.
    EscPosSerial,
    /// An ESC/POS printer on TCP (port 9100).
    EscPosTcp,
    /// An ESC/POS printer on USB (path `usb:VID:PID`).
    EscPosUsb,
    /// A USB keyboard-wedge scanner read through evdev with an exclusive grab.
    Evdev,
}

impl Driver {
    /// The driver for a configured name (`kiosk.toml` `devices[].driver`).
    pub fn from_name(name: &str) -> Option<Driver> {
        Some(match name {
            "simulated" => Driver::Simulated,
            "serial" => Driver::SerialScanner,
            "3m810" => Driver::M3,
            "feig" => Driver::Feig,
            "escpos-serial" => Driver::EscPosSerial,
            "escpos-tcp" => Driver::EscPosTcp,
            "escpos-usb" => Driver::EscPosUsb,
            "evdev" => Driver::Evdev,
            _ => return None,
        })
    }
}

/// One device to run.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    /// A name for logs and screens (`scanner`, `rfid`, `printer`).
    pub name: String,
    /// Its kind.
    pub kind: DeviceKind,
    /// Its driver.
    pub driver: Driver,
    /// Device path (serial).
    pub path: Option<PathBuf>,
    /// Network address (`host:port`).
    pub address: Option<String>,
    /// Its profile.
    pub profile: Profile,
    /// Where the simulated printer writes receipt pictures.
    pub output_dir: Option<PathBuf>,
}

/// A device's connection state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// Open and answering.
    Connected,
    /// Gone (unplugged, powered off); being retried.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// Present, but the kiosk user may not open it.
    NoPermission {
        /// What to do.
        fix: String,
    },
    /// Open but failing.
    Error {
        /// What went wrong.
        message: String,
    },
}

/// A tag found on the pad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReport {
    /// UID.
    pub uid: Uid,
    /// AFI.
    pub afi: Option<u8>,
    /// DSFID, when the tag reports it.
    pub dsfid: Option<u8>,
    /// Whether the EAS bit is set, when the reader can tell.
    pub eas: Option<bool>,
    /// Bytes per block (4 on almost every library tag).
    pub block_size: u8,
    /// Decoded data, or why it could not be decoded.
    pub data: Result<TagData, String>,
    /// Raw memory.
    pub memory: Vec<u8>,
}

/// What devices report.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A barcode or QR scan.
    Scan {
        /// Which device.
        device: String,
        /// Symbology.
        symbology: Symbology,
        /// Data.
        text: String,
    },
    /// Tags arrived on the pad (stable).
    TagsPresent {
        /// Which device.
        device: String,
        /// The tags.
        tags: Vec<TagReport>,
    },
    /// Tags left the pad.
    TagsGone {
        /// Which device.
        device: String,
        /// Their UIDs.
        uids: Vec<Uid>,
    },
    /// The printer's status changed.
    PrinterStatus {
        /// Which device.
        device: String,
        /// The status.
        status: PrinterStatus,
    },
    /// A device connected, vanished or failed.
    DeviceState {
        /// Which device.
        device: String,
        /// Its state.
        state: DeviceState,
    },
}

/// Why printing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// The printer cannot print now.
    #[error("the printer cannot print: {0}")]
    NotReady(String),
    /// It did not answer.
    #[error("the printer does not answer: {0}")]
    Io(String),
}

/// A command to a device, with its reply channel.
#[derive(Debug)]
pub enum Command {
    /// Write the loan (`on_loan`) or in-library security state to tags, read it back.
    Secure {
        /// The tags (every part of the items).
        uids: Vec<Uid>,
        /// On loan (unsecured) or in the library (secured).
        on_loan: bool,
        /// Tags that failed, with why.
        reply: Sender<Result<(), Vec<(Uid, String)>>>,
    },
    /// Write tag memory (diagnostics re-encode).
    WriteTag {
        /// The tag.
        uid: Uid,
        /// Memory from block 0.
        memory: Vec<u8>,
        /// Done or why not.
        reply: Sender<Result<(), String>>,
    },
    /// Print a receipt.
    Print {
        /// ESC/POS bytes.
        bytes: Vec<u8>,
        /// The status after printing.
        reply: Sender<Result<PrinterStatus, PrintError>>,
    },
    /// A simulated scan (demo tray).
    SimulateScan(String),
    /// Put simulated tags on the pad.
    PlaceTags(Vec<FakeTag>),
    /// Take simulated tags off the pad.
    RemoveTags(Vec<Uid>),
    /// Set the simulated printer's paper.
    SetPaper(PaperStatus),
}

/// Sends commands to one device.
#[derive(Debug, Clone)]
pub struct DeviceHandle {
    /// The device.
    pub name: String,
    /// Its kind.
    pub kind: DeviceKind,
    commands: Sender<Command>,
}

impl DeviceHandle {
    /// Sends a command; `false` when the device thread has ended.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }
}

/// Runs the devices.
#[derive(Debug)]
pub struct Supervisor {
    handles: Vec<DeviceHandle>,
}

impl Supervisor {
    /// Starts a thread per device; events go to `events`.
    pub fn start(specs: Vec<DeviceSpec>, events: Sender<Event>) -> Supervisor {
        let handles = specs
            .into_iter()
            .map(|spec| {
                let (commands, receiver) = mpsc::channel();
                let handle = DeviceHandle { name: spec.name.clone(), kind: spec.kind, commands };
                let events = events.clone();
                let name = format!("device-{}", spec.name);
                let spawned =
                    std::thread::Builder::new().name(name).spawn(move || supervise(spec, events, receiver));
                if let Err(error) = spawned {
                    tracing::error!(%error, device = handle.name, "cannot start the device thread");
                }
                handle
            })
            .collect();
        Supervisor { handles }
    }

    /// The handle of a device by kind (the first of that kind).
    pub fn handle(&self, kind: DeviceKind) -> Option<&DeviceHandle> {
        self.handles.iter().find(|h| h.kind == kind)
    }

    /// Every handle.
    pub fn handles(&self) -> &[DeviceHandle] {
        &self.handles
    }
}

/// Why a device session ended.
enum Ended {
    /// The command channel closed: the kiosk is shutting down.
    Shutdown,
    /// The device failed; reopen after a pause.
    Failed(String),
}

fn state_for_open_error(error: &std::io::Error, path: &str) -> DeviceState {
    if error.kind() == std::io::ErrorKind::PermissionDenied {
        DeviceState::NoPermission {
            fix: format!(
                "{path}: found, but no permission; add the kiosk user to the group that owns it (usually dialout) or install the udev rules"
            ),
        }
    } else {
        DeviceState::Disconnected { reason: format!("{path}: {error}") }
    }
}

fn supervise(spec: DeviceSpec, events: Sender<Event>, commands: Receiver<Command>) {
    let mut backoff = Duration::from_millis(200);
    let mut last_state: Option<DeviceState> = None;
    let report = |state: DeviceState, last: &mut Option<DeviceState>| {
        if last.as_ref() != Some(&state) {
            tracing::info!(device = spec.name, ?state, "device state");
            let _ = events.send(Event::DeviceState { device: spec.name.clone(), state: state.clone() });
            *last = Some(state);
        }
    };
    loop {
        let outcome = match run_once(&spec, &events, &commands, &mut |state| report(state, &mut last_state)) {
            Ok(ended) => ended,
            Err(state) => {
                report(state, &mut last_state);
                // Drain commands while away so callers are not left waiting.
                if drain_while_away(&commands, backoff) {
                    return;
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        match outcome {
            Ended::Shutdown => return,
            Ended::Failed(reason) => {
                report(DeviceState::Disconnected { reason }, &mut last_state);
                backoff = Duration::from_millis(200);
                if drain_while_away(&commands, backoff) {
                    return;
                }
            }
        }
    }
}

/// Refuses commands for `pause`; `true` when the channel closed.
fn drain_while_away(commands: &Receiver<Command>, pause: Duration) -> bool {
    let until = Instant::now() + pause;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match commands.recv_timeout(left) {
            Ok(command) => refuse(command, "the device is not connected"),
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => return true,
        }
    }
}

fn refuse(command: Command, why: &str) {
    match command {
        Command::Secure { uids, reply, .. } => {
            let _ = reply.send(Err(uids.into_iter().map(|u| (u, why.to_string())).collect()));
        }
        Command::WriteTag { reply, .. } => {
            let _ = reply.send(Err(why.to_string()));
        }
        Command::Print { reply, .. } => {
            let _ = reply.send(Err(PrintError::NotReady(why.to_string())));
        }
        Command::SimulateScan(_) | Command::PlaceTags(_) | Command::RemoveTags(_) | Command::SetPaper(_) => {}
    }
}

/// A barcode scanner that has been opened.
pub trait Scanner: Send {
    /// Waits up to `wait` for input; returns the scans it completed.
    fn poll(&mut self, wait: Duration) -> Result<Vec<crate::scanner::Scan>, String>;

    /// Feeds a scan as if it had been read (the demo tray). Real scanners ignore it.
    fn inject(&mut self, _text: String) {}
}

/// A receipt printer that has been opened.
pub trait ReceiptPrinter: Send {
    /// Asks for the printer's status.
    fn status(&mut self) -> Result<PrinterStatus, String>;

    /// Prints a receipt if the printer can; returns the status afterwards.
    fn print(&mut self, bytes: &[u8]) -> Result<PrinterStatus, PrintError>;

    /// Changes the paper state (simulated printers only).
    fn set_paper(&mut self, _paper: PaperStatus) {}
}

/// An opened device.
pub enum OpenDevice {
    /// A scanner.
    Scanner(Box<dyn Scanner>),
    /// An RFID reader; `pad` is the simulated pad's tags.
    Reader(Box<dyn HfReader + Send>, Option<Arc<Mutex<FakePad>>>),
    /// A receipt printer.
    Printer(Box<dyn ReceiptPrinter>),
}

/// A driver in the registry: its name in `kiosk.toml`, what it drives, and how to find
/// candidate devices on this machine.
#[derive(Debug, Clone, Copy)]
pub struct DriverEntry {
    /// The name used in `devices[].driver`.
    pub name: &'static str,
    /// The kind of device.
    pub kind: DeviceKind,
    /// What it talks to.
    pub summary: &'static str,
    /// Candidate devices present now.
    pub list: fn() -> Vec<crate::usb::FoundDevice>,
}

fn list_nothing() -> Vec<crate::usb::FoundDevice> {
    Vec::new()
}

fn list_serial() -> Vec<crate::usb::FoundDevice> {
    crate::usb::list_devices().into_iter().filter(|d| d.path.starts_with("/dev/tty")).collect()
}

fn list_input() -> Vec<crate::usb::FoundDevice> {
    crate::usb::list_devices().into_iter().filter(|d| d.path.starts_with("/dev/input")).collect()
}

fn list_usb() -> Vec<crate::usb::FoundDevice> {
    crate::usb::list_devices().into_iter().filter(|d| d.path.starts_with("usb:")).collect()
}

/// Every driver.
pub const DRIVERS: &[DriverEntry] = &[
    DriverEntry {
        name: "simulated",
        kind: DeviceKind::Scanner,
        summary: "demo scanner fed by the demo tray",
        list: list_nothing,
    },
    DriverEntry {
        name: "serial",
        kind: DeviceKind::Scanner,
        summary: "RS-232 / USB-CDC line scanner",
        list: list_serial,
    },
    DriverEntry {
        name: "evdev",
        kind: DeviceKind::Scanner,
        summary: "USB keyboard-wedge scanner (exclusive grab)",
        list: list_input,
    },
    DriverEntry {
        name: "simulated",
        kind: DeviceKind::Rfid,
        summary: "demo pad speaking the 3M protocol",
        list: list_nothing,
    },
    DriverEntry {
        name: "3m810",
        kind: DeviceKind::Rfid,
        summary: "3M / Bibliotheca 810 reader",
        list: list_serial,
    },
    DriverEntry { name: "feig", kind: DeviceKind::Rfid, summary: "FEIG ISO-host reader", list: list_serial },
    DriverEntry {
        name: "simulated",
        kind: DeviceKind::Printer,
        summary: "demo printer saving PNG receipts",
        list: list_nothing,
    },
    DriverEntry {
        name: "escpos-usb",
        kind: DeviceKind::Printer,
        summary: "ESC/POS printer on USB",
        list: list_usb,
    },
    DriverEntry {
        name: "escpos-serial",
        kind: DeviceKind::Printer,
        summary: "ESC/POS printer on a serial line",
        list: list_serial,
    },
    DriverEntry {
        name: "escpos-tcp",
        kind: DeviceKind::Printer,
        summary: "ESC/POS printer on TCP port 9100",
        list: list_nothing,
    },
];

fn open_serial(spec: &DeviceSpec) -> Result<Box<dyn serialport::SerialPort>, DeviceState> {
    let path = spec.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    let serial = spec.profile.serial;
    let parity = match serial.parity {
        Parity::None => serialport::Parity::None,
        Parity::Even => serialport::Parity::Even,
        Parity::Odd => serialport::Parity::Odd,
    };
    let flow = match serial.flow_control {
        crate::profile::FlowControl::None => serialport::FlowControl::None,
        crate::profile::FlowControl::Hardware => serialport::FlowControl::Hardware,
    };
    serialport::new(&path, serial.baud)
        .parity(parity)
        .flow_control(flow)
        .timeout(Duration::from_millis(50))
        .open()
        .map_err(|e| state_for_open_error(&std::io::Error::from(e), &path))
}

/// Opens the device a spec describes.
pub fn open(spec: &DeviceSpec) -> Result<OpenDevice, DeviceState> {
    let settings = &spec.profile.scanner;
    let timeout = Duration::from_millis(settings.timeout_ms);
    Ok(match (&spec.driver, spec.kind) {
        (Driver::Simulated, DeviceKind::Scanner) => {
            OpenDevice::Scanner(Box::new(SimulatedScanner::default()))
        }
        (Driver::SerialScanner, _) => OpenDevice::Scanner(Box::new(SerialScanner {
            port: open_serial(spec)?,
            decoder: LineDecoder::new(settings.suffix, settings.aim, timeout),
        })),
        (Driver::Evdev, _) => {
            let path = spec.path.clone().unwrap_or_default();
            let mut device = evdev::Device::open(&path)
                .map_err(|e| state_for_open_error(&e, &path.display().to_string()))?;
            // An exclusive grab keeps the scanner's keystrokes out of the kiosk's window.
            device.grab().map_err(|e| DeviceState::Error {
                message: format!("cannot grab {}: {e}", path.display()),
            })?;
            OpenDevice::Scanner(Box::new(EvdevScanner {
                device,
                decoder: crate::scanner::WedgeDecoder::new(settings.keymap, settings.aim, timeout),
            }))
        }
        (Driver::Simulated, DeviceKind::Rfid) => {
            let pad = Arc::new(Mutex::new(FakePad::default()));
            let reader = M3Reader::new(PadTransport::new(pad.clone()), Duration::from_millis(500));
            OpenDevice::Reader(Box::new(reader), Some(pad))
        }
        (Driver::M3, _) => {
            let mut reader = M3Reader::new(open_serial(spec)?, Duration::from_millis(700));
            reader.version().map_err(|e| DeviceState::Error {
                message: format!("no answer to the version probe: {e}"),
            })?;
            OpenDevice::Reader(Box::new(reader), None)
        }
        (Driver::Feig, _) => OpenDevice::Reader(
            Box::new(FeigReader::new(open_serial(spec)?, Duration::from_millis(700))),
            None,
        ),
        (Driver::Simulated, _) => {
            let paper =
                PaperWidth::from_mm(spec.profile.paper_width_mm.unwrap_or(80)).unwrap_or(PaperWidth::Mm80);
            OpenDevice::Printer(Box::new(SimulatedPrinter {
                paper,
                dir: spec.output_dir.clone(),
                status: PrinterStatus::default(),
                printed: 0,
            }))
        }
        (Driver::EscPosSerial, _) => {
            OpenDevice::Printer(Box::new(EscPosPrinter { transport: open_serial(spec)? }))
        }
        (Driver::EscPosTcp, _) => {
            let address = spec.address.clone().unwrap_or_default();
            let stream = std::net::TcpStream::connect(&address)
                .map_err(|e| DeviceState::Disconnected { reason: format!("{address}: {e}") })?;
            stream.set_read_timeout(Some(Duration::from_millis(500))).ok();
            stream.set_write_timeout(Some(Duration::from_secs(5))).ok();
            OpenDevice::Printer(Box::new(EscPosPrinter { transport: stream }))
        }
        (Driver::EscPosUsb, _) => {
            let path = spec.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            let (vid, pid) = crate::usb::parse_usb_path(&path)
                .ok_or(DeviceState::Error { message: format!("{path:?} is not usb:VID:PID") })?;
            OpenDevice::Printer(Box::new(EscPosPrinter {
                transport: crate::usb::UsbPrinter::open(vid, pid)?,
            }))
        }
    })
}

/// Runs one connected session; `Err` when the device cannot be opened.
fn run_once(
    spec: &DeviceSpec,
    events: &Sender<Event>,
    commands: &Receiver<Command>,
    report: &mut dyn FnMut(DeviceState),
) -> Result<Ended, DeviceState> {
    let device = open(spec)?;
    report(DeviceState::Connected);
    Ok(match device {
        OpenDevice::Scanner(scanner) => run_scanner(spec, scanner, events, commands),
        OpenDevice::Reader(mut reader, pad) => run_reader(spec, reader.as_mut(), pad, events, commands),
        OpenDevice::Printer(printer) => run_printer(spec, printer, events, commands),
    })
}

struct SerialScanner {
    port: Box<dyn serialport::SerialPort>,
    decoder: LineDecoder,
}

impl Scanner for SerialScanner {
    fn poll(&mut self, _wait: Duration) -> Result<Vec<crate::scanner::Scan>, String> {
        let mut buffer = [0u8; 256];
        match self.port.read(&mut buffer) {
            Ok(0) => Err("the scanner closed".into()),
            Ok(n) => Ok(self.decoder.push(&buffer[..n], Instant::now())),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                Ok(self.decoder.handle_timeout(Instant::now()).into_iter().collect())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

struct EvdevScanner {
    device: evdev::Device,
    decoder: crate::scanner::WedgeDecoder,
}

impl Scanner for EvdevScanner {
    fn poll(&mut self, _wait: Duration) -> Result<Vec<crate::scanner::Scan>, String> {
        let batch: Vec<evdev::InputEvent> = self.device.fetch_events().map_err(|e| e.to_string())?.collect();
        Ok(batch
            .into_iter()
            .filter_map(|event| {
                let since = event.timestamp().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                self.decoder.handle(&crate::scanner::InputEvent {
                    seconds: since.as_secs() as i64,
                    microseconds: i64::from(since.subsec_micros()),
                    kind: event.event_type().0,
                    code: event.code(),
                    value: event.value(),
                })
            })
            .collect())
    }
}

#[derive(Default)]
struct SimulatedScanner {
    queued: Vec<String>,
}

impl Scanner for SimulatedScanner {
    fn poll(&mut self, wait: Duration) -> Result<Vec<crate::scanner::Scan>, String> {
        if self.queued.is_empty() {
            std::thread::sleep(wait);
        }
        Ok(self
            .queued
            .drain(..)
            .map(|text| crate::scanner::Scan { symbology: Symbology::Unknown, text })
            .collect())
    }

    fn inject(&mut self, text: String) {
        self.queued.push(text);
    }
}

fn run_scanner(
    spec: &DeviceSpec,
    mut scanner: Box<dyn Scanner>,
    events: &Sender<Event>,
    commands: &Receiver<Command>,
) -> Ended {
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::SimulateScan(text)) => scanner.inject(text),
                Ok(command) => refuse(command, "a scanner takes no commands"),
                Err(mpsc::TryRecvError::Disconnected) => return Ended::Shutdown,
                Err(mpsc::TryRecvError::Empty) => break,
            }
        }
        match scanner.poll(Duration::from_millis(50)) {
            Ok(scans) => {
                for scan in scans {
                    let _ = events.send(Event::Scan {
                        device: spec.name.clone(),
                        symbology: scan.symbology,
                        text: scan.text,
                    });
                }
            }
            Err(error) => return Ended::Failed(error),
        }
    }
}

/// A byte transport whose other end is a [`FakePad`] speaking the 3M protocol.
pub struct PadTransport {
    pad: Arc<Mutex<FakePad>>,
    deframer: m3::Deframer,
    pending: Vec<u8>,
}

impl PadTransport {
    /// A transport to `pad`.
    pub fn new(pad: Arc<Mutex<FakePad>>) -> PadTransport {
        PadTransport { pad, deframer: m3::Deframer::default(), pending: Vec::new() }
    }
}

impl Write for PadTransport {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.deframer.push(bytes);
        while let Some(result) = self.deframer.next_frame() {
            if let Ok(frame) = result {
                let reply = self
                    .pad
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .answer_m3(frame.prefix, &frame.payload);
                self.pending.extend(m3::encode(frame.prefix, &reply));
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Read for PadTransport {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "no reply pending"));
        }
        let n = buffer.len().min(self.pending.len());
        buffer[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

fn read_tag<R: HfReader + ?Sized>(reader: &mut R, uid: Uid) -> Result<TagReport, String> {
    let info = reader.system_info(uid).map_err(|e| e.to_string())?;
    let blocks = info.memory.map_or(28, |(blocks, _)| blocks.min(64)) as u8;
    let memory = reader.read_blocks(uid, 0, blocks).map_err(|e| e.to_string())?;
    // Not every reader or tag answers the EAS check; the inspector then shows it as unknown.
    let eas = reader.check_eas(uid).ok();
    Ok(TagReport {
        uid,
        afi: info.afi,
        dsfid: info.dsfid,
        eas,
        block_size: info.memory.map_or(4, |(_, size)| size),
        data: tag::decode(&memory).map_err(|e| e.to_string()),
        memory,
    })
}

fn run_reader<R: HfReader + ?Sized>(
    spec: &DeviceSpec,
    reader: &mut R,
    pad: Option<Arc<Mutex<FakePad>>>,
    events: &Sender<Event>,
    commands: &Receiver<Command>,
) -> Ended {
    let security = spec.profile.security;
    let mut tracker = StackTracker::new(2);
    let mut failures = 0;
    loop {
        let command = match commands.recv_timeout(Duration::from_millis(150)) {
            Ok(command) => Some(command),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ended::Shutdown,
        };
        match command {
            Some(Command::Secure { uids, on_loan, reply }) => {
                let state = SecurityState {
                    afi: if on_loan { security.afi_on_loan } else { security.afi_in_library },
                    eas: security.use_eas.then_some(!on_loan),
                };
                let failed = apply_security(reader, &uids, state, 5);
                let _ = reply.send(if failed.is_empty() {
                    Ok(())
                } else {
                    Err(failed.into_iter().map(|(uid, e)| (uid, e.to_string())).collect())
                });
            }
            Some(Command::WriteTag { uid, memory, reply }) => {
                let _ = reply.send(reader.write_blocks(uid, 0, &memory).map_err(|e| e.to_string()));
            }
            Some(Command::PlaceTags(tags)) => {
                if let Some(pad) = &pad {
                    let mut pad = pad.lock().unwrap_or_else(|p| p.into_inner());
                    for tag in tags {
                        pad.tags.retain(|t| t.uid != tag.uid);
                        pad.tags.push(tag);
                    }
                }
            }
            Some(Command::RemoveTags(uids)) => {
                if let Some(pad) = &pad {
                    pad.lock().unwrap_or_else(|p| p.into_inner()).tags.retain(|t| !uids.contains(&t.uid));
                }
            }
            Some(other) => refuse(other, "not supported by an RFID reader"),
            None => {}
        }
        match reader.inventory(None) {
            Ok(uids) => {
                failures = 0;
                if let Some(change) = tracker.round(&uids) {
                    if !change.left.is_empty() {
                        let _ = events.send(Event::TagsGone { device: spec.name.clone(), uids: change.left });
                    }
                    if !change.arrived.is_empty() {
                        let tags = change
                            .arrived
                            .iter()
                            .map(|&uid| {
                                read_tag(reader, uid).unwrap_or_else(|error| TagReport {
                                    uid,
                                    afi: None,
                                    dsfid: None,
                                    eas: None,
                                    block_size: 4,
                                    data: Err(error),
                                    memory: Vec::new(),
                                })
                            })
                            .collect();
                        let _ = events.send(Event::TagsPresent { device: spec.name.clone(), tags });
                    }
                }
            }
            Err(crate::reader::ReaderError::Io(error)) => return Ended::Failed(error.to_string()),
            Err(error) => {
                failures += 1;
                if failures >= 3 {
                    return Ended::Failed(format!("the reader stopped answering: {error}"));
                }
            }
        }
    }
}

/// An ESC/POS printer over any byte transport (serial, TCP, USB).
struct EscPosPrinter<T> {
    transport: T,
}

impl<T: Read + Write + Send> ReceiptPrinter for EscPosPrinter<T> {
    fn status(&mut self) -> Result<PrinterStatus, String> {
        let mut status = PrinterStatus::default();
        for query in [StatusQuery::Printer, StatusQuery::OfflineCause, StatusQuery::Paper] {
            self.transport.write_all(&escpos::status_request(query)).map_err(|e| e.to_string())?;
            self.transport.flush().map_err(|e| e.to_string())?;
            let mut byte = [0u8; 1];
            let deadline = Instant::now() + Duration::from_secs(2);
            loop {
                match self.transport.read(&mut byte) {
                    Ok(1) => {
                        if status.apply(query, byte[0]).is_ok() {
                            break;
                        }
                        tracing::warn!(byte = byte[0], "printer status byte out of pattern; resynchronising");
                    }
                    Ok(_) => return Err("the printer closed the connection".into()),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        ) => {}
                    Err(e) => return Err(e.to_string()),
                }
                if Instant::now() >= deadline {
                    return Err("no status reply".into());
                }
            }
        }
        Ok(status)
    }

    fn print(&mut self, bytes: &[u8]) -> Result<PrinterStatus, PrintError> {
        let before = self.status().map_err(PrintError::Io)?;
        if !before.can_print() {
            return Err(PrintError::NotReady(before.describe().join(", ")));
        }
        self.transport
            .write_all(bytes)
            .and_then(|()| self.transport.flush())
            .map_err(|e| PrintError::Io(e.to_string()))?;
        self.status().map_err(PrintError::Io)
    }
}

/// The demo printer: renders each receipt to a PNG.
struct SimulatedPrinter {
    paper: PaperWidth,
    dir: Option<PathBuf>,
    status: PrinterStatus,
    printed: u32,
}

impl ReceiptPrinter for SimulatedPrinter {
    fn status(&mut self) -> Result<PrinterStatus, String> {
        Ok(self.status)
    }

    fn print(&mut self, bytes: &[u8]) -> Result<PrinterStatus, PrintError> {
        if !self.status.can_print() {
            return Err(PrintError::NotReady(self.status.describe().join(", ")));
        }
        let rendered = escpos::render::render(bytes, self.paper);
        self.printed += 1;
        if let Some(dir) = &self.dir {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0);
            let path = dir.join(format!("receipt-{stamp}-{}.png", self.printed));
            if let Err(error) =
                std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, rendered.png()))
            {
                tracing::warn!(%error, path = %path.display(), "cannot save the simulated receipt");
            }
        }
        Ok(self.status)
    }

    fn set_paper(&mut self, paper: PaperStatus) {
        self.status.paper = paper;
        self.status.offline = paper == PaperStatus::Out;
    }
}

fn run_printer(
    spec: &DeviceSpec,
    mut printer: Box<dyn ReceiptPrinter>,
    events: &Sender<Event>,
    commands: &Receiver<Command>,
) -> Ended {
    let mut last: Option<PrinterStatus> = None;
    let report = |status: PrinterStatus, last: &mut Option<PrinterStatus>| {
        if *last != Some(status) {
            let _ = events.send(Event::PrinterStatus { device: spec.name.clone(), status });
            *last = Some(status);
        }
    };
    match printer.status() {
        Ok(status) => report(status, &mut last),
        Err(error) => return Ended::Failed(error),
    }
    loop {
        match commands.recv_timeout(Duration::from_secs(10)) {
            Ok(Command::Print { bytes, reply }) => {
                let result = printer.print(&bytes);
                match &result {
                    Ok(status) => report(*status, &mut last),
                    Err(PrintError::NotReady(_)) => {
                        if let Ok(status) = printer.status() {
                            report(status, &mut last);
                        }
                    }
                    Err(PrintError::Io(error)) => {
                        let error = error.clone();
                        let _ = reply.send(result);
                        return Ended::Failed(error);
                    }
                }
                let _ = reply.send(result);
            }
            Ok(Command::SetPaper(paper)) => {
                printer.set_paper(paper);
                if let Ok(status) = printer.status() {
                    report(status, &mut last);
                }
            }
            Ok(other) => refuse(other, "not supported by a printer"),
            Err(RecvTimeoutError::Timeout) => match printer.status() {
                Ok(status) => report(status, &mut last),
                Err(error) => return Ended::Failed(error),
            },
            Err(RecvTimeoutError::Disconnected) => return Ended::Shutdown,
        }
    }
}
