//! Typed values of SIP2 fixed-length fields and of typed variable fields.
//!
//! Each fixed-field format implements [`FixedCodec`] for the Rust type it decodes to; the
//! message definitions pair a field with its format (a `bool` can be sent as `Y`/`N` or as
//! `1`/`0`). Variable fields with a typed value implement [`FieldValue`].

use std::fmt;

/// How a fixed-length field is written and read.
pub trait FixedCodec<T> {
    /// The field's length in characters.
    const LEN: usize;
    /// Appends the value.
    fn write(value: &T, out: &mut String);
    /// Reads the value from exactly [`Self::LEN`] ASCII characters.
    fn read(raw: &str) -> Option<T>;
}

/// How a typed variable-length field is written and read.
pub trait FieldValue: Sized {
    /// Appends the value.
    fn write(&self, out: &mut String);
    /// Reads the value; `None` when the text is not a valid value (it is then kept raw).
    fn read(raw: &str) -> Option<Self>;
}

/// Text of a field. Values up to 24 bytes (barcodes, ids, dates, most names) are stored
/// inline without a heap allocation.
pub type Text = compact_str::CompactString;

impl FieldValue for Text {
    fn write(&self, out: &mut String) {
        out.push_str(self);
    }
    fn read(raw: &str) -> Option<Self> {
        Some(Text::from(raw))
    }
}

/// `Y` or `N`, for flags; also reads lower case, and a blank as `N`.
impl FieldValue for bool {
    fn write(&self, out: &mut String) {
        out.push(if *self { 'Y' } else { 'N' });
    }
    fn read(raw: &str) -> Option<Self> {
        match raw {
            "Y" | "y" => Some(true),
            "N" | "n" | "" | " " => Some(false),
            _ => None,
        }
    }
}

/// A number in a variable field, remembering how many digits it was sent with, so
/// `CF00000` goes back out as `CF00000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Number {
    /// The value.
    pub value: u32,
    /// Digits sent (zero-padded); 0 = as few as needed.
    pub width: u8,
}

impl Number {
    /// A number written with as few digits as needed.
    pub fn new(value: u32) -> Number {
        Number { value, width: 0 }
    }

    /// A number zero-padded to `width` digits.
    pub fn padded(value: u32, width: u8) -> Number {
        Number { value, width }
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Number {
        Number::new(value)
    }
}

impl FieldValue for Number {
    fn write(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{:0width$}", self.value, width = usize::from(self.width));
    }
    fn read(raw: &str) -> Option<Self> {
        if raw.is_empty() || raw.len() > 10 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value = raw.parse().ok()?;
        let width = if raw.len() > 1 && raw.starts_with('0') { raw.len() as u8 } else { 0 };
        Some(Number { value, width })
    }
}

/// `Y`/`N` fixed flag.
pub struct YesNo;
impl FixedCodec<bool> for YesNo {
    const LEN: usize = 1;
    fn write(value: &bool, out: &mut String) {
        out.push(if *value { 'Y' } else { 'N' });
    }
    fn read(raw: &str) -> Option<bool> {
        match raw {
            "Y" | "y" => Some(true),
            "N" | "n" | " " => Some(false),
            _ => None,
        }
    }
}

/// `1`/`0` fixed flag (the "ok" fields); also reads `Y`/`N`.
pub struct OneZero;
impl FixedCodec<bool> for OneZero {
    const LEN: usize = 1;
    fn write(value: &bool, out: &mut String) {
        out.push(if *value { '1' } else { '0' });
    }
    fn read(raw: &str) -> Option<bool> {
        match raw {
            "1" | "Y" | "y" => Some(true),
            "0" | "N" | "n" => Some(false),
            _ => None,
        }
    }
}

/// One character, sent as is (login algorithms).
pub struct OneChar;
impl FixedCodec<char> for OneChar {
    const LEN: usize = 1;
    fn write(value: &char, out: &mut String) {
        out.push(*value);
    }
    fn read(raw: &str) -> Option<char> {
        raw.chars().next()
    }
}

/// Parses ASCII digits, allowing blanks around them.
fn parse_digits(raw: &str) -> Option<u16> {
    let digits = raw.trim_matches(' ').as_bytes();
    if digits.is_empty() || digits.len() > 5 {
        return None;
    }
    let mut value: u32 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(d - b'0');
    }
    u16::try_from(value).ok()
}

/// A zero-padded decimal number of `N` digits.
pub struct Digits<const N: usize>;
impl<const N: usize> FixedCodec<u16> for Digits<N> {
    const LEN: usize = N;
    fn write(value: &u16, out: &mut String) {
        use std::fmt::Write;
        let max = 10u32.pow(N as u32) - 1;
        let _ = write!(out, "{:0width$}", u32::from(*value).min(max), width = N);
    }
    fn read(raw: &str) -> Option<u16> {
        parse_digits(raw)
    }
}

/// A zero-padded count of `N` digits, or `N` blanks for "not known" (the counts in `64`).
pub struct BlankableDigits<const N: usize>;
impl<const N: usize> FixedCodec<Option<u16>> for BlankableDigits<N> {
    const LEN: usize = N;
    fn write(value: &Option<u16>, out: &mut String) {
        match value {
            Some(v) => Digits::<N>::write(v, out),
            None => out.extend(std::iter::repeat_n(' ', N)),
        }
    }
    fn read(raw: &str) -> Option<Option<u16>> {
        if raw.bytes().all(|b| b == b' ') { Some(None) } else { parse_digits(raw).map(Some) }
    }
}

/// Exactly `N` characters of text (protocol version, currency), padded with blanks.
pub struct FixedText<const N: usize>;
impl<const N: usize> FixedCodec<Text> for FixedText<N> {
    const LEN: usize = N;
    fn write(value: &Text, out: &mut String) {
        let mut count = 0;
        for c in value.chars().take(N) {
            out.push(c);
            count += 1;
        }
        out.extend(std::iter::repeat_n(' ', N - count));
    }
    fn read(raw: &str) -> Option<Text> {
        Some(Text::from(raw))
    }
}

/// Implements `FixedCodec<Self>` for a type that has one natural fixed format.
macro_rules! self_codec {
    ($ty:ty, $len:expr, |$v:ident, $out:ident| $write:expr, |$raw:ident| $read:expr) => {
        impl FixedCodec<$ty> for $ty {
            const LEN: usize = $len;
            fn write($v: &$ty, $out: &mut String) {
                $write
            }
            fn read($raw: &str) -> Option<$ty> {
                $read
            }
        }
    };
}

/// An 18-character SIP2 date: `YYYYMMDDZZZZHHMMSS`, where `ZZZZ` is four blanks for local
/// time or a time-zone code such as `   Z` for UTC. Kept as sent, so nothing is lost.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipDate([u8; 18]);

/// The parts of a [`SipDate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateParts {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// The zone code as sent (four blanks = local time).
    pub zone: [u8; 4],
}

impl SipDate {
    /// Eighteen blanks: no date (e.g. an unused return date).
    pub const BLANK: SipDate = SipDate([b' '; 18]);

    /// A local-time date.
    pub fn local(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> SipDate {
        SipDate::with_zone(year, month, day, hour, minute, second, *b"    ")
    }

    /// A UTC date (zone `   Z`).
    pub fn utc(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> SipDate {
        SipDate::with_zone(year, month, day, hour, minute, second, *b"   Z")
    }

    fn with_zone(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8, zone: [u8; 4]) -> SipDate {
        let mut raw = [b' '; 18];
        let text = format!(
            "{:04}{:02}{:02}{}{:02}{:02}{:02}",
            year.min(9999),
            month.min(99),
            day.min(99),
            std::str::from_utf8(&zone).unwrap_or("    "),
            hour.min(99),
            minute.min(99),
            second.min(99)
        );
        raw.copy_from_slice(&text.as_bytes()[..18]);
        SipDate(raw)
    }

    /// Whether this is the blank date.
    pub fn is_blank(&self) -> bool {
        self.0.iter().all(|&b| b == b' ')
    }

    /// The 18 characters as sent.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The date's parts, when it is a valid date and time.
    pub fn parts(&self) -> Option<DateParts> {
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let digits = &self.0[range];
            digits
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| digits.iter().fold(0u16, |v, d| v * 10 + u16::from(d - b'0')))
        };
        let parts = DateParts {
            year: number(0..4)?,
            month: number(4..6)? as u8,
            day: number(6..8)? as u8,
            zone: [self.0[8], self.0[9], self.0[10], self.0[11]],
            hour: number(12..14)? as u8,
            minute: number(14..16)? as u8,
            second: number(16..18)? as u8,
        };
        let valid = (1..=12).contains(&parts.month)
            && (1..=31).contains(&parts.day)
            && parts.hour < 24
            && parts.minute < 60
            && parts.second < 61;
        valid.then_some(parts)
    }
}

impl Default for SipDate {
    fn default() -> Self {
        SipDate::BLANK
    }
}

impl fmt::Debug for SipDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SipDate({:?})", self.as_str())
    }
}

impl fmt::Display for SipDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

self_codec!(SipDate, 18, |v, out| out.push_str(v.as_str()), |raw| {
    let bytes = raw.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let well_formed = bytes.len() == 18
        && (bytes.iter().all(|&b| b == b' ')
            || (digits(0..8)
                && bytes[8..12].iter().all(|&b| b == b' ' || b.is_ascii_uppercase() || b == b'0')
                && digits(12..18)));
    well_formed.then(|| {
        let mut date = [b' '; 18];
        date.copy_from_slice(bytes);
        SipDate(date)
    })
});

impl FieldValue for SipDate {
    fn write(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
    fn read(raw: &str) -> Option<Self> {
        <SipDate as FixedCodec<SipDate>>::read(raw)
    }
}

/// The 14 patron status flags (`Y` = true).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PatronStatus(pub [bool; 14]);

impl PatronStatus {
    /// Names of the flags, by position.
    pub const NAMES: [&'static str; 14] = [
        "charge privileges denied",
        "renewal privileges denied",
        "recall privileges denied",
        "hold privileges denied",
        "card reported lost",
        "too many items charged",
        "too many items overdue",
        "too many renewals",
        "too many claims of items returned",
        "too many items lost",
        "excessive outstanding fines",
        "excessive outstanding fees",
        "recall overdue",
        "too many items billed",
    ];
    /// Position of "charge privileges denied".
    pub const CHARGE_DENIED: usize = 0;
    /// Position of "renewal privileges denied".
    pub const RENEWAL_DENIED: usize = 1;
    /// Position of "recall privileges denied".
    pub const RECALL_DENIED: usize = 2;
    /// Position of "hold privileges denied".
    pub const HOLD_DENIED: usize = 3;
    /// Position of "card reported lost".
    pub const CARD_LOST: usize = 4;
    /// Position of "too many items charged".
    pub const TOO_MANY_CHARGED: usize = 5;
    /// Position of "too many items overdue".
    pub const TOO_MANY_OVERDUE: usize = 6;
    /// Position of "excessive outstanding fines".
    pub const EXCESSIVE_FINES: usize = 10;
    /// Position of "excessive outstanding fees".
    pub const EXCESSIVE_FEES: usize = 11;

    /// Whether the flag at `position` is set.
    pub fn get(&self, position: usize) -> bool {
        self.0.get(position).copied().unwrap_or(false)
    }

    /// Sets a flag.
    pub fn with(mut self, position: usize, value: bool) -> Self {
        if let Some(flag) = self.0.get_mut(position) {
            *flag = value;
        }
        self
    }

    /// Flags that block borrowing: any flag except renewal, recall and hold privileges
    /// denied (positions 1–3), as self-checks in practice read them.
    pub fn borrowing_blocks(&self) -> impl Iterator<Item = usize> + '_ {
        (0..14).filter(|&i| self.0[i] && !matches!(i, 1..=3))
    }

    /// Whether any flag blocks borrowing.
    pub fn blocks_borrowing(&self) -> bool {
        self.borrowing_blocks().next().is_some()
    }
}

impl fmt::Debug for PatronStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = (0..14).filter(|&i| self.0[i]).map(|i| Self::NAMES[i]).collect();
        write!(f, "PatronStatus({set:?})")
    }
}

self_codec!(PatronStatus, 14, |v, out| out.extend(v.0.iter().map(|&f| if f { 'Y' } else { ' ' })), |raw| {
    let mut flags = [false; 14];
    for (flag, c) in flags.iter_mut().zip(raw.chars()) {
        *flag = matches!(c, 'Y' | 'y');
    }
    Some(PatronStatus(flags))
});

/// The 3-digit language code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LanguageCode(pub u16);

impl LanguageCode {
    /// 000, unknown (the default).
    pub const UNKNOWN: LanguageCode = LanguageCode(0);
    /// 001, English.
    pub const ENGLISH: LanguageCode = LanguageCode(1);
    /// 019, Chinese.
    pub const CHINESE: LanguageCode = LanguageCode(19);
}

self_codec!(LanguageCode, 3, |v, out| Digits::<3>::write(&v.0, out), |raw| {
    if raw.trim().is_empty() { Some(LanguageCode::UNKNOWN) } else { Digits::<3>::read(raw).map(LanguageCode) }
});

/// Which item details a `63` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SummaryCategory {
    /// AS: hold items.
    HoldItems = 0,
    /// AT: overdue items.
    OverdueItems = 1,
    /// AU: charged items.
    ChargedItems = 2,
    /// AV: fine items.
    FineItems = 3,
    /// BU: recall items.
    RecallItems = 4,
    /// CD: unavailable hold items.
    UnavailableHolds = 5,
}

/// The 10-character summary field of `63`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Summary(pub [bool; 10]);

impl Summary {
    /// No details.
    pub const NONE: Summary = Summary([false; 10]);

    /// Details of one category.
    pub fn only(category: SummaryCategory) -> Summary {
        let mut flags = [false; 10];
        flags[category as usize] = true;
        Summary(flags)
    }

    /// The first category asked for.
    pub fn category(&self) -> Option<SummaryCategory> {
        use SummaryCategory::*;
        [HoldItems, OverdueItems, ChargedItems, FineItems, RecallItems, UnavailableHolds]
            .into_iter()
            .find(|c| self.0[*c as usize])
    }
}

self_codec!(Summary, 10, |v, out| out.extend(v.0.iter().map(|&f| if f { 'Y' } else { ' ' })), |raw| {
    let mut flags = [false; 10];
    for (flag, c) in flags.iter_mut().zip(raw.chars()) {
        *flag = matches!(c, 'Y' | 'y');
    }
    Some(Summary(flags))
});

/// Defines a numeric code enum with a fallback for codes this crate does not name.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $len:expr, $repr:ty, default $default:ident {
            $($(#[$vmeta:meta])* $variant:ident = $value:expr),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A code this crate does not name, kept as sent.
            Unknown($repr),
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl $name {
            /// The numeric code.
            pub fn code(self) -> $repr {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(code) => code,
                }
            }

            /// The value for a numeric code.
            pub fn from_code(code: $repr) -> Self {
                match code {
                    $($value => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl FixedCodec<$name> for $name {
            const LEN: usize = $len;
            fn write(value: &$name, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{:0width$}", value.code(), width = $len);
            }
            fn read(raw: &str) -> Option<$name> {
                raw.trim().parse::<$repr>().ok().map($name::from_code)
            }
        }

        impl FieldValue for $name {
            fn write(&self, out: &mut String) {
                <$name as FixedCodec<$name>>::write(self, out)
            }
            fn read(raw: &str) -> Option<Self> {
                (raw.len() == $len || raw.trim().len() <= $len).then(|| <$name as FixedCodec<$name>>::read(raw)).flatten()
            }
        }
    };
}

code_enum! {
    /// Circulation status of an item (`18`).
    CirculationStatus, 2, u8, default Other {
        /// 01.
        Other = 1,
        /// 02.
        OnOrder = 2,
        /// 03.
        Available = 3,
        /// 04.
        Charged = 4,
        /// 05: charged, not to be recalled until the earliest recall date.
        ChargedNoRecall = 5,
        /// 06.
        InProcess = 6,
        /// 07.
        Recalled = 7,
        /// 08.
        WaitingOnHoldShelf = 8,
        /// 09.
        WaitingToBeReshelved = 9,
        /// 10.
        InTransit = 10,
        /// 11.
        ClaimedReturned = 11,
        /// 12.
        Lost = 12,
        /// 13.
        Missing = 13,
    }
}

code_enum! {
    /// Security marker of an item (`18`).
    SecurityMarker, 2, u8, default Other {
        /// 00.
        Other = 0,
        /// 01.
        NoMarker = 1,
        /// 02.
        TattleTape = 2,
        /// 03.
        WhisperTape = 3,
    }
}

code_enum! {
    /// Fee type (`BT`, `18`, `37`).
    FeeType, 2, u8, default OtherUnknown {
        /// 01.
        OtherUnknown = 1,
        /// 02.
        Administrative = 2,
        /// 03.
        Damage = 3,
        /// 04.
        Overdue = 4,
        /// 05.
        Processing = 5,
        /// 06.
        Rental = 6,
        /// 07.
        Replacement = 7,
        /// 08.
        ComputerAccess = 8,
        /// 09.
        HoldFee = 9,
    }
}

code_enum! {
    /// Payment type (`37`).
    PaymentType, 2, u8, default Cash {
        /// 00.
        Cash = 0,
        /// 01.
        Visa = 1,
        /// 02.
        CreditCard = 2,
    }
}

code_enum! {
    /// Media type (`CK`).
    MediaType, 3, u16, default Other {
        /// 000.
        Other = 0,
        /// 001.
        Book = 1,
        /// 002.
        Magazine = 2,
        /// 003.
        BoundJournal = 3,
        /// 004.
        AudioTape = 4,
        /// 005.
        VideoTape = 5,
        /// 006.
        CdRom = 6,
        /// 007.
        Diskette = 7,
        /// 008.
        BookWithDiskette = 8,
        /// 009.
        BookWithCd = 9,
        /// 010.
        BookWithAudioTape = 10,
    }
}

code_enum! {
    /// Hold type (`BY`).
    HoldType, 1, u8, default Other {
        /// 1.
        Other = 1,
        /// 2: any copy of a title.
        AnyCopy = 2,
        /// 3: a specific copy.
        SpecificCopy = 3,
        /// 4: any copy at a single branch.
        AnyCopyAtBranch = 4,
    }
}

code_enum! {
    /// Check-in alert type (`CV`, 3M extension), as Koha fills it.
    AlertType, 2, u8, default NoAlert {
        /// 00: no alert.
        NoAlert = 0,
        /// 01: hold for this library — put it on the hold shelf.
        HoldHere = 1,
        /// 02: hold for another library — send it there.
        HoldElsewhere = 2,
        /// 03: hold for inter-library loan.
        HoldIll = 3,
        /// 04: send it to another library.
        Transfer = 4,
        /// 99: other, or check-in blocked.
        Other = 99,
    }
}

/// `99` status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusCode {
    /// 0: the SC is fine.
    #[default]
    Ok,
    /// 1: the printer is out of paper.
    OutOfPaper,
    /// 2: the SC is about to shut down.
    ShuttingDown,
}

self_codec!(
    StatusCode,
    1,
    |v, out| out.push(match v {
        StatusCode::Ok => '0',
        StatusCode::OutOfPaper => '1',
        StatusCode::ShuttingDown => '2',
    }),
    |raw| match raw {
        "0" | " " => Some(StatusCode::Ok),
        "1" => Some(StatusCode::OutOfPaper),
        "2" => Some(StatusCode::ShuttingDown),
        _ => None,
    }
);

/// `Y`, `N` or `U` (unknown): magnetic media and desensitize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tristate {
    /// Y.
    Yes,
    /// N.
    No,
    /// U.
    #[default]
    Unknown,
}

self_codec!(
    Tristate,
    1,
    |v, out| out.push(match v {
        Tristate::Yes => 'Y',
        Tristate::No => 'N',
        Tristate::Unknown => 'U',
    }),
    |raw| match raw {
        "Y" | "y" => Some(Tristate::Yes),
        "N" | "n" => Some(Tristate::No),
        "U" | "u" | " " => Some(Tristate::Unknown),
        _ => None,
    }
);

/// `15` hold mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HoldMode {
    /// `+`: place a hold.
    #[default]
    Add,
    /// `-`: cancel a hold.
    Delete,
    /// `*`: change a hold.
    Change,
}

self_codec!(
    HoldMode,
    1,
    |v, out| out.push(match v {
        HoldMode::Add => '+',
        HoldMode::Delete => '-',
        HoldMode::Change => '*',
    }),
    |raw| match raw {
        "+" => Some(HoldMode::Add),
        "-" => Some(HoldMode::Delete),
        "*" => Some(HoldMode::Change),
        _ => None,
    }
);

/// Which messages an ACS supports (`BX`, 16 × `Y`/`N`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SupportedMessages(pub [bool; 16]);

impl SupportedMessages {
    /// Names by position.
    pub const NAMES: [&'static str; 16] = [
        "patron status",
        "checkout",
        "checkin",
        "block patron",
        "SC/ACS status",
        "request SC/ACS resend",
        "login",
        "patron information",
        "end patron session",
        "fee paid",
        "item information",
        "item status update",
        "patron enable",
        "hold",
        "renew",
        "renew all",
    ];
    /// Everything.
    pub const ALL: SupportedMessages = SupportedMessages([true; 16]);
    /// Position of checkout.
    pub const CHECKOUT: usize = 1;
    /// Position of checkin.
    pub const CHECKIN: usize = 2;
    /// Position of patron information.
    pub const PATRON_INFORMATION: usize = 7;
    /// Position of end patron session.
    pub const END_SESSION: usize = 8;
    /// Position of item information.
    pub const ITEM_INFORMATION: usize = 10;
    /// Position of hold.
    pub const HOLD: usize = 13;
    /// Position of renew.
    pub const RENEW: usize = 14;
    /// Position of renew all.
    pub const RENEW_ALL: usize = 15;

    /// Whether the message at `position` is supported.
    pub fn supports(&self, position: usize) -> bool {
        self.0.get(position).copied().unwrap_or(false)
    }
}

impl fmt::Debug for SupportedMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text: String = self.0.iter().map(|&s| if s { 'Y' } else { 'N' }).collect();
        write!(f, "SupportedMessages({text})")
    }
}

impl FieldValue for SupportedMessages {
    fn write(&self, out: &mut String) {
        out.extend(self.0.iter().map(|&s| if s { 'Y' } else { 'N' }));
    }
    fn read(raw: &str) -> Option<Self> {
        let mut flags = [false; 16];
        for (flag, c) in flags.iter_mut().zip(raw.chars()) {
            *flag = matches!(c, 'Y' | 'y');
        }
        Some(SupportedMessages(flags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<T, C: FixedCodec<T>>(value: &T) -> String {
        let mut out = String::new();
        C::write(value, &mut out);
        assert_eq!(out.chars().count(), C::LEN);
        out
    }

    #[test]
    fn dates() {
        let date = SipDate::local(2021, 8, 14, 8, 34, 55);
        assert_eq!(date.as_str(), "20210814    083455");
        let parts = date.parts().unwrap();
        assert_eq!(
            (parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second),
            (2021, 8, 14, 8, 34, 55)
        );
        assert_eq!(SipDate::utc(2025, 11, 24, 10, 0, 0).as_str(), "20251124   Z100000");
        assert!(SipDate::BLANK.is_blank());
        assert_eq!(SipDate::BLANK.parts(), None);
        assert_eq!(<SipDate as FixedCodec<SipDate>>::read("000000000000000000").unwrap().parts(), None);
        assert_eq!(<SipDate as FixedCodec<SipDate>>::read("2021"), None);
        assert_eq!(<SipDate as FixedCodec<SipDate>>::read("1124    1000002.00"), None);
        assert!(<SipDate as FixedCodec<SipDate>>::read("20251124   Z100000").is_some());
    }

    #[test]
    fn patron_status_blocks() {
        let status = <PatronStatus as FixedCodec<PatronStatus>>::read(" Y            ").unwrap();
        assert!(status.get(PatronStatus::RENEWAL_DENIED));
        assert!(!status.blocks_borrowing(), "renewal denied alone does not block borrowing");
        let status = status.with(PatronStatus::EXCESSIVE_FINES, true);
        assert!(status.blocks_borrowing());
        assert_eq!(written::<_, PatronStatus>(&status), " Y        Y   ");
    }

    #[test]
    fn codes() {
        assert_eq!(written::<_, CirculationStatus>(&CirculationStatus::Available), "03");
        assert_eq!(
            <CirculationStatus as FixedCodec<_>>::read("08"),
            Some(CirculationStatus::WaitingOnHoldShelf)
        );
        assert_eq!(<CirculationStatus as FixedCodec<_>>::read("42"), Some(CirculationStatus::Unknown(42)));
        assert_eq!(written::<_, MediaType>(&MediaType::Book), "001");
        assert_eq!(<AlertType as FieldValue>::read("02"), Some(AlertType::HoldElsewhere));
        assert_eq!(written::<_, LanguageCode>(&LanguageCode::CHINESE), "019");
        assert_eq!(written::<_, BlankableDigits<4>>(&None), "    ");
        assert_eq!(written::<_, BlankableDigits<4>>(&Some(12)), "0012");
        assert_eq!(written::<_, Digits<3>>(&5000), "999");
        assert_eq!(written::<_, FixedText<4>>(&Text::from("2.00")), "2.00");
        assert_eq!(written::<_, FixedText<3>>(&Text::from("¥")), "¥  ");
    }

    #[test]
    fn summary() {
        let summary = Summary::only(SummaryCategory::ChargedItems);
        assert_eq!(written::<_, Summary>(&summary), "  Y       ");
        assert_eq!(summary.category(), Some(SummaryCategory::ChargedItems));
        assert_eq!(Summary::NONE.category(), None);
    }
}
