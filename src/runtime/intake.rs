//! From device events to what a circulation session understands: a scan becomes a patron
//! card (barcode or QR e-card), an item, a technician card or a refusal with its reason;
//! tags on the pad become patron cards (RFID cards) and items with all their parts.
//!
//! The pad is tracked as a whole so that a multi-part set whose parts arrive in separate
//! rounds is presented again, complete, once the last part is down.

use std::collections::BTreeMap;

use kiosk_core::circulation::session::Presented;
use kiosk_hardware::barcode::{BarcodeRules, Classified, Symbology, classify};
use kiosk_hardware::device::TagReport;
use kiosk_hardware::reader::stack::group_items;
use kiosk_hardware::tag::TagData;
use kiosk_hardware::tag::iso15693::Uid;

/// What a scan or a pad change means for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// A patron card: barcode, QR e-card or RFID card.
    Card(String),
    /// An item: a scanned barcode, or a book on the pad with its tags.
    Item(Presented),
    /// A technician's card (opens diagnostics).
    Technician(String),
    /// Not usable, with why (for the screen).
    Rejected {
        /// What was read.
        code: String,
        /// Why it is refused.
        reason: String,
    },
    /// A tag on the pad whose memory could not be read.
    Unreadable {
        /// The tag.
        uid: Uid,
        /// Why.
        reason: String,
    },
}

/// Classifies a scan.
pub fn from_scan(text: &str, symbology: Symbology, rules: &BarcodeRules, technicians: &[String]) -> Intake {
    match classify(text, symbology, rules, technicians) {
        Classified::Patron(card) => Intake::Card(card),
        Classified::Item(barcode) => {
            Intake::Item(Presented { barcode, title: None, tags: Vec::new(), incomplete: None })
        }
        Classified::Technician(card) => Intake::Technician(card),
        Classified::Rejected { code, reason } => Intake::Rejected { code, reason },
    }
}

/// The tags on the pad.
#[derive(Debug, Default)]
pub struct Pad {
    tags: BTreeMap<Uid, TagData>,
}

impl Pad {
    /// Tags arrived: returns cards and the items they belong to (with every part on the pad).
    pub fn arrived(&mut self, reports: &[TagReport]) -> Vec<Intake> {
        let mut out = Vec::new();
        let mut touched = Vec::new();
        for report in reports {
            match &report.data {
                Ok(data) if data.usage.is_some_and(|usage| usage.is_patron_card()) => {
                    if !data.primary_item_id.is_empty() {
                        out.push(Intake::Card(data.primary_item_id.clone()));
                    }
                }
                Ok(data) if data.primary_item_id.is_empty() => out.push(Intake::Unreadable {
                    uid: report.uid,
                    reason: "the tag carries no barcode".into(),
                }),
                Ok(data) => {
                    touched.push((data.primary_item_id.clone(), data.owner_institution.clone()));
                    self.tags.insert(report.uid, data.clone());
                }
                Err(reason) => out.push(Intake::Unreadable { uid: report.uid, reason: reason.clone() }),
            }
        }
        let on_pad: Vec<(Uid, TagData)> = self.tags.iter().map(|(uid, data)| (*uid, data.clone())).collect();
        for item in group_items(&on_pad) {
            if !touched.contains(&(item.primary_item_id.clone(), item.owner.clone())) {
                continue;
            }
            let title = item
                .tags
                .iter()
                .find_map(|uid| self.tags.get(uid).and_then(|data| data.title.clone()))
                .filter(|title| !title.is_empty());
            let incomplete = match (item.complete, item.parts) {
                (false, Some(parts)) => Some((parts, u8::try_from(item.tags.len()).unwrap_or(u8::MAX))),
                _ => None,
            };
            out.push(Intake::Item(Presented {
                barcode: item.primary_item_id,
                title,
                tags: item.tags.iter().map(|uid| uid.0).collect(),
                incomplete,
            }));
        }
        out
    }

    /// Tags left the pad.
    pub fn left(&mut self, uids: &[Uid]) {
        for uid in uids {
            self.tags.remove(uid);
        }
    }

    /// Empties the pad's memory (a new session).
    pub fn clear(&mut self) {
        self.tags.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_hardware::reader::fake::library_book;
    use kiosk_hardware::tag::iso28560_2::{Content, encode};
    use kiosk_hardware::tag::{SetInfo, TypeOfUsage, decode};

    fn report(uid: Uid, memory: Vec<u8>) -> TagReport {
        TagReport {
            uid,
            afi: Some(0x07),
            dsfid: None,
            eas: Some(true),
            block_size: 4,
            data: decode(&memory).map_err(|e| e.to_string()),
            memory,
        }
    }

    fn book(serial: u32, barcode: &str, set: Option<SetInfo>) -> TagReport {
        let tag = library_book(serial, barcode, "活着", set);
        report(tag.uid, tag.memory)
    }

    #[test]
    fn scans_are_cards_items_or_refusals() {
        let rules = BarcodeRules::library_default();
        assert_eq!(
            from_scan("20234000000019", Symbology::Unknown, &rules, &[]),
            Intake::Card("20234000000019".into())
        );
        assert!(matches!(
            from_scan("30234000000017", Symbology::Unknown, &rules, &[]),
            Intake::Item(Presented { ref barcode, .. }) if barcode == "30234000000017"
        ));
        assert_eq!(
            from_scan("T-0001", Symbology::Unknown, &rules, &["T-0001".into()]),
            Intake::Technician("T-0001".into())
        );
        assert!(matches!(
            from_scan("9787506365437", Symbology::Ean13, &rules, &[]),
            Intake::Rejected { ref reason, .. } if reason.contains("ISBN")
        ));
    }

    #[test]
    fn an_rfid_patron_card_is_a_card() {
        let content = Content {
            primary_item_id: "20234000000019".into(),
            owner_institution: Some("CN-WCP".into()),
            usage: Some(TypeOfUsage(0x80)),
            ..Default::default()
        };
        let uid = Uid([0xE0, 4, 1, 0, 0, 0, 0, 9]);
        let mut pad = Pad::default();
        assert_eq!(
            pad.arrived(&[report(uid, encode(&content).unwrap())]),
            [Intake::Card("20234000000019".into())]
        );
    }

    #[test]
    fn a_set_is_presented_again_once_complete() {
        let mut pad = Pad::default();
        let set = |part| Some(SetInfo { parts: 2, part });
        let first = pad.arrived(&[book(1, "30234000000058", set(1)), book(9, "30234000000017", None)]);
        assert_eq!(first.len(), 2);
        let incomplete = first.iter().find_map(|i| match i {
            Intake::Item(p) if p.barcode == "30234000000058" => Some(p.clone()),
            _ => None,
        });
        assert_eq!(incomplete.unwrap().incomplete, Some((2, 1)));

        let second = pad.arrived(&[book(2, "30234000000058", set(2))]);
        let [Intake::Item(complete)] = &second[..] else { panic!("{second:?}") };
        assert_eq!(complete.incomplete, None);
        assert_eq!(complete.tags.len(), 2);
        assert_eq!(complete.title.as_deref(), Some("活着"));
    }

    #[test]
    fn garbled_and_blank_tags_are_reported_not_dropped() {
        let mut pad = Pad::default();
        let uid = Uid([0xE0, 4, 1, 0, 0, 0, 0, 7]);
        let garbled = pad.arrived(&[report(uid, vec![0x11, 0xFF, 0x00, 0x42])]);
        assert!(matches!(&garbled[..], [Intake::Unreadable { .. }]), "{garbled:?}");
        let blank = pad.arrived(&[report(uid, vec![0; 32])]);
        assert!(matches!(&blank[..], [Intake::Unreadable { .. }]), "{blank:?}");
    }

    #[test]
    fn books_that_left_are_forgotten() {
        let mut pad = Pad::default();
        let tag = book(1, "30234000000058", Some(SetInfo { parts: 2, part: 1 }));
        pad.arrived(std::slice::from_ref(&tag));
        pad.left(&[tag.uid]);
        let again = pad.arrived(&[book(2, "30234000000058", Some(SetInfo { parts: 2, part: 2 }))]);
        let [Intake::Item(item)] = &again[..] else { panic!("{again:?}") };
        assert_eq!(item.incomplete, Some((2, 1)), "the first part is no longer on the pad");
    }
}
