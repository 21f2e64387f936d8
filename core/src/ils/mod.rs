//! The library system: SIP2 date conversions and the built-in emulator.

pub mod emulator;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use kiosk_sip2::types::SipDate;

/// A local date and time as an 18-character SIP2 date.
pub fn sip_date(time: NaiveDateTime) -> SipDate {
    SipDate::local(
        time.year().clamp(0, 9999) as u16,
        time.month() as u8,
        time.day() as u8,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
    )
}

/// A SIP2 date as a local date and time; `None` when blank or invalid. Zones are ignored:
/// the kiosk and its ILS share a time zone.
pub fn from_sip_date(date: &SipDate) -> Option<NaiveDateTime> {
    let parts = date.parts()?;
    NaiveDate::from_ymd_opt(i32::from(parts.year), u32::from(parts.month), u32::from(parts.day))?.and_hms_opt(
        u32::from(parts.hour),
        u32::from(parts.minute),
        u32::from(parts.second.min(59)),
    )
}

/// Reads a free-format due date (`AH`) when it has the common `YYYYMMDD    HHMMSS` or
/// `YYYY-MM-DD` shape; otherwise the text is shown as sent.
pub fn parse_due_date(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim_matches(|c| c == '\r' || c == '\n');
    if text.len() == 18 {
        return <SipDate as kiosk_sip2::types::FixedCodec<SipDate>>::read(text)
            .and_then(|d| from_sip_date(&d));
    }
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(23, 59, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let time = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 30, 5).unwrap();
        assert_eq!(sip_date(time).as_str(), "20260715    103005");
        assert_eq!(from_sip_date(&sip_date(time)), Some(time));
        assert_eq!(from_sip_date(&SipDate::BLANK), None);
        assert_eq!(
            parse_due_date("20260814    235900"),
            NaiveDate::from_ymd_opt(2026, 8, 14).unwrap().and_hms_opt(23, 59, 0)
        );
        assert_eq!(
            parse_due_date("2026-08-14"),
            NaiveDate::from_ymd_opt(2026, 8, 14).unwrap().and_hms_opt(23, 59, 0)
        );
        assert_eq!(parse_due_date("next Tuesday"), None);
    }
}
