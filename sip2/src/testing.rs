//! Random messages for the property tests: every value generated here is one the codec
//! must carry unchanged.

use crate::messages::{Field, FieldId};
use crate::types::*;

/// A small deterministic generator (xorshift), seeded by proptest.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(crate) fn maybe(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Text a SIP2 value may hold: ASCII, Latin, Chinese; never `|`, CR, LF or NUL.
    pub(crate) fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "A",
            "z",
            "0",
            "7",
            " ",
            "-",
            ":",
            "/",
            "é",
            "ü",
            "张",
            "三",
            "图书馆",
            "借",
            "《",
            "》",
            ",",
            "Jörg",
            "活着",
        ];
        (0..self.below(12)).map(|_| self.pick(PIECES)).collect()
    }

    pub(crate) fn extra_fields(&mut self) -> Vec<Field> {
        (0..self.below(3))
            .map(|_| Field {
                id: FieldId([self.pick(&['P', 'X', 'Z']), self.pick(&['A', 'B', '9'])]),
                value: self.text().into(),
            })
            .collect()
    }

    fn date(&mut self) -> SipDate {
        match self.below(4) {
            0 => SipDate::BLANK,
            1 => SipDate::utc(
                2000 + self.below(50) as u16,
                1 + self.below(12) as u8,
                1 + self.below(28) as u8,
                0,
                0,
                0,
            ),
            _ => SipDate::local(
                1990 + self.below(60) as u16,
                1 + self.below(12) as u8,
                1 + self.below(28) as u8,
                self.below(24) as u8,
                self.below(60) as u8,
                self.below(60) as u8,
            ),
        }
    }
}

/// A random value of a fixed field in a given format.
pub(crate) trait RandomFixed<T> {
    fn random(rng: &mut Rng) -> T;
}

/// A random value of a variable field.
pub(crate) trait RandomValue {
    fn random(rng: &mut Rng) -> Self;
}

impl RandomFixed<bool> for YesNo {
    fn random(rng: &mut Rng) -> bool {
        rng.maybe()
    }
}
impl RandomFixed<bool> for OneZero {
    fn random(rng: &mut Rng) -> bool {
        rng.maybe()
    }
}
impl RandomFixed<char> for OneChar {
    fn random(rng: &mut Rng) -> char {
        rng.pick(&['0', '1', '2'])
    }
}
impl<const N: usize> RandomFixed<u16> for Digits<N> {
    fn random(rng: &mut Rng) -> u16 {
        rng.below(10u64.pow(N as u32).min(65536)) as u16
    }
}
impl<const N: usize> RandomFixed<Option<u16>> for BlankableDigits<N> {
    fn random(rng: &mut Rng) -> Option<u16> {
        rng.maybe().then(|| rng.below(10u64.pow(N as u32).min(65536)) as u16)
    }
}
impl<const N: usize> RandomFixed<Text> for FixedText<N> {
    fn random(rng: &mut Rng) -> Text {
        (0..N).map(|_| rng.pick(&['A', 'Z', '2', '.', '0'])).collect()
    }
}
impl RandomFixed<SipDate> for SipDate {
    fn random(rng: &mut Rng) -> SipDate {
        rng.date()
    }
}
impl RandomFixed<PatronStatus> for PatronStatus {
    fn random(rng: &mut Rng) -> PatronStatus {
        let mut flags = [false; 14];
        flags.iter_mut().for_each(|f| *f = rng.below(4) == 0);
        PatronStatus(flags)
    }
}
impl RandomFixed<Summary> for Summary {
    fn random(rng: &mut Rng) -> Summary {
        let mut flags = [false; 10];
        flags.iter_mut().for_each(|f| *f = rng.below(5) == 0);
        Summary(flags)
    }
}
impl RandomFixed<LanguageCode> for LanguageCode {
    fn random(rng: &mut Rng) -> LanguageCode {
        LanguageCode(rng.below(28) as u16)
    }
}
impl RandomFixed<StatusCode> for StatusCode {
    fn random(rng: &mut Rng) -> StatusCode {
        rng.pick(&[StatusCode::Ok, StatusCode::OutOfPaper, StatusCode::ShuttingDown])
    }
}
impl RandomFixed<Tristate> for Tristate {
    fn random(rng: &mut Rng) -> Tristate {
        rng.pick(&[Tristate::Yes, Tristate::No, Tristate::Unknown])
    }
}
impl RandomFixed<HoldMode> for HoldMode {
    fn random(rng: &mut Rng) -> HoldMode {
        rng.pick(&[HoldMode::Add, HoldMode::Delete, HoldMode::Change])
    }
}
macro_rules! random_code {
    ($($ty:ident: $max:expr),*) => {$(
        impl RandomFixed<$ty> for $ty {
            fn random(rng: &mut Rng) -> $ty {
                $ty::from_code(rng.below($max) as _)
            }
        }
        impl RandomValue for $ty {
            fn random(rng: &mut Rng) -> $ty {
                $ty::from_code(rng.below($max) as _)
            }
        }
    )*};
}
random_code!(CirculationStatus: 100, SecurityMarker: 100, FeeType: 100, PaymentType: 100, MediaType: 1000, HoldType: 10, AlertType: 100);

impl RandomValue for Text {
    fn random(rng: &mut Rng) -> Text {
        rng.text().into()
    }
}
impl RandomValue for bool {
    fn random(rng: &mut Rng) -> bool {
        rng.maybe()
    }
}
impl RandomValue for SipDate {
    fn random(rng: &mut Rng) -> SipDate {
        rng.date()
    }
}
impl RandomValue for Number {
    fn random(rng: &mut Rng) -> Number {
        let value = rng.below(100_000) as u32;
        if rng.maybe() { Number::new(value) } else { Number::padded(value, 6 + rng.below(3) as u8) }
    }
}
impl RandomValue for SupportedMessages {
    fn random(rng: &mut Rng) -> SupportedMessages {
        let mut flags = [false; 16];
        flags.iter_mut().for_each(|f| *f = rng.maybe());
        SupportedMessages(flags)
    }
}
