//! The tail of the kiosk's log files, with a level filter.
//!
//! Lines are written by `tracing-subscriber`'s default format:
//! `2026-11-29T00:55:21.639717Z  INFO kiosk: message`. A line that does not start that way
//! continues the entry before it (multi-line values).

use std::path::Path;

/// A log level, least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevelFilter {
    /// Everything.
    Trace,
    /// Debug and above.
    Debug,
    /// Info and above.
    Info,
    /// Warnings and errors.
    Warn,
    /// Errors only.
    Error,
}

impl LogLevelFilter {
    /// Every level, least severe first.
    pub const ALL: [LogLevelFilter; 5] = [
        LogLevelFilter::Trace,
        LogLevelFilter::Debug,
        LogLevelFilter::Info,
        LogLevelFilter::Warn,
        LogLevelFilter::Error,
    ];

    /// The name as written in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevelFilter::Trace => "TRACE",
            LogLevelFilter::Debug => "DEBUG",
            LogLevelFilter::Info => "INFO",
            LogLevelFilter::Warn => "WARN",
            LogLevelFilter::Error => "ERROR",
        }
    }

    fn parse(word: &str) -> Option<LogLevelFilter> {
        LogLevelFilter::ALL.into_iter().find(|level| level.as_str() == word)
    }
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Its level; `None` for text that does not follow the format (kept, shown as is).
    pub level: Option<LogLevelFilter>,
    /// The entry, continuation lines included.
    pub text: String,
}

/// Splits log text into entries.
pub fn parse(text: &str) -> Vec<LogLine> {
    let mut entries: Vec<LogLine> = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let stamped =
            words.next().is_some_and(|w| w.len() >= 20 && w.as_bytes()[4] == b'-' && w.contains('T'));
        let level = if stamped { words.next().and_then(LogLevelFilter::parse) } else { None };
        match (level, entries.last_mut()) {
            (None, Some(last)) if !stamped => {
                last.text.push('\n');
                last.text.push_str(line);
            }
            _ => entries.push(LogLine { level, text: line.to_string() }),
        }
    }
    entries
}

/// The newest `limit` entries at or above `minimum`, oldest first, from the `*.log` files in
/// `dir` (read newest file first, so only as much is read as needed). Unreadable files are
/// skipped: a technician still sees what can be read.
pub fn tail(dir: &Path, minimum: LogLevelFilter, limit: usize) -> Vec<LogLine> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
                .collect()
        })
        .unwrap_or_default();
    // Daily files are named kiosk.YYYY-MM-DD.log: the name sorts by date.
    files.sort();
    let mut kept: Vec<LogLine> = Vec::new();
    for file in files.iter().rev() {
        let Ok(bytes) = std::fs::read(file) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let mut matching: Vec<LogLine> =
            parse(&text).into_iter().filter(|line| line.level.is_none_or(|level| level >= minimum)).collect();
        matching.append(&mut kept);
        kept = matching;
        if kept.len() >= limit {
            break;
        }
    }
    let skip = kept.len().saturating_sub(limit);
    kept.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "2026-11-29T00:55:21.639717Z  INFO kiosk: starting the demo\n\
2026-11-29T00:55:21.670687Z  INFO iced_winit: Window attributes: WindowAttributes {\n    inner_size: None,\n}\n\
2026-11-29T00:56:00.000000Z  WARN kiosk::app: the receipt was not printed why=out of paper\n\
2026-11-29T00:57:00.000000Z ERROR kiosk: the journal could not be opened\n";

    #[test]
    fn continuation_lines_stay_with_their_entry() {
        let entries = parse(SAMPLE);
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[1].level, Some(LogLevelFilter::Info));
        assert!(entries[1].text.ends_with("inner_size: None,\n}"));
        assert_eq!(entries[3].level, Some(LogLevelFilter::Error));
    }

    #[test]
    fn tail_filters_by_level_across_daily_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kiosk.2026-11-28.log"),
            "2026-11-28T23:00:00.000000Z  WARN kiosk: yesterday's warning\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("kiosk.2026-11-29.log"), SAMPLE).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a log").unwrap();
        let warnings = tail(dir.path(), LogLevelFilter::Warn, 10);
        let texts: Vec<&str> = warnings.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts.len(), 3);
        assert!(texts[0].contains("yesterday's warning"));
        assert!(texts[2].contains("journal could not be opened"));
        let newest = tail(dir.path(), LogLevelFilter::Info, 2);
        assert_eq!(newest.len(), 2);
        assert!(newest[1].text.contains("journal could not be opened"));
        assert!(tail(&dir.path().join("missing"), LogLevelFilter::Trace, 5).is_empty());
    }

    #[test]
    fn garbage_does_not_panic() {
        let entries = parse("\u{0}\u{1}x\n2026\nT\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].level, None);
    }
}
