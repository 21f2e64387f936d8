//! `kiosk ils …`: talk to the configured library system through the kiosk's own SIP2
//! client, and print what it says — readable by default, JSON with `--json`.

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::Local;
use kiosk_core::Config;
use kiosk_core::config::Language;
use kiosk_core::ils::sip_date;
use kiosk_sip2::client::{Client, ClientConfig};
use kiosk_sip2::messages::{ItemInformation, PatronInformation};
use kiosk_sip2::types::{LanguageCode, Summary, SummaryCategory};
use kiosk_sip2::{Codec, Message};
use serde_json::json;

/// Fields whose values are secrets: shown masked.
const SECRET_FIELDS: [&str; 3] = ["AD", "CO", "AC"];

fn connect_error(config: &ClientConfig, error: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("cannot reach the library system at {}:{}: {error}", config.host, config.port)
}

/// Prints a message: its name, then each field.
pub fn render(message: &Message, round_trip_ms: Option<f64>, json: bool) -> String {
    let fields = message.describe();
    let shown = |id: Option<&str>, value: &str| -> String {
        if id.is_some_and(|id| SECRET_FIELDS.contains(&id)) && !value.is_empty() {
            "********".into()
        } else {
            value.to_string()
        }
    };
    if json {
        let fields: Vec<_> = fields
            .iter()
            .map(|f| json!({ "name": f.name, "id": f.id, "value": shown(f.id.as_deref(), &f.value) }))
            .collect();
        return serde_json::to_string_pretty(&json!({
            "command": message.code(),
            "message": message.name(),
            "round_trip_ms": round_trip_ms,
            "fields": fields,
        }))
        .unwrap_or_default();
    }
    let mut out = format!("{} {}", message.code(), message.name());
    if let Some(ms) = round_trip_ms {
        out.push_str(&format!("  (round trip {ms:.1} ms)"));
    }
    out.push('\n');
    for field in fields {
        let label = match &field.id {
            Some(id) => format!("{id} {}", field.name),
            None => format!("   {}", field.name),
        };
        out.push_str(&format!("  {label:.<34} {}\n", shown(field.id.as_deref(), &field.value)));
    }
    out
}

async fn exchange(client: &mut Client, message: &Message) -> anyhow::Result<(Message, f64)> {
    let started = Instant::now();
    let reply = client.request(message).await.map_err(|e| connect_error(client.config(), e))?;
    Ok((reply, started.elapsed().as_secs_f64() * 1000.0))
}

/// `kiosk ils status`: login, SC status, every field of the `98`.
pub async fn status(client_config: ClientConfig, json: bool) -> anyhow::Result<String> {
    let started = Instant::now();
    let mut client = Client::new(client_config.clone());
    client.ensure_connected().await.map_err(|e| connect_error(&client_config, e))?;
    let connect_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let status = client.status().await.map_err(|e| connect_error(&client_config, e))?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = render(&Message::from(status), Some(ms), json);
    if !json {
        out = format!(
            "Connected to {}:{} and logged in ({connect_ms:.1} ms).\n{out}",
            client_config.host, client_config.port
        );
    }
    Ok(out)
}

fn language_code(language: Language) -> LanguageCode {
    match language {
        Language::ZhCn => LanguageCode::CHINESE,
        Language::En => LanguageCode::ENGLISH,
    }
}

/// `kiosk ils patron BARCODE [--pin]`: patron information with charged items.
pub async fn patron(
    client_config: ClientConfig,
    config: &Config,
    barcode: &str,
    pin: Option<String>,
    json: bool,
) -> anyhow::Result<String> {
    let mut client = Client::new(client_config);
    let request = Message::from(PatronInformation {
        language: language_code(config.terminal.language),
        transaction_date: sip_date(Local::now().naive_local()),
        summary: Summary::only(SummaryCategory::ChargedItems),
        institution_id: config.ils.institution_id.as_str().into(),
        patron_identifier: barcode.into(),
        terminal_password: Some(config.ils.terminal_password.as_str().into()),
        patron_password: pin.map(Into::into),
        ..Default::default()
    });
    let (reply, ms) = exchange(&mut client, &request).await?;
    Ok(render(&reply, Some(ms), json))
}

/// `kiosk ils item BARCODE`: item information.
pub async fn item(
    client_config: ClientConfig,
    config: &Config,
    barcode: &str,
    json: bool,
) -> anyhow::Result<String> {
    let mut client = Client::new(client_config);
    let request = Message::from(ItemInformation {
        transaction_date: sip_date(Local::now().naive_local()),
        institution_id: config.ils.institution_id.as_str().into(),
        item_identifier: barcode.into(),
        terminal_password: Some(config.ils.terminal_password.as_str().into()),
        extra: Vec::new(),
    });
    let (reply, ms) = exchange(&mut client, &request).await?;
    Ok(render(&reply, Some(ms), json))
}

/// `kiosk ils raw 'MESSAGE'`: sends a message typed by hand (AY/AZ added when enabled).
pub async fn raw(client_config: ClientConfig, text: &str, json: bool) -> anyhow::Result<String> {
    let plain = Codec { error_detection: false, ..client_config.session.codec };
    let decoded = plain.decode(text.as_bytes()).with_context(|| format!("{text:?} is not a SIP2 message"))?;
    if matches!(decoded.message, Message::Login(_)) {
        bail!("send the login with the configured credentials instead (kiosk ils status)");
    }
    let mut client = Client::new(client_config);
    let (reply, ms) = exchange(&mut client, &decoded.message).await?;
    Ok(render(&reply, Some(ms), json))
}

/// Describes a circulation outcome for the terminal.
pub fn describe_outcome(outcome: &crate::runtime::circulation::Outcome, json: bool) -> String {
    use crate::runtime::circulation::Outcome;
    let (status, id, due, message) = match outcome {
        Outcome::Done { id, due, message, .. } => ("done", Some(id.0), *due, message.clone()),
        Outcome::Refused { id, message } => ("refused", Some(id.0), None, message.clone()),
        Outcome::Queued { id, due } => {
            ("queued", Some(id.0), *due, "recorded; it will be sent to the library system".into())
        }
        Outcome::NotAllowed { reason } => ("not allowed", None, None, reason.clone()),
    };
    let due = due.map(|d| d.format("%Y-%m-%d %H:%M").to_string());
    if json {
        return serde_json::to_string_pretty(
            &json!({ "status": status, "journal_id": id, "due": due, "message": message }),
        )
        .unwrap_or_default();
    }
    let mut out = status.to_string();
    if let Some(id) = id {
        out.push_str(&format!(" (journal #{id})"));
    }
    if let Some(due) = due {
        out.push_str(&format!(", due {due}"));
    }
    if !message.is_empty() {
        out.push_str(&format!(": {message}"));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_both_formats() {
        let message =
            Codec::default().decode(b"2300120251124    100000AOLIB|AA42|ACSESAME|AD4321|").unwrap().message;
        for json in [false, true] {
            let shown = render(&message, None, json);
            assert!(!shown.contains("4321") && !shown.contains("SESAME"), "{shown}");
            assert!(shown.contains("********"));
        }
        assert!(render(&message, Some(2.0), false).contains("AA patron_identifier"));
    }
}
