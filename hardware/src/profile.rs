//! Device profiles (`hardware/profiles/*.toml`): vendor, model, USB ids, protocol, serial
//! settings, the site's RFID security values and scanner settings. Compiled in, so an
//! installed kiosk needs no extra files; a site can pass its own file instead.

use serde::Deserialize;

use crate::barcode::BarcodeRules;
use crate::scanner::{Keymap, Suffix};

/// The profiles shipped with the kiosk, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("3m-810", include_str!("../profiles/3m-810.toml")),
    ("feig-cpr", include_str!("../profiles/feig-cpr.toml")),
    ("honeywell-1900", include_str!("../profiles/honeywell-1900.toml")),
    ("generic-hid-scanner", include_str!("../profiles/generic-hid-scanner.toml")),
    ("generic-escpos-80", include_str!("../profiles/generic-escpos-80.toml")),
    ("generic-escpos-58", include_str!("../profiles/generic-escpos-58.toml")),
];

/// Serial line parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    /// None.
    #[default]
    None,
    /// Even.
    Even,
    /// Odd.
    Odd,
}

/// Serial flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FlowControl {
    /// None.
    #[default]
    None,
    /// RTS/CTS (printers: XON/XOFF is unsafe with raster data).
    Hardware,
}

/// Serial settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialSettings {
    /// Baud rate.
    pub baud: u32,
    /// Parity.
    #[serde(default)]
    pub parity: Parity,
    /// Flow control.
    #[serde(default)]
    pub flow_control: FlowControl,
}

impl Default for SerialSettings {
    fn default() -> Self {
        SerialSettings { baud: 9600, parity: Parity::None, flow_control: FlowControl::None }
    }
}

/// RFID security values of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityValues {
    /// AFI of items in the library (secured: the gate alarms).
    pub afi_in_library: u8,
    /// AFI of items on loan.
    pub afi_on_loan: u8,
    /// Also set / reset the EAS bit.
    pub use_eas: bool,
}

impl Default for SecurityValues {
    fn default() -> Self {
        SecurityValues { afi_in_library: 0x07, afi_on_loan: 0xC2, use_eas: true }
    }
}

/// Scanner settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerSettings {
    /// What ends a scan.
    pub suffix: Suffix,
    /// The scanner sends AIM identifiers.
    pub aim: bool,
    /// The layout the scanner types in (keyboard wedges).
    pub keymap: Keymap,
    /// Inter-character timeout in milliseconds.
    pub timeout_ms: u64,
}

impl Default for ScannerSettings {
    fn default() -> Self {
        ScannerSettings { suffix: Suffix::Line, aim: false, keymap: Keymap::Us, timeout_ms: 100 }
    }
}

/// One profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Vendor.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// `scanner`, `rfid` or `printer`.
    pub kind: String,
    /// Protocol or driver family.
    pub protocol: String,
    /// USB `vid:pid` pairs (hex) this profile matches.
    #[serde(default)]
    pub usb: Vec<String>,
    /// Paper width for printers.
    #[serde(default)]
    pub paper_width_mm: Option<u32>,
    /// Serial settings.
    #[serde(default)]
    pub serial: SerialSettings,
    /// RFID security values.
    #[serde(default)]
    pub security: SecurityValues,
    /// Scanner settings.
    #[serde(default)]
    pub scanner: ScannerSettings,
    /// Barcode rules (the federation's defaults when absent).
    #[serde(default)]
    pub barcodes: Option<BarcodeRules>,
}

/// A profile that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// No built-in profile of that name.
    #[error("no device profile named {0:?}; built in: {1}")]
    Unknown(String, String),
    /// The TOML is invalid.
    #[error("device profile {name}: {reason}")]
    Invalid {
        /// The profile.
        name: String,
        /// Why.
        reason: String,
    },
}

impl Profile {
    /// Parses a profile.
    pub fn parse(name: &str, text: &str) -> Result<Profile, ProfileError> {
        toml::from_str(text)
            .map_err(|e| ProfileError::Invalid { name: name.into(), reason: e.message().to_string() })
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Result<Profile, ProfileError> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            ProfileError::Unknown(
                name.into(),
                BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
            )
        })?;
        Profile::parse(name, text)
    }

    /// USB ids as numbers.
    pub fn usb_ids(&self) -> Vec<(u16, u16)> {
        self.usb
            .iter()
            .filter_map(|id| {
                let (vid, pid) = id.split_once(':')?;
                Some((u16::from_str_radix(vid, 16).ok()?, u16::from_str_radix(pid, 16).ok()?))
            })
            .collect()
    }

    /// The barcode rules in effect.
    pub fn barcode_rules(&self) -> BarcodeRules {
        self.barcodes.clone().unwrap_or_else(BarcodeRules::library_default)
    }
}

/// Every built-in profile, parsed.
pub fn all() -> Vec<(&'static str, Profile)> {
    BUILT_IN.iter().filter_map(|(name, text)| Profile::parse(name, text).ok().map(|p| (*name, p))).collect()
}

/// udev rules giving the `kiosk` group the USB devices of every built-in profile: raw USB
/// (libusb printers), their serial ports with a stable `/dev/kiosk-<kind>` name, keyboard
/// scanners' input devices and USB printer class devices. `packaging/udev/60-kiosk.rules`
/// is this text; a test keeps the two equal.
pub fn udev_rules() -> String {
    let mut by_id: std::collections::BTreeMap<(String, String), Vec<(&str, Profile)>> = Default::default();
    for (name, profile) in all() {
        for id in &profile.usb {
            if let Some((vendor, product)) = id.split_once(':') {
                by_id
                    .entry((vendor.to_ascii_lowercase(), product.to_ascii_lowercase()))
                    .or_default()
                    .push((name, profile.clone()));
            }
        }
    }
    let mut out = String::from(
        "# Generated from hardware/profiles/ by `kiosk devices --udev-rules`; do not edit by hand.\n\
         # Gives the kiosk user (group kiosk) the supported scanners, RFID readers and printers.\n",
    );
    for ((vendor, product), profiles) in by_id {
        let names: Vec<String> =
            profiles.iter().map(|(name, p)| format!("{name} ({} {})", p.vendor, p.model)).collect();
        let matches = format!("ATTRS{{idVendor}}==\"{vendor}\", ATTRS{{idProduct}}==\"{product}\"");
        out.push_str(&format!("\n# {vendor}:{product}: {}\n", names.join("; ")));
        out.push_str(&format!(
            "SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_device\", ATTR{{idVendor}}==\"{vendor}\", ATTR{{idProduct}}==\"{product}\", GROUP=\"kiosk\", MODE=\"0660\"\n"
        ));
        let kinds: std::collections::BTreeSet<&str> = profiles.iter().map(|(_, p)| p.kind.as_str()).collect();
        for kind in kinds {
            match kind {
                "printer" => out.push_str(&format!(
                    "SUBSYSTEM==\"usbmisc\", KERNEL==\"lp[0-9]*\", {matches}, GROUP=\"kiosk\", MODE=\"0660\", SYMLINK+=\"kiosk-printer\"\n"
                )),
                "scanner" => out.push_str(&format!(
                    "SUBSYSTEM==\"input\", {matches}, GROUP=\"kiosk\", MODE=\"0660\"\n\
                     SUBSYSTEM==\"tty\", {matches}, GROUP=\"kiosk\", MODE=\"0660\", SYMLINK+=\"kiosk-scanner\"\n"
                )),
                _ => out.push_str(&format!(
                    "SUBSYSTEM==\"tty\", {matches}, GROUP=\"kiosk\", MODE=\"0660\", SYMLINK+=\"kiosk-{kind}\"\n"
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udev_rules_cover_every_usb_id_once() {
        let rules = udev_rules();
        for (_, profile) in all() {
            for id in &profile.usb {
                let (vendor, product) = id.split_once(':').unwrap();
                let raw = format!("ATTR{{idVendor}}==\"{vendor}\", ATTR{{idProduct}}==\"{product}\"");
                assert_eq!(rules.matches(&raw).count(), 1, "{id}");
            }
        }
        assert!(rules.contains("SYMLINK+=\"kiosk-rfid\""));
        assert!(rules.contains("KERNEL==\"lp[0-9]*\""));
        assert!(rules.lines().all(|l| l.is_empty() || l.starts_with('#') || l.starts_with("SUBSYSTEM==")));
    }

    #[test]
    fn every_built_in_profile_parses() {
        for (name, text) in BUILT_IN {
            let profile = Profile::parse(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(["scanner", "rfid", "printer"].contains(&profile.kind.as_str()), "{name}");
            assert_eq!(profile.usb_ids().len(), profile.usb.len(), "{name}: malformed USB id");
        }
        assert_eq!(all().len(), BUILT_IN.len());
    }

    #[test]
    fn values_from_the_profiles() {
        let reader = Profile::built_in("3m-810").unwrap();
        assert_eq!((reader.security.afi_in_library, reader.security.afi_on_loan), (0x07, 0xC2));
        assert_eq!(reader.serial.baud, 19200);
        let feig = Profile::built_in("feig-cpr").unwrap();
        assert_eq!(feig.serial.parity, Parity::Even);
        let scanner = Profile::built_in("honeywell-1900").unwrap();
        assert!(scanner.scanner.aim);
        assert!(matches!(Profile::built_in("nope"), Err(ProfileError::Unknown(..))));
        assert!(Profile::parse("x", "vendor = 1").is_err());
    }
}
