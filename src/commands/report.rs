//! `kiosk report visits`: the rest station's visits between two dates, as CSV rows or as a
//! PNG with charts (visits per day, by hour of day, by trade).

use std::path::Path;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate, NaiveTime};
use fluent_bundle::FluentValue;
use image::{Rgb, RgbImage};
use kiosk_core::Config;
use kiosk_core::config::Language;
use kiosk_core::i18n::Localizer;
use kiosk_core::station::report::visits_csv;
use kiosk_core::station::stats::{self, Stats};
use kiosk_core::store::Store;

/// What `kiosk report visits` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per visit.
    Csv,
    /// Charts.
    Png,
}

/// `kiosk report visits --from DATE --to DATE --format csv|png [--output FILE]`.
pub fn visits(
    config: &Config,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    output: Option<&Path>,
    language: Language,
) -> anyhow::Result<String> {
    if to < from {
        bail!("--to {to} is before --from {from}");
    }
    let data_dir = config.storage.resolved_data_dir();
    let store = Store::open_in(&data_dir)
        .with_context(|| format!("opening the database in {}", data_dir.display()))?;
    let start = from.and_time(NaiveTime::MIN);
    let end = (to + Duration::days(1)).and_time(NaiveTime::MIN);
    let visits = store.visits_between(start, end)?;
    match format {
        Format::Csv => {
            let csv = visits_csv(&visits, &config.station, language);
            match output {
                Some(path) => {
                    std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?;
                    Ok(format!("{} visits → {}\n", visits.len(), path.display()))
                }
                None => Ok(csv),
            }
        }
        Format::Png => {
            let Some(path) = output else { bail!("a PNG needs --output FILE.png") };
            let stats = stats::compute(&visits, start, end, &config.station);
            let chart = chart(&stats, config, language);
            chart.save(path).with_context(|| format!("writing {}", path.display()))?;
            Ok(format!(
                "{} visits → {} ({}×{})\n",
                stats.visits,
                path.display(),
                chart.width(),
                chart.height()
            ))
        }
    }
}

const WIDTH: u32 = 1600;
const HEIGHT: u32 = 1000;
const INK: Rgb<u8> = Rgb([0x16, 0x32, 0x4F]);
const MUTED: Rgb<u8> = Rgb([0x6B, 0x72, 0x80]);
const BAR: Rgb<u8> = Rgb([0x0B, 0x5C, 0xAD]);
const PAPER: Rgb<u8> = Rgb([0xFF, 0xFF, 0xFF]);

/// A white picture to draw on, with the kiosk's own font.
struct Canvas {
    image: RgbImage,
    font: FontRef<'static>,
}

impl Canvas {
    fn rect(&mut self, x: i64, y: i64, width: i64, height: i64, color: Rgb<u8>) {
        for py in y.max(0)..(y + height).min(i64::from(self.image.height())) {
            for px in x.max(0)..(x + width).min(i64::from(self.image.width())) {
                self.image.put_pixel(px as u32, py as u32, color);
            }
        }
    }

    /// Text with its top-left corner at `(x, y)`; returns its width.
    fn text(&mut self, words: &str, x: f32, y: f32, size: f32, color: Rgb<u8>) -> f32 {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let mut caret = x;
        for ch in words.chars() {
            let id = self.font.glyph_id(ch);
            let glyph = id.with_scale_and_position(scale, point(caret, y + scaled.ascent()));
            caret += scaled.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            let image = &mut self.image;
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
                if px < 0 || py < 0 || px >= i64::from(image.width()) || py >= i64::from(image.height()) {
                    return;
                }
                let under = *image.get_pixel(px as u32, py as u32);
                let mix = |a: u8, b: u8| (f32::from(a) * (1.0 - coverage) + f32::from(b) * coverage) as u8;
                image.put_pixel(
                    px as u32,
                    py as u32,
                    Rgb([mix(under[0], color[0]), mix(under[1], color[1]), mix(under[2], color[2])]),
                );
            });
        }
        caret - x
    }

    /// Columns for `values` in the box, a label under every `label_every`th.
    fn columns(
        &mut self,
        values: &[(String, u32)],
        (x, y, width, height): (f32, f32, f32, f32),
        label_every: usize,
    ) {
        let max = values.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f32;
        let slot = width / values.len().max(1) as f32;
        let chart_height = height - 40.0;
        self.rect(x as i64, (y + chart_height) as i64, width as i64, 2, MUTED);
        for (index, (label, value)) in values.iter().enumerate() {
            let bar = chart_height * (*value as f32) / max;
            let left = x + slot * index as f32 + slot * 0.15;
            self.rect(
                left as i64,
                (y + chart_height - bar) as i64,
                (slot * 0.7).max(1.0) as i64,
                bar as i64,
                BAR,
            );
            if *value > 0 {
                self.text(&value.to_string(), left, y + chart_height - bar - 22.0, 18.0, INK);
            }
            if index % label_every.max(1) == 0 {
                self.text(label, left, y + chart_height + 8.0, 18.0, MUTED);
            }
        }
    }

    /// Horizontal bars with names at the left.
    fn bars(&mut self, rows: &[(String, u32)], (x, y, width, _height): (f32, f32, f32, f32)) {
        let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f32;
        let name_width = 200.0;
        for (index, (name, value)) in rows.iter().enumerate() {
            let top = y + index as f32 * 40.0;
            self.text(name, x, top, 22.0, INK);
            let length = (width - name_width - 60.0) * (*value as f32) / max;
            self.rect((x + name_width) as i64, (top + 4.0) as i64, length.max(2.0) as i64, 22, BAR);
            self.text(&value.to_string(), x + name_width + length + 8.0, top, 22.0, INK);
        }
    }
}

/// The charts as a picture.
pub fn chart(stats: &Stats, config: &Config, language: Language) -> RgbImage {
    let localizer = Localizer::new();
    let tr = |key: &str| localizer.text(language, key);
    let font = FontRef::try_from_slice(crate::fonts::CJK_FONT_BYTES).expect("the bundled font is valid");
    let mut canvas = Canvas { image: RgbImage::from_pixel(WIDTH, HEIGHT, PAPER), font };
    let last_day = stats.to - Duration::days(1);
    let title = localizer.format(
        language,
        "report-title",
        &[
            ("station", FluentValue::from(config.terminal.name.clone())),
            ("from", FluentValue::from(stats.from.format("%Y-%m-%d").to_string())),
            ("to", FluentValue::from(last_day.format("%Y-%m-%d").to_string())),
        ],
    );
    canvas.text(&title, 40.0, 30.0, 40.0, INK);
    let average = stats.average_minutes.map_or_else(
        || "-".to_string(),
        |m| localizer.format(language, "summary-minutes", &[("count", FluentValue::from(m))]),
    );
    let facts = format!(
        "{} {}  ·  {} {}  ·  {} {}  ·  {} {}",
        tr("summary-visits"),
        stats.visits,
        tr("summary-card-holders"),
        stats.distinct_cards,
        tr("summary-repeat"),
        stats.repeat_visitors,
        tr("summary-average"),
        average
    );
    canvas.text(&facts, 40.0, 90.0, 26.0, MUTED);
    let days: Vec<(String, u32)> =
        stats.by_day.iter().map(|(d, v)| (d.format("%m-%d").to_string(), *v)).collect();
    canvas.text(&tr("report-per-day"), 40.0, 150.0, 28.0, INK);
    let every = (days.len() / 10).max(1);
    canvas.columns(&days, (40.0, 200.0, 1520.0, 320.0), every);
    let hours: Vec<(String, u32)> =
        stats.by_hour.iter().enumerate().map(|(h, v)| (h.to_string(), *v)).collect();
    canvas.text(&tr("stats-by-hour"), 40.0, 560.0, 28.0, INK);
    canvas.columns(&hours, (40.0, 610.0, 820.0, 340.0), 3);
    let trades: Vec<(String, u32)> = stats
        .by_trade
        .iter()
        .map(|c| {
            (
                kiosk_core::config::Choice::name_of(&config.station.trades, &c.id, language).to_string(),
                c.visits,
            )
        })
        .collect();
    canvas.text(&tr("stats-by-trade"), 920.0, 560.0, 28.0, INK);
    canvas.bars(&trades, (920.0, 620.0, 640.0, 340.0));
    canvas.image
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::station::Station;

    #[test]
    fn csv_and_png_reports_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.storage.data_dir = Some(dir.path().to_path_buf());
        let at = |d, h| NaiveDate::from_ymd_opt(2026, 7, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        {
            let store = Store::open_in(dir.path()).unwrap();
            let station = Station::open(&store, &config.station).unwrap();
            station.check_in("courier", None, &["water".into()], at(1, 12)).unwrap();
            station.check_in("delivery", None, &[], at(15, 18)).unwrap();
            station.check_in("courier", None, &[], at(31, 23)).unwrap();
            station.check_in("courier", None, &[], at(31, 23) + Duration::hours(2)).unwrap();
        }
        let july = |format, output: Option<&Path>| {
            visits(
                &config,
                NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 7, 31).unwrap(),
                format,
                output,
                Language::En,
            )
        };
        let csv = july(Format::Csv, None).unwrap();
        assert_eq!(csv.lines().count(), 4, "header and the three July visits (not August 1st)\\n{csv}");
        assert!(csv.lines().nth(1).unwrap().contains(",courier,Courier,water,"));
        let png = dir.path().join("july.png");
        let said = july(Format::Png, Some(&png)).unwrap();
        assert!(said.starts_with("3 visits"), "{said}");
        let picture = image::open(&png).unwrap().to_rgb8();
        assert_eq!(picture.dimensions(), (WIDTH, HEIGHT));
        assert!(picture.pixels().any(|p| *p == BAR), "bars are drawn");
        assert!(july(Format::Png, None).is_err(), "a PNG needs a file");
        assert!(
            visits(
                &config,
                NaiveDate::from_ymd_opt(2026, 7, 2).unwrap(),
                NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
                Format::Csv,
                None,
                Language::En
            )
            .is_err()
        );
    }
}
