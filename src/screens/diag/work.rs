//! Diagnostics work done off the UI thread: tags, the printer, the library system, the
//! queue, logs, statistics and the bundle. Each action that changes something is audited.

use std::path::PathBuf;

use chrono::NaiveDateTime;
use iced::Task;
use kiosk_core::Config;
use kiosk_core::diagnostics::QueueDesk;
use kiosk_core::station::Station;
use kiosk_core::station::stats::{self, Period};
use kiosk_core::store::{AuditEntry, Store};
use kiosk_hardware::device::Command;
use kiosk_hardware::tag::iso15693::Uid;

use super::{Context, Diag, Finished, Message, Notice, TagAction};

impl Diag {
    pub(super) fn tag_action(&mut self, action: TagAction, context: &Context) -> Task<Message> {
        let Some(pad) = context.pad.clone() else {
            self.notice = Some(Notice { text: "no RFID reader is configured".into(), ok: false });
            return Task::none();
        };
        let current_memory = self
            .tags
            .iter()
            .find(|t| t.uid == action_uid(&action))
            .map(|t| t.memory.clone())
            .unwrap_or_default();
        // Only a tag with no owner of its own (blank, unreadable) gets this one: the
        // institution id as a Chinese ISIL.
        let owner = format!("CN-{}", context.config.ils.institution_id);
        let actor = self.actor.clone();
        let now = context.now;
        let config = context.config.clone();
        self.busy = true;
        Task::perform(
            async move {
                let (name, detail, result) = match &action {
                    TagAction::Secure(uid) | TagAction::Unsecure(uid) => {
                        let on_loan = matches!(action, TagAction::Unsecure(_));
                        let (reply, answer) = std::sync::mpsc::channel();
                        pad.send(Command::Secure { uids: vec![*uid], on_loan, reply });
                        let answer = wait(answer).await;
                        let name = if on_loan { "tag.unsecure" } else { "tag.secure" };
                        let result = match answer {
                            Ok(Ok(())) => {
                                Ok(format!("{uid}: {}", if on_loan { "unsecured" } else { "secured" }))
                            }
                            Ok(Err(failed)) => Err(failed
                                .into_iter()
                                .map(|(u, why)| format!("{u}: {why}"))
                                .collect::<Vec<_>>()
                                .join("; ")),
                            Err(why) => Err(why),
                        };
                        (name, uid.to_string(), result)
                    }
                    TagAction::Reencode(uid, barcode) => {
                        let detail = format!("{uid} → {barcode}");
                        let length = (!current_memory.is_empty()).then_some(current_memory.len());
                        match kiosk_hardware::tag::reencode(&current_memory, barcode, Some(&owner), length) {
                            Ok(memory) => {
                                let (reply, answer) = std::sync::mpsc::channel();
                                pad.send(Command::WriteTag { uid: *uid, memory, reply });
                                let result = match wait(answer).await {
                                    Ok(Ok(())) => Ok(format!(
                                        "{uid}: now carries {barcode}; lift it and put it back to read it again"
                                    )),
                                    Ok(Err(why)) | Err(why) => Err(format!("{uid}: {why}")),
                                };
                                ("tag.reencode", detail, result)
                            }
                            Err(error) => ("tag.reencode", detail, Err(error.to_string())),
                        }
                    }
                };
                let outcome = if result.is_ok() { "done" } else { "failed" };
                let audited = blocking_store(&config, move |store| {
                    audit(store, &actor, now, name, format!("{detail}: {outcome}"))
                })
                .await;
                Finished::Tag(audited.and(result))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn test_print(&mut self, context: &Context) -> Task<Message> {
        let Some(printer) = context.printer.clone() else {
            self.notice = Some(Notice { text: "no receipt printer is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let bytes = crate::runtime::receipt::test_page(&context.config, context.now);
        self.receipt_preview = Some(preview(&bytes, &context.config));
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let (reply, answer) = std::sync::mpsc::channel();
                printer.send(Command::Print { bytes, reply });
                let (result, status) = match wait(answer).await {
                    Ok(Ok(status)) => {
                        (Ok(format!("printed; {}", status_words(&status))), Some(status_words(&status)))
                    }
                    Ok(Err(error)) => (Err(error.to_string()), None),
                    Err(why) => (Err(why), None),
                };
                let outcome = match &result {
                    Ok(_) => "printed".to_string(),
                    Err(why) => why.clone(),
                };
                let audited =
                    blocking_store(&config, move |store| audit(store, &actor, now, "printer.test", outcome))
                        .await;
                Finished::Printed(audited.and(result), status)
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn ils_status(&mut self, context: &Context) -> Task<Message> {
        let Some(client) = context.ils.clone() else {
            self.ils_report = Some("no library system is configured".into());
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let started = std::time::Instant::now();
                let result = crate::commands::ils::status((*client).clone(), false).await;
                let ms = started.elapsed().as_millis() as u64;
                let detail = if result.is_ok() { format!("{ms} ms") } else { "failed".into() };
                let _ = blocking_store(&config, move |store| audit(store, &actor, now, "ils.check", detail))
                    .await;
                Finished::Ils(
                    "login + status".into(),
                    result.map(|text| (text, ms)).map_err(|e| format!("{e:#}")),
                )
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn ils_lookup(&mut self, code: String, context: &Context) -> Task<Message> {
        let Some(client) = context.ils.clone() else { return Task::none() };
        self.busy = true;
        let config = context.config.clone();
        let patron = code.starts_with('2');
        Task::perform(
            async move {
                let started = std::time::Instant::now();
                let result = if patron {
                    crate::commands::ils::patron((*client).clone(), &config, &code, None, false).await
                } else {
                    crate::commands::ils::item((*client).clone(), &config, &code, false).await
                };
                let ms = started.elapsed().as_millis() as u64;
                let what = if patron {
                    format!("patron {}", kiosk_core::mask::identifier(&code))
                } else {
                    format!("item {code}")
                };
                Finished::Ils(what, result.map(|text| (text, ms)).map_err(|e| format!("{e:#}")))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn load_queue(&mut self, context: &Context, notice: Option<Notice>) -> Task<Message> {
        Task::perform(
            blocking_store(&context.config, |store| Ok(QueueDesk::new(store).open_rows(500)?)),
            move |rows| Message::Finished(Box::new(Finished::Queue(rows, notice.clone()))),
        )
    }

    pub(super) fn queue_action(&mut self, action: QueueAction, context: &Context) -> Task<Message> {
        let Some(id) = self.selected_row else { return Task::none() };
        let note = self.note.clone();
        let (actor, now) = (self.actor.clone(), context.now);
        let language = context.language;
        let localizer = context.localizer.clone();
        if action == QueueAction::Resolve && note.trim().is_empty() {
            self.notice =
                Some(Notice { text: context.localizer.text(language, "diag-queue-note-needed"), ok: false });
            return Task::none();
        }
        self.busy = true;
        self.note.clear();
        store_task(&context.config, move |store| {
            let desk = QueueDesk::new(store);
            let result = match action {
                QueueAction::Retry => desk.retry(id, &actor, now),
                QueueAction::Resolve => desk.resolve(id, &note, &actor, now),
            };
            let notice = match result {
                Ok(()) => Notice {
                    text: localizer.text(
                        language,
                        if action == QueueAction::Retry {
                            "diag-queue-retried"
                        } else {
                            "diag-queue-resolved"
                        },
                    ),
                    ok: true,
                },
                Err(error) => Notice { text: format!("{id}: {error}"), ok: false },
            };
            Ok(Finished::Queue(Ok(desk.open_rows(500)?), Some(notice)))
        })
    }

    /// One forwarding pass now, as the sync worker would do on its next round.
    pub(super) fn send_now(&mut self, context: &Context) -> Task<Message> {
        let Some(circulation) = context.circulation.clone() else {
            self.notice = Some(Notice { text: "no library system is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        Task::perform(
            async move {
                let report = circulation.lock().await.sync_once(now).await;
                let notice = match &report {
                    Ok(report) => Notice {
                        text: format!(
                            "accepted {}, refused {}, settled {}, still queued {}{}",
                            report.accepted,
                            report.rejected,
                            report.resolved,
                            report.remaining,
                            report
                                .stopped
                                .as_deref()
                                .map(|why| format!(" (stopped: {why})"))
                                .unwrap_or_default()
                        ),
                        ok: report.stopped.is_none(),
                    },
                    Err(error) => Notice { text: format!("{error:#}"), ok: false },
                };
                let detail = notice.text.clone();
                let rows = blocking_store(&config, move |store| {
                    audit(store, &actor, now, "queue.send", detail)?;
                    Ok(QueueDesk::new(store).open_rows(500)?)
                })
                .await;
                Finished::Queue(rows, Some(notice))
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn export_queue(&mut self, context: &Context) -> Task<Message> {
        let folder = bundle_targets(&context.config).into_iter().next();
        let (actor, now) = (self.actor.clone(), context.now);
        self.busy = true;
        store_task(&context.config, move |store| {
            let folder = folder.ok_or_else(|| anyhow::anyhow!("no folder to write to"))?;
            std::fs::create_dir_all(&folder)?;
            let path = folder.join(format!("kiosk-queue-{}.csv", now.format("%Y%m%d-%H%M%S")));
            std::fs::write(&path, QueueDesk::new(store).export_csv()?)?;
            audit(store, &actor, now, "queue.export", path.display().to_string())?;
            Ok(Finished::Done(Notice { text: format!("→ {}", path.display()), ok: true }))
        })
    }

    pub(super) fn load_logs(&mut self, context: &Context) -> Task<Message> {
        let dir = context.config.storage.resolved_data_dir().join("logs");
        let level = self.log_level;
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || kiosk_core::diagnostics::logs::tail(&dir, level, 500))
                    .await
                    .unwrap_or_default()
            },
            |lines| Message::Finished(Box::new(Finished::Logs(lines))),
        )
    }

    pub(super) fn load_station(&mut self, context: &Context) -> Task<Message> {
        let (period, now, config) = (self.period, context.now, context.config.clone());
        let today = now.date();
        Task::perform(
            blocking_store(&context.config, move |store| {
                Station::open(store, &config.station)?.close_expired(now)?;
                let chosen = stats::for_period(store, &config.station, period, today)?;
                let month = stats::last_days(store, &config.station, today, 30)?;
                Ok(Box::new((chosen, month)))
            }),
            |result| Message::Finished(Box::new(Finished::Station(result))),
        )
    }

    pub(super) fn print_summary(&mut self, context: &Context) -> Task<Message> {
        let Some(printer) = context.printer.clone() else {
            self.notice = Some(Notice { text: "no receipt printer is configured".into(), ok: false });
            return Task::none();
        };
        self.busy = true;
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        let (language, localizer) = (context.language, context.localizer.clone());
        Task::perform(
            async move {
                let config_for_stats = config.clone();
                let stats = blocking_store(&config, move |store| {
                    Ok(stats::for_period(store, &config_for_stats.station, Period::Day, now.date())?)
                })
                .await;
                let stats = match stats {
                    Ok(stats) => stats,
                    Err(error) => return Finished::Printed(Err(error), None),
                };
                let bytes =
                    crate::runtime::receipt::station_summary(&stats, &config, &localizer, language, now);
                let (reply, answer) = std::sync::mpsc::channel();
                printer.send(Command::Print { bytes, reply });
                let result = match wait(answer).await {
                    Ok(Ok(status)) => Ok(format!("printed; {}", status_words(&status))),
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(why) => Err(why),
                };
                let outcome = result.clone().unwrap_or_else(|why| why);
                let audited = blocking_store(&config, move |store| {
                    audit(store, &actor, now, "station.summary", outcome)
                })
                .await;
                Finished::Printed(audited.and(result), None)
            },
            |finished| Message::Finished(Box::new(finished)),
        )
    }

    pub(super) fn write_bundle(&mut self, folder: PathBuf, context: &Context) -> Task<Message> {
        self.busy = true;
        let Some(overview) = context.overview.clone() else { return Task::none() };
        let (actor, now, config) = (self.actor.clone(), context.now, context.config.clone());
        store_task(&context.config, move |store| {
            std::fs::create_dir_all(&folder)?;
            let summary =
                crate::runtime::diagnostics::write_bundle(&folder, &config, store, &overview, &actor, now)?;
            Ok(Finished::Done(Notice {
                text: format!(
                    "→ {} ({})",
                    summary.path.display(),
                    kiosk_core::diagnostics::overview::bytes(summary.bytes)
                ),
                ok: true,
            }))
        })
    }
}

/// What a technician does to a refused row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QueueAction {
    Retry,
    Resolve,
}

fn action_uid(action: &TagAction) -> Uid {
    match action {
        TagAction::Secure(uid) | TagAction::Unsecure(uid) | TagAction::Reencode(uid, _) => *uid,
    }
}

/// Writes an audit entry.
pub(super) fn audit(
    store: &Store,
    actor: &str,
    at: NaiveDateTime,
    action: &str,
    detail: String,
) -> anyhow::Result<()> {
    store.audit(&AuditEntry { at, actor: actor.into(), action: action.into(), detail })?;
    Ok(())
}

/// Runs `work` on the kiosk's database off the UI thread.
pub(super) fn blocking_store<T: Send + 'static>(
    config: &Config,
    work: impl FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
) -> impl std::future::Future<Output = Result<T, String>> + Send + 'static {
    let dir = config.storage.resolved_data_dir();
    async move {
        tokio::task::spawn_blocking(move || {
            let store = Store::open_in(&dir)?;
            work(&store)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{e:#}"))
    }
}

/// A task running `work` on the database; an error becomes a notice.
pub(super) fn store_task(
    config: &Config,
    work: impl FnOnce(&Store) -> anyhow::Result<Finished> + Send + 'static,
) -> Task<Message> {
    Task::perform(blocking_store(config, work), |result| {
        Message::Finished(Box::new(result.unwrap_or_else(|text| Finished::Done(Notice { text, ok: false }))))
    })
}

/// Waits for a device's answer without holding up the runtime.
async fn wait<T: Send + 'static>(answer: std::sync::mpsc::Receiver<T>) -> Result<T, String> {
    tokio::task::spawn_blocking(move || answer.recv_timeout(std::time::Duration::from_secs(20)))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|_| "the device did not answer".to_string())
}

/// A printer status in words.
pub fn status_words(status: &kiosk_hardware::escpos::PrinterStatus) -> String {
    let problems = status.describe();
    if problems.is_empty() { "ready, paper ok".into() } else { problems.join(", ") }
}

/// A receipt's ESC/POS bytes drawn as the printer would print them.
pub(super) fn preview(bytes: &[u8], config: &Config) -> iced::widget::image::Handle {
    let paper = kiosk_hardware::escpos::PaperWidth::from_mm(config.receipt.paper_width_mm)
        .unwrap_or(kiosk_hardware::escpos::PaperWidth::Mm80);
    let picture = kiosk_hardware::escpos::render::render(bytes, paper).image;
    let (width, height) = picture.dimensions();
    let rgba = picture.pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect::<Vec<u8>>();
    iced::widget::image::Handle::from_rgba(width, height, rgba)
}

/// Folders a support bundle can be written to: mounted USB sticks first, then the data
/// directory's `support` folder.
pub fn bundle_targets(config: &Config) -> Vec<PathBuf> {
    let mut targets = Vec::new();
    for base in ["/media", "/run/media"] {
        let Ok(users) = std::fs::read_dir(base) else { continue };
        for user in users.filter_map(Result::ok) {
            let Ok(media) = std::fs::read_dir(user.path()) else { continue };
            targets.extend(media.filter_map(Result::ok).map(|m| m.path()).filter(|p| p.is_dir()));
        }
    }
    targets.sort();
    targets.push(config.storage.resolved_data_dir().join("support"));
    targets
}
