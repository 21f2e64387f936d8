//! The diagnostics pages. Technical values (UIDs, hex, SIP2 fields, paths) are shown as
//! they are; labels follow the kiosk's language.

use fluent_bundle::FluentValue;
use iced::widget::{Column, button, column, container, image, row, scrollable, space, text, text_input};
use iced::{Alignment, Color, Element, Length};
use kiosk_core::config::{Config, Language};
use kiosk_core::diagnostics::overview::{bytes, duration};
use kiosk_core::diagnostics::{DeviceHealth, LogLevelFilter, Overview};
use kiosk_core::station::stats::{Count, Period};
use kiosk_core::store::JournalState;
use kiosk_hardware::device::TagReport;

use super::{Diag, Message, Page, Stage, TagAction};
use crate::theme::TOUCH_MIN;
use crate::ui::Ui;
use crate::widgets::banner::view as banner;
use crate::widgets::{big_button, chart, keypad};

/// Ready-made resolution notes (Fluent keys), so a note can be given without a keyboard.
pub const PRESET_NOTES: [&str; 3] = ["diag-note-desk", "diag-note-duplicate", "diag-note-ils-fixed"];

/// Draws diagnostics.
pub fn view<'a>(ui: &Ui<'a>, diag: &'a Diag, config: &'a Config) -> Element<'a, Message> {
    if let Stage::Pin { typed, notice, checking } = &diag.stage {
        return entry(ui, diag, typed, notice.as_deref(), *checking);
    }
    let content = match diag.page {
        Page::Overview => overview_page(ui, diag.overview.as_ref()),
        Page::Scanner => scanner_page(ui, diag),
        Page::Rfid => rfid_page(ui, diag),
        Page::Printer => printer_page(ui, diag),
        Page::Ils => ils_page(ui, diag, config),
        Page::Queue => queue_page(ui, diag),
        Page::Logs => logs_page(ui, diag),
        Page::Config => config_page(ui, config),
        Page::Bundle => bundle_page(ui, diag),
        Page::Station => station_page(ui, diag, config),
    };
    let mut page = column![tabs(ui, diag.page)].spacing(12);
    if let Some(notice) = &diag.notice {
        page = page.push(banner(
            ui,
            notice.text.clone(),
            if notice.ok { ui.look.success } else { ui.look.danger },
        ));
    }
    if diag.busy {
        page = page.push(text(ui.tr("diag-working")).size(ui.sizes.small).color(ui.look.muted));
    }
    container(page.push(content)).padding(16).width(Length::Fill).height(Length::Fill).into()
}

fn entry<'a>(
    ui: &Ui<'a>,
    diag: &'a Diag,
    typed: &str,
    notice: Option<&str>,
    checking: bool,
) -> Element<'a, Message> {
    let mut side = column![
        text(ui.tr("diag-entry-title")).size(ui.sizes.headline),
        text(ui.tr_args("diag-entry-card", &[("card", FluentValue::from(diag.actor.clone()))]))
            .size(ui.sizes.body),
    ]
    .spacing(16)
    .width(Length::Fill);
    if let Some(notice) = notice {
        side = side.push(banner(ui, notice.to_string(), ui.look.danger));
    }
    if checking {
        side = side.push(text(ui.tr("diag-working")).size(ui.sizes.body).color(ui.look.muted));
    }
    side = side.push(big_button::wide(ui, ui.tr("diag-leave"), false, Message::Leave));
    let keys =
        keypad::Keys { digit: Message::Digit, backspace: Message::Backspace, submit: Message::SubmitPin };
    let pad = keypad::view(ui, "●".repeat(typed.chars().count()), ui.tr("keypad-ok"), keys);
    container(row![side, pad].spacing(48).align_y(Alignment::Center))
        .padding(32)
        .center_y(Length::Fill)
        .width(Length::Fill)
        .into()
}

fn tabs<'a>(ui: &Ui<'a>, current: Page) -> Element<'a, Message> {
    let mut tabs = row![].spacing(6).height(Length::Fixed(TOUCH_MIN));
    for page in Page::ALL {
        let label = text(ui.tr(page.label_key())).size(ui.sizes.small).center().width(Length::Fill);
        let tab = button(container(label).center_y(Length::Fill))
            .width(Length::Fill)
            .height(Length::Fill)
            .padding([4, 6])
            .on_press(Message::Show(page));
        tabs = tabs.push(if page == current {
            tab.style(ui.look.primary_button())
        } else {
            tab.style(ui.look.secondary_button())
        });
    }
    let leave =
        button(container(text(ui.tr("diag-leave")).size(ui.sizes.small).center()).center_y(Length::Fill))
            .height(Length::Fill)
            .padding([4, 16])
            .style(ui.look.secondary_button())
            .on_press(Message::Leave);
    tabs.push(leave).into()
}

fn heading<'a, M: 'a>(ui: &Ui<'_>, words: String) -> Element<'a, M> {
    text(words).size(ui.sizes.title).into()
}

/// A label and a value on one line.
fn fact<'a, M: 'a>(ui: &Ui<'_>, label: String, value: String, tone: Option<Color>) -> Element<'a, M> {
    let value = text(value).size(ui.sizes.small);
    row![
        text(label).size(ui.sizes.small).color(ui.look.muted).width(Length::Fixed(ui.sizes.small * 9.0)),
        match tone {
            Some(tone) => value.color(tone),
            None => value,
        }
    ]
    .spacing(12)
    .into()
}

fn small_button<'a>(
    ui: &Ui<'_>,
    label: String,
    primary: bool,
    message: Option<Message>,
) -> Element<'a, Message> {
    let b = button(container(text(label).size(ui.sizes.small).center()).center_y(Length::Fill))
        .height(Length::Fixed(TOUCH_MIN))
        .padding([4, 20]);
    let b = if primary { b.style(ui.look.primary_button()) } else { b.style(ui.look.secondary_button()) };
    match message {
        Some(message) => b.on_press(message),
        None => b,
    }
    .into()
}

fn card<'a>(ui: &Ui<'_>, content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    container(content).padding(14).width(Length::Fill).style(ui.look.card()).into()
}

fn health_tone(ui: &Ui<'_>, health: &DeviceHealth) -> Color {
    match health {
        DeviceHealth::Connected => ui.look.success,
        DeviceHealth::Unknown => ui.look.muted,
        _ => ui.look.danger,
    }
}

fn overview_page<'a>(ui: &Ui<'a>, overview: Option<&Overview>) -> Element<'a, Message> {
    let Some(overview) = overview else { return text(ui.tr("diag-working")).into() };
    let problems = overview.problems();
    let mut page = Column::new().spacing(12);
    if problems.is_empty() {
        page = page.push(banner(ui, ui.tr("diag-all-well"), ui.look.success));
    } else {
        for problem in problems {
            page = page.push(banner(ui, problem, ui.look.danger));
        }
    }
    let mut devices = column![heading(ui, ui.tr("diag-devices"))].spacing(6);
    for device in &overview.devices {
        let mut line = row![
            text(device.name.clone()).size(ui.sizes.body).width(Length::Fixed(ui.sizes.body * 6.0)),
            text(format!("{} · {}", device.driver, device.path))
                .size(ui.sizes.small)
                .width(Length::FillPortion(3)),
            text(device.health.word())
                .size(ui.sizes.small)
                .color(health_tone(ui, &device.health))
                .width(Length::FillPortion(2)),
            text(ui.tr_args(
                "diag-device-counts",
                &[
                    ("errors", FluentValue::from(device.errors)),
                    ("reconnects", FluentValue::from(device.reconnects))
                ]
            ))
            .size(ui.sizes.small)
            .width(Length::FillPortion(3)),
        ]
        .spacing(12)
        .align_y(Alignment::Center);
        if let Some((at, what)) = &device.last_event {
            line = line.push(
                text(format!("{} {what}", at.format("%H:%M:%S")))
                    .size(ui.sizes.small)
                    .width(Length::FillPortion(4)),
            );
        } else {
            line = line.push(space::horizontal().width(Length::FillPortion(4)));
        }
        devices = devices.push(line);
        if let Some((at, why)) = &device.last_error {
            devices = devices.push(
                text(format!("    {} {}", at.format("%m-%d %H:%M:%S"), why))
                    .size(ui.sizes.small)
                    .color(ui.look.muted),
            );
        }
    }
    page = page.push(card(ui, devices));
    let online = match overview.ils.online {
        Some(true) => (ui.tr("diag-online"), ui.look.success),
        Some(false) => (ui.tr("diag-offline"), ui.look.danger),
        None => (ui.tr("diag-unchecked"), ui.look.muted),
    };
    let mut system = column![
        heading(ui, ui.tr("diag-tab-ils")),
        fact(ui, ui.tr("diag-address"), overview.ils.address.clone(), None),
        fact(ui, ui.tr("diag-state"), online.0, Some(online.1)),
    ]
    .spacing(6);
    if let Some(ms) = overview.ils.round_trip_ms {
        system = system.push(fact(ui, ui.tr("diag-round-trip"), format!("{ms} ms"), None));
    }
    if let Some(error) = &overview.ils.last_error {
        system = system.push(fact(ui, ui.tr("diag-last-error"), error.clone(), None));
    }
    let queue = column![
        heading(ui, ui.tr("diag-tab-queue")),
        fact(ui, ui.tr("diag-queue-pending"), overview.queue.pending.to_string(), None),
        fact(ui, ui.tr("diag-queue-in-flight"), overview.queue.in_flight.to_string(), None),
        fact(
            ui,
            ui.tr("diag-queue-rejected"),
            overview.queue.rejected.to_string(),
            (overview.queue.rejected > 0).then_some(ui.look.danger)
        ),
    ]
    .spacing(6);
    let mut machine = column![
        heading(ui, ui.tr("diag-machine")),
        fact(ui, ui.tr("diag-version"), overview.version.clone(), None),
    ]
    .spacing(6);
    if let Some(uptime) = overview.uptime_secs {
        machine = machine.push(fact(ui, ui.tr("diag-uptime"), duration(uptime), None));
    }
    if let Some(disk) = &overview.disk {
        let tone = disk.is_low().then_some(ui.look.danger);
        machine = machine.push(fact(
            ui,
            ui.tr("diag-disk"),
            ui.tr_args(
                "diag-disk-free",
                &[
                    ("free", FluentValue::from(bytes(disk.free_bytes))),
                    ("total", FluentValue::from(bytes(disk.total_bytes))),
                ],
            ),
            tone,
        ));
    }
    page = page.push(row![card(ui, system), card(ui, queue), card(ui, machine)].spacing(12));
    scrollable(page).width(Length::Fill).height(Length::Fill).into()
}

fn scanner_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    let mut page = column![text(ui.tr("diag-scanner-hint")).size(ui.sizes.body)].spacing(8);
    for scan in diag.scans.iter().take(12) {
        let check = &scan.check;
        let tone = if check.kind == "rejected" { ui.look.danger } else { ui.look.success };
        let mut detail = format!("{} · {}", check.symbology, check.kind);
        if let Some(verdict) = &check.check {
            detail.push_str(&format!(" · {verdict}"));
        }
        if let Some(reason) = &check.reason {
            detail.push_str(&format!(" · {reason}"));
        }
        page = page.push(card(
            ui,
            row![
                text(scan.at.format("%H:%M:%S").to_string()).size(ui.sizes.small).color(ui.look.muted),
                text(check.code.clone()).size(ui.sizes.body).width(Length::FillPortion(2)),
                text(detail).size(ui.sizes.small).color(tone).width(Length::FillPortion(3)),
            ]
            .spacing(16)
            .align_y(Alignment::Center),
        ));
    }
    if diag.scans.is_empty() {
        page = page.push(text(ui.tr("diag-scanner-empty")).size(ui.sizes.small).color(ui.look.muted));
    }
    page.into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
}

fn tag_label(tag: &TagReport) -> String {
    match &tag.data {
        Ok(data) if !data.primary_item_id.is_empty() => data.primary_item_id.clone(),
        Ok(data) => data.format.map(|f| f.to_string()).unwrap_or_default(),
        Err(why) => why.clone(),
    }
}

fn rfid_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    if diag.tags.is_empty() {
        return column![text(ui.tr("diag-rfid-empty")).size(ui.sizes.body)].into();
    }
    let mut list = Column::new().spacing(8).width(Length::FillPortion(1));
    for (index, tag) in diag.tags.iter().enumerate() {
        let label = column![
            text(tag.uid.to_string()).size(ui.sizes.small),
            text(tag_label(tag)).size(ui.sizes.small),
        ];
        let b = button(label).width(Length::Fill).padding([8, 12]).on_press(Message::SelectTag(index));
        list = list.push(if index == diag.selected_tag {
            b.style(ui.look.primary_button())
        } else {
            b.style(ui.look.secondary_button())
        });
    }
    let Some(tag) = diag.tags.get(diag.selected_tag) else { return list.into() };
    let yes_no = |value: Option<bool>| match value {
        Some(true) => ui.tr("diag-on"),
        Some(false) => ui.tr("diag-off"),
        None => "?".into(),
    };
    let byte = |value: Option<u8>| value.map_or_else(|| "?".into(), |v| format!("{v:02X}"));
    let mut detail = column![
        fact(ui, "UID".into(), tag.uid.to_string(), None),
        fact(ui, "AFI".into(), byte(tag.afi), None),
        fact(ui, "EAS".into(), yes_no(tag.eas), None),
        fact(ui, "DSFID".into(), byte(tag.dsfid), None),
    ]
    .spacing(4);
    match &tag.data {
        Ok(data) => {
            let format = data.format.map(|f| f.to_string()).unwrap_or_else(|| "?".into());
            detail = detail.push(fact(ui, ui.tr("diag-tag-format"), format, None));
            detail = detail.push(fact(ui, ui.tr("diag-tag-item"), data.primary_item_id.clone(), None));
            if let Some(owner) = &data.owner_institution {
                detail = detail.push(fact(ui, ui.tr("diag-tag-owner"), owner.clone(), None));
            }
            if let Some(set) = data.set {
                detail = detail.push(fact(
                    ui,
                    ui.tr("diag-tag-set"),
                    format!("{} / {}", set.part, set.parts),
                    None,
                ));
            }
            if let Some(usage) = data.usage {
                detail = detail.push(fact(ui, ui.tr("diag-tag-usage"), format!("{:02X}", usage.0), None));
            }
            if let Some(title) = &data.title {
                detail = detail.push(fact(ui, ui.tr("diag-tag-title"), title.clone(), None));
            }
            if let Some(shelf) = &data.shelf_location {
                detail = detail.push(fact(ui, ui.tr("diag-tag-shelf"), shelf.clone(), None));
            }
            for (element, value) in &data.other {
                detail = detail.push(fact(ui, element.clone(), value.clone(), None));
            }
            for warning in &data.warnings {
                detail = detail.push(text(warning.clone()).size(ui.sizes.small).color(ui.look.warning));
            }
        }
        Err(why) => detail = detail.push(text(why.clone()).size(ui.sizes.small).color(ui.look.danger)),
    }
    let mut blocks = Column::new().spacing(2).width(Length::Fill);
    let size = usize::from(tag.block_size.max(1));
    for (index, block) in tag.memory.chunks(size).enumerate() {
        blocks = blocks.push(
            row![
                text(format!("{index:02}"))
                    .size(ui.sizes.small)
                    .color(ui.look.muted)
                    .width(Length::Fixed(ui.sizes.small * 2.0)),
                text(hex(block)).size(ui.sizes.small),
            ]
            .spacing(8),
        );
    }
    let actions: Element<'a, Message> = match &diag.confirm {
        Some(action) => {
            let question = match action {
                TagAction::Secure(uid) => {
                    ui.tr_args("diag-confirm-secure", &[("uid", FluentValue::from(uid.to_string()))])
                }
                TagAction::Unsecure(uid) => {
                    ui.tr_args("diag-confirm-unsecure", &[("uid", FluentValue::from(uid.to_string()))])
                }
                TagAction::Reencode(uid, barcode) => ui.tr_args(
                    "diag-confirm-reencode",
                    &[
                        ("uid", FluentValue::from(uid.to_string())),
                        ("barcode", FluentValue::from(barcode.clone())),
                    ],
                ),
            };
            column![
                banner(ui, question, ui.look.warning),
                row![
                    small_button(
                        ui,
                        ui.tr("diag-confirm-yes"),
                        true,
                        (!diag.busy).then_some(Message::Confirm)
                    ),
                    small_button(ui, ui.tr("diag-cancel"), false, Some(Message::Cancel)),
                ]
                .spacing(12)
            ]
            .spacing(8)
            .into()
        }
        None => column![
            row![
                small_button(ui, ui.tr("diag-secure"), false, Some(Message::Ask(TagAction::Secure(tag.uid)))),
                small_button(
                    ui,
                    ui.tr("diag-unsecure"),
                    false,
                    Some(Message::Ask(TagAction::Unsecure(tag.uid)))
                ),
            ]
            .spacing(12),
            text(ui.tr("diag-reencode-hint")).size(ui.sizes.small).color(ui.look.muted),
        ]
        .spacing(8)
        .into(),
    };
    let inspector = column![
        row![
            card(ui, detail),
            card(ui, scrollable(blocks).height(Length::Fixed(ui.sizes.small * 1.6 * 9.0)))
        ]
        .spacing(12),
        actions
    ]
    .spacing(12)
    .width(Length::FillPortion(3));
    row![scrollable(list).height(Length::Fill), inspector].spacing(16).into()
}

fn printer_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    let status = diag.printer_status.clone().unwrap_or_else(|| ui.tr("diag-unchecked"));
    let side = column![
        heading(ui, ui.tr("diag-tab-printer")),
        fact(ui, ui.tr("diag-state"), status, None),
        small_button(ui, ui.tr("diag-test-print"), true, (!diag.busy).then_some(Message::TestPrint)),
    ]
    .spacing(12)
    .width(Length::FillPortion(1));
    let preview: Element<'a, Message> = match &diag.receipt_preview {
        Some(handle) => column![
            text(ui.tr("diag-last-receipt")).size(ui.sizes.small).color(ui.look.muted),
            scrollable(image(handle.clone()).width(Length::Fixed(288.0))).height(Length::Fill)
        ]
        .spacing(8)
        .into(),
        None => text(ui.tr("diag-no-receipt")).size(ui.sizes.small).color(ui.look.muted).into(),
    };
    row![side, container(preview).width(Length::FillPortion(1))].spacing(24).into()
}

fn ils_page<'a>(ui: &Ui<'a>, diag: &'a Diag, config: &'a Config) -> Element<'a, Message> {
    let address = crate::runtime::diagnostics::ils_address(config);
    let mut history = column![heading(ui, ui.tr("diag-history"))].spacing(4);
    for trip in diag.ils_history.iter().take(10) {
        let (result, tone) = match &trip.result {
            Ok(ms) => (format!("{ms} ms"), ui.look.success),
            Err(why) => (why.clone(), ui.look.danger),
        };
        history = history.push(
            row![
                text(trip.at.format("%H:%M:%S").to_string()).size(ui.sizes.small).color(ui.look.muted),
                text(trip.what.clone()).size(ui.sizes.small).width(Length::Fill),
                text(result).size(ui.sizes.small).color(tone),
            ]
            .spacing(8),
        );
    }
    let side = column![
        fact(ui, ui.tr("diag-address"), address, None),
        small_button(ui, ui.tr("diag-check-ils"), true, (!diag.busy).then_some(Message::CheckIls)),
        text(ui.tr("diag-ils-scan-hint")).size(ui.sizes.small).color(ui.look.muted),
        card(ui, history),
    ]
    .spacing(12)
    .width(Length::FillPortion(2));
    let report = diag.ils_report.clone().unwrap_or_default();
    row![
        side,
        container(card(
            ui,
            scrollable(text(report).size(ui.sizes.small)).width(Length::Fill).height(Length::Fill)
        ))
        .width(Length::FillPortion(3))
    ]
    .spacing(16)
    .into()
}

fn queue_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    let mut list = Column::new().spacing(6);
    if diag.queue.is_empty() {
        list = list.push(text(ui.tr("diag-queue-empty")).size(ui.sizes.body));
    }
    for entry in &diag.queue {
        let selected = diag.selected_row == Some(entry.id);
        // On the filled (selected) button the state is in the button's own text colour.
        let tone = match entry.state {
            _ if selected => ui.look.on_primary,
            JournalState::Rejected => ui.look.danger,
            _ => ui.look.warning,
        };
        let label = column![
            row![
                text(format!("{} {} {}", entry.id, entry.state, entry.kind)).size(ui.sizes.small).color(tone),
                text(entry.at.format("%Y-%m-%d %H:%M").to_string()).size(ui.sizes.small),
                text(format!("{} {}", entry.item, entry.title.as_deref().unwrap_or(""))).size(ui.sizes.small),
            ]
            .spacing(12),
            text(entry.ils_message.clone().unwrap_or_default()).size(ui.sizes.small),
        ];
        let b = button(label).width(Length::Fill).padding([8, 12]).on_press(Message::SelectRow(entry.id));
        list = list.push(if selected {
            b.style(ui.look.primary_button())
        } else {
            b.style(ui.look.secondary_button())
        });
    }
    let selected = diag.selected_row.and_then(|id| diag.queue.iter().find(|e| e.id == id));
    let rejected = selected.is_some_and(|e| e.state == JournalState::Rejected);
    let waiting =
        diag.queue.iter().any(|e| matches!(e.state, JournalState::Pending | JournalState::InFlight));
    // Actions on the whole queue above the list; actions on the selected row beside it.
    let general = row![
        small_button(
            ui,
            ui.tr("diag-queue-send-now"),
            false,
            (waiting && !diag.busy).then_some(Message::SendNow)
        ),
        small_button(ui, ui.tr("diag-queue-export"), false, (!diag.busy).then_some(Message::ExportQueue)),
    ]
    .spacing(10);
    let mut actions = column![].spacing(10).width(Length::FillPortion(2));
    if rejected {
        actions = actions.push(small_button(
            ui,
            ui.tr("diag-queue-retry"),
            true,
            (!diag.busy).then_some(Message::Retry),
        ));
        let mut presets = row![].spacing(8);
        for key in PRESET_NOTES {
            presets = presets.push(small_button(ui, ui.tr(key), false, Some(Message::PresetNote(key))));
        }
        actions = actions
            .push(presets.wrap().vertical_spacing(8))
            .push(
                text_input(&ui.tr("diag-queue-note"), &diag.note)
                    .on_input(Message::Note)
                    .padding(12)
                    .size(ui.sizes.small),
            )
            .push(small_button(
                ui,
                ui.tr("diag-queue-resolve"),
                true,
                (!diag.busy && !diag.note.trim().is_empty()).then_some(Message::Resolve),
            ));
    } else {
        actions = actions.push(text(ui.tr("diag-queue-select")).size(ui.sizes.small).color(ui.look.muted));
    }
    column![
        general,
        row![scrollable(list).height(Length::Fill).width(Length::FillPortion(3)), actions].spacing(16)
    ]
    .spacing(12)
    .into()
}

fn logs_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    let mut levels = row![].spacing(8);
    for level in LogLevelFilter::ALL.into_iter().rev() {
        levels = levels.push(small_button(
            ui,
            level.as_str().into(),
            level == diag.log_level,
            Some(Message::Level(level)),
        ));
    }
    let mut lines = Column::new().spacing(2);
    for line in diag.logs.iter().rev().take(200) {
        let tone = match line.level {
            Some(LogLevelFilter::Error) => ui.look.danger,
            Some(LogLevelFilter::Warn) => ui.look.warning,
            _ => ui.look.text,
        };
        lines = lines.push(text(line.text.clone()).size(ui.sizes.small * 0.8).color(tone));
    }
    if diag.logs.is_empty() {
        lines = lines.push(text(ui.tr("diag-logs-empty")).size(ui.sizes.small).color(ui.look.muted));
    }
    column![
        levels,
        text(ui.tr("diag-logs-newest-first")).size(ui.sizes.small).color(ui.look.muted),
        card(ui, scrollable(lines).width(Length::Fill).height(Length::Fill))
    ]
    .spacing(10)
    .into()
}

fn config_page<'a>(ui: &Ui<'a>, config: &'a Config) -> Element<'a, Message> {
    let shown = config.masked().to_toml();
    card(ui, scrollable(text(shown).size(ui.sizes.small * 0.85)).width(Length::Fill).height(Length::Fill))
}

fn bundle_page<'a>(ui: &Ui<'a>, diag: &'a Diag) -> Element<'a, Message> {
    let mut page = column![text(ui.tr("diag-bundle-hint")).size(ui.sizes.body)].spacing(12);
    for target in &diag.bundle_targets {
        let label =
            ui.tr_args("diag-bundle-write", &[("place", FluentValue::from(target.display().to_string()))]);
        page = page.push(big_button::wide(ui, label, true, Message::WriteBundle(target.clone())));
    }
    page.into()
}

fn named_counts(
    counts: &[Count],
    choices: &[kiosk_core::config::Choice],
    language: Language,
) -> Vec<(String, u32)> {
    counts
        .iter()
        .map(|c| (kiosk_core::config::Choice::name_of(choices, &c.id, language).to_string(), c.visits))
        .collect()
}

fn station_page<'a>(ui: &Ui<'a>, diag: &'a Diag, config: &'a Config) -> Element<'a, Message> {
    let mut periods = row![].spacing(8);
    for (period, key) in
        [(Period::Day, "stats-day"), (Period::Week, "stats-week"), (Period::Month, "stats-month")]
    {
        periods =
            periods.push(small_button(ui, ui.tr(key), diag.period == period, Some(Message::Period(period))));
    }
    periods = periods.push(space::horizontal()).push(small_button(
        ui,
        ui.tr("stats-print"),
        false,
        (!diag.busy).then_some(Message::PrintSummary),
    ));
    let Some(stats) = diag.station_stats.as_deref() else {
        return column![periods, text(ui.tr("diag-working")).size(ui.sizes.small)].spacing(12).into();
    };
    let (chosen, month) = stats;
    let language = ui.language;
    let mut facts = row![].spacing(32);
    let figures = [
        ("summary-visits", chosen.visits.to_string()),
        ("summary-card-holders", chosen.distinct_cards.to_string()),
        ("summary-repeat", chosen.repeat_visitors.to_string()),
        (
            "summary-average",
            chosen.average_minutes.map_or_else(
                || "-".into(),
                |m| ui.tr_args("summary-minutes", &[("count", FluentValue::from(m))]),
            ),
        ),
        (
            "summary-busiest",
            if chosen.busiest_hours.is_empty() {
                "-".into()
            } else {
                chosen.busiest_hours.iter().map(|h| format!("{h:02}:00")).collect::<Vec<_>>().join(" ")
            },
        ),
    ];
    for (key, value) in figures {
        facts = facts.push(
            column![
                text(ui.tr(key)).size(ui.sizes.small).color(ui.look.muted),
                text(value).size(ui.sizes.title)
            ]
            .spacing(2),
        );
    }
    let hours: Vec<(String, u32)> =
        chosen.by_hour.iter().enumerate().map(|(h, v)| (format!("{h}"), *v)).collect();
    let days: Vec<(String, u32)> =
        month.by_day.iter().map(|(d, v)| (d.format("%m-%d").to_string(), *v)).collect();
    let left = column![
        heading(ui, ui.tr("stats-by-hour")),
        card(ui, chart::columns(ui, &hours, 150.0, 3)),
        heading(ui, ui.tr("stats-last-30")),
        card(ui, chart::columns(ui, &days, 150.0, 5)),
    ]
    .spacing(8)
    .width(Length::FillPortion(3));
    let right = column![
        heading(ui, ui.tr("stats-by-trade")),
        card(ui, chart::bars(ui, named_counts(&chosen.by_trade, &config.station.trades, language))),
        heading(ui, ui.tr("stats-by-service")),
        card(ui, chart::bars(ui, named_counts(&chosen.by_service, &config.station.services, language))),
    ]
    .spacing(8)
    .width(Length::FillPortion(2));
    let mut page = column![periods, facts].spacing(12);
    if chosen.visits == 0 {
        page = page.push(text(ui.tr("stats-none")).size(ui.sizes.small).color(ui.look.muted));
    }
    // Room on the right for the scroll bar.
    let page = container(page.push(row![left, right].spacing(16)))
        .padding(iced::Padding { right: 20.0, ..iced::Padding::ZERO });
    scrollable(page).width(Length::Fill).height(Length::Fill).into()
}
