//! `kiosk diag …`: the diagnostics overview and tools over SSH. Every use is audited with
//! the login user as the actor.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Local;
use kiosk_core::Config;
use kiosk_core::diagnostics::{IlsSnapshot, LogLevelFilter, QueueDesk, logs};
use kiosk_core::store::{AuditEntry, JournalId, Store};
use kiosk_sip2::client::{Client, ClientConfig};

use crate::cli::{DiagCommand, QueueCommand};
use crate::runtime::diagnostics::{self as diag, LiveStatus};

/// Who is acting: `ssh:<user>` in an SSH session, else `cli:<user>`.
pub fn actor() -> String {
    let user =
        std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into());
    let via = if std::env::var_os("SSH_CONNECTION").is_some() { "ssh" } else { "cli" };
    format!("{via}:{user}")
}

/// Asks the library system for its status on a connection of its own.
pub async fn probe_ils(config: &Config, client: ClientConfig) -> IlsSnapshot {
    let started = Instant::now();
    let mut client = Client::new(client);
    let answer = tokio::time::timeout(Duration::from_secs(10), client.status()).await;
    let now = Local::now().naive_local();
    let mut snapshot =
        IlsSnapshot { address: diag::ils_address(config), checked_at: Some(now), ..Default::default() };
    match answer {
        Ok(Ok(_)) => {
            snapshot.online = Some(true);
            snapshot.round_trip_ms = Some(started.elapsed().as_millis() as u64);
        }
        Ok(Err(error)) => {
            snapshot.online = Some(false);
            snapshot.last_error = Some(error.to_string());
        }
        Err(_) => {
            snapshot.online = Some(false);
            snapshot.last_error = Some("no answer within 10 s".into());
        }
    }
    snapshot
}

/// `kiosk diag [--json] [COMMAND]`.
pub async fn run(config: Config, command: Option<DiagCommand>, json: bool) -> anyhow::Result<String> {
    let data_dir = config.storage.resolved_data_dir();
    let store = Store::open_in(&data_dir)
        .with_context(|| format!("opening the kiosk's database in {}", data_dir.display()))?;
    let now = Local::now().naive_local();
    let actor = actor();
    let audit = |action: &str, detail: String| {
        store.audit(&AuditEntry { at: now, actor: actor.clone(), action: action.into(), detail })
    };
    match command {
        None => {
            audit("diagnostics.cli", "overview".into())?;
            let overview = overview(&config, &store).await?;
            if json {
                return Ok(serde_json::to_string_pretty(&overview)?);
            }
            Ok(overview.to_text())
        }
        Some(DiagCommand::Bundle { path }) => {
            let overview = overview(&config, &store).await?;
            let summary = diag::write_bundle(&path, &config, &store, &overview, &actor, now)?;
            Ok(format!(
                "Wrote {} ({}): {}\n",
                summary.path.display(),
                kiosk_core::diagnostics::overview::bytes(summary.bytes),
                summary.files.join(", ")
            ))
        }
        Some(DiagCommand::Queue(queue)) => queue_command(&store, queue, &actor, now, json),
        Some(DiagCommand::Logs { level, lines }) => {
            let minimum = LogLevelFilter::ALL
                .into_iter()
                .find(|l| l.as_str().eq_ignore_ascii_case(&level))
                .with_context(|| {
                format!("unknown level {level:?}; use error, warn, info, debug or trace")
            })?;
            let entries = logs::tail(&data_dir.join("logs"), minimum, lines);
            if json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| serde_json::json!({ "level": e.level.map(|l| l.as_str()), "text": e.text }))
                    .collect();
                return Ok(serde_json::to_string_pretty(&rows)?);
            }
            Ok(entries.iter().map(|e| format!("{}\n", e.text)).collect())
        }
        Some(DiagCommand::Audit { lines }) => {
            let entries = store.audit_recent(lines)?;
            if json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| serde_json::json!({ "at": e.at.to_string(), "actor": e.actor, "action": e.action, "detail": e.detail }))
                    .collect();
                return Ok(serde_json::to_string_pretty(&rows)?);
            }
            Ok(entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {:<18} {:<22} {}\n",
                        e.at.format("%Y-%m-%d %H:%M:%S"),
                        e.actor,
                        e.action,
                        e.detail
                    )
                })
                .collect())
        }
    }
}

/// The overview: device states from the running kiosk's status file, a fresh look at the
/// library system, the queue and the disk.
async fn overview(config: &Config, store: &Store) -> anyhow::Result<kiosk_core::diagnostics::Overview> {
    let data_dir = config.storage.resolved_data_dir();
    let now = Local::now().naive_local();
    let live = LiveStatus::read(&data_dir);
    let (devices, uptime) = match &live {
        Some(status) if status.is_running() => {
            (status.devices.clone(), Some((now - status.started_at).num_seconds().max(0) as u64))
        }
        _ => (diag::device_records(config), None),
    };
    // The demo's emulator lives inside the running kiosk: ask the live status instead of
    // starting a second emulator.
    let ils = if config.ils.emulator {
        live.filter(LiveStatus::is_running)
            .map(|s| s.ils)
            .unwrap_or_else(|| IlsSnapshot { address: diag::ils_address(config), ..Default::default() })
    } else {
        let client = crate::runtime::ils_client_config(config)?;
        probe_ils(config, client).await
    };
    let mut overview = diag::overview(config, store, devices, ils, uptime, now)?;
    if uptime.is_none() {
        overview.devices.iter_mut().for_each(|d| {
            d.last_event = Some((now, "the kiosk is not running: state unknown".into()));
        });
    }
    Ok(overview)
}

fn queue_command(
    store: &Store,
    command: QueueCommand,
    actor: &str,
    now: chrono::NaiveDateTime,
    json: bool,
) -> anyhow::Result<String> {
    let desk = QueueDesk::new(store);
    match command {
        QueueCommand::List => {
            let rows = desk.open_rows(500)?;
            if json {
                let rows: Vec<_> = rows
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id.0, "kind": e.kind.to_string(), "state": e.state.to_string(),
                            "item": e.item, "title": e.title, "at": e.at.to_string(),
                            "attempts": e.attempts, "message": e.ils_message,
                        })
                    })
                    .collect();
                return Ok(serde_json::to_string_pretty(&rows)?);
            }
            if rows.is_empty() {
                return Ok("The queue is empty: every transaction has reached the library system.\n".into());
            }
            Ok(rows
                .iter()
                .map(|e| {
                    format!(
                        "#{:<5} {:<9} {:<9} {} {} {}{}\n",
                        e.id.0,
                        e.state,
                        e.kind,
                        e.at.format("%Y-%m-%d %H:%M"),
                        e.item,
                        e.title.as_deref().unwrap_or(""),
                        e.ils_message
                            .as_deref()
                            .map(|m| format!("\n        library system: {m}"))
                            .unwrap_or_default()
                    )
                })
                .collect())
        }
        QueueCommand::Retry { id } => {
            desk.retry(JournalId(id), actor, now)?;
            Ok(format!(
                "#{id} is queued again; it is sent on the next sync round (or run `kiosk sync --once`).\n"
            ))
        }
        QueueCommand::Resolve { id, note } => {
            desk.resolve(JournalId(id), &note, actor, now)?;
            Ok(format!("#{id} is marked resolved; it stays in the journal with your note.\n"))
        }
        QueueCommand::Export { path } => {
            let csv = desk.export_csv()?;
            store.audit(&AuditEntry {
                at: now,
                actor: actor.into(),
                action: "queue.export".into(),
                detail: path.display().to_string(),
            })?;
            if path == Path::new("-") {
                return Ok(csv);
            }
            std::fs::write(&path, csv).with_context(|| format!("writing {}", path.display()))?;
            Ok(format!("Wrote {}\n", path.display()))
        }
    }
}
