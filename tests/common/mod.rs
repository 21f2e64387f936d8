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
