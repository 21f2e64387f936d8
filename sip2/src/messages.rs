//! Every SIP2 2.00 message as a typed Rust value.
//!
//! The table below is the whole protocol: for each message its command code, its fixed
//! fields (in order, each with its wire format) and its variable fields (in the order the
//! 3M specification lists them, which is the order they are encoded in). `req` fields are
//! always sent, even when empty; `opt` fields only when present; `rep` fields may repeat
//! and keep their order. Fields this crate does not name are kept in `extra`, in order,
//! and sent back unchanged.

use crate::codec::{DecodeError, EncodeError, Warning};
use crate::types::*;

/// A field identifier: two characters such as `AO`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldId(pub [char; 2]);

impl FieldId {
    /// Builds an id from a two-character string; `None` otherwise.
    pub fn new(id: &str) -> Option<FieldId> {
        let mut chars = id.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(a), Some(b), None) => Some(FieldId([a, b])),
            _ => None,
        }
    }
}

impl std::fmt::Display for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.0[0], self.0[1])
    }
}

impl std::fmt::Debug for FieldId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

/// A variable field kept as text: one this crate does not name (an extension such as
/// `PB` birth date or a vendor field), or a named one whose value was not valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The identifier.
    pub id: FieldId,
    /// The value.
    pub value: Text,
}

impl Field {
    /// Builds a field.
    pub fn new(id: &str, value: impl Into<Text>) -> Option<Field> {
        FieldId::new(id).map(|id| Field { id, value: value.into() })
    }
}

/// One field of a message as shown to a person: its name, its id (variable fields) and
/// its value as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldView {
    /// The field's name (`institution_id`).
    pub name: &'static str,
    /// The two-character id of a variable field.
    pub id: Option<String>,
    /// The value as sent.
    pub value: String,
}

/// Splits the variable part of a message into `(id, value)` pairs.
struct FieldCursor<'a> {
    rest: &'a str,
}

impl<'a> FieldCursor<'a> {
    fn new(rest: &'a str, warnings: &mut Vec<Warning>) -> Self {
        match rest.strip_prefix('|') {
            Some(after) => {
                warnings.push(Warning::PipeAfterFixedFields);
                FieldCursor { rest: after }
            }
            None => FieldCursor { rest },
        }
    }

    fn next(&mut self, warnings: &mut Vec<Warning>) -> Option<(&'a str, &'a str)> {
        let bytes = self.rest.as_bytes();
        if bytes.is_empty() {
            return None;
        }
        // Ids are two ASCII letters; anything else is garbage kept in a warning.
        if bytes.len() < 2
            || !bytes[0].is_ascii()
            || !bytes[1].is_ascii()
            || bytes[0] == b'|'
            || bytes[1] == b'|'
        {
            warnings.push(Warning::Garbage(self.rest.to_string()));
            self.rest = "";
            return None;
        }
        let (id, after) = self.rest.split_at(2);
        // A `|` byte is never part of a multi-byte UTF-8 character, so a byte search is safe.
        match after.as_bytes().iter().position(|&b| b == b'|') {
            Some(end) => {
                self.rest = &after[end + 1..];
                Some((id, &after[..end]))
            }
            None => {
                warnings.push(Warning::MissingFinalPipe);
                self.rest = "";
                Some((id, after))
            }
        }
    }
}

fn read_fixed<T, C: FixedCodec<T>>(
    rest: &str,
    pos: &mut usize,
    command: &'static str,
    field: &'static str,
) -> Result<T, DecodeError> {
    let end = *pos + C::LEN;
    let raw = rest.get(*pos..end).filter(|raw| raw.is_ascii()).ok_or_else(|| DecodeError::FixedField {
        command,
        field,
        raw: rest.get(*pos..).unwrap_or("").chars().take(C::LEN).collect(),
    })?;
    let value =
        C::read(raw).ok_or_else(|| DecodeError::FixedField { command, field, raw: raw.to_string() })?;
    *pos = end;
    Ok(value)
}

/// Checks a value written at `out[start..]` for characters SIP2 cannot carry.
fn check_value(out: &str, start: usize, field: &str) -> Result<(), EncodeError> {
    match out[start..].chars().find(|c| matches!(c, '|' | '\r' | '\n' | '\0')) {
        Some(ch) => Err(EncodeError::ForbiddenCharacter { field: field.to_string(), ch }),
        None => Ok(()),
    }
}

macro_rules! field_type {
    (req $ty:ty) => { $ty };
    (opt $ty:ty) => { Option<$ty> };
    (rep $ty:ty) => { Vec<$ty> };
}

#[cfg(test)]
macro_rules! random_field {
    (req, $ty:ty, $rng:ident) => {
        <$ty as RandomValue>::random($rng)
    };
    (opt, $ty:ty, $rng:ident) => {
        $rng.maybe().then(|| <$ty as RandomValue>::random($rng))
    };
    (rep, $ty:ty, $rng:ident) => {
        (0..$rng.below(3)).map(|_| <$ty as RandomValue>::random($rng)).collect()
    };
}

macro_rules! describe {
    (req, $value:expr, $name:expr, $id:literal, $views:ident) => {{
        let mut value = String::new();
        FieldValue::write(&$value, &mut value);
        $views.push(FieldView { name: $name, id: Some($id.to_string()), value });
    }};
    (opt, $value:expr, $name:expr, $id:literal, $views:ident) => {
        if let Some(present) = &$value {
            describe!(req, *present, $name, $id, $views);
        }
    };
    (rep, $value:expr, $name:expr, $id:literal, $views:ident) => {
        for each in &$value {
            describe!(req, *each, $name, $id, $views);
        }
    };
}

macro_rules! local_type {
    (rep $ty:ty) => { Vec<$ty> };
    ($kind:ident $ty:ty) => { Option<$ty> };
}

macro_rules! local_init {
    (rep) => {
        Vec::new()
    };
    ($kind:ident) => {
        None
    };
}

macro_rules! emit {
    (req, $value:expr, $id:literal, $out:ident) => {{
        $out.push_str($id);
        let start = $out.len();
        FieldValue::write(&$value, $out);
        check_value($out, start, $id)?;
        $out.push('|');
    }};
    (opt, $value:expr, $id:literal, $out:ident) => {
        if let Some(value) = &$value {
            emit!(req, *value, $id, $out);
        }
    };
    (rep, $value:expr, $id:literal, $out:ident) => {
        for value in &$value {
            emit!(req, *value, $id, $out);
        }
    };
}

macro_rules! accept {
    (rep, $slot:ident, $ty:ty, $id:expr, $raw:expr, $extra:ident, $warnings:ident) => {
        match <$ty as FieldValue>::read($raw) {
            Some(value) => $slot.push(value),
            None => invalid(&mut $extra, $warnings, $id, $raw),
        }
    };
    ($kind:ident, $slot:ident, $ty:ty, $id:expr, $raw:expr, $extra:ident, $warnings:ident) => {
        if $slot.is_some() {
            $warnings.push(Warning::Duplicate(field_id($id)));
            $extra.push(Field { id: field_id($id), value: $raw.into() });
        } else {
            match <$ty as FieldValue>::read($raw) {
                Some(value) => $slot = Some(value),
                None => invalid(&mut $extra, $warnings, $id, $raw),
            }
        }
    };
}

macro_rules! finish {
    (req, $slot:ident, $id:literal, $warnings:ident) => {
        match $slot {
            Some(value) => value,
            None => {
                $warnings.push(Warning::MissingRequired(field_id($id)));
                Default::default()
            }
        }
    };
    ($kind:ident, $slot:ident, $id:literal, $warnings:ident) => {
        $slot
    };
}

fn field_id(id: &str) -> FieldId {
    FieldId::new(id).unwrap_or(FieldId(['?', '?']))
}

fn invalid(extra: &mut Vec<Field>, warnings: &mut Vec<Warning>, id: &str, raw: &str) {
    warnings.push(Warning::InvalidValue(field_id(id)));
    extra.push(Field { id: field_id(id), value: raw.into() });
}

macro_rules! messages {
    ($(
        $(#[$meta:meta])*
        $name:ident = $code:literal {
            fixed { $( $(#[$fmeta:meta])* $fname:ident : $fty:ty as $fcodec:ty ),* $(,)? }
            fields { $( $(#[$vmeta:meta])* $kind:ident $vname:ident : $vty:ty = $id:literal ),* $(,)? }
        }
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Default)]
            pub struct $name {
                $( $(#[$fmeta])* pub $fname: $fty, )*
                $( $(#[$vmeta])* #[doc = concat!("(`", $id, "`)")] pub $vname: field_type!($kind $vty), )*
                /// Fields this crate does not name, in the order received.
                pub extra: Vec<Field>,
            }

            impl $name {
                /// The command code.
                pub const CODE: &'static str = $code;

                /// Every field with its name and wire value, for people and scripts.
                pub fn describe(&self) -> Vec<FieldView> {
                    let mut views = Vec::new();
                    $(
                        let mut value = String::new();
                        <$fcodec as FixedCodec<$fty>>::write(&self.$fname, &mut value);
                        views.push(FieldView { name: stringify!($fname), id: None, value });
                    )*
                    $( describe!($kind, self.$vname, stringify!($vname), $id, views); )*
                    for field in &self.extra {
                        views.push(FieldView { name: "extra", id: Some(field.id.to_string()), value: field.value.to_string() });
                    }
                    views
                }

                fn write_body(&self, out: &mut String) -> Result<(), EncodeError> {
                    out.push_str($code);
                    let fixed_start = out.len();
                    $( <$fcodec as FixedCodec<$fty>>::write(&self.$fname, out); )*
                    if let Some(ch) = out[fixed_start..].chars().find(|c| !c.is_ascii() || matches!(c, '|' | '\r' | '\n' | '\0')) {
                        return Err(EncodeError::ForbiddenCharacter { field: concat!($code, " fixed fields").to_string(), ch });
                    }
                    $( emit!($kind, self.$vname, $id, out); )*
                    for field in &self.extra {
                        out.push(field.id.0[0]);
                        out.push(field.id.0[1]);
                        let start = out.len();
                        out.push_str(&field.value);
                        check_value(out, start, &field.id.to_string())?;
                        out.push('|');
                    }
                    Ok(())
                }

                #[allow(unused_variables, unused_mut)]
                fn read_body(rest: &str, warnings: &mut Vec<Warning>) -> Result<Self, DecodeError> {
                    let mut pos = 0;
                    $( let $fname = read_fixed::<$fty, $fcodec>(rest, &mut pos, $code, stringify!($fname))?; )*
                    let mut cursor = FieldCursor::new(&rest[pos..], warnings);
                    $( let mut $vname: local_type!($kind $vty) = local_init!($kind); )*
                    let mut extra = Vec::new();
                    while let Some((id, raw)) = cursor.next(warnings) {
                        match id {
                            $( $id => accept!($kind, $vname, $vty, id, raw, extra, warnings), )*
                            _ => extra.push(Field { id: field_id(id), value: raw.into() }),
                        }
                    }
                    Ok($name {
                        $( $fname, )*
                        $( $vname: finish!($kind, $vname, $id, warnings), )*
                        extra,
                    })
                }
            }

            #[cfg(test)]
            impl $name {
                /// A random message whose values all survive encoding.
                pub(crate) fn random(rng: &mut crate::testing::Rng) -> Self {
                    #[allow(unused_imports)]
                    use crate::testing::{RandomFixed, RandomValue};
                    $name {
                        $( $fname: <$fcodec as RandomFixed<$fty>>::random(rng), )*
                        $( $vname: random_field!($kind, $vty, rng), )*
                        extra: rng.extra_fields(),
                    }
                }
            }

            impl From<$name> for Message {
                fn from(message: $name) -> Message {
                    Message::$name(message)
                }
            }
        )*

        /// Any SIP2 message, request or response.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Message {
            $( $(#[$meta])* $name($name), )*
        }

        #[cfg(test)]
        impl Message {
            /// One random message of every type.
            pub(crate) fn random_of_every_type(rng: &mut crate::testing::Rng) -> Vec<Message> {
                vec![ $( Message::$name($name::random(rng)), )* ]
            }
        }

        impl Message {
            /// Every field with its name and wire value.
            pub fn describe(&self) -> Vec<FieldView> {
                match self {
                    $( Message::$name(message) => message.describe(), )*
                }
            }

            /// The message's name, as the specification calls it.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Message::$name(_) => stringify!($name), )*
                }
            }

            /// The two-digit command code.
            pub fn code(&self) -> &'static str {
                match self {
                    $( Message::$name(_) => $code, )*
                }
            }

            /// Writes the message without AY/AZ or terminator, refusing values SIP2 cannot carry.
            pub(crate) fn write_body(&self, out: &mut String) -> Result<(), EncodeError> {
                match self {
                    $( Message::$name(message) => message.write_body(out), )*
                }
            }

            /// Reads a message from its text without AY/AZ or terminator.
            pub(crate) fn read_body(text: &str, warnings: &mut Vec<Warning>) -> Result<Message, DecodeError> {
                let code = text.get(..2).ok_or(DecodeError::TooShort)?;
                let rest = &text[2..];
                let result = match code {
                    $( $code => $name::read_body(rest, warnings).map(Message::$name), )*
                    other => Err(DecodeError::UnknownCommand(other.to_string())),
                };
                match result {
                    Err(error) if code == "98" => AcsStatus::read_short_layout(rest, warnings)
                        .map(Message::AcsStatus)
                        .ok_or(error),
                    result => result,
                }
            }
        }
    };
}

messages! {
    /// 93 Login (SC → ACS).
    Login = "93" {
        fixed {
            /// UID algorithm; `0` = not encrypted.
            uid_algorithm: char as OneChar,
            /// PWD algorithm; `0` = not encrypted.
            pwd_algorithm: char as OneChar,
        }
        fields {
            /// Login user id.
            req login_user_id: Text = "CN",
            /// Login password.
            req login_password: Text = "CO",
            /// Location code.
            opt location_code: Text = "CP",
        }
    }

    /// 94 Login response (ACS → SC).
    LoginResponse = "94" {
        fixed {
            /// Whether the login succeeded.
            ok: bool as OneZero,
        }
        fields {}
    }

    /// 99 SC status (SC → ACS).
    ScStatus = "99" {
        fixed {
            /// The SC's state.
            status_code: StatusCode as StatusCode,
            /// Maximum print width in characters.
            max_print_width: u16 as Digits<3>,
            /// Protocol version, `2.00`.
            protocol_version: Text as FixedText<4>,
        }
        fields {}
    }

    /// 98 ACS status (ACS → SC).
    AcsStatus = "98" {
        fixed {
            /// The ACS is on line.
            online_status: bool as YesNo,
            /// Check-in is allowed.
            checkin_ok: bool as YesNo,
            /// Checkout is allowed.
            checkout_ok: bool as YesNo,
            /// The ACS allows renewals.
            acs_renewal_policy: bool as YesNo,
            /// Item status updates are allowed.
            status_update_ok: bool as YesNo,
            /// The ACS accepts off-line (no block) transactions.
            offline_ok: bool as YesNo,
            /// Timeout period in tenths of a second; `000` off line, `999` unknown.
            timeout_period: u16 as Digits<3>,
            /// Retries allowed; `999` unknown.
            retries_allowed: u16 as Digits<3>,
            /// The ACS's clock; all zeros when unsupported.
            date_time_sync: SipDate as SipDate,
            /// Protocol version.
            protocol_version: Text as FixedText<4>,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Library name.
            opt library_name: Text = "AM",
            /// Supported messages.
            req supported_messages: SupportedMessages = "BX",
            /// Terminal location.
            opt terminal_location: Text = "AN",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 23 Patron status request (SC → ACS).
    PatronStatusRequest = "23" {
        fixed {
            /// Language.
            language: LanguageCode as LanguageCode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            req terminal_password: Text = "AC",
            /// Patron password (PIN).
            req patron_password: Text = "AD",
        }
    }

    /// 24 Patron status response (ACS → SC); also the answer to `01`.
    PatronStatusResponse = "24" {
        fixed {
            /// The 14 status flags.
            patron_status: PatronStatus as PatronStatus,
            /// Language.
            language: LanguageCode as LanguageCode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Personal name.
            req personal_name: Text = "AE",
            /// The patron exists.
            opt valid_patron: bool = "BL",
            /// The PIN was right.
            opt valid_patron_password: bool = "CQ",
            /// Currency (ISO 4217).
            opt currency_type: Text = "BH",
            /// Fee amount.
            opt fee_amount: Text = "BV",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 63 Patron information (SC → ACS).
    PatronInformation = "63" {
        fixed {
            /// Language.
            language: LanguageCode as LanguageCode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// Which item details to return.
            summary: Summary as Summary,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Patron password (PIN).
            opt patron_password: Text = "AD",
            /// First item of the details window (1-based).
            opt start_item: Text = "BP",
            /// Last item of the details window.
            opt end_item: Text = "BQ",
        }
    }

    /// 64 Patron information response (ACS → SC).
    PatronInformationResponse = "64" {
        fixed {
            /// The 14 status flags.
            patron_status: PatronStatus as PatronStatus,
            /// Language.
            language: LanguageCode as LanguageCode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// Hold items (ready or not).
            hold_items_count: Option<u16> as BlankableDigits<4>,
            /// Overdue items.
            overdue_items_count: Option<u16> as BlankableDigits<4>,
            /// Charged items.
            charged_items_count: Option<u16> as BlankableDigits<4>,
            /// Fine items.
            fine_items_count: Option<u16> as BlankableDigits<4>,
            /// Recall items.
            recall_items_count: Option<u16> as BlankableDigits<4>,
            /// Unavailable holds.
            unavailable_holds_count: Option<u16> as BlankableDigits<4>,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Personal name.
            req personal_name: Text = "AE",
            /// Hold items limit.
            opt hold_items_limit: Number = "BZ",
            /// Overdue items limit.
            opt overdue_items_limit: Number = "CA",
            /// Charged items limit.
            opt charged_items_limit: Number = "CB",
            /// The patron exists.
            opt valid_patron: bool = "BL",
            /// The PIN was right.
            opt valid_patron_password: bool = "CQ",
            /// Currency.
            opt currency_type: Text = "BH",
            /// Fee amount.
            opt fee_amount: Text = "BV",
            /// Fee limit.
            opt fee_limit: Text = "CC",
            /// Hold items (ready for pickup).
            rep hold_items: Text = "AS",
            /// Overdue items.
            rep overdue_items: Text = "AT",
            /// Charged items.
            rep charged_items: Text = "AU",
            /// Fine items.
            rep fine_items: Text = "AV",
            /// Recall items.
            rep recall_items: Text = "BU",
            /// Unavailable (pending) holds.
            rep unavailable_hold_items: Text = "CD",
            /// Home address.
            opt home_address: Text = "BD",
            /// E-mail address.
            opt email_address: Text = "BE",
            /// Home phone.
            opt home_phone_number: Text = "BF",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 11 Checkout (SC → ACS).
    Checkout = "11" {
        fixed {
            /// The SC allows a checkout of an item already on loan to the patron to become a renewal.
            sc_renewal_policy: bool as YesNo,
            /// Already done off line: the ACS must not refuse it.
            no_block: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// The due date promised off line.
            nb_due_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Terminal password.
            req terminal_password: Text = "AC",
            /// Patron password.
            opt patron_password: Text = "AD",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// The patron accepts the fee.
            opt fee_acknowledged: bool = "BO",
            /// Cancel: reverses a failed check-in.
            opt cancel: bool = "BI",
        }
    }

    /// 12 Checkout response (ACS → SC).
    CheckoutResponse = "12" {
        fixed {
            /// The item is checked out.
            ok: bool as OneZero,
            /// It was already on loan to the patron and became a renewal.
            renewal_ok: bool as YesNo,
            /// The item has magnetic media.
            magnetic_media: Tristate as Tristate,
            /// Switch the item's security off.
            desensitize: Tristate as Tristate,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Title.
            req title_identifier: Text = "AJ",
            /// Due date, free format.
            req due_date: Text = "AH",
            /// Fee type.
            opt fee_type: FeeType = "BT",
            /// Leave the item's security alone.
            opt security_inhibit: bool = "CI",
            /// Currency.
            opt currency_type: Text = "BH",
            /// Fee amount.
            opt fee_amount: Text = "BV",
            /// Media type.
            opt media_type: MediaType = "CK",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Transaction id.
            opt transaction_id: Text = "BK",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 09 Checkin (SC → ACS).
    Checkin = "09" {
        fixed {
            /// Already done off line: the ACS must not refuse it.
            no_block: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// When the item was actually returned.
            return_date: SipDate as SipDate,
        }
        fields {
            /// Current location.
            req current_location: Text = "AP",
            /// Institution id.
            req institution_id: Text = "AO",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Terminal password.
            req terminal_password: Text = "AC",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Cancel: reverses a failed checkout.
            opt cancel: bool = "BI",
        }
    }

    /// 10 Checkin response (ACS → SC).
    CheckinResponse = "10" {
        fixed {
            /// The item is checked in.
            ok: bool as OneZero,
            /// Switch the item's security back on.
            resensitize: bool as YesNo,
            /// The item has magnetic media.
            magnetic_media: Tristate as Tristate,
            /// The item needs attention (hold, transfer).
            alert: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Permanent location.
            req permanent_location: Text = "AQ",
            /// Title.
            opt title_identifier: Text = "AJ",
            /// Sort bin.
            opt sort_bin: Text = "CL",
            /// Patron identifier (who had it).
            opt patron_identifier: Text = "AA",
            /// Media type.
            opt media_type: MediaType = "CK",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
            /// Collection code (3M extension).
            opt collection_code: Text = "CR",
            /// Call number (3M extension).
            opt call_number: Text = "CS",
            /// Destination location (3M extension).
            opt destination_location: Text = "CT",
            /// Alert type (3M extension).
            opt alert_type: AlertType = "CV",
            /// Hold patron id (3M extension).
            opt hold_patron_id: Text = "CY",
            /// Hold patron name (3M extension).
            opt hold_patron_name: Text = "DA",
        }
    }

    /// 17 Item information (SC → ACS).
    ItemInformation = "17" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Terminal password.
            opt terminal_password: Text = "AC",
        }
    }

    /// 18 Item information response (ACS → SC).
    ItemInformationResponse = "18" {
        fixed {
            /// Circulation status.
            circulation_status: CirculationStatus as CirculationStatus,
            /// Security marker.
            security_marker: SecurityMarker as SecurityMarker,
            /// Fee type.
            fee_type: FeeType as FeeType,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Hold queue length.
            opt hold_queue_length: Number = "CF",
            /// Due date, free format.
            opt due_date: Text = "AH",
            /// Recall date.
            opt recall_date: SipDate = "CJ",
            /// Hold pickup date.
            opt hold_pickup_date: SipDate = "CM",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Title.
            req title_identifier: Text = "AJ",
            /// Owner.
            opt owner: Text = "BG",
            /// Currency.
            opt currency_type: Text = "BH",
            /// Fee amount.
            opt fee_amount: Text = "BV",
            /// Media type.
            opt media_type: MediaType = "CK",
            /// Permanent location.
            opt permanent_location: Text = "AQ",
            /// Current location.
            opt current_location: Text = "AP",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
            /// Collection code (3M extension).
            opt collection_code: Text = "CR",
            /// Call number (3M extension).
            opt call_number: Text = "CS",
        }
    }

    /// 29 Renew (SC → ACS).
    Renew = "29" {
        fixed {
            /// Renewal of an item on loan to someone else is allowed.
            third_party_allowed: bool as YesNo,
            /// Already done off line.
            no_block: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// The due date promised off line.
            nb_due_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Patron password.
            opt patron_password: Text = "AD",
            /// Item identifier.
            opt item_identifier: Text = "AB",
            /// Title.
            opt title_identifier: Text = "AJ",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// The patron accepts the fee.
            opt fee_acknowledged: bool = "BO",
        }
    }

    /// 30 Renew response (ACS → SC).
    RenewResponse = "30" {
        fixed {
            /// The item is renewed.
            ok: bool as OneZero,
            /// Renewal OK.
            renewal_ok: bool as YesNo,
            /// Magnetic media.
            magnetic_media: Tristate as Tristate,
            /// Desensitize.
            desensitize: Tristate as Tristate,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Title.
            req title_identifier: Text = "AJ",
            /// Due date, free format.
            req due_date: Text = "AH",
            /// Fee type.
            opt fee_type: FeeType = "BT",
            /// Security inhibit.
            opt security_inhibit: bool = "CI",
            /// Currency.
            opt currency_type: Text = "BH",
            /// Fee amount.
            opt fee_amount: Text = "BV",
            /// Media type.
            opt media_type: MediaType = "CK",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Transaction id.
            opt transaction_id: Text = "BK",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 35 End patron session (SC → ACS).
    EndPatronSession = "35" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Patron password.
            opt patron_password: Text = "AD",
        }
    }

    /// 36 End session response (ACS → SC).
    EndSessionResponse = "36" {
        fixed {
            /// The session ended.
            end_session: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 97 Request ACS resend (SC → ACS): send the last response again.
    RequestAcsResend = "97" {
        fixed {}
        fields {}
    }

    /// 96 Request SC resend (ACS → SC): send the last message again.
    RequestScResend = "96" {
        fixed {}
        fields {}
    }

    /// 19 Item status update (SC → ACS).
    ItemStatusUpdate = "19" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Item properties.
            req item_properties: Text = "CH",
        }
    }

    /// 20 Item status update response (ACS → SC).
    ItemStatusUpdateResponse = "20" {
        fixed {
            /// The properties were stored.
            item_properties_ok: bool as OneZero,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Item identifier.
            req item_identifier: Text = "AB",
            /// Title.
            opt title_identifier: Text = "AJ",
            /// Item properties.
            opt item_properties: Text = "CH",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 25 Patron enable (SC → ACS).
    PatronEnable = "25" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Patron password.
            opt patron_password: Text = "AD",
        }
    }

    /// 26 Patron enable response (ACS → SC).
    PatronEnableResponse = "26" {
        fixed {
            /// The 14 status flags.
            patron_status: PatronStatus as PatronStatus,
            /// Language.
            language: LanguageCode as LanguageCode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Personal name.
            req personal_name: Text = "AE",
            /// The patron exists.
            opt valid_patron: bool = "BL",
            /// The PIN was right.
            opt valid_patron_password: bool = "CQ",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 37 Fee paid (SC → ACS).
    FeePaid = "37" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
            /// Fee type.
            fee_type: FeeType as FeeType,
            /// Payment type.
            payment_type: PaymentType as PaymentType,
            /// Currency (ISO 4217).
            currency_type: Text as FixedText<3>,
        }
        fields {
            /// Amount paid.
            req fee_amount: Text = "BV",
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// Patron password.
            opt patron_password: Text = "AD",
            /// Fee identifier.
            opt fee_identifier: Text = "CG",
            /// Transaction id.
            opt transaction_id: Text = "BK",
        }
    }

    /// 38 Fee paid response (ACS → SC).
    FeePaidResponse = "38" {
        fixed {
            /// The payment was accepted.
            payment_accepted: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Transaction id.
            opt transaction_id: Text = "BK",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 15 Hold (SC → ACS).
    Hold = "15" {
        fixed {
            /// Add, delete or change.
            hold_mode: HoldMode as HoldMode,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Expiration date.
            opt expiration_date: SipDate = "BW",
            /// Pickup location.
            opt pickup_location: Text = "BS",
            /// Hold type.
            opt hold_type: HoldType = "BY",
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Patron password.
            opt patron_password: Text = "AD",
            /// Item identifier.
            opt item_identifier: Text = "AB",
            /// Title.
            opt title_identifier: Text = "AJ",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// The patron accepts the fee.
            opt fee_acknowledged: bool = "BO",
        }
    }

    /// 16 Hold response (ACS → SC).
    HoldResponse = "16" {
        fixed {
            /// The hold was placed (or changed).
            ok: bool as OneZero,
            /// The item is available now.
            available: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Expiration date.
            opt expiration_date: SipDate = "BW",
            /// Queue position.
            opt queue_position: Text = "BR",
            /// Pickup location.
            opt pickup_location: Text = "BS",
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Item identifier.
            opt item_identifier: Text = "AB",
            /// Title.
            opt title_identifier: Text = "AJ",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }

    /// 01 Block patron (SC → ACS); answered with `24`.
    BlockPatron = "01" {
        fixed {
            /// The SC kept the card.
            card_retained: bool as YesNo,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Why the card is blocked.
            req blocked_card_msg: Text = "AL",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Terminal password.
            req terminal_password: Text = "AC",
        }
    }

    /// 65 Renew all (SC → ACS).
    RenewAll = "65" {
        fixed {
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Patron identifier.
            req patron_identifier: Text = "AA",
            /// Patron password.
            opt patron_password: Text = "AD",
            /// Terminal password.
            opt terminal_password: Text = "AC",
            /// The patron accepts fees.
            opt fee_acknowledged: bool = "BO",
        }
    }

    /// 66 Renew all response (ACS → SC).
    RenewAllResponse = "66" {
        fixed {
            /// The request was processed.
            ok: bool as OneZero,
            /// Items renewed.
            renewed_count: u16 as Digits<4>,
            /// Items not renewed.
            unrenewed_count: u16 as Digits<4>,
            /// Transaction date.
            transaction_date: SipDate as SipDate,
        }
        fields {
            /// Institution id.
            req institution_id: Text = "AO",
            /// Renewed items.
            rep renewed_items: Text = "BM",
            /// Items not renewed.
            rep unrenewed_items: Text = "BN",
            /// Screen messages.
            rep screen_message: Text = "AF",
            /// Print lines.
            rep print_line: Text = "AG",
        }
    }
}

impl AcsStatus {
    /// Reads the old short layout some servers send, with one-digit timeout and retries
    /// (`98YYNYNN53<date>2.00…`).
    fn read_short_layout(rest: &str, warnings: &mut Vec<Warning>) -> Option<AcsStatus> {
        let flags = rest.get(..6)?;
        let digits = rest.get(6..8)?;
        if !flags.is_ascii() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let long = format!("{flags}00{}00{}{}", &digits[..1], &digits[1..], rest.get(8..)?);
        let status = AcsStatus::read_body(&long, warnings).ok()?;
        warnings.push(Warning::ShortAcsStatusLayout);
        Some(status)
    }

    /// Whether the ACS says `message` (a [`SupportedMessages`] position) is supported.
    pub fn supports(&self, position: usize) -> bool {
        self.supported_messages.supports(position)
    }
}

impl CheckoutResponse {
    /// The screen messages joined into one line.
    pub fn screen_text(&self) -> String {
        self.screen_message.iter().map(Text::as_str).collect::<Vec<_>>().join(" ")
    }
}

impl CheckinResponse {
    /// The screen messages joined into one line.
    pub fn screen_text(&self) -> String {
        self.screen_message.iter().map(Text::as_str).collect::<Vec<_>>().join(" ")
    }
}
