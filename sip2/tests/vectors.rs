//! The test vectors of the SIP2 reference (shared/reference/sip2.md §11 and §17).

use kiosk_sip2::messages::*;
use kiosk_sip2::types::*;
use kiosk_sip2::{Charset, ChecksumCheck, Codec, DecodeError, Message, Warning};

/// Vectors whose bytes must survive decode → encode unchanged (CR omitted).
const ROUND_TRIP: &[&str] = &[
    "9900401.00AY1AZFCA5",
    "97AZFEF5",
    "96AZFEF6",
    "9300CNuser|COpasswd|CPlocation|AY0AZF2FB",
    "9300CNuser|COpasswd|CPcirculationLocation|AY1AZEE7D",
    "2300020210814    083455AOinstitutionId|AApatronIdentifier|ACterminalPassword|ADpatronPassword|AY0AZDDAC",
    "6300020150416    064702  Y       AOinstitutionId|AApatronIdentifier|AC|AD|AY0AZE8CA",
    "11YY20210814    08345520210814    083455AO|AApatronId|ABitemId|AC|AY0AZED4B",
    "11NY20210814    08345520210814    083455AOinstitutionId|AApatronId|ABitemId|ACterminalPassword|ADpatronPassword|BOY|BIY|AY0AZD782",
    "09Y20210814    08345520210814    083455AP|AO|ABitemId|AC|AY0AZF0CF",
    "09N20210715    12450120210810    180136APlocation|AO|ABitemId|AC|CHitemProperties|AY1AZE6B3",
    "09Y20200103    19234620210814    083455APlocation|AOinstitutionId|ABitemId|ACterminalPassword|BIY|AY0AZDFFA",
    "1720000227    161243AOinstitutionId|ABitemId|AY0AZF117",
    "3520130514    132223AOinstitutionId|AApatronId|AY1AZF033",
    "6300119980723    091905Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|AY1AZEA83",
    "01N19960213    162352AO|ALCARD BLOCK TEST|AA104000000705|AC|AY2AZF02F",
    "941AY3AZFDFA",
    "3719980723    0932110401USDBV111.11|AOCertification Institute ID|AAPatronID|BKTransactionID|AY2AZE1EF",
    "09N19980821    085721                  APCertification Terminal Location|AOCertification Institute ID|ABCheckInBook|ACTPWord|BIN|AY2AZD6A5",
    "1808000119980723    115615CF00000|ABItemBook|AJTitle For Item Book|CK003|AQPermanent Location for ItemBook, Language 1|APCurrent Location ItemBook|CHFree-form text with new item property|AY0AZC05B",
];

fn codec() -> Codec {
    Codec { lenient_checksums: false, ..Codec::default() }
}

#[test]
fn every_vector_decodes_with_a_valid_checksum_and_round_trips() {
    for vector in ROUND_TRIP {
        let decoded = codec().decode(vector.as_bytes()).unwrap_or_else(|e| panic!("{vector}: {e}"));
        assert_eq!(decoded.checksum, ChecksumCheck::Valid, "{vector}");
        assert!(decoded.warnings.is_empty(), "{vector}: {:?}", decoded.warnings);
        let encoded = codec().encode(&decoded.message, decoded.sequence).unwrap();
        assert_eq!(String::from_utf8(encoded).unwrap(), format!("{vector}\r"), "re-encoding {vector}");
    }
}

#[test]
fn v1_developer_guide_checksum() {
    let decoded = codec().decode(b"990 402.00AY1AZFCB4\r").unwrap();
    assert_eq!(decoded.checksum, ChecksumCheck::Valid);
    assert_eq!(decoded.sequence, Some(1));
    let Message::ScStatus(status) = decoded.message else { panic!("not a 99") };
    assert_eq!(status.status_code, StatusCode::Ok);
    assert_eq!(status.max_print_width, 40);
    assert_eq!(status.protocol_version, "2.00");
}

#[test]
fn typed_fields_of_the_vectors() {
    let decoded = codec().decode(ROUND_TRIP[8].as_bytes()).unwrap();
    let Message::Checkout(checkout) = decoded.message else { panic!("not an 11") };
    assert!(!checkout.sc_renewal_policy);
    assert!(checkout.no_block);
    assert_eq!(checkout.transaction_date, SipDate::local(2021, 8, 14, 8, 34, 55));
    assert_eq!(checkout.patron_password.as_deref(), Some("patronPassword"));
    assert_eq!(checkout.fee_acknowledged, Some(true));
    assert_eq!(checkout.cancel, Some(true));

    let decoded = codec().decode(ROUND_TRIP.last().unwrap().as_bytes()).unwrap();
    let Message::ItemInformationResponse(item) = decoded.message else { panic!("not an 18") };
    assert_eq!(item.circulation_status, CirculationStatus::WaitingOnHoldShelf);
    assert_eq!(item.security_marker, SecurityMarker::Other);
    assert_eq!(item.fee_type, FeeType::OtherUnknown);
    assert_eq!(item.hold_queue_length, Some(Number::padded(0, 5)));
    assert_eq!(item.media_type, Some(MediaType::BoundJournal));
    assert_eq!(item.title_identifier, "Title For Item Book");

    let decoded = codec().decode(b"3719980723    0932110401USDBV111.11|AOCertification Institute ID|AAPatronID|BKTransactionID|AY2AZE1EF").unwrap();
    let Message::FeePaid(fee) = decoded.message else { panic!("not a 37") };
    assert_eq!(
        (fee.fee_type, fee.payment_type, fee.currency_type.as_str()),
        (FeeType::Overdue, PaymentType::Visa, "USD")
    );

    let decoded = codec().decode(ROUND_TRIP[14].as_bytes()).unwrap();
    let Message::PatronInformation(info) = decoded.message else { panic!("not a 63") };
    assert_eq!(info.summary.category(), Some(SummaryCategory::HoldItems));
    assert_eq!(info.language, LanguageCode::ENGLISH);
    assert_eq!((info.start_item.as_deref(), info.end_item.as_deref()), (Some("00001"), Some("00005")));

    let decoded = codec().decode(b"941AY3AZFDFA").unwrap();
    assert_eq!(decoded.message, Message::LoginResponse(LoginResponse { ok: true, extra: vec![] }));
}

#[test]
fn n1_pipe_after_fixed_fields_is_accepted_with_a_warning_and_never_emitted() {
    let decoded = codec().decode(b"9920102.00|AY1AZFC29\r").unwrap();
    assert_eq!(decoded.checksum, ChecksumCheck::Valid);
    assert_eq!(decoded.warnings, [Warning::PipeAfterFixedFields]);
    let encoded = codec().encode(&decoded.message, Some(1)).unwrap();
    assert!(!encoded.windows(2).any(|w| w == b"0|"), "{}", String::from_utf8_lossy(&encoded));
}

#[test]
fn n2_any_changed_character_fails_the_checksum() {
    for vector in ROUND_TRIP {
        let bytes = vector.as_bytes();
        let az = bytes.len() - 6;
        for position in 0..az {
            let mut changed = bytes.to_vec();
            changed[position] = if changed[position] == b'X' { b'Y' } else { b'X' };
            match codec().decode(&changed) {
                Err(DecodeError::Checksum { .. }) => {}
                other => panic!("{vector} changed at {position} gave {other:?}"),
            }
        }
    }
}

#[test]
fn e1_code_point_checksum_passes_only_in_lenient_mode() {
    let e1 = "1812020120230316    145800AB0230200408766|AJAnam ċara :|AQYS|CRNONFICTR|BGYS|AH20230131    235900|AY3AZE5D1";
    let strict = codec().decode(e1.as_bytes());
    assert_eq!(strict.unwrap_err(), DecodeError::Checksum { expected: 0xE58D, found: 0xE5D1 });
    let lenient = Codec::default().decode(e1.as_bytes()).unwrap();
    assert_eq!(lenient.checksum, ChecksumCheck::ValidOverCodePoints);
    assert!(lenient.warnings.contains(&Warning::CodePointChecksum));
    let Message::ItemInformationResponse(item) = lenient.message else { panic!("not an 18") };
    assert_eq!(item.title_identifier, "Anam ċara :");
    assert_eq!(item.collection_code.as_deref(), Some("NONFICTR"));
    assert_eq!(item.circulation_status, CirculationStatus::Lost);
}

fn patron_status_24(language: LanguageCode, name: &str) -> Message {
    Message::PatronStatusResponse(PatronStatusResponse {
        language,
        transaction_date: SipDate::local(2025, 11, 24, 10, 0, 0),
        institution_id: "LIB".into(),
        patron_identifier: "12345".into(),
        personal_name: name.into(),
        valid_patron: Some(true),
        ..Default::default()
    })
}

fn checksum_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[bytes.len() - 5..bytes.len() - 1]).to_string()
}

#[test]
fn charset_table_checksums() {
    let muller = patron_status_24(LanguageCode::ENGLISH, "Müller, Jörg");
    let zhang = patron_status_24(LanguageCode::CHINESE, "张三");
    for (charset, message, expected) in [
        (Charset::Cp850, &muller, "EDEC"),
        (Charset::Latin1, &muller, "ED0F"),
        (Charset::Utf8, &muller, "EC09"),
        (Charset::Utf8, &zhang, "EDFD"),
        (Charset::Gb18030, &zhang, "EF04"),
    ] {
        let codec = Codec::with_charset(charset);
        let bytes = codec.encode(message, Some(1)).unwrap();
        assert_eq!(checksum_of(&bytes), expected, "{charset:?}");
        assert_eq!(&codec.decode(&bytes).unwrap().message, message);
    }
    assert!(Codec::with_charset(Charset::Cp850).encode(&zhang, Some(1)).is_err());
    assert!(Codec::with_charset(Charset::Latin1).encode(&zhang, Some(1)).is_err());
}

#[test]
fn code_point_checksums_of_the_charset_table() {
    // The "code points" column: a server summing code points instead of UTF-8 bytes.
    for (name, language, checksum) in
        [("Müller, Jörg", LanguageCode::ENGLISH, 0xED0Fu16), ("张三", LanguageCode::CHINESE, 0x453A)]
    {
        let bytes = Codec::default().encode(&patron_status_24(language, name), Some(1)).unwrap();
        let mut tampered = bytes[..bytes.len() - 5].to_vec();
        tampered.extend_from_slice(format!("{checksum:04X}\r").as_bytes());
        let decoded = Codec::default().decode(&tampered).unwrap();
        assert_eq!(decoded.checksum, ChecksumCheck::ValidOverCodePoints, "{name}");
        assert!(codec().decode(&tampered).is_err(), "strict mode must refuse {name}");
    }
}

#[test]
fn terminators_and_checksum_case() {
    let lf = codec().decode(b"941AY3AZFDFA\n").unwrap();
    let crlf = codec().decode(b"941AY3AZFDFA\r\n").unwrap();
    let lower = codec().decode(b"941AY3AZfdfa\r").unwrap();
    assert_eq!(lf, crlf);
    assert_eq!(lf.message, lower.message);
    assert_eq!(lower.checksum, ChecksumCheck::Valid);
}

#[test]
fn three_digit_checksum_is_tolerated() {
    // A server that does not zero-pad sends a checksum below 0x1000 as three digits.
    let (mut prefix, sum) = (1..2_000)
        .map(|n| format!("2300020210814    083455AOinst|AA{}|AC|AD|AY0AZ", "9".repeat(n)).into_bytes())
        .map(|prefix| {
            let sum = kiosk_sip2::checksum::compute(&prefix);
            (prefix, sum)
        })
        .find(|(_, sum)| *sum < 0x1000)
        .expect("some patron number gives a small checksum");
    prefix.extend_from_slice(format!("{sum:X}").as_bytes());
    let decoded = codec().decode(&prefix).unwrap();
    assert_eq!(decoded.checksum, ChecksumCheck::Valid);
    assert!(decoded.warnings.contains(&Warning::ShortChecksum));
}

#[test]
fn replay_with_az_but_no_ay() {
    let message = Message::from(LoginResponse { ok: true, extra: vec![] });
    let bytes = codec().encode(&message, None).unwrap();
    assert_eq!(bytes, b"941AZFEC7\r");
    let decoded = codec().decode(&bytes).unwrap();
    assert_eq!(decoded.sequence, None);
    assert_eq!(decoded.checksum, ChecksumCheck::Valid);
    assert_eq!(decoded.message, message);
}

#[test]
fn short_acs_status_layout() {
    let body = "98YYNYNN5320251124    1000002.00AOLIB|BXYYYYYYYYYYYYYYYY|";
    let decoded = codec().decode(body.as_bytes()).unwrap();
    assert!(decoded.warnings.contains(&Warning::ShortAcsStatusLayout));
    let Message::AcsStatus(status) = decoded.message else { panic!("not a 98") };
    assert_eq!((status.timeout_period, status.retries_allowed), (5, 3));
    assert!(status.online_status && !status.offline_ok);
}
