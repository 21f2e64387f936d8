//! Helpers shared by the GUI tests: a fixed clock, the bundled font, and snapshot
//! comparison against committed PNGs.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use iced::{Settings, Size};
use iced_test::Simulator;
use kiosk::app::{App, Message};
use kiosk::fonts;

/// The time every GUI test runs at, so the clock in the status bar is stable.
pub fn fixed_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 30, 0).unwrap()
}

/// Simulator settings with the kiosk's bundled font as the default.
pub fn settings() -> Settings {
    Settings {
        fonts: vec![fonts::CJK_FONT_BYTES.into()],
        default_font: fonts::DEFAULT,
        ..Settings::default()
    }
}

/// A simulator over the app's current view.
pub fn simulator(app: &App, size: Size) -> Simulator<'_, Message> {
    Simulator::with_size(settings(), size, app.view())
}

/// Clicks the widget showing `label` and feeds the resulting messages back into the app.
pub fn click(app: &mut App, size: Size, label: &str) {
    let mut ui = simulator(app, size);
    ui.click(label).unwrap_or_else(|e| panic!("cannot click {label:?}: {e:?}"));
    let messages: Vec<Message> = ui.into_messages().collect();
    assert!(!messages.is_empty(), "clicking {label:?} produced no message");
    for message in messages {
        let _ = app.update(message);
    }
}

/// The committed snapshot folder.
pub fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Renders the app and compares it with `tests/snapshots/<name>-tiny-skia.png`.
///
/// A missing snapshot is a failure, unless `KIOSK_UPDATE_SNAPSHOTS=1` asks to (re)write
/// it; a mismatch writes the new rendering beside it as `<name>-tiny-skia.new.png`.
pub fn assert_snapshot(app: &App, size: Size, name: &str) {
    let path = snapshot_dir().join(format!("{name}.png"));
    let committed = snapshot_dir().join(format!("{name}-tiny-skia.png"));
    let update = std::env::var_os("KIOSK_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    if update && committed.exists() {
        std::fs::remove_file(&committed).unwrap();
    }
    assert!(
        update || committed.exists(),
        "snapshot {} is missing; run with KIOSK_UPDATE_SNAPSHOTS=1 to create it",
        committed.display()
    );
    let mut ui = simulator(app, size);
    let snapshot = ui.snapshot(&app.theme()).expect("render snapshot");
    if !snapshot.matches_image(&path).expect("compare snapshot") {
        let new = snapshot_dir().join(format!("{name}-tiny-skia.new.png"));
        let _ = std::fs::remove_file(&new);
        let _ = snapshot.matches_image(snapshot_dir().join(format!("{name}.new.png")));
        panic!("{name} differs from {}; the new rendering is {}", committed.display(), new.display());
    }
}

/// Carries out a task, feeding every message it produces back into the app (and their
/// tasks in turn) until all is quiet.
pub async fn run(app: &mut App, task: iced::Task<Message>) {
    use iced::futures::StreamExt;
    let mut queue = std::collections::VecDeque::new();
    let mut task = Some(task);
    loop {
        if let Some(mut stream) = task.take().and_then(iced_runtime::task::into_stream) {
            while let Some(action) = stream.next().await {
                if let iced_runtime::Action::Output(next) = action {
                    queue.push_back(next);
                }
            }
        }
        match queue.pop_front() {
            Some(message) => task = Some(app.update(message)),
            None => return,
        }
    }
}

/// Feeds one message and everything it leads to.
pub async fn drive(app: &mut App, message: Message) {
    let task = app.update(message);
    run(app, task).await;
}

/// Taps the widget showing `label` on a screen of `size`, and carries out what follows.
pub async fn tap(app: &mut App, size: Size, label: &str) {
    let messages: Vec<Message> = {
        let mut ui = simulator(app, size);
        ui.click(label).unwrap_or_else(|e| panic!("cannot tap {label:?}: {e:?}"));
        ui.into_messages().collect()
    };
    assert!(!messages.is_empty(), "tapping {label:?} did nothing");
    for message in messages {
        drive(app, message).await;
    }
}

/// The ILS emulator over the demo catalog, on `clock`, with the demo's login, and a free
/// loopback port for it (not yet served: a test may leave nothing listening there).
pub async fn emulator(
    clock: fn() -> NaiveDateTime,
) -> (std::sync::Arc<kiosk_core::ils::emulator::Emulator>, tokio::net::TcpListener) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emulator = std::sync::Arc::new(kiosk_core::ils::emulator::Emulator::new(
        kiosk_core::store::catalog::CatalogStore::in_memory(clock()).unwrap(),
        Box::new(clock),
        ("kiosk".into(), "kiosk".into()),
        "WCP".into(),
    ));
    (emulator, listener)
}
