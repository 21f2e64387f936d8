//! The rest station through the GUI: anonymous check-in with services, card check-in and
//! check-out by scanning, check-out by tap, a full station, screens returning to the
//! welcome by themselves — against a real SQLite store, with snapshots of every screen.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{NaiveDate, NaiveDateTime};
use common::{assert_snapshot, simulator};
use iced::Size;
use kiosk::app::{App, Message, Overrides, Screen, Services};
use kiosk::screens::station::Step;
use kiosk_core::Config;
use kiosk_core::config::{Language, Role};
use kiosk_core::store::{CheckoutMethod, Store};
use kiosk_hardware::barcode::Symbology;
use kiosk_hardware::device::Event;

const DESKTOP: Size = Size { width: 1280.0, height: 800.0 };
const COMPACT: Size = Size { width: 1024.0, height: 600.0 };
const UNION_CARD: &str = "GH3201000088";

fn base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(12, 0, 0).unwrap()
}

/// One clock per test (tests run in parallel): the base time plus a number of seconds.
macro_rules! clock {
    ($offset:ident, $clock:ident) => {
        static $offset: AtomicI64 = AtomicI64::new(0);
        fn $clock() -> NaiveDateTime {
            base() + chrono::Duration::seconds($offset.load(Ordering::SeqCst))
        }
    };
}

clock!(ANONYMOUS, anonymous_clock);
clock!(CARD, card_clock);
clock!(FULL, full_clock);
clock!(STATS, stats_clock);
clock!(SUMMARY, summary_clock);
clock!(AFTER_DIAG, after_diag_clock);
clock!(STATION_DIAG, station_diag_clock);

struct Kiosk {
    app: App,
    clock: fn() -> NaiveDateTime,
    offset: &'static AtomicI64,
    dir: tempfile::TempDir,
}

impl Kiosk {
    async fn start(
        role: Role,
        capacity: u32,
        clock: fn() -> NaiveDateTime,
        offset: &'static AtomicI64,
    ) -> Kiosk {
        Kiosk::start_with(role, capacity, clock, offset, |_| {}, false).await
    }

    async fn start_with(
        role: Role,
        capacity: u32,
        clock: fn() -> NaiveDateTime,
        offset: &'static AtomicI64,
        adjust: impl FnOnce(&mut Config),
        devices: bool,
    ) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.terminal.role = role;
        config.storage.data_dir = Some(dir.path().to_path_buf());
        config.station.capacity = capacity;
        config.station.wifi_name = "WCP-Guest".into();
        config.station.wifi_password = "rest2026".into();
        adjust(&mut config);
        let devices = devices.then(|| {
            kiosk::runtime::devices::Devices::start(
                kiosk::runtime::devices::specs(&config, dir.path()).unwrap(),
            )
        });
        let services = Services { clock: Some(clock), devices, ..Services::default() };
        let app = App::new(
            Arc::new(config),
            &Overrides { language: Some(Language::ZhCn), fullscreen: None },
            services,
            clock(),
        );
        let mut kiosk = Kiosk { app, clock, offset, dir };
        let task = kiosk.app.start();
        kiosk.run(task).await;
        kiosk
    }

    async fn run(&mut self, task: iced::Task<Message>) {
        common::run(&mut self.app, task).await;
    }

    async fn drive(&mut self, message: Message) {
        common::drive(&mut self.app, message).await;
    }

    async fn tap(&mut self, label: &str) {
        common::tap(&mut self.app, DESKTOP, label).await;
    }

    async fn scan(&mut self, code: &str) {
        let event =
            Event::Scan { device: "scanner".into(), symbology: Symbology::Unknown, text: code.into() };
        self.drive(Message::Device(event)).await;
    }

    async fn later(&mut self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
        let now = (self.clock)();
        self.drive(Message::Second(now)).await;
    }

    async fn snap(&mut self, screen: &str) {
        for language in ["zh-CN", "en"] {
            assert_snapshot(&self.app, DESKTOP, &format!("{screen}-{language}-1280x800"));
            self.drive(Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLanguage)).await;
        }
    }

    fn shows(&self, words: &str) -> bool {
        simulator(&self.app, DESKTOP).find(words).is_ok()
    }

    fn step(&self) -> Step {
        self.app.station().expect("the station's screens").step.clone()
    }

    fn store(&self) -> Store {
        Store::open_in(self.dir.path()).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_check_in_with_services_and_check_out_by_tap() {
    let mut kiosk = Kiosk::start(Role::Station, 20, anonymous_clock, &ANONYMOUS).await;
    assert_eq!(kiosk.app.screen(), &Screen::Station);
    assert!(kiosk.shows("在站 0 / 20 人"));
    kiosk.snap("station-welcome").await;
    kiosk.tap("▲ 收起演示托盘").await;
    assert_snapshot(&kiosk.app, COMPACT, "station-welcome-zh-CN-1024x600");
    kiosk.tap("▲ 演示托盘").await;
    let large_text = Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLargeText);
    kiosk.drive(large_text.clone()).await;
    assert!(kiosk.shows("快递员"), "large text keeps every trade on screen");
    assert_snapshot(&kiosk.app, DESKTOP, "station-welcome-large-text-zh-CN-1280x800");
    kiosk.drive(large_text).await;

    kiosk.tap("快递员").await;
    kiosk.tap("饮水").await;
    kiosk.tap("手机充电").await;
    assert!(kiosk.shows("√ 饮水"), "a ticked service says so in words, not only in colour");
    kiosk.snap("station-services").await;
    kiosk.tap("签到").await;
    assert!(matches!(kiosk.step(), Step::CheckedIn { earlier_visits: 0, .. }));
    assert!(kiosk.shows("无线网络：WCP-Guest · 密码 rest2026"));
    kiosk.snap("station-checked-in").await;
    let open = kiosk.store().visits_open().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].trade.as_str(), open[0].card_hash.as_deref()), ("courier", None));
    assert_eq!(open[0].services, ["water", "charging"]);

    // The confirmation returns to the welcome by itself.
    kiosk.later(11).await;
    assert_eq!(kiosk.step(), Step::Welcome { card: None });
    assert!(kiosk.shows("在站 1 / 20 人"));

    kiosk.offset.fetch_add(35 * 60, Ordering::SeqCst);
    kiosk.tap("签退").await;
    assert!(kiosk.shows("12:00 签到"));
    kiosk.snap("station-check-out").await;
    kiosk.tap("是我").await;
    assert_eq!(kiosk.step(), Step::Goodbye { minutes: 35 });
    assert!(kiosk.shows("您休息了 35 分钟。出门注意安全！"));
    kiosk.snap("station-goodbye").await;
    let visit = &kiosk.store().visits_all().unwrap()[0];
    assert_eq!(visit.checkout_method, Some(CheckoutMethod::Tap));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_union_card_checks_in_and_out_and_is_known_next_time() {
    let mut kiosk = Kiosk::start(Role::Both, 20, card_clock, &CARD).await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
    // At the home screen of a kiosk that is both, a union card goes to the station.
    kiosk.scan(UNION_CARD).await;
    assert_eq!(kiosk.app.screen(), &Screen::Station);
    assert!(kiosk.shows("已读卡"), "{:?}", kiosk.app.station().map(|s| (s.step.clone(), s.failed)));
    kiosk.tap("外卖骑手").await;
    assert!(kiosk.shows("可多选，也可不选，然后点“签到”。 已读取您的卡。"));
    kiosk.tap("微波炉").await;
    kiosk.tap("签到").await;
    assert!(kiosk.shows("借本书看看"), "a kiosk that is both offers borrowing");
    let visits = kiosk.store().visits_open().unwrap();
    let hash = visits[0].card_hash.clone().expect("a card visit");
    assert!(!hash.contains("3201000088"), "the number is not stored");

    kiosk.offset.fetch_add(50 * 60, Ordering::SeqCst);
    kiosk.later(0).await;
    kiosk.scan(UNION_CARD).await;
    assert_eq!(kiosk.step(), Step::Goodbye { minutes: 50 });
    let visit = &kiosk.store().visits_all().unwrap()[0];
    assert_eq!(visit.checkout_method, Some(CheckoutMethod::Scan));

    kiosk.later(20).await;
    kiosk.scan(UNION_CARD).await;
    assert!(kiosk.shows("欢迎回来（第 2 次）"));
    assert_snapshot(&kiosk.app, DESKTOP, "station-welcome-card-zh-CN-1280x800");
    kiosk.tap("外卖骑手").await;
    kiosk.tap("签到").await;
    assert!(kiosk.shows("欢迎回来，外卖骑手朋友！这是您第 2 次来。"));
    kiosk.tap("借本书看看").await;
    assert_eq!(kiosk.app.screen(), &Screen::Visit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_station_says_so_and_still_lets_people_leave() {
    let mut kiosk = Kiosk::start(Role::Station, 2, full_clock, &FULL).await;
    for trade in ["环卫工人", "交通警察"] {
        kiosk.tap(trade).await;
        kiosk.tap("签到").await;
        kiosk.tap("好的").await;
    }
    assert!(kiosk.shows("已满 2 / 2 人"));
    kiosk.tap("快递员").await;
    assert_eq!(kiosk.step(), Step::Full);
    kiosk.snap("station-full").await;
    assert_eq!(kiosk.store().visits_open().unwrap().len(), 2, "nobody was added");
    kiosk.scan("GH3201000131").await;
    assert_eq!(kiosk.step(), Step::Full, "a card is turned away too");
    kiosk.tap("签退").await;
    kiosk.tap("是我").await;
    assert!(matches!(kiosk.step(), Step::Goodbye { .. }));
    kiosk.later(11).await;
    assert!(kiosk.shows("在站 1 / 2 人"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_statistics_in_diagnostics() {
    let mut kiosk = Kiosk::start(Role::Station, 20, stats_clock, &STATS).await;
    // A morning and a lunch rush: four check-ins, one card twice.
    for (minutes, trade, service) in [
        (0, "快递员", "饮水"),
        (20, "外卖骑手", "手机充电"),
        (65, "快递员", "微波炉"),
        (70, "环卫工人", "饮水"),
    ] {
        STATS.store(minutes * 60, Ordering::SeqCst);
        kiosk.tap(trade).await;
        kiosk.tap(service).await;
        kiosk.tap("签到").await;
        kiosk.tap("好的").await;
    }
    kiosk.scan(UNION_CARD).await;
    kiosk.tap("交通警察").await;
    kiosk.tap("签到").await;
    STATS.store(100 * 60, Ordering::SeqCst);
    kiosk.scan(UNION_CARD).await;
    kiosk.later(15).await;
    kiosk.scan(UNION_CARD).await;
    kiosk.tap("交通警察").await;
    kiosk.tap("签到").await;
    kiosk.tap("好的").await;

    // The demo's technician card opens diagnostics; the statistics are a tab there.
    kiosk.scan(kiosk::screens::diag::DEMO_TECHNICIAN_CARD).await;
    for digit in kiosk::screens::diag::DEMO_TECHNICIAN_PIN.chars() {
        kiosk.tap(&digit.to_string()).await;
    }
    kiosk.tap("确定").await;
    kiosk.tap("驿站统计").await;
    let diag = kiosk.app.diagnostics().unwrap();
    let (today, month) = diag.station_stats.as_deref().expect("statistics loaded");
    assert_eq!(today.visits, 6);
    assert_eq!((today.distinct_cards, today.repeat_visitors), (1, 1));
    assert_eq!(today.busiest_hours, [13, 12]);
    assert_eq!(month.by_day.len(), 30);
    assert_eq!(month.by_day.last().unwrap().1, 6);
    kiosk.snap("diag-station").await;
    kiosk.tap("本月").await;
    assert_eq!(kiosk.app.diagnostics().unwrap().station_stats.as_deref().unwrap().0.visits, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_summary_prints_once_at_its_time() {
    let mut kiosk = Kiosk::start_with(
        Role::Station,
        20,
        summary_clock,
        &SUMMARY,
        |config| config.station.daily_summary_at = "12:30".into(),
        true,
    )
    .await;
    kiosk.tap("快递员").await;
    kiosk.tap("签到").await;
    let receipts = kiosk.dir.path().join("receipts");
    let printed = || std::fs::read_dir(&receipts).map(|d| d.count()).unwrap_or(0);
    kiosk.drive(Message::Tick(base() + chrono::Duration::minutes(29))).await;
    assert_eq!(printed(), 0, "not before its time");
    for minute in [30, 31, 45] {
        kiosk.drive(Message::Tick(base() + chrono::Duration::minutes(minute))).await;
    }
    assert_eq!(printed(), 1, "once");
    let store = kiosk.store();
    assert_eq!(store.audit_recent(5).unwrap()[0].action, "station.summary");
    assert_eq!(store.audit_recent(5).unwrap()[0].detail, "1 visits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_data_directory_is_said_in_plain_words() {
    // A file where the data directory should be: nothing can be recorded.
    let not_a_directory = tempfile::NamedTempFile::new().unwrap();
    let path = not_a_directory.path().to_path_buf();
    let mut kiosk = Kiosk::start_with(
        Role::Station,
        20,
        anonymous_clock,
        &ANONYMOUS,
        |config| config.storage.data_dir = Some(path),
        false,
    )
    .await;
    assert!(kiosk.app.station().unwrap().failed);
    assert!(kiosk.shows("出了点问题，请再试一次或联系值班人员。"));
    kiosk.tap("快递员").await;
    kiosk.tap("签到").await;
    assert!(kiosk.app.station().unwrap().failed, "the check-in failed and says so");
    assert!(!matches!(kiosk.step(), Step::CheckedIn { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_diagnostics_a_borrowing_visit_keeps_its_own_timer() {
    let mut kiosk = Kiosk::start(Role::Both, 20, after_diag_clock, &AFTER_DIAG).await;
    kiosk.scan("GH3201000131").await;
    assert_eq!(kiosk.app.screen(), &Screen::Station);
    kiosk.scan(kiosk::screens::diag::DEMO_TECHNICIAN_CARD).await;
    assert_eq!(kiosk.app.screen(), &Screen::Diagnostics);
    assert!(kiosk.app.station().is_none(), "diagnostics replaces the station's screens");
    kiosk.tap("退出诊断").await;
    assert_eq!(kiosk.app.screen(), &Screen::Home);
    kiosk.tap("借书").await;
    assert_eq!(kiosk.app.screen(), &Screen::Visit);
    assert!(kiosk.app.station().is_none());
    // The visit's seconds reach the visit: left alone, it warns and then ends.
    kiosk.later(200).await;
    kiosk.later(200).await;
    assert!(
        matches!(
            kiosk.app.visit().map(|v| v.session.phase()),
            None | Some(kiosk_core::circulation::session::Phase::Ended(_))
        ),
        "the idle visit timed out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_terminal_returns_to_a_loaded_welcome_after_diagnostics() {
    let mut kiosk = Kiosk::start(Role::Station, 20, station_diag_clock, &STATION_DIAG).await;
    kiosk.scan(kiosk::screens::diag::DEMO_TECHNICIAN_CARD).await;
    kiosk.tap("退出诊断").await;
    assert_eq!(kiosk.app.screen(), &Screen::Station);
    assert!(kiosk.app.station().unwrap().occupancy.is_some(), "who is there is loaded again");
}
