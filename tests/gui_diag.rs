//! Diagnostics through the GUI: a technician card and PIN, every page, the actions on
//! tags, the printer, the library system and the queue — against the ILS emulator on
//! loopback and the demo's simulated devices, with the audit trail checked in the store.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use common::{assert_snapshot, fixed_now, simulator};
use iced::Size;
use kiosk::app::{App, Message, Overrides, Screen, Services};
use kiosk::runtime::circulation::Circulation;
use kiosk::runtime::devices::Devices;
use kiosk_core::Config;
use kiosk_core::config::Language;
use kiosk_core::diagnostics::overview::DiskSnapshot;
use kiosk_core::store::{JournalState, NewTransaction, Store, TransactionKind};
use kiosk_hardware::barcode::Symbology;
use kiosk_hardware::device::{Command, DeviceKind, DeviceState, Event, TagReport};
use kiosk_hardware::reader::fake::library_book;
use kiosk_sip2::client::Client;
use kiosk_sip2::server::{ServerConfig, serve};

const DESKTOP: Size = Size { width: 1280.0, height: 800.0 };
const TECHNICIAN: &str = "T55550001";

fn emulator_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
}

fn fixed_disk() -> Option<DiskSnapshot> {
    Some(DiskSnapshot { path: "/var/lib/kiosk".into(), free_bytes: 21 << 30, total_bytes: 64 << 30 })
}

struct Kiosk {
    app: App,
    devices: Devices,
    data_dir: PathBuf,
}

impl Kiosk {
    /// A kiosk whose data directory has a fixed path, so the configuration page renders
    /// the same on every machine.
    async fn start(name: &str) -> Kiosk {
        Kiosk::start_with_clock(name, emulator_now).await
    }

    async fn start_with_clock(name: &str, clock: fn() -> NaiveDateTime) -> Kiosk {
        let data_dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(data_dir.join("logs")).unwrap();
        std::fs::write(
            data_dir.join("logs/kiosk.2026-07-15.log"),
            "2026-07-15T09:58:00.000000Z  INFO kiosk: starting\n\
             2026-07-15T09:59:00.000000Z  WARN kiosk::app: the receipt was not printed why=out of paper\n\
             2026-07-15T09:59:30.000000Z ERROR kiosk::runtime::sync: the library system refused #2\n",
        )
        .unwrap();
        let (emulator, listener) = common::emulator(emulator_now).await;
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(serve(listener, emulator, ServerConfig::default(), None, std::future::pending()));
        let mut config = Config::default();
        config.storage.data_dir = Some(data_dir.clone());
        config.diagnostics.technician_cards = vec![TECHNICIAN.into()];
        config.diagnostics.technician_pin_hash = Some(kiosk_core::pin::hash("7531").unwrap());
        let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
        client.connect_timeout = Duration::from_millis(500);
        let circulation =
            Circulation::new(&config, Store::open_in(&data_dir).unwrap(), Client::new(client.clone()));
        let devices = Devices::start(kiosk::runtime::devices::specs(&config, &data_dir).unwrap());
        let services = Services {
            devices: Some(devices.clone()),
            circulation: Some(Arc::new(tokio::sync::Mutex::new(circulation))),
            clock: Some(clock),
            ils: Some(Arc::new(client)),
            disk: Some(fixed_disk),
            ..Services::default()
        };
        let app = App::new(
            Arc::new(config),
            &Overrides { language: Some(Language::ZhCn), fullscreen: None },
            services,
            fixed_now(),
        );
        Kiosk { app, devices, data_dir }
    }

    async fn drive(&mut self, message: Message) {
        common::drive(&mut self.app, message).await;
    }

    async fn tap(&mut self, label: &str) {
        common::tap(&mut self.app, DESKTOP, label).await;
    }

    async fn type_pin(&mut self, pin: &str) {
        for digit in pin.chars() {
            self.tap(&digit.to_string()).await;
        }
        self.tap("确定").await;
    }

    async fn device_event(&mut self, event: Event) {
        self.drive(Message::Device(event)).await;
    }

    async fn scan(&mut self, code: &str) {
        self.device_event(Event::Scan {
            device: "scanner".into(),
            symbology: Symbology::Unknown,
            text: code.into(),
        })
        .await;
    }

    fn shows(&self, words: &str) -> bool {
        simulator(&self.app, DESKTOP).find(words).is_ok()
    }

    fn notice(&self) -> String {
        self.app.diagnostics().and_then(|d| d.notice.as_ref()).map(|n| n.text.clone()).unwrap_or_default()
    }

    fn audit_actions(&self) -> Vec<String> {
        let store = Store::open_in(&self.data_dir).unwrap();
        store.audit_recent(100).unwrap().into_iter().rev().map(|e| e.action).collect()
    }
}

/// Two transactions the library system refused, waiting for staff.
fn refused_transactions(data_dir: &std::path::Path) {
    let store = Store::open_in(data_dir).unwrap();
    for (item, title, message) in [
        ("30234000000033", "许三观卖血记", "Item is on hold for another patron"),
        ("30234000000082", "第七天", "Patron card expired"),
    ] {
        let id = store
            .journal_append(&NewTransaction {
                kind: TransactionKind::Checkout,
                patron: Some("20234000000019".into()),
                item: item.into(),
                title: Some(title.into()),
                at: emulator_now() - chrono::Duration::hours(2),
                due_date: None,
                offline: true,
                cancel: false,
            })
            .unwrap();
        store.journal_mark_in_flight(id, emulator_now() - chrono::Duration::hours(1)).unwrap();
        store.journal_mark_rejected(id, emulator_now() - chrono::Duration::hours(1), message).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_works_through_every_diagnostics_page() {
    let mut kiosk = Kiosk::start("kiosk-gui-diagnostics").await;
    refused_transactions(&kiosk.data_dir);

    // The printer said earlier that its paper runs low; diagnostics shows it when it opens.
    let low_paper = kiosk_hardware::escpos::PrinterStatus {
        paper: kiosk_hardware::escpos::PaperStatus::NearEnd,
        ..Default::default()
    };
    kiosk.device_event(Event::PrinterStatus { device: "printer".into(), status: low_paper }).await;

    // Entry: the card, a wrong PIN, the right PIN.
    kiosk.scan(TECHNICIAN).await;
    assert_eq!(kiosk.app.screen(), &Screen::Diagnostics);
    assert!(kiosk.shows("技术员诊断"));
    assert!(kiosk.shows("卡号 card ****0001。请输入技术员密码。"));
    assert_snapshot(&kiosk.app, DESKTOP, "diag-entry-zh-CN-1280x800");
    kiosk.type_pin("1111").await;
    assert!(kiosk.shows("密码错误。还可尝试 4 次，之后锁定五分钟。"));
    kiosk.type_pin("7531").await;
    assert!(kiosk.app.diagnostics().unwrap().is_open());

    // Overview, with a printer that came back after a failure.
    kiosk
        .device_event(Event::DeviceState {
            device: "printer".into(),
            state: DeviceState::Disconnected { reason: "/dev/ttyUSB1: unplugged".into() },
        })
        .await;
    for device in ["scanner", "rfid", "printer"] {
        kiosk.device_event(Event::DeviceState { device: device.into(), state: DeviceState::Connected }).await;
    }
    kiosk.tap("概览").await;
    assert!(kiosk.shows("故障 1 次 · 重连 1 次"));
    assert_snapshot(&kiosk.app, DESKTOP, "diag-overview-zh-CN-1280x800");
    kiosk.drive(Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLanguage)).await;
    assert_snapshot(&kiosk.app, DESKTOP, "diag-overview-en-1280x800");
    kiosk.drive(Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLanguage)).await;

    // Scanner test: a good item barcode and one with a wrong check digit.
    kiosk.tap("扫描枪").await;
    kiosk.scan("30234000000017").await;
    kiosk.scan("30234000000018").await;
    let scans = &kiosk.app.diagnostics().unwrap().scans;
    assert_eq!(scans[1].check.kind, "item");
    assert_eq!(scans[0].check.kind, "rejected");
    assert_eq!(scans[0].check.check.as_deref(), Some("library mod-10: WRONG"));
    assert!(kiosk.app.visit().is_none(), "scans in diagnostics start no visit");
    assert_snapshot(&kiosk.app, DESKTOP, "diag-scanner-zh-CN-1280x800");

    // RFID inspector: a book on the pad; secure it, then re-encode it from a scanned barcode.
    kiosk.tap("RFID").await;
    let tag = library_book(4242, "30234000000017", "活着", None);
    let pad = kiosk.devices.supervisor.handle(DeviceKind::Rfid).unwrap().clone();
    pad.send(Command::PlaceTags(vec![tag.clone()]));
    let report = TagReport {
        uid: tag.uid,
        afi: Some(tag.afi),
        dsfid: Some(0x00),
        eas: Some(tag.eas),
        block_size: 4,
        data: kiosk_hardware::tag::decode(&tag.memory).map_err(|e| e.to_string()),
        memory: tag.memory.clone(),
    };
    kiosk.device_event(Event::TagsPresent { device: "rfid".into(), tags: vec![report] }).await;
    assert!(kiosk.app.visit().is_none(), "a book on the pad in diagnostics starts no return");
    assert!(kiosk.shows("30234000000017"));
    assert_snapshot(&kiosk.app, DESKTOP, "diag-rfid-zh-CN-1280x800");
    kiosk.tap("加磁（在馆）").await;
    assert!(kiosk.shows("确定写入"), "the write waits for a confirmation");
    kiosk.tap("确定写入").await;
    assert!(kiosk.notice().ends_with("secured"), "{}", kiosk.notice());
    kiosk.scan("30234000000025").await;
    assert_snapshot(&kiosk.app, DESKTOP, "diag-rfid-confirm-zh-CN-1280x800");
    kiosk.tap("确定写入").await;
    assert!(kiosk.notice().contains("now carries 30234000000025"), "{}", kiosk.notice());

    // Printer: a test receipt, shown as printed.
    kiosk.tap("打印机").await;
    assert_eq!(kiosk.app.diagnostics().unwrap().printer_status.as_deref(), Some("paper near end"));
    kiosk.tap("打印测试凭条").await;
    assert_eq!(kiosk.notice(), "printed; ready, paper ok");
    assert!(kiosk.app.diagnostics().unwrap().receipt_preview.is_some());
    assert_snapshot(&kiosk.app, DESKTOP, "diag-printer-zh-CN-1280x800");

    // The library system: status with every field, then a look-up by scanning a book.
    kiosk.tap("图书馆系统").await;
    assert_snapshot(&kiosk.app, DESKTOP, "diag-ils-zh-CN-1280x800");
    kiosk.tap("登录并检查状态").await;
    let report = kiosk.app.diagnostics().unwrap().ils_report.clone().unwrap();
    assert!(report.contains("98 AcsStatus") && report.contains("online_status"), "{report}");
    kiosk.scan("30234000000017").await;
    let diag = kiosk.app.diagnostics().unwrap();
    assert!(diag.ils_report.as_deref().unwrap().starts_with("18 "), "{:?}", diag.ils_report);
    assert_eq!(diag.ils_history.len(), 2);
    assert!(diag.ils_history.iter().all(|trip| trip.result.is_ok()));

    // Queue: two refused loans; one is sent again, one resolved with a note. Nothing is deleted.
    kiosk.tap("待发队列").await;
    assert_eq!(kiosk.app.diagnostics().unwrap().queue.len(), 2);
    assert_snapshot(&kiosk.app, DESKTOP, "diag-queue-zh-CN-1280x800");
    kiosk.tap("Patron card expired").await;
    kiosk.tap("已在服务台处理").await;
    assert_snapshot(&kiosk.app, DESKTOP, "diag-queue-resolve-zh-CN-1280x800");
    kiosk.tap("标记为已处理").await;
    assert_eq!(kiosk.notice(), "已标记为已处理，记录连同说明保留在日志中。");
    kiosk.tap("Item is on hold for another patron").await;
    kiosk.tap("重新发送").await;
    let store = Store::open_in(&kiosk.data_dir).unwrap();
    assert_eq!(store.journal_all().unwrap()[0].state, JournalState::Pending);
    // Sent now, not at the next heartbeat: the library system answers it one way or the other.
    kiosk.tap("立即发送待发交易").await;
    assert!(kiosk.notice().starts_with("accepted "), "{}", kiosk.notice());
    let rows = store.journal_all().unwrap();
    assert_eq!(rows.len(), 2, "nothing is deleted");
    assert!(matches!(rows[0].state, JournalState::Done | JournalState::Rejected), "{:?}", rows[0].state);
    assert_eq!(rows[1].state, JournalState::Resolved);
    assert_eq!(rows[1].note.as_deref(), Some("已在服务台处理"));
    kiosk.tap("导出 CSV").await;
    let exports: Vec<_> = std::fs::read_dir(kiosk.data_dir.join("support")).unwrap().collect();
    assert_eq!(exports.len(), 1);

    // Logs, filtered by level.
    kiosk.tap("日志").await;
    assert_eq!(kiosk.app.diagnostics().unwrap().logs.len(), 3);
    kiosk.tap("WARN").await;
    assert_eq!(kiosk.app.diagnostics().unwrap().logs.len(), 2);
    assert_snapshot(&kiosk.app, DESKTOP, "diag-logs-zh-CN-1280x800");

    // The configuration, secrets masked.
    kiosk.tap("配置").await;
    assert_snapshot(&kiosk.app, DESKTOP, "diag-config-zh-CN-1280x800");

    // The support bundle, written to the data directory (no USB stick here).
    kiosk.tap("支持包").await;
    let place = kiosk.data_dir.join("support").display().to_string();
    let label = format!("写入支持包到 {place}");
    kiosk.tap(&label).await;
    assert!(kiosk.notice().ends_with(')') && kiosk.notice().contains("kiosk-support-"), "{}", kiosk.notice());

    // Leave; every step is in the audit log.
    kiosk.tap("退出诊断").await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
    assert!(kiosk.app.diagnostics().is_none());
    let actions = kiosk.audit_actions();
    for expected in [
        "diagnostics.wrong-pin",
        "diagnostics.enter",
        "tag.secure",
        "tag.reencode",
        "printer.test",
        "ils.check",
        "queue.resolve",
        "queue.retry",
        "queue.send",
        "queue.export",
        "bundle.write",
        "diagnostics.leave",
    ] {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_card_never_interrupts_a_visitor() {
    let mut kiosk = Kiosk::start("kiosk-gui-diagnostics-visit").await;
    kiosk.tap("借书").await;
    kiosk.scan("20234000000019").await;
    kiosk.scan(TECHNICIAN).await;
    assert_eq!(kiosk.app.screen(), &Screen::Visit);
    assert!(kiosk.app.diagnostics().is_none());
}

/// Minutes added to the emulator's time by [`moving_clock`].
static MINUTES_LATER: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn moving_clock() -> NaiveDateTime {
    emulator_now() + chrono::Duration::minutes(MINUTES_LATER.load(std::sync::atomic::Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_diagnostics_session_closes_itself() {
    let mut kiosk = Kiosk::start_with_clock("kiosk-gui-diagnostics-idle", moving_clock).await;
    kiosk.scan(TECHNICIAN).await;
    kiosk.type_pin("7531").await;
    assert!(kiosk.app.diagnostics().unwrap().is_open());
    MINUTES_LATER.store(4, std::sync::atomic::Ordering::SeqCst);
    kiosk.drive(Message::Tick(moving_clock())).await;
    assert_eq!(kiosk.app.screen(), &Screen::Diagnostics, "four idle minutes are not enough");
    MINUTES_LATER.store(6, std::sync::atomic::Ordering::SeqCst);
    kiosk.drive(Message::Tick(moving_clock())).await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
    assert_eq!(kiosk.audit_actions().last().map(String::as_str), Some("diagnostics.leave"));
}
