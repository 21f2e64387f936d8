//! Whole library visits through the GUI: simulated scans and taps on the iced simulator,
//! against the ILS emulator over loopback, with the demo's simulated printer.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use common::{assert_snapshot, fixed_now, simulator};
use iced::Size;
use kiosk::app::{App, Message, Overrides, Screen, Services};
use kiosk::runtime::circulation::Circulation;
use kiosk::runtime::devices::Devices;
use kiosk::screens::visit::Printing;
use kiosk_core::Config;
use kiosk_core::circulation::session::{LineState, Phase};
use kiosk_core::config::Language;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::Store;
use kiosk_hardware::barcode::Symbology;
use kiosk_hardware::device::Event;
use kiosk_sip2::client::Client;
use kiosk_sip2::server::{ServerConfig, serve};

const DESKTOP: Size = Size { width: 1280.0, height: 800.0 };
const COMPACT: Size = Size { width: 1024.0, height: 600.0 };
const PORTRAIT: Size = Size { width: 1080.0, height: 1920.0 };
const ZHANG_WEI: &str = "20234000000019";

fn emulator_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
}

struct Kiosk {
    app: App,
    devices: Devices,
    size: Size,
    emulator: Arc<Emulator>,
    _dir: tempfile::TempDir,
}

impl Kiosk {
    /// A kiosk with the emulator on loopback (or nothing listening when `online` is
    /// false) and the demo's simulated devices.
    async fn start(language: Language, online: bool) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let (emulator, listener) = common::emulator(emulator_now).await;
        let port = listener.local_addr().unwrap().port();
        if online {
            tokio::spawn(serve(
                listener,
                emulator.clone(),
                ServerConfig::default(),
                None,
                std::future::pending(),
            ));
        } else {
            drop(listener);
        }
        let mut config = Config::default();
        config.storage.data_dir = Some(dir.path().to_path_buf());
        let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
        client.connect_timeout = Duration::from_millis(500);
        let circulation = Circulation::new(&config, Store::open_in(dir.path()).unwrap(), Client::new(client));
        let devices = Devices::start(kiosk::runtime::devices::specs(&config, dir.path()).unwrap());
        let services = Services {
            devices: Some(devices.clone()),
            sync: None,
            circulation: Some(Arc::new(tokio::sync::Mutex::new(circulation))),
            clock: Some(emulator_now),
            ..Services::default()
        };
        let app = App::new(
            Arc::new(config),
            &Overrides { language: Some(language), fullscreen: None },
            services,
            fixed_now(),
        );
        Kiosk { app, devices, size: DESKTOP, emulator, _dir: dir }
    }

    /// Feeds a message and every message its tasks produce, until all is quiet.
    async fn drive(&mut self, message: Message) {
        common::drive(&mut self.app, message).await;
    }

    async fn tap(&mut self, label: &str) {
        common::tap(&mut self.app, self.size, label).await;
    }

    async fn scan(&mut self, code: &str) {
        let event =
            Event::Scan { device: "scanner".into(), symbology: Symbology::Unknown, text: code.into() };
        self.drive(Message::Device(event)).await;
    }

    /// Snapshots the screen at 1280×800 in both languages (`<screen>-zh-CN-…`, `<screen>-en-…`).
    async fn snap(&mut self, screen: &str) {
        for _ in 0..2 {
            let language = match self.app.language() {
                Language::ZhCn => "zh-CN",
                Language::En => "en",
            };
            assert_snapshot(&self.app, DESKTOP, &format!("{screen}-{language}-1280x800"));
            self.drive(Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLanguage)).await;
        }
    }

    fn shows(&self, words: &str) -> bool {
        simulator(&self.app, self.size).find(words).is_ok()
    }

    fn phase(&self) -> Phase {
        self.app.visit().expect("a visit").session.phase()
    }

    fn on_loan_to(&self, item: &str) -> Option<String> {
        self.emulator.store().loans().unwrap().into_iter().find(|(i, _)| i == item).map(|(_, p)| p)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn borrow_three_books_with_a_receipt() {
    let mut kiosk = Kiosk::start(Language::ZhCn, true).await;
    kiosk.tap("借书").await;
    assert!(kiosk.shows("请扫描读者证或电子读者证二维码"));
    kiosk.snap("identify").await;
    kiosk.tap("输入读者证号").await;
    for digit in ZHANG_WEI.chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("确定").await;
    assert!(kiosk.shows("请输入密码"));
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    assert!(kiosk.shows("●●●●"), "the PIN is masked");
    kiosk.snap("pin").await;
    kiosk.tap("确定").await;
    assert_eq!(kiosk.phase(), Phase::Ready);
    assert!(kiosk.shows("您好，张*"));

    let books = ["30234000000041", "30234000000058", "30234000000074"];
    for book in books {
        kiosk.scan(book).await;
    }
    let visit = kiosk.app.visit().unwrap();
    assert_eq!(visit.session.lines().len(), 3);
    for line in visit.session.lines() {
        assert!(matches!(line.state, LineState::Loaned { queued: false, .. }), "{line:?}");
    }
    assert!(kiosk.shows("借书成功，应还 2026-08-14"));
    kiosk.snap("borrow").await;
    let large_text = Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLargeText);
    kiosk.drive(large_text.clone()).await;
    assert_snapshot(&kiosk.app, DESKTOP, "borrow-large-text-zh-CN-1280x800");
    kiosk.drive(large_text).await;
    kiosk.tap("▲ 收起演示托盘").await;
    assert_snapshot(&kiosk.app, COMPACT, "borrow-zh-CN-1024x600");
    assert_snapshot(&kiosk.app, PORTRAIT, "borrow-zh-CN-1080x1920");

    kiosk.tap("完成").await;
    assert!(kiosk.shows("需要打印借还凭条吗？"));
    kiosk.snap("receipt-question").await;
    kiosk.tap("打印凭条").await;
    assert_eq!(kiosk.app.visit().unwrap().printing, Some(Printing::Done));
    assert!(kiosk.shows("请取走您的凭条"));
    kiosk.snap("goodbye").await;
    for book in books {
        assert_eq!(kiosk.on_loan_to(book).as_deref(), Some(ZHANG_WEI));
    }
    kiosk.tap("返回首页").await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanned_book_at_home_starts_a_return_and_calls_out_the_hold() {
    let mut kiosk = Kiosk::start(Language::En, true).await;
    kiosk.scan("30234000000025").await;
    assert_eq!(kiosk.app.screen(), &Screen::Visit);
    assert!(kiosk.shows("Returned: put it on the hold shelf (周*)"));
    kiosk.scan("30234000000033").await;
    assert!(kiosk.shows("Returned: put it in the transit bin (to CENTRAL)"));
    assert_eq!(kiosk.on_loan_to("30234000000025"), None);
    kiosk.snap("return").await;
    kiosk.tap("Done").await;
    kiosk.tap("No, thanks").await;
    assert_eq!(kiosk.phase(), Phase::Ended(kiosk_core::circulation::session::EndReason::Finished));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pin_three_times_and_a_blocked_patron() {
    let mut kiosk = Kiosk::start(Language::En, true).await;
    kiosk.scan(ZHANG_WEI).await;
    for attempt in 1..=3 {
        for digit in "9999".chars() {
            kiosk.tap(&digit.to_string()).await;
        }
        kiosk.tap("OK").await;
        if attempt < 3 {
            assert!(
                kiosk.shows(&format!(
                    "Wrong PIN. {}",
                    if attempt == 1 { "2 tries left" } else { "1 try left" }
                ))
            );
        }
    }
    assert!(kiosk.shows("Too many wrong PINs. Please ask staff at the desk."));
    kiosk.tap("Back to start").await;

    kiosk.scan("20234000000068").await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("OK").await;
    assert!(kiosk.shows("Borrowing is suspended on your card. Please ask staff at the desk."));
    kiosk.scan("30234000000017").await;
    assert!(kiosk.shows("Not borrowed: your card cannot borrow right now"));
    kiosk.snap("blocked").await;
    assert_eq!(kiosk.on_loan_to("30234000000017"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_returns_and_loans_are_recorded_for_later() {
    use kiosk::runtime::sync::{IlsHealth, SyncStatus};

    let mut kiosk = Kiosk::start(Language::ZhCn, false).await;
    kiosk
        .drive(Message::Sync(SyncStatus {
            health: IlsHealth::Offline { reason: "connection refused".into() },
            counts: Default::default(),
            report: None,
            next_in: Duration::from_secs(2),
        }))
        .await;
    assert!(kiosk.shows("图书馆系统暂时连不上。还书照常办理；借书会先记录在本机，联网后自动发送。"));

    kiosk.scan("30234000001064").await;
    assert!(kiosk.shows("还书成功 · 已记录，联网后发送"));
    kiosk.tap("完成").await;
    kiosk.tap("不需要").await;
    kiosk.tap("返回首页").await;

    kiosk.scan(ZHANG_WEI).await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("确定").await;
    assert_eq!(kiosk.phase(), Phase::Ready);
    assert!(kiosk.shows(
        "离线借书（读者证 ****0019）：暂时无法查询您的账户。每位读者最多可借 5 本，借期 30 天，记录会在联网后发送到图书馆系统。"
    ));
    kiosk.scan("30234000000017").await;
    let line = &kiosk.app.visit().unwrap().session.lines()[0];
    assert!(matches!(line.state, LineState::Loaned { queued: true, due: Some(_), .. }), "{line:?}");
    assert_eq!(kiosk.on_loan_to("30234000000017"), None, "nothing reached the library system yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_visit_warns_then_ends() {
    let mut kiosk = Kiosk::start(Language::En, true).await;
    kiosk.tap("Return").await;
    let later = |seconds| emulator_now() + chrono::Duration::seconds(seconds);
    kiosk.drive(Message::Second(later(75))).await;
    assert!(kiosk.shows("I need more time"));
    kiosk.tap("I need more time").await;
    assert!(!kiosk.shows("I need more time"));
    kiosk.drive(Message::Second(later(200))).await;
    assert!(kiosk.shows("The session ended because nothing happened for a while."));
    kiosk.drive(Message::Second(later(300))).await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_list_pages_on_a_small_screen() {
    let mut kiosk = Kiosk::start(Language::En, true).await;
    kiosk.size = COMPACT;
    kiosk.tap("▲ Hide demo tray").await;
    kiosk.scan(ZHANG_WEI).await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("OK").await;
    let books = [
        "30234000000017",
        "30234000000041",
        "30234000000074",
        "30234000000082",
        "30234000000108",
        "30234000000116",
        "30234000000124",
    ];
    for book in books {
        kiosk.scan(book).await;
    }
    assert_eq!(kiosk.app.visit().unwrap().session.lines().len(), 7);
    // The newest line is on screen; the first is a page back.
    assert!(kiosk.shows("7. 围城"), "the newest line follows the scan");
    assert!(!kiosk.shows("1. 活着"));
    assert_snapshot(&kiosk.app, COMPACT, "borrow-paged-en-1024x600");
    while !kiosk.shows("1. 活着") {
        kiosk.tap("Previous").await;
    }
    assert!(!kiosk.shows("7. 围城"));
    kiosk.tap("Next").await;
    assert!(kiosk.shows("Next") && kiosk.shows("Previous"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_account_lists_loans_and_renews_the_selected_one() {
    let mut kiosk = Kiosk::start(Language::En, true).await;
    kiosk.tap("My account").await;
    kiosk.scan(ZHANG_WEI).await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("OK").await;
    let patron = kiosk.app.visit().unwrap().session.patron().unwrap().clone();
    let [loan] = &patron.loans_detail[..] else { panic!("{:?}", patron.loans_detail) };
    assert_eq!(loan.barcode, "30234000001064");
    let title = loan.title.clone().expect("the emulator names the book");
    let due = loan.due.expect("and its due date");
    assert!(!loan.overdue);
    assert!(kiosk.shows(&format!("Due {}", due.format("%Y-%m-%d"))));
    assert!(!kiosk.shows("Renew selected (1)"));
    kiosk.tap(&title).await;
    kiosk.snap("account").await;
    kiosk.tap("Renew selected (1)").await;
    let line = &kiosk.app.visit().unwrap().session.lines()[0];
    let LineState::Renewed { due: Some(renewed) } = line.state else { panic!("{line:?}") };
    assert!(renewed > due, "the new due date is later");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_loans_are_highlighted() {
    let mut kiosk = Kiosk::start(Language::ZhCn, true).await;
    kiosk.tap("我的借阅").await;
    kiosk.scan("20234000000126").await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("确定").await;
    let patron = kiosk.app.visit().unwrap().session.patron().unwrap().clone();
    let overdue: Vec<_> = patron.loans_detail.iter().filter(|loan| loan.overdue).collect();
    assert!(!overdue.is_empty(), "{:?}", patron.loans_detail);
    let due = overdue[0].due.unwrap().format("%Y-%m-%d");
    assert!(kiosk.shows(&format!("已过期 · 应还 {due}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_paper_shows_the_summary_and_a_qr_code_instead() {
    use kiosk_hardware::device::{Command, DeviceKind};
    use kiosk_hardware::escpos::PaperStatus;

    let mut kiosk = Kiosk::start(Language::ZhCn, true).await;
    let printer = kiosk.devices.supervisor.handle(DeviceKind::Printer).unwrap().clone();
    assert!(printer.send(Command::SetPaper(PaperStatus::Out)));
    kiosk.scan(ZHANG_WEI).await;
    for digit in "1234".chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("确定").await;
    kiosk.scan("30234000000017").await;
    kiosk.tap("完成").await;
    kiosk.tap("打印凭条").await;
    let visit = kiosk.app.visit().unwrap();
    assert!(matches!(visit.printing, Some(Printing::Failed(_))), "{:?}", visit.printing);
    assert!(visit.receipt_qr.is_some());
    assert!(kiosk.shows("打印机暂时不能打印。以下是本次办理的记录；需要凭条请到服务台。"));
    assert!(kiosk.shows("用手机扫码保存记录"));
    assert!(kiosk.shows("1. 活着"));
    kiosk.snap("print-failed").await;
}
