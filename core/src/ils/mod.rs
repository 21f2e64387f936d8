//! The library system: SIP2 date conversions and the built-in emulator.

pub mod emulator;

use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use kiosk_sip2::client::{ClientConfig, Credentials};
use kiosk_sip2::session::{ErrorDetection as SessionErrorDetection, SessionConfig};
use kiosk_sip2::transport::TlsOptions;
use kiosk_sip2::types::SipDate;
use kiosk_sip2::{Charset as WireCharset, Codec, Terminator as WireTerminator};

use crate::config::{Charset, ErrorDetection, IlsConfig, Terminator};

/// The SIP2 client settings for the configured ILS at `host:port` (the configured address,
/// or the in-process emulator's).
pub fn client_config(ils: &IlsConfig, host: &str, port: u16, max_print_width: u16) -> ClientConfig {
    let codec = Codec {
        charset: match ils.charset {
            Charset::Utf8 => WireCharset::Utf8,
            Charset::Gb18030 => WireCharset::Gb18030,
            Charset::Cp850 => WireCharset::Cp850,
            Charset::Latin1 => WireCharset::Latin1,
        },
        error_detection: ils.error_detection != ErrorDetection::Off,
        terminator: match ils.terminator {
            Terminator::Cr => WireTerminator::Cr,
            Terminator::Crlf => WireTerminator::CrLf,
        },
        lenient_checksums: true,
    };
    ClientConfig {
        host: host.to_string(),
        port,
        tls: ils.tls.then(|| TlsOptions {
            ca_file: ils.tls_ca_file.clone(),
            client_identity: ils.tls_client_cert.clone().zip(ils.tls_client_key.clone()),
            server_name: ils.tls_server_name.clone(),
        }),
        session: SessionConfig {
            codec,
            error_detection: match ils.error_detection {
                ErrorDetection::Off => SessionErrorDetection::Off,
                ErrorDetection::On => SessionErrorDetection::On,
                ErrorDetection::Auto => SessionErrorDetection::Auto,
            },
            timeout: Duration::from_secs(u64::from(ils.response_timeout_secs)),
            retries: ils.retries,
        },
        connect_timeout: Duration::from_secs(u64::from(ils.connect_timeout_secs)),
        write_timeout: Duration::from_secs(u64::from(ils.response_timeout_secs)),
        credentials: (!ils.login_user.is_empty()).then(|| Credentials {
            user: ils.login_user.clone(),
            password: ils.login_password.clone(),
            location: (!ils.location_code.is_empty()).then(|| ils.location_code.clone()),
        }),
        max_print_width,
    }
}

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
    fn client_config_follows_the_ils_section() {
        let mut ils = IlsConfig {
            charset: Charset::Gb18030,
            error_detection: ErrorDetection::Auto,
            terminator: Terminator::Crlf,
            ..IlsConfig::default()
        };
        ils.tls = true;
        ils.tls_server_name = Some("ils.example.cn".into());
        let config = client_config(&ils, "10.0.0.5", 6002, 48);
        assert_eq!((config.host.as_str(), config.port), ("10.0.0.5", 6002));
        assert_eq!(config.session.codec.charset, WireCharset::Gb18030);
        assert_eq!(config.session.codec.terminator, WireTerminator::CrLf);
        assert_eq!(config.session.error_detection, SessionErrorDetection::Auto);
        assert_eq!(config.tls.unwrap().server_name.as_deref(), Some("ils.example.cn"));
        assert_eq!(config.credentials.unwrap().location.as_deref(), Some("WCP-SELF-01"));
    }

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
