//! The GUI shell: home screen per role, language switch, status bar, accessibility toggles.

mod common;

use std::sync::Arc;

use common::{assert_snapshot, click, fixed_now, simulator};
use iced::Size;
use kiosk::app::{App, Overrides, Services};
use kiosk_core::Config;
use kiosk_core::config::{Language, Role};

const DESKTOP: Size = Size { width: 1280.0, height: 800.0 };

fn app_with(role: Role, language: Language) -> App {
    let mut config = Config::default();
    config.terminal.role = role;
    App::new(
        Arc::new(config),
        &Overrides { language: Some(language), fullscreen: None },
        Services::default(),
        fixed_now(),
    )
}

#[test]
fn home_shows_every_service_of_the_role_in_chinese() {
    let app = app_with(Role::Both, Language::ZhCn);
    let mut ui = simulator(&app, DESKTOP);
    for label in ["借书", "还书", "我的借阅", "驿站签到", "10:30", "English", "▲ 演示模式"]
    {
        assert!(ui.find(label).is_ok(), "{label} is missing");
    }
}

#[test]
fn library_role_has_no_station_tile() {
    let app = app_with(Role::Library, Language::En);
    let mut ui = simulator(&app, DESKTOP);
    assert!(ui.find("Borrow").is_ok());
    assert!(ui.find("Rest station").is_err());
}

#[test]
fn a_station_terminal_opens_at_the_station() {
    let mut app = app_with(Role::Station, Language::En);
    let _ = app.start();
    assert_eq!(app.screen(), &kiosk::app::Screen::Station);
    let mut ui = simulator(&app, DESKTOP);
    assert!(ui.find("Welcome to the rest station").is_ok());
    assert!(ui.find("Courier").is_ok());
    assert!(ui.find("Borrow").is_err());
}

#[test]
fn language_switch_goes_both_ways() {
    let mut app = app_with(Role::Both, Language::ZhCn);
    click(&mut app, DESKTOP, "English");
    assert_eq!(app.language(), Language::En);
    assert!(simulator(&app, DESKTOP).find("Borrow").is_ok());
    click(&mut app, DESKTOP, "中文");
    assert_eq!(app.language(), Language::ZhCn);
}

#[test]
fn accessibility_toggles_change_the_rendering() {
    let mut app = app_with(Role::Both, Language::En);
    let before = simulator(&app, DESKTOP).snapshot(&app.theme()).unwrap();
    click(&mut app, DESKTOP, "High contrast");
    let after = simulator(&app, DESKTOP).snapshot(&app.theme()).unwrap();
    assert!(!snapshots_equal(&before, &after), "high contrast must change the picture");
    click(&mut app, DESKTOP, "Large text");
    let large = simulator(&app, DESKTOP).snapshot(&app.theme()).unwrap();
    assert!(!snapshots_equal(&after, &large), "large text must change the picture");
}

fn snapshots_equal(a: &iced_test::simulator::Snapshot, b: &iced_test::simulator::Snapshot) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.png");
    a.matches_image(&path).unwrap();
    b.matches_image(&path).unwrap()
}

#[test]
fn snapshot_home_zh_cn() {
    assert_snapshot(&app_with(Role::Both, Language::ZhCn), DESKTOP, "home-zh-CN-1280x800");
    let compact = Size { width: 1024.0, height: 600.0 };
    let portrait = Size { width: 1080.0, height: 1920.0 };
    assert_snapshot(&app_with(Role::Both, Language::ZhCn), compact, "home-zh-CN-1024x600");
    assert_snapshot(&app_with(Role::Both, Language::ZhCn), portrait, "home-zh-CN-1080x1920");
}

#[test]
fn snapshot_home_en() {
    assert_snapshot(&app_with(Role::Both, Language::En), DESKTOP, "home-en-1280x800");
}

#[test]
fn status_bar_follows_the_sync_worker() {
    use kiosk::app::Message;
    use kiosk::runtime::sync::{IlsHealth, SyncStatus};
    use kiosk::widgets::status_bar::Network;
    use kiosk_core::store::JournalCounts;

    let mut app = app_with(Role::Library, Language::En);
    assert_eq!(app.network(), Network::Connecting);
    let _ = app.update(Message::Sync(SyncStatus {
        health: IlsHealth::Offline { reason: "connection refused".into() },
        counts: JournalCounts { pending: 3, in_flight: 0, rejected: 1 },
        report: None,
        next_in: std::time::Duration::from_secs(2),
    }));
    assert_eq!(app.network(), Network::Offline);
    {
        let mut ui = simulator(&app, DESKTOP);
        assert!(ui.find("3 transactions waiting to be sent").is_ok());
    }
    let _ = app.update(Message::Sync(SyncStatus {
        health: IlsHealth::Online { round_trip: std::time::Duration::from_millis(4) },
        counts: JournalCounts { pending: 0, in_flight: 0, rejected: 1 },
        report: None,
        next_in: std::time::Duration::from_secs(60),
    }));
    assert_eq!(app.network(), Network::Online);
    let mut ui = simulator(&app, DESKTOP);
    assert!(ui.find("3 transactions waiting to be sent").is_err());
}

#[test]
fn idle_home_shows_the_attract_screen_and_a_touch_wakes_it() {
    use kiosk::app::{Message, Screen};

    let mut app = app_with(Role::Library, Language::ZhCn);
    let _ = app.update(Message::Tick(fixed_now() + chrono::Duration::minutes(1)));
    assert_eq!(app.screen(), &Screen::Home);
    let _ = app.update(Message::Tick(fixed_now() + chrono::Duration::minutes(3)));
    assert_eq!(app.screen(), &Screen::Attract);
    {
        let mut ui = simulator(&app, DESKTOP);
        for words in ["自助借还机", "Self-service library", "刷读者证借书，把书放在感应区还书"]
        {
            assert!(ui.find(words).is_ok(), "{words} is missing");
        }
    }
    assert_snapshot(&app, DESKTOP, "attract-zh-CN-1280x800");
    let _ = app.update(Message::Bar(kiosk::widgets::status_bar::BarMessage::ToggleLanguage));
    assert_snapshot(&app, DESKTOP, "attract-en-1280x800");
    click(&mut app, DESKTOP, "请触摸屏幕开始 · Touch the screen to start");
    assert_eq!(app.screen(), &Screen::Home);
}
