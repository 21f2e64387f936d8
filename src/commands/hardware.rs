//! `kiosk devices`, `kiosk tag decode`, `kiosk barcode check`, `kiosk receipt render`.

use std::path::Path;

use anyhow::Context;
use kiosk_hardware::barcode::{self, BarcodeRules, Classified, strip_aim};
use kiosk_hardware::escpos::{PaperWidth, render};
use kiosk_hardware::tag::{self, TagData};
use serde_json::json;

/// `kiosk devices`: serial ports, keyboard devices and known USB devices, with profiles
/// and permission problems.
pub fn devices(json: bool) -> String {
    let found = kiosk_hardware::usb::list_devices();
    if json {
        let list: Vec<_> = found
            .iter()
            .map(|d| json!({ "path": d.path, "description": d.description, "profile": d.profile, "access": d.access.as_ref().err() }))
            .collect();
        return serde_json::to_string_pretty(&list).unwrap_or_default();
    }
    if found.is_empty() {
        return "No serial ports, keyboard devices or known USB devices found.\n\
                Check the cable and `dmesg`; USB serial adapters appear as /dev/ttyUSB* or /dev/ttyACM*.\n"
            .into();
    }
    let mut out = String::new();
    for device in found {
        out.push_str(&format!("{}\n  {}\n", device.path, device.description));
        if let Some(profile) = &device.profile {
            out.push_str(&format!("  profile: {profile}\n"));
        }
        match &device.access {
            Ok(()) => out.push_str("  access: ok\n"),
            Err(fix) => out.push_str(&format!("  access: {fix}\n")),
        }
    }
    out
}

fn tag_json(data: &TagData) -> serde_json::Value {
    json!({
        "format": data.format.map(|f| f.to_string()),
        "primary_item_id": data.primary_item_id,
        "owner_institution": data.owner_institution,
        "set": data.set.map(|s| json!({ "parts": s.parts, "part": s.part })),
        "type_of_usage": data.usage.map(|u| format!("{:02X}", u.0)),
        "title": data.title,
        "shelf_location": data.shelf_location,
        "other": data.other.iter().map(|(k, v)| json!({ "element": k, "value": v })).collect::<Vec<_>>(),
        "warnings": data.warnings,
    })
}

/// `kiosk tag decode HEX`: decodes raw tag memory in any supported format.
pub fn tag_decode(hex: &str, json: bool) -> anyhow::Result<String> {
    let memory = tag::parse_hex(hex).map_err(|e| anyhow::anyhow!("not hex: {e}"))?;
    let data = tag::decode(&memory).with_context(|| format!("{} bytes of tag memory", memory.len()))?;
    if json {
        return Ok(serde_json::to_string_pretty(&tag_json(&data))?);
    }
    let mut out = format!("format            {}\n", data.format.map(|f| f.to_string()).unwrap_or_default());
    let mut line = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(&format!("{label:<18}{value}\n"));
        }
    };
    line("item id (PII)", Some(data.primary_item_id.clone()).filter(|s| !s.is_empty()));
    line("owner (ISIL)", data.owner_institution.clone());
    line("set", data.set.map(|s| format!("part {} of {}", s.part, s.parts)));
    line(
        "type of usage",
        data.usage.map(|u| format!("{:02X}{}", u.0, if u.is_patron_card() { " (patron card)" } else { "" })),
    );
    line("title", data.title.clone());
    line("shelf location", data.shelf_location.clone());
    for (key, value) in &data.other {
        line(key, Some(value.clone()));
    }
    for warning in &data.warnings {
        line("warning", Some(warning.clone()));
    }
    Ok(out)
}

/// What a scan is, under the site rules: for `kiosk barcode check` and the scanner test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCheck {
    /// The symbology (from the AIM prefix or the scanner).
    pub symbology: barcode::Symbology,
    /// patron card, item, technician card or rejected.
    pub kind: &'static str,
    /// The code after the AIM prefix and Codabar start/stop characters.
    pub code: String,
    /// The check-digit verdict, when the code has one.
    pub check: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
}

/// Classifies a code and checks its check digit.
pub fn check_scan(text: &str, symbology: barcode::Symbology, technician_cards: &[String]) -> ScanCheck {
    let rules = BarcodeRules::library_default();
    let result = barcode::classify(text, symbology, &rules, technician_cards);
    let check = if text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!(
            "library mod-10: {}",
            if barcode::is_valid_library_number(text) { "valid" } else { "WRONG" }
        ))
    } else if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("EAN-13: {}", if barcode::is_valid_ean13(text) { "valid" } else { "WRONG" }))
    } else {
        None
    };
    let (kind, code, reason) = match result {
        Classified::Patron(v) => ("patron card", v, None),
        Classified::Item(v) => ("item", v, None),
        Classified::Technician(v) => ("technician card", kiosk_core::mask::identifier(&v).to_string(), None),
        Classified::Rejected { code, reason } => ("rejected", code, Some(reason)),
    };
    ScanCheck { symbology, kind, code, check, reason }
}

/// `kiosk barcode check CODE`: classification and check digit under the site rules.
pub fn barcode_check(code: &str, technician_cards: &[String], json: bool) -> String {
    let (symbology, text) = strip_aim(code);
    let ScanCheck { symbology, kind, code: value, check, reason } =
        check_scan(text, symbology, technician_cards);
    if json {
        return serde_json::to_string_pretty(
            &json!({ "symbology": symbology.to_string(), "kind": kind, "code": value, "check": check, "reason": reason }),
        )
        .unwrap_or_default();
    }
    let mut out = format!("{value}: {kind} (symbology {symbology})\n");
    if let Some(check) = check {
        out.push_str(&format!("  {check}\n"));
    }
    if let Some(reason) = reason {
        out.push_str(&format!("  {reason}\n"));
    }
    out
}

/// `kiosk receipt render FILE.bin OUT.png`.
pub fn receipt_render(input: &Path, output: &Path, width_mm: u32) -> anyhow::Result<String> {
    let paper = PaperWidth::from_mm(width_mm)
        .with_context(|| format!("{width_mm} mm is not a paper width (58 or 80)"))?;
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let rendered = render::render(&bytes, paper);
    std::fs::write(output, rendered.png()).with_context(|| format!("writing {}", output.display()))?;
    let mut out = format!(
        "{} → {} ({}×{} dots, {} line(s), {} cut(s))\n",
        input.display(),
        output.display(),
        rendered.image.width(),
        rendered.image.height(),
        rendered.text.len(),
        rendered.cuts
    );
    for warning in rendered.warnings {
        out.push_str(&format!("  warning: {warning}\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_decode_reads_the_gb_t_35660_example() {
        let text =
            tag_decode("9100051cbe991a140201d0140204b34607441cb6e2e335d6830207acc09ebaa06f6b0000", false)
                .unwrap();
        assert!(
            text.contains("123456789012") && text.contains("US-InU-Mu") && text.contains("QA268.L55"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(
            &tag_decode("11010131313232333334340000000000000000513e4445373035000000000000", true).unwrap(),
        )
        .unwrap();
        assert_eq!(json["primary_item_id"], "11223344");
        assert!(tag_decode("zz", false).is_err());
    }

    #[test]
    fn barcode_check_explains() {
        assert!(barcode_check("30234000517861", &[], false).contains("item"));
        let wrong = barcode_check("30234000517862", &[], false);
        assert!(wrong.contains("rejected") && wrong.contains("WRONG"), "{wrong}");
        assert!(barcode_check("9780306406157", &[], false).contains("ISBN"));
    }
}
