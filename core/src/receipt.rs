//! Receipts: what a finished session prints, and its layout in printer columns.
//!
//! The layout is plain text lines with a style each; the app turns them into ESC/POS.
//! Lines are wrapped by display width, not by character count: a Chinese character takes
//! two columns of a receipt printer's Latin font (48 columns on 80 mm paper, 32 on 58 mm).
//! The patron's name and card number are printed masked — receipts get left behind.

use chrono::NaiveDateTime;
use fluent_bundle::FluentValue;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::config::{Language, ReceiptConfig};
use crate::i18n::Localizer;
use crate::mask;

/// Which session the receipt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptKind {
    /// Borrowing.
    Loan,
    /// Returning.
    Return,
    /// Renewing from the account screen.
    Renewal,
}

/// What happened to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptStatus {
    /// Lent (a renewal when the patron already had it).
    Loaned {
        /// Due date, when known.
        due: Option<NaiveDateTime>,
        /// It was renewed.
        renewed: bool,
    },
    /// Returned.
    Returned,
    /// Renewed.
    Renewed {
        /// New due date, when known.
        due: Option<NaiveDateTime>,
    },
    /// Not done, with the library system's reason when there is one.
    NotDone {
        /// The reason.
        reason: Option<String>,
    },
}

/// One item on the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptItem {
    /// Barcode.
    pub barcode: String,
    /// Title, when known.
    pub title: Option<String>,
    /// What happened.
    pub status: ReceiptStatus,
    /// Recorded off line; the library system has not seen it yet.
    pub queued: bool,
}

/// The patron, as far as a receipt shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPatron {
    /// Card number (printed masked).
    pub id: String,
    /// Name (printed masked).
    pub name: String,
    /// Items on loan after the session.
    pub loans: u16,
    /// Holds ready to collect.
    pub holds_ready: u16,
}

/// A session's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Which session.
    pub kind: ReceiptKind,
    /// When it was printed.
    pub at: NaiveDateTime,
    /// The patron (none for returns).
    pub patron: Option<ReceiptPatron>,
    /// The items.
    pub items: Vec<ReceiptItem>,
}

/// How a printed line looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStyle {
    /// Double width and height, bold, centred (the library's name).
    Title,
    /// Bold, centred.
    Heading,
    /// Centred.
    Centered,
    /// Left-aligned.
    Plain,
    /// Bold, left-aligned.
    Strong,
}

/// One printed line; its text fits the columns it was laid out for (at its style's width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintLine {
    /// The text.
    pub text: String,
    /// The look.
    pub style: LineStyle,
}

/// Display width in printer columns: two for Chinese characters, one for Latin.
pub fn display_width(text: &str) -> usize {
    text.width()
}

/// Wraps `text` to `columns` display columns: Latin text at spaces where it can, Chinese
/// anywhere. A word longer than a line is split.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut width = 0;
    for ch in text.chars().filter(|c| !c.is_control()) {
        let ch_width = ch.width().unwrap_or(0);
        if width + ch_width > columns && !current.is_empty() {
            let space = current.rfind(' ').filter(|&at| at > 0 && ch != ' ' && ch_width == 1);
            match space {
                Some(at) => {
                    let rest = current[at + 1..].to_string();
                    current.truncate(at);
                    lines.push(current.trim_end().to_string());
                    current = rest;
                }
                None => lines.push(std::mem::take(&mut current).trim_end().to_string()),
            }
            width = display_width(&current);
            if ch == ' ' && current.is_empty() {
                continue;
            }
        }
        current.push(ch);
        width += ch_width;
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}

/// `left` and `right` on one line, `right` flush with the right edge; on two lines when
/// they do not fit together.
pub fn two_columns(left: &str, right: &str, columns: usize) -> Vec<String> {
    let (left_width, right_width) = (display_width(left), display_width(right));
    if left_width + 1 + right_width <= columns {
        return vec![format!("{left}{}{right}", " ".repeat(columns - left_width - right_width))];
    }
    let mut lines = wrap(left, columns);
    for part in wrap(right, columns) {
        let pad = columns.saturating_sub(display_width(&part));
        lines.push(format!("{}{part}", " ".repeat(pad)));
    }
    lines
}

fn push(out: &mut Vec<PrintLine>, style: LineStyle, text: String, width: usize) {
    out.extend(wrap(&text, width).into_iter().map(|text| PrintLine { text, style }));
}

/// Lays a receipt out for `columns` printer columns in `language`.
pub fn layout(
    receipt: &Receipt,
    config: &ReceiptConfig,
    terminal: &str,
    localizer: &Localizer,
    language: Language,
    columns: usize,
) -> Vec<PrintLine> {
    let text = |key: &str| localizer.text(language, key);
    let count = |key: &str, n: usize| localizer.format(language, key, &[("count", FluentValue::from(n))]);
    let date = |key: &str, at: NaiveDateTime| {
        localizer.format(language, key, &[("date", FluentValue::from(at.format("%Y-%m-%d").to_string()))])
    };
    let mut out = Vec::new();

    for (index, line) in config.header.iter().enumerate() {
        if index == 0 && display_width(line) <= columns / 2 {
            push(&mut out, LineStyle::Title, line.clone(), columns / 2);
        } else if index == 0 {
            push(&mut out, LineStyle::Heading, line.clone(), columns);
        } else {
            push(&mut out, LineStyle::Centered, line.clone(), columns);
        }
    }
    let title = match receipt.kind {
        ReceiptKind::Loan => "receipt-loan",
        ReceiptKind::Return => "receipt-return",
        ReceiptKind::Renewal => "receipt-renewal",
    };
    push(&mut out, LineStyle::Heading, text(title), columns);
    let rule = "-".repeat(columns);
    push(&mut out, LineStyle::Plain, rule.clone(), columns);
    push(
        &mut out,
        LineStyle::Plain,
        format!("{} {}", text("receipt-time"), receipt.at.format("%Y-%m-%d %H:%M")),
        columns,
    );
    push(&mut out, LineStyle::Plain, format!("{} {terminal}", text("receipt-terminal")), columns);
    if let Some(patron) = &receipt.patron {
        push(
            &mut out,
            LineStyle::Plain,
            format!(
                "{} {} {}",
                text("receipt-patron"),
                mask::name(&patron.name),
                mask::identifier(&patron.id)
            ),
            columns,
        );
    }
    push(&mut out, LineStyle::Plain, rule.clone(), columns);

    let indent = "   ";
    for (number, item) in receipt.items.iter().enumerate() {
        let title = item.title.clone().unwrap_or_else(|| text("receipt-untitled"));
        let heading = format!("{:<3}", format!("{}.", number + 1));
        for (index, line) in wrap(&title, columns - indent.len()).into_iter().enumerate() {
            let lead = if index == 0 { heading.as_str() } else { indent };
            out.push(PrintLine { text: format!("{lead}{line}"), style: LineStyle::Strong });
        }
        let mut status = match &item.status {
            ReceiptStatus::Loaned { due: Some(due), renewed: false } => date("receipt-due", *due),
            ReceiptStatus::Loaned { due: Some(due), renewed: true }
            | ReceiptStatus::Renewed { due: Some(due) } => date("receipt-renewed-due", *due),
            ReceiptStatus::Loaned { due: None, .. } | ReceiptStatus::Renewed { due: None } => {
                text("receipt-due-unknown")
            }
            ReceiptStatus::Returned => text("receipt-returned"),
            ReceiptStatus::NotDone { .. } => text("receipt-not-done"),
        };
        if item.queued {
            status.push_str(" *");
        }
        for line in two_columns(&item.barcode, &status, columns - indent.len()) {
            out.push(PrintLine { text: format!("{indent}{line}"), style: LineStyle::Plain });
        }
        if let ReceiptStatus::NotDone { reason: Some(reason) } = &item.status {
            for line in wrap(reason, columns - indent.len()) {
                out.push(PrintLine { text: format!("{indent}{line}"), style: LineStyle::Plain });
            }
        }
    }
    push(&mut out, LineStyle::Plain, rule.clone(), columns);

    let done = receipt.items.iter().filter(|i| !matches!(i.status, ReceiptStatus::NotDone { .. })).count();
    let total = match receipt.kind {
        ReceiptKind::Loan => "receipt-count-loan",
        ReceiptKind::Return => "receipt-count-return",
        ReceiptKind::Renewal => "receipt-count-renewal",
    };
    push(&mut out, LineStyle::Strong, count(total, done), columns);
    if let Some(patron) = &receipt.patron {
        push(&mut out, LineStyle::Plain, count("receipt-on-loan", usize::from(patron.loans)), columns);
        if patron.holds_ready > 0 {
            push(
                &mut out,
                LineStyle::Strong,
                count("receipt-holds-ready", usize::from(patron.holds_ready)),
                columns,
            );
        }
    }
    if receipt.items.iter().any(|item| item.queued) {
        push(&mut out, LineStyle::Plain, text("receipt-queued"), columns);
    }
    if !config.footer.is_empty() {
        push(&mut out, LineStyle::Plain, rule, columns);
    }
    for line in &config.footer {
        push(&mut out, LineStyle::Centered, line.clone(), columns);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 7, day).unwrap().and_hms_opt(10, 5, 0).unwrap()
    }

    fn loan_receipt(queued: bool) -> Receipt {
        Receipt {
            kind: ReceiptKind::Loan,
            at: at(15),
            patron: Some(ReceiptPatron {
                id: "20234000000019".into(),
                name: "张伟".into(),
                loans: 4,
                holds_ready: 1,
            }),
            items: vec![
                ReceiptItem {
                    barcode: "30234000000017".into(),
                    title: Some("活着".into()),
                    status: ReceiptStatus::Loaned { due: Some(at(29)), renewed: false },
                    queued,
                },
                ReceiptItem {
                    barcode: "30234000000025".into(),
                    title: Some(
                        "平凡的世界（全三册）：一部全景式地表现中国当代城乡社会生活的长篇小说".into(),
                    ),
                    status: ReceiptStatus::NotDone { reason: Some("该书已被其他读者预约".into()) },
                    queued: false,
                },
            ],
        }
    }

    #[test]
    fn chinese_wraps_by_display_width() {
        let lines = wrap(&"借".repeat(30), 48);
        assert_eq!(lines, ["借".repeat(24), "借".repeat(6)]);
        assert_eq!(wrap("a 借借", 4), ["a 借", "借"]);
        assert_eq!(wrap("ab 借借", 4), ["ab", "借借"]);
    }

    #[test]
    fn latin_wraps_at_spaces() {
        assert_eq!(wrap("Please return on time", 12), ["Please", "return on", "time"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn two_columns_fill_the_line_or_break() {
        assert_eq!(two_columns("3023", "应还 2026-07-29", 24), ["3023     应还 2026-07-29"]);
        assert_eq!(display_width(&two_columns("3023", "应还 2026-07-29", 24)[0]), 24);
        let broken = two_columns("30234000000017", "Returned to the hold shelf", 20);
        assert!(broken.len() > 1);
        assert!(broken.iter().all(|l| display_width(l) <= 20));
    }

    #[test]
    fn loan_receipt_in_chinese() {
        let localizer = Localizer::new();
        let lines = layout(
            &loan_receipt(false),
            &ReceiptConfig::default(),
            "工人文化宫",
            &localizer,
            Language::ZhCn,
            48,
        );
        let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let all = text.join("\n");
        assert_eq!(lines[0], PrintLine { text: "市工人文化宫图书馆".into(), style: LineStyle::Title });
        assert!(all.contains("借书凭条"), "{all}");
        assert!(all.contains("2026-07-15 10:05"));
        assert!(all.contains("张* ****0019"), "{all}");
        assert!(!all.contains("20234000000019"), "the card number is masked");
        assert!(text.iter().any(|l| l.starts_with("   30234000000017") && l.ends_with("应还 2026-07-29")));
        assert!(all.contains("该书已被其他读者预约"));
        assert!(all.contains("本次借出 1 册"), "{all}");
        assert!(all.contains("当前在借 4 册"));
        assert!(all.contains("1 册预约书可取"));
        assert!(!all.contains("联网后"), "no offline note when nothing is queued");
        for line in &lines {
            let limit = if line.style == LineStyle::Title { 24 } else { 48 };
            assert!(display_width(&line.text) <= limit, "{line:?} is too wide");
        }
    }

    #[test]
    fn queued_items_are_marked_in_english() {
        let localizer = Localizer::new();
        let lines =
            layout(&loan_receipt(true), &ReceiptConfig::default(), "Palace", &localizer, Language::En, 32);
        let all: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let all = all.join("\n");
        assert!(all.contains("Loan receipt"), "{all}");
        assert!(all.contains("Due 2026-07-29 *"), "{all}");
        assert!(all.contains("* Recorded; will be sent to the"), "{all}");
        assert_eq!(lines[0].style, LineStyle::Heading, "a name too wide for double size prints normal");
        assert!(lines.iter().all(|l| display_width(&l.text) <= 32));
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit(text in "[a-z 借书還€]{0,120}", columns in 2usize..60) {
            let lines = wrap(&text, columns);
            for line in &lines {
                prop_assert!(display_width(line) <= columns, "{line:?} wider than {columns}");
            }
            let kept: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(kept, original);
        }
    }
}
