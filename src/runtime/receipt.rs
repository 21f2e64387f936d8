//! Receipts to ESC/POS: the laid-out lines of `kiosk_core::receipt` with the configured
//! logo, styles, and a cut at the end.

use anyhow::Context;
use kiosk_core::Config;
use kiosk_core::config::Language;
use kiosk_core::i18n::Localizer;
use kiosk_core::receipt::{self, LineStyle, PrintLine, Receipt};
use kiosk_hardware::escpos::{Align, PaperWidth, ReceiptBuilder};

/// The configured paper width (the configuration is validated to 58 or 80 mm).
pub fn paper(config: &Config) -> PaperWidth {
    PaperWidth::from_mm(config.receipt.paper_width_mm).unwrap_or(PaperWidth::Mm80)
}

/// The configured logo, dithered for the paper; `None` when there is none or it cannot
/// be read (logged: a receipt without a logo is still a receipt).
fn logo(config: &Config, paper: PaperWidth) -> Option<image::GrayImage> {
    let path = config.receipt.logo.as_ref()?;
    let loaded = std::fs::read(path)
        .with_context(|| format!("reading {}", path.display()))
        .and_then(|bytes| image::load_from_memory(&bytes).context("not a readable image"));
    match loaded {
        Ok(picture) => Some(ReceiptBuilder::dither(&picture, paper.dots())),
        Err(error) => {
            tracing::warn!("the receipt logo is left out: {error:#}");
            None
        }
    }
}

/// ESC/POS bytes for laid-out lines, with an optional logo on top.
pub fn escpos(lines: &[PrintLine], paper: PaperWidth, logo: Option<&image::GrayImage>) -> Vec<u8> {
    let mut builder = ReceiptBuilder::new(paper);
    if let Some(logo) = logo {
        builder.align(Align::Center);
        if let Err(error) = builder.raster(logo) {
            tracing::warn!(%error, "the receipt logo is left out");
        }
    }
    for line in lines {
        let (align, bold, double) = match line.style {
            LineStyle::Title => (Align::Center, true, true),
            LineStyle::Heading => (Align::Center, true, false),
            LineStyle::Centered => (Align::Center, false, false),
            LineStyle::Plain => (Align::Left, false, false),
            LineStyle::Strong => (Align::Left, true, false),
        };
        builder.align(align).bold(bold);
        if double {
            builder.size(2, 2);
        }
        builder.line(&line.text);
        if double {
            builder.size(1, 1);
        }
    }
    builder.bold(false).align(Align::Left).feed(2).cut(true);
    if builder.substituted() > 0 {
        tracing::info!(count = builder.substituted(), "characters the printer cannot print were replaced");
    }
    builder.finish()
}

/// The print job for a session's receipt in the visitor's language.
pub fn print_job(receipt: &Receipt, config: &Config, localizer: &Localizer, language: Language) -> Vec<u8> {
    let paper = paper(config);
    let lines = receipt::layout(
        receipt,
        &config.receipt,
        &config.terminal.name,
        localizer,
        language,
        paper.columns(),
    );
    escpos(&lines, paper, logo(config, paper).as_ref())
}

/// A printer test page: what a technician needs to see that text (Chinese and English),
/// bold, double size, a barcode, a QR code, the full width and the cutter all work.
pub fn test_page(config: &Config, now: chrono::NaiveDateTime) -> Vec<u8> {
    use kiosk_hardware::escpos::{Barcode, QrErrorCorrection};
    let paper = paper(config);
    let mut builder = ReceiptBuilder::new(paper);
    builder.align(Align::Center).size(2, 2).line("TEST").size(1, 1);
    builder.bold(true).line("打印测试 · Printer test").bold(false);
    builder.line(&config.terminal.name).line(&now.format("%Y-%m-%d %H:%M:%S").to_string());
    builder.align(Align::Left).line(&"-".repeat(paper.columns()));
    builder.line("0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    builder.line("借书 还书 续借 应还日期 凭条");
    builder.line(&"=".repeat(paper.columns()));
    builder.align(Align::Center);
    // Both are fixed, valid inputs: an error here would be a bug in the builder.
    let _ = builder.barcode(Barcode::Code128, "KIOSK-TEST");
    let _ = builder.qr(
        format!("kiosk {} {}", env!("CARGO_PKG_VERSION"), config.terminal.id).as_bytes(),
        5,
        QrErrorCorrection::Medium,
    );
    builder.align(Align::Left).feed(3).cut(true);
    builder.finish()
}

/// The rest station's day on paper, for the staff on duty: visits, by trade, by service,
/// the busiest hours, card holders and repeat visitors, the average stay.
pub fn station_summary(
    stats: &kiosk_core::station::stats::Stats,
    config: &Config,
    localizer: &Localizer,
    language: Language,
    printed_at: chrono::NaiveDateTime,
) -> Vec<u8> {
    use fluent_bundle::FluentValue;
    let paper = paper(config);
    let columns = paper.columns();
    let text = |key: &str| localizer.text(language, key);
    let count = |key: &str, n: u32| localizer.format(language, key, &[("count", FluentValue::from(n))]);
    let mut builder = ReceiptBuilder::new(paper);
    builder.align(Align::Center).bold(true).size(1, 2).line(&text("summary-title")).size(1, 1).bold(false);
    builder.line(&config.terminal.name).line(&stats.from.format("%Y-%m-%d").to_string());
    builder.align(Align::Left).line(&"-".repeat(columns));
    let pair = |builder: &mut ReceiptBuilder, left: &str, right: String| {
        for line in receipt::two_columns(left, &right, columns) {
            builder.line(&line);
        }
    };
    pair(&mut builder, &text("summary-visits"), stats.visits.to_string());
    pair(&mut builder, &text("summary-card-holders"), stats.distinct_cards.to_string());
    pair(&mut builder, &text("summary-repeat"), stats.repeat_visitors.to_string());
    if let Some(minutes) = stats.average_minutes {
        pair(&mut builder, &text("summary-average"), count("summary-minutes", minutes));
    }
    if !stats.busiest_hours.is_empty() {
        let hours: Vec<String> = stats.busiest_hours.iter().map(|h| format!("{h:02}:00")).collect();
        pair(&mut builder, &text("summary-busiest"), hours.join(" "));
    }
    let sections = [
        ("summary-by-trade", &stats.by_trade, &config.station.trades),
        ("summary-by-service", &stats.by_service, &config.station.services),
    ];
    for (title, counts, choices) in sections {
        builder.line(&"-".repeat(columns)).bold(true).line(&text(title)).bold(false);
        for entry in counts {
            let name = kiosk_core::config::Choice::name_of(choices, &entry.id, language);
            pair(&mut builder, name, entry.visits.to_string());
        }
    }
    builder.line(&"-".repeat(columns));
    builder.line(&localizer.format(
        language,
        "summary-printed",
        &[("time", FluentValue::from(printed_at.format("%Y-%m-%d %H:%M").to_string()))],
    ));
    builder.feed(3).cut(true);
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kiosk_core::receipt::{ReceiptItem, ReceiptKind, ReceiptStatus};
    use kiosk_hardware::escpos::render;

    fn receipt() -> Receipt {
        let at = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap();
        Receipt {
            kind: ReceiptKind::Return,
            at,
            patron: None,
            items: vec![ReceiptItem {
                barcode: "30234000000017".into(),
                title: Some("活着".into()),
                status: ReceiptStatus::Returned,
                queued: true,
            }],
        }
    }

    #[test]
    fn return_receipt_prints_and_cuts() {
        let mut config = Config::default();
        config.receipt.paper_width_mm = 58;
        let bytes = print_job(&receipt(), &config, &Localizer::new(), Language::ZhCn);
        let rendered = render::render(&bytes, PaperWidth::Mm58);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
        assert_eq!(rendered.cuts, 1);
        let text = rendered.text.join("\n");
        for expected in ["还书凭条", "1. 活着", "已还 *", "本次归还 1 册", "联网后将发送"]
        {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
    }

    #[test]
    fn the_test_page_prints_both_scripts_a_code_and_cuts() {
        let config = Config::default();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 30, 0).unwrap();
        let rendered = render::render(&test_page(&config, at), PaperWidth::Mm80);
        let text = rendered.text.join("\n");
        assert!(text.contains("打印测试 · Printer test") && text.contains("2026-07-15 10:30:00"), "{text}");
        assert_eq!(rendered.cuts, 1);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    }

    #[test]
    fn the_station_summary_lists_the_day() {
        use kiosk_core::station::stats::{Count, Stats};
        let day = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
        let stats = Stats {
            from: day.and_hms_opt(0, 0, 0).unwrap(),
            to: day.and_hms_opt(23, 59, 59).unwrap(),
            visits: 42,
            anonymous: 30,
            distinct_cards: 10,
            repeat_visitors: 2,
            by_trade: vec![
                Count { id: "courier".into(), visits: 25 },
                Count { id: "delivery".into(), visits: 17 },
            ],
            by_service: vec![Count { id: "water".into(), visits: 33 }],
            by_hour: [0; 24],
            by_day: vec![(day, 42)],
            busiest_hours: vec![12, 18],
            average_minutes: Some(26),
        };
        let bytes = station_summary(&stats, &Config::default(), &Localizer::new(), Language::ZhCn, stats.to);
        let rendered = render::render(&bytes, PaperWidth::Mm80);
        let text = rendered.text.join("\n");
        for expected in ["驿站日报", "2026-07-15", "快递员", "25", "饮水", "12:00 18:00", "26 分钟"]
        {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
        assert_eq!(rendered.cuts, 1);
    }

    #[test]
    fn unreadable_logo_is_left_out_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logo.png");
        std::fs::write(&path, b"not a png").unwrap();
        let mut config = Config::default();
        config.receipt.logo = Some(path);
        let bytes = print_job(&receipt(), &config, &Localizer::new(), Language::En);
        let rendered = render::render(&bytes, PaperWidth::Mm80);
        assert!(rendered.text.join("\n").contains("Return receipt"));
    }
}
