//! Masking of personal data for logs, screens and exports.
//!
//! Patron identifiers in logs show only their last 4 characters; PINs are never shown
//! at all (there is deliberately no helper that formats a PIN).

use std::fmt;

/// An identifier shown by its last 4 characters only: `****1234`.
///
/// The number of stars is fixed so the length does not leak either.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Masked<'a>(&'a str);

/// Masks a patron identifier (card number, QR payload, union card) for a log line.
pub fn identifier(id: &str) -> Masked<'_> {
    Masked(id)
}

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.chars().count();
        if count <= 4 {
            return f.write_str("****");
        }
        let tail: String = self.0.chars().skip(count - 4).collect();
        write!(f, "****{tail}")
    }
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Masks a personal name for the screen: the first character of each word stays.
///
/// `张三丰` → `张**`, `John Smith` → `J*** S****`.
pub fn name(full: &str) -> String {
    full.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn identifiers_keep_last_four() {
        assert_eq!(identifier("21234000123456").to_string(), "****3456");
        assert_eq!(identifier("1234").to_string(), "****");
        assert_eq!(identifier("").to_string(), "****");
        assert_eq!(identifier("卡号一二三四五").to_string(), "****二三四五");
        assert_eq!(format!("{:?}", identifier("P0000099")), "****0099");
    }

    #[test]
    fn names_keep_initials() {
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(name("John Smith"), "J*** S****");
        assert_eq!(name(""), "");
    }

    proptest! {
        #[test]
        fn masked_identifier_never_shows_more_than_four_characters(id in "\\PC{0,40}") {
            let shown = identifier(&id).to_string();
            let tail = shown.trim_start_matches('*');
            prop_assert!(tail.chars().count() <= 4);
            prop_assert!(id.ends_with(tail));
        }
    }
}
