//! Barcode rules: check digits of the library symbologies, AIM symbology identifiers, and
//! the site profile's classification of each scan as a patron card, an item, a technician
//! card or something else — with the reason when it is refused.
//!
//! Facts from shared/reference/devices.md §2–3: the 14-digit Codabar library number
//! (digit 1 = type: 2 patron, 3 item; digits 2–5 institution; 6–13 sequence; 14 = mod-10
//! check), EAN-13 / ISBN-13 (weights 1, 3), ISBN-10 (mod 11).

use std::fmt;

use serde::Deserialize;

/// The symbology a scanner reported (from its AIM identifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// `]A`: Code 39.
    Code39,
    /// `]C`: Code 128.
    Code128,
    /// `]E`: EAN-13 / UPC.
    Ean13,
    /// `]F`: Codabar.
    Codabar,
    /// `]Q`: QR Code.
    Qr,
    /// `]d`: Data Matrix.
    DataMatrix,
    /// Another AIM code.
    Other(char),
    /// The scanner sent no identifier.
    Unknown,
}

impl fmt::Display for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Symbology::Code39 => f.write_str("Code 39"),
            Symbology::Code128 => f.write_str("Code 128"),
            Symbology::Ean13 => f.write_str("EAN-13"),
            Symbology::Codabar => f.write_str("Codabar"),
            Symbology::Qr => f.write_str("QR"),
            Symbology::DataMatrix => f.write_str("Data Matrix"),
            Symbology::Other(c) => write!(f, "AIM ]{c}"),
            Symbology::Unknown => f.write_str("unknown"),
        }
    }
}

/// Splits an optional AIM identifier (`]` + code letter + modifier digit) off a scan.
pub fn strip_aim(text: &str) -> (Symbology, &str) {
    let bytes = text.as_bytes();
    if bytes.len() >= 3
        && bytes[0] == b']'
        && bytes[1].is_ascii_alphabetic()
        && bytes[2].is_ascii_alphanumeric()
    {
        let symbology = match bytes[1] {
            b'A' => Symbology::Code39,
            b'C' => Symbology::Code128,
            b'E' => Symbology::Ean13,
            b'F' => Symbology::Codabar,
            b'Q' => Symbology::Qr,
            b'd' => Symbology::DataMatrix,
            other => Symbology::Other(char::from(other)),
        };
        return (symbology, &text[3..]);
    }
    (Symbology::Unknown, text)
}

fn digits(text: &str) -> Option<Vec<u32>> {
    text.chars().map(|c| c.to_digit(10)).collect()
}

/// The mod-10 check digit of a 13-digit library number (double digits 1, 3, 5 … 13,
/// subtracting 9 above 9; add the rest; (10 − sum mod 10) mod 10).
pub fn library_check_digit(first_13: &str) -> Option<u32> {
    let d = digits(first_13).filter(|d| d.len() == 13)?;
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 2 == 0 { if v * 2 > 9 { v * 2 - 9 } else { v * 2 } } else { v })
        .sum();
    Some((10 - sum % 10) % 10)
}

/// Whether a 14-digit library number carries the right check digit.
pub fn is_valid_library_number(number: &str) -> bool {
    number.len() == 14
        && library_check_digit(&number[..13])
            .zip(number[13..].chars().next().and_then(|c| c.to_digit(10)))
            .is_some_and(|(a, b)| a == b)
}

/// The EAN-13 check digit of 12 digits.
pub fn ean13_check_digit(first_12: &str) -> Option<u32> {
    let d = digits(first_12).filter(|d| d.len() == 12)?;
    let sum: u32 = d.iter().enumerate().map(|(i, &v)| if i % 2 == 0 { v } else { v * 3 }).sum();
    Some((10 - sum % 10) % 10)
}

/// Whether 13 digits form a valid EAN-13.
pub fn is_valid_ean13(code: &str) -> bool {
    code.len() == 13
        && ean13_check_digit(&code[..12]) == code[12..].chars().next().and_then(|c| c.to_digit(10))
}

/// The ISBN-10 check character of 9 digits (`X` for 10).
pub fn isbn10_check(first_9: &str) -> Option<char> {
    let d = digits(first_9).filter(|d| d.len() == 9)?;
    let sum: u32 = d.iter().enumerate().map(|(i, &v)| v * (10 - i as u32)).sum();
    let check = (11 - sum % 11) % 11;
    Some(if check == 10 { 'X' } else { char::from_digit(check, 10)? })
}

/// Whether a 10-character ISBN is valid.
pub fn is_valid_isbn10(code: &str) -> bool {
    code.len() == 10 && isbn10_check(&code[..9]) == code[9..].chars().next().map(|c| c.to_ascii_uppercase())
}

/// The optional mod-43 check character of Code 39 data.
pub fn code39_check(data: &str) -> Option<char> {
    const SET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
    let sum: usize = data.chars().map(|c| SET.find(c)).sum::<Option<usize>>()?;
    SET.chars().nth(sum % 43)
}

/// A check-digit algorithm a rule requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckAlgorithm {
    /// None.
    None,
    /// The library mod-10 (14-digit Codabar numbers).
    LibraryMod10,
    /// EAN-13.
    Ean13,
    /// Code 39 mod 43 (last character).
    Code39Mod43,
}

/// One pattern of valid numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Required prefix.
    #[serde(default)]
    pub prefix: String,
    /// Shortest length.
    pub min_length: usize,
    /// Longest length.
    pub max_length: usize,
    /// Digits only.
    #[serde(default)]
    pub digits_only: bool,
    /// Check-digit algorithm.
    #[serde(default = "no_check")]
    pub check: CheckAlgorithm,
}

fn no_check() -> CheckAlgorithm {
    CheckAlgorithm::None
}

/// How a rule judged a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleMatch {
    /// It fits.
    Valid,
    /// It has the rule's shape but fails: the reason.
    Invalid(String),
    /// It is not this kind of code.
    NoMatch,
}

impl Rule {
    /// Judges `code`.
    pub fn check(&self, code: &str) -> RuleMatch {
        if !code.starts_with(&self.prefix) {
            return RuleMatch::NoMatch;
        }
        let length = code.chars().count();
        if length < self.min_length || length > self.max_length {
            return RuleMatch::NoMatch;
        }
        if self.digits_only && !code.bytes().all(|b| b.is_ascii_digit()) {
            return RuleMatch::Invalid(format!("{code:?} must be digits only"));
        }
        let wrong = |expected: String| {
            RuleMatch::Invalid(format!(
                "check digit wrong: expected {expected}, read {}",
                &code[code.len() - 1..]
            ))
        };
        match self.check {
            CheckAlgorithm::None => RuleMatch::Valid,
            CheckAlgorithm::LibraryMod10 if length == 14 => match library_check_digit(&code[..13]) {
                Some(_) if is_valid_library_number(code) => RuleMatch::Valid,
                Some(check) => wrong(check.to_string()),
                None => RuleMatch::Invalid("not a 14-digit number".into()),
            },
            CheckAlgorithm::LibraryMod10 => RuleMatch::Invalid("a library number has 14 digits".into()),
            CheckAlgorithm::Ean13 if length == 13 => match ean13_check_digit(&code[..12]) {
                Some(_) if is_valid_ean13(code) => RuleMatch::Valid,
                Some(check) => wrong(check.to_string()),
                None => RuleMatch::Invalid("not 13 digits".into()),
            },
            CheckAlgorithm::Ean13 => RuleMatch::Invalid("an EAN-13 has 13 digits".into()),
            CheckAlgorithm::Code39Mod43 => match code39_check(&code[..code.len() - 1]) {
                Some(check) if code.ends_with(check) => RuleMatch::Valid,
                Some(check) => wrong(check.to_string()),
                None => RuleMatch::Invalid("characters outside Code 39".into()),
            },
        }
    }
}

/// A site's barcode rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BarcodeRules {
    /// Patron cards.
    #[serde(default)]
    pub patron: Vec<Rule>,
    /// Items.
    #[serde(default)]
    pub item: Vec<Rule>,
    /// Key in a QR e-card URL that carries the card number (`card` in `…?card=2023…`).
    #[serde(default)]
    pub qr_card_parameter: Option<String>,
}

impl BarcodeRules {
    /// The federation's defaults: 14-digit Codabar numbers, `2…` patrons and `3…` items,
    /// with the mod-10 check.
    pub fn library_default() -> BarcodeRules {
        let rule = |prefix: &str| Rule {
            prefix: prefix.into(),
            min_length: 14,
            max_length: 14,
            digits_only: true,
            check: CheckAlgorithm::LibraryMod10,
        };
        BarcodeRules {
            patron: vec![rule("2")],
            item: vec![rule("3")],
            qr_card_parameter: Some("card".into()),
        }
    }
}

/// What a scan is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    /// A patron card (or e-card) number.
    Patron(String),
    /// An item barcode.
    Item(String),
    /// A technician's card.
    Technician(String),
    /// Not usable here, with the reason for the screen and the log.
    Rejected {
        /// The code as scanned.
        code: String,
        /// Why.
        reason: String,
    },
}

/// Classifies a scan with the site's rules and technician card list.
pub fn classify(
    raw: &str,
    symbology: Symbology,
    rules: &BarcodeRules,
    technician_cards: &[String],
) -> Classified {
    let mut code = raw.trim().to_string();
    // Codabar start/stop characters, when the scanner transmits them.
    if code.len() >= 3 && is_codabar_framed(&code) {
        code = code[1..code.len() - 1].to_string();
    }
    if technician_cards.iter().any(|card| card == &code) {
        return Classified::Technician(code);
    }
    if (symbology == Symbology::Qr || code.contains('?'))
        && let Some(card) = card_from_qr(&code, rules.qr_card_parameter.as_deref())
    {
        code = card;
    }
    let mut reasons = Vec::new();
    for (rules, patron) in [(&rules.patron, true), (&rules.item, false)] {
        for rule in rules {
            match rule.check(&code) {
                RuleMatch::Valid if patron => return Classified::Patron(code),
                RuleMatch::Valid => return Classified::Item(code),
                RuleMatch::Invalid(reason) => reasons.push(reason),
                RuleMatch::NoMatch => {}
            }
        }
    }
    let reason = if let Some(reason) = reasons.into_iter().next() {
        reason
    } else if code.len() == 13
        && (code.starts_with("978") || code.starts_with("979"))
        && is_valid_ean13(&code)
    {
        "this is the book's ISBN; scan the library barcode label instead".into()
    } else if code.is_empty() {
        "empty scan".into()
    } else {
        "not a library card or library barcode".into()
    };
    Classified::Rejected { code, reason }
}

fn is_codabar_framed(code: &str) -> bool {
    let first = code.as_bytes()[0].to_ascii_uppercase();
    let last = code.as_bytes()[code.len() - 1].to_ascii_uppercase();
    (b'A'..=b'D').contains(&first)
        && (b'A'..=b'D').contains(&last)
        && code[1..code.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn card_from_qr(payload: &str, parameter: Option<&str>) -> Option<String> {
    let parameter = parameter?;
    let query = payload.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == parameter).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_b1_library_mod10() {
        assert_eq!(library_check_digit("3023400051786"), Some(1));
        assert!(is_valid_library_number("30234000517861"));
        for position in 0..14 {
            let mut changed: Vec<u8> = b"30234000517861".to_vec();
            changed[position] = if changed[position] == b'9' { b'0' } else { changed[position] + 1 };
            assert!(
                !is_valid_library_number(std::str::from_utf8(&changed).unwrap()),
                "changed digit {position}"
            );
        }
    }

    #[test]
    fn tv_b2_ean_and_isbn() {
        assert_eq!(ean13_check_digit("978030640615"), Some(7));
        assert!(is_valid_ean13("9780306406157"));
        assert!(!is_valid_ean13("9780306406158"));
        assert_eq!(isbn10_check("030640615"), Some('2'));
        assert!(is_valid_isbn10("0306406152"));
        assert!(!is_valid_isbn10("0306406153"));
        assert_eq!(isbn10_check("080442957"), Some('X'));
    }

    #[test]
    fn aim_identifiers() {
        assert_eq!(strip_aim("]E09780306406157"), (Symbology::Ean13, "9780306406157"));
        assert_eq!(strip_aim("]F030234000517861"), (Symbology::Codabar, "30234000517861"));
        assert_eq!(strip_aim("]Q1WCP:2023"), (Symbology::Qr, "WCP:2023"));
        assert_eq!(strip_aim("12345"), (Symbology::Unknown, "12345"));
        assert_eq!(code39_check("CODE39"), Some('W'));
    }

    #[test]
    fn classification_by_site_rules() {
        let rules = BarcodeRules::library_default();
        let technicians = vec!["TECH-0042".to_string()];
        assert_eq!(
            classify("20234000000019", Symbology::Unknown, &rules, &technicians),
            Classified::Patron("20234000000019".into())
        );
        assert_eq!(
            classify("30234000000017\r", Symbology::Codabar, &rules, &technicians),
            Classified::Item("30234000000017".into())
        );
        assert_eq!(
            classify("A30234000000017B", Symbology::Unknown, &rules, &technicians),
            Classified::Item("30234000000017".into())
        );
        assert_eq!(
            classify("TECH-0042", Symbology::Code128, &rules, &technicians),
            Classified::Technician("TECH-0042".into())
        );
        assert_eq!(
            classify(
                "https://lib.example.cn/ecard?v=1&card=20234000000027",
                Symbology::Qr,
                &rules,
                &technicians
            ),
            Classified::Patron("20234000000027".into())
        );
        match classify("30234000000018", Symbology::Unknown, &rules, &technicians) {
            Classified::Rejected { reason, .. } => assert!(reason.contains("expected 7"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match classify("9780306406157", Symbology::Ean13, &rules, &technicians) {
            Classified::Rejected { reason, .. } => assert!(reason.contains("ISBN")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify("hello", Symbology::Unknown, &rules, &technicians),
            Classified::Rejected { .. }
        ));
    }
}
