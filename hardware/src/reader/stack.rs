//! A stack of books on the pad: stable inventory, and multi-part sets.
//!
//! Stacked books detune each other, so one inventory round can miss a tag. A stack counts
//! only after the same UID set was seen in N consecutive rounds (shared/reference rfid.md
//! §10); the tracker then reports what arrived and what left.

use std::collections::{BTreeMap, BTreeSet};

use crate::tag::iso15693::Uid;
use crate::tag::{SetInfo, TagData};

/// What changed on the pad.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StackChange {
    /// Tags that arrived (stable).
    pub arrived: Vec<Uid>,
    /// Tags that left (stable).
    pub left: Vec<Uid>,
}

/// Debounces inventory rounds.
#[derive(Debug)]
pub struct StackTracker {
    required: u32,
    candidate: BTreeSet<Uid>,
    seen_rounds: u32,
    stable: BTreeSet<Uid>,
}

impl StackTracker {
    /// A tracker that needs `rounds` identical rounds (at least 1).
    pub fn new(rounds: u32) -> StackTracker {
        StackTracker {
            required: rounds.max(1),
            candidate: BTreeSet::new(),
            seen_rounds: 0,
            stable: BTreeSet::new(),
        }
    }

    /// The stable set.
    pub fn stable(&self) -> &BTreeSet<Uid> {
        &self.stable
    }

    /// Feeds one inventory round; returns the change once the round set is stable.
    pub fn round(&mut self, uids: &[Uid]) -> Option<StackChange> {
        let set: BTreeSet<Uid> = uids.iter().copied().collect();
        if set == self.candidate {
            self.seen_rounds += 1;
        } else {
            self.candidate = set;
            self.seen_rounds = 1;
        }
        if self.seen_rounds < self.required || self.candidate == self.stable {
            return None;
        }
        let change = StackChange {
            arrived: self.candidate.difference(&self.stable).copied().collect(),
            left: self.stable.difference(&self.candidate).copied().collect(),
        };
        self.stable = self.candidate.clone();
        Some(change)
    }
}

/// One item on the pad with the parts of it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOnPad {
    /// The barcode.
    pub primary_item_id: String,
    /// The owner ISIL.
    pub owner: Option<String>,
    /// The tags carrying it.
    pub tags: Vec<Uid>,
    /// Parts the item has, when the tags say.
    pub parts: Option<u8>,
    /// Whether every part is on the pad.
    pub complete: bool,
}

/// Groups decoded tags into items and checks that each set is complete: the number of
/// distinct tags with the same barcode and owner must equal the parts in the set.
pub fn group_items(tags: &[(Uid, TagData)]) -> Vec<ItemOnPad> {
    // (barcode, owner) → (tags, set information, part numbers seen)
    type Parts = (Vec<Uid>, Option<SetInfo>, BTreeSet<u8>);
    let mut items: BTreeMap<(String, Option<String>), Parts> = BTreeMap::new();
    for (uid, tag) in tags {
        if tag.primary_item_id.is_empty() || tag.usage.is_some_and(|u| u.is_patron_card()) {
            continue;
        }
        let entry = items.entry((tag.primary_item_id.clone(), tag.owner_institution.clone())).or_default();
        if !entry.0.contains(uid) {
            entry.0.push(*uid);
        }
        if let Some(set) = tag.set {
            entry.1 = Some(set);
            entry.2.insert(set.part);
        }
    }
    items
        .into_iter()
        .map(|((primary_item_id, owner), (uids, set, parts_seen))| {
            let parts = set.map(|s| s.parts);
            let complete = match parts {
                Some(parts) => uids.len() >= usize::from(parts) && parts_seen.len() >= usize::from(parts),
                None => true,
            };
            ItemOnPad { primary_item_id, owner, tags: uids, parts, complete }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::{TagFormat, TypeOfUsage};

    fn uid(n: u8) -> Uid {
        Uid([0xE0, 4, 1, 0, 0, 0, 0, n])
    }

    #[test]
    fn a_stack_counts_after_identical_rounds() {
        let mut tracker = StackTracker::new(2);
        assert_eq!(tracker.round(&[uid(1), uid(2)]), None);
        assert_eq!(tracker.round(&[uid(1)]), None, "a detuned round restarts the count");
        assert_eq!(tracker.round(&[uid(1), uid(2)]), None);
        assert_eq!(
            tracker.round(&[uid(2), uid(1)]),
            Some(StackChange { arrived: vec![uid(1), uid(2)], left: vec![] })
        );
        assert_eq!(tracker.round(&[uid(1), uid(2)]), None, "no change, no event");
        assert_eq!(tracker.round(&[uid(2)]), None);
        assert_eq!(tracker.round(&[uid(2)]), Some(StackChange { arrived: vec![], left: vec![uid(1)] }));
    }

    fn tag(pii: &str, set: Option<(u8, u8)>) -> TagData {
        TagData {
            format: Some(TagFormat::Iso28560_2),
            primary_item_id: pii.into(),
            owner_institution: Some("CN-WCP".into()),
            set: set.map(|(parts, part)| SetInfo { parts, part }),
            ..TagData::default()
        }
    }

    #[test]
    fn sets_are_complete_only_with_every_part() {
        let items = group_items(&[
            (uid(1), tag("A", Some((2, 1)))),
            (uid(2), tag("A", Some((2, 2)))),
            (uid(3), tag("B", Some((3, 1)))),
            (uid(4), tag("C", None)),
        ]);
        let by_id = |id: &str| items.iter().find(|i| i.primary_item_id == id).unwrap();
        assert!(by_id("A").complete);
        assert_eq!(by_id("A").tags.len(), 2);
        assert!(!by_id("B").complete);
        assert_eq!(by_id("B").parts, Some(3));
        assert!(by_id("C").complete);
    }

    #[test]
    fn patron_cards_are_not_items() {
        let mut card = tag("20234000000019", None);
        card.usage = Some(TypeOfUsage(0x81));
        assert!(group_items(&[(uid(9), card)]).is_empty());
    }
}
