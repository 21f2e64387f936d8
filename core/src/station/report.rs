//! Visit reports as CSV: one row per visit, for a spreadsheet.

use crate::config::{Language, StationConfig};
use crate::diagnostics::queue::csv_field;
use crate::store::{CheckoutMethod, Visit};

/// The header line of [`visits_csv`].
pub const HEADER: &str = "id,checked_in,checked_out,minutes,trade,trade_name,services,visitor,checkout";

/// The visits as CSV (RFC 4180, CRLF line ends). `visitor` is the first 12 characters of
/// the card's salted hash (empty for anonymous visits): enough to see repeat visits, not
/// enough to find the card. Names are in `language`.
pub fn visits_csv(visits: &[Visit], config: &StationConfig, language: Language) -> String {
    let mut out = format!("{HEADER}\r\n");
    let time = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    for visit in visits {
        let trade_name = crate::config::Choice::name_of(&config.trades, &visit.trade, language).to_string();
        let fields = [
            visit.id.0.to_string(),
            time(visit.checked_in_at),
            visit.checked_out_at.map(time).unwrap_or_default(),
            visit
                .checked_out_at
                .map(|out| (out - visit.checked_in_at).num_minutes().to_string())
                .unwrap_or_default(),
            visit.trade.clone(),
            trade_name,
            visit.services.join(" "),
            visit.card_hash.as_deref().map(|h| h.chars().take(12).collect()).unwrap_or_default(),
            match visit.checkout_method {
                Some(CheckoutMethod::Scan) => "scan",
                Some(CheckoutMethod::Tap) => "tap",
                Some(CheckoutMethod::Auto) => "auto",
                None => "",
            }
            .to_string(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VisitId;
    use chrono::NaiveDate;

    #[test]
    fn golden_csv() {
        let at = |d, h, m| NaiveDate::from_ymd_opt(2026, 7, d).unwrap().and_hms_opt(h, m, 0).unwrap();
        let visits = vec![
            Visit {
                id: VisitId(1),
                trade: "courier".into(),
                card_hash: Some("0123456789abcdef0123456789abcdef".into()),
                services: vec!["water".into(), "charging".into()],
                checked_in_at: at(15, 11, 58),
                checked_out_at: Some(at(15, 12, 40)),
                checkout_method: Some(CheckoutMethod::Scan),
            },
            Visit {
                id: VisitId(2),
                trade: "sanitation".into(),
                card_hash: None,
                services: vec![],
                checked_in_at: at(15, 23, 30),
                checked_out_at: Some(at(16, 3, 30)),
                checkout_method: Some(CheckoutMethod::Auto),
            },
            Visit {
                id: VisitId(3),
                trade: "traffic-police".into(),
                card_hash: None,
                services: vec!["climate".into()],
                checked_in_at: at(16, 14, 5),
                checked_out_at: None,
                checkout_method: None,
            },
        ];
        let config = StationConfig::default();
        let golden = "id,checked_in,checked_out,minutes,trade,trade_name,services,visitor,checkout\r\n\
1,2026-07-15 11:58,2026-07-15 12:40,42,courier,快递员,water charging,0123456789ab,scan\r\n\
2,2026-07-15 23:30,2026-07-16 03:30,240,sanitation,环卫工人,,,auto\r\n\
3,2026-07-16 14:05,,,traffic-police,交通警察,climate,,\r\n";
        assert_eq!(visits_csv(&visits, &config, Language::ZhCn), golden);
        assert!(visits_csv(&visits, &config, Language::En).contains(",Traffic police,"));
    }
}
