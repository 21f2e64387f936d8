//! The kiosk's configuration: one TOML file, every field with a default.
//!
//! With no file at all the kiosk runs the demo (simulated devices and the built-in ILS
//! emulator). A file only needs the keys it changes; everything else falls back to the
//! default, field by field. Unknown keys are errors, so a typo never passes silently, and
//! every error names the file, the key and the reason.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The annotated example configuration, identical to `packaging/kiosk.toml`.
pub const EXAMPLE: &str = include_str!("../../packaging/kiosk.toml");

/// Which home screen a member of the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The library self-service machine only.
    Library,
    /// The rest station terminal only.
    Station,
    /// Both, chosen on the home screen.
    #[default]
    Both,
}

/// A user-interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Language {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Language {
    /// Every supported language, the default first.
    pub const ALL: [Language; 2] = [Language::ZhCn, Language::En];

    /// The BCP 47 tag, as used in config files, on the command line and for locale folders.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// Parses a BCP 47 tag as accepted on the command line (`zh-CN`, `zh`, `en`, `en-US`).
    pub fn from_tag(tag: &str) -> Option<Language> {
        let lower = tag.to_ascii_lowercase();
        if lower == "zh" || lower.starts_with("zh-") {
            Some(Language::ZhCn)
        } else if lower == "en" || lower.starts_with("en-") {
            Some(Language::En)
        } else {
            None
        }
    }

    /// The other language, for the one-tap switch.
    pub fn toggled(self) -> Language {
        match self {
            Language::ZhCn => Language::En,
            Language::En => Language::ZhCn,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// This terminal.
    pub terminal: TerminalConfig,
    /// The library system the kiosk talks SIP2 to.
    pub ils: IlsConfig,
    /// What the kiosk may do while the library system cannot be reached.
    pub offline: OfflinePolicy,
    /// Circulation rules at the kiosk.
    pub circulation: CirculationConfig,
    /// Attached devices.
    pub devices: Vec<DeviceConfig>,
    /// The printed receipt.
    pub receipt: ReceiptConfig,
    /// The rest station.
    pub station: StationConfig,
    /// Technician access.
    pub diagnostics: DiagnosticsConfig,
    /// Where the kiosk keeps its database and logs.
    pub storage: StorageConfig,
    /// Log output.
    pub logging: LoggingConfig,
    /// An optional second file, readable by the kiosk user only, holding secrets
    /// (`ils.login_password`, `ils.terminal_password`, `diagnostics.technician_pin_hash`).
    pub secrets_file: Option<PathBuf>,
}

/// The terminal's identity and screen behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TerminalConfig {
    /// A short identifier, used in logs and support bundles.
    pub id: String,
    /// The name shown in the status bar and printed on receipts.
    pub name: String,
    /// Which home screen the public sees.
    pub role: Role,
    /// The language shown to each new visitor.
    pub language: Language,
    /// Fill the screen without window decorations.
    pub fullscreen: bool,
    /// Seconds without a touch or scan before a visitor's session ends (15–3600).
    pub idle_timeout_secs: u32,
    /// Seconds of warning countdown before the idle timeout ends a session (5–120).
    pub idle_warning_secs: u32,
    /// Larger text for every visitor.
    pub large_text: bool,
    /// The high-contrast theme for every visitor.
    pub high_contrast: bool,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            id: "demo-01".into(),
            name: "工人文化宫 · 自助服务".into(),
            role: Role::Both,
            language: Language::ZhCn,
            fullscreen: false,
            idle_timeout_secs: 90,
            idle_warning_secs: 20,
            large_text: false,
            high_contrast: false,
        }
    }
}

/// The character set a SIP2 server uses on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Charset {
    /// UTF-8.
    #[default]
    #[serde(rename = "utf-8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    #[serde(rename = "gb18030")]
    Gb18030,
    /// Code page 850, the SIP2 specification's default.
    #[serde(rename = "cp850")]
    Cp850,
    /// ISO 8859-1.
    #[serde(rename = "latin-1")]
    Latin1,
}

/// Whether SIP2 messages carry a sequence number and checksum (AY/AZ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ErrorDetection {
    /// Never send AY/AZ; accept and verify them when the server sends them.
    Off,
    /// Always send AY/AZ and require them in replies.
    #[default]
    On,
    /// Send AY/AZ; accept replies without them.
    Auto,
}

/// The byte sequence that ends a SIP2 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Terminator {
    /// Carriage return, as the specification says.
    #[default]
    Cr,
    /// Carriage return and line feed, as Koha sends by default.
    Crlf,
}

/// The connection to the library system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IlsConfig {
    /// Run the built-in ILS emulator on a loopback port and talk to it (demo and training).
    pub emulator: bool,
    /// The SIP2 server's host name or address.
    pub host: String,
    /// The SIP2 server's TCP port.
    pub port: u16,
    /// Use TLS to the server.
    pub tls: bool,
    /// PEM file of CA certificates to trust; the system roots when absent.
    pub tls_ca_file: Option<PathBuf>,
    /// PEM client certificate, when the server asks for one.
    pub tls_client_cert: Option<PathBuf>,
    /// PEM private key of the client certificate.
    pub tls_client_key: Option<PathBuf>,
    /// The name to verify in the server's certificate; the host when absent.
    pub tls_server_name: Option<String>,
    /// Institution id (AO).
    pub institution_id: String,
    /// Login user id (CN).
    pub login_user: String,
    /// Login password (CO). Better kept in the secrets file.
    pub login_password: String,
    /// Location code (CP) sent at login.
    pub location_code: String,
    /// Terminal password (AC) sent with patron and item messages.
    pub terminal_password: String,
    /// The server's character set.
    pub charset: Charset,
    /// Sequence numbers and checksums.
    pub error_detection: ErrorDetection,
    /// The message terminator the server expects.
    pub terminator: Terminator,
    /// Seconds to wait for the TCP (and TLS) connection (1–120).
    pub connect_timeout_secs: u32,
    /// Seconds to wait for each reply before re-sending (1–120).
    pub response_timeout_secs: u32,
    /// How often a reply may be waited for again before the server counts as unreachable (0–9).
    pub retries: u32,
    /// Seconds between SC status heartbeats while idle (10–3600).
    pub heartbeat_secs: u32,
}

impl Default for IlsConfig {
    fn default() -> Self {
        IlsConfig {
            emulator: true,
            host: "127.0.0.1".into(),
            port: 6001,
            tls: false,
            tls_ca_file: None,
            tls_client_cert: None,
            tls_client_key: None,
            tls_server_name: None,
            institution_id: "WCP".into(),
            login_user: "kiosk".into(),
            login_password: "kiosk".into(),
            location_code: "WCP-SELF-01".into(),
            terminal_password: String::new(),
            charset: Charset::Utf8,
            error_detection: ErrorDetection::On,
            terminator: Terminator::Cr,
            connect_timeout_secs: 5,
            response_timeout_secs: 10,
            retries: 2,
            heartbeat_secs: 60,
        }
    }
}

/// What the kiosk accepts while the library system is unreachable.
///
/// Returns are always accepted offline and forwarded later; loans only where this allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfflinePolicy {
    /// Allow loans while offline.
    pub allow_loans: bool,
    /// Most items one patron may borrow while offline (1–50).
    pub max_items_per_patron: u32,
    /// Loan period promised for offline loans, in days (1–365).
    pub loan_days: u32,
}

impl Default for OfflinePolicy {
    fn default() -> Self {
        OfflinePolicy { allow_loans: true, max_items_per_patron: 5, loan_days: 30 }
    }
}

/// Circulation behaviour at the kiosk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CirculationConfig {
    /// Ask for the patron's PIN after the card.
    pub require_pin: bool,
    /// Wrong PINs allowed before the session ends (1–10).
    pub pin_attempts: u32,
    /// Show the patron's name masked (`张*`, `J*** S****`).
    pub mask_patron_name: bool,
    /// Identical inventory rounds before an RFID stack counts (1–10).
    pub stack_stable_rounds: u32,
    /// Most books processed at once on the RFID pad (1–30).
    pub max_stack: u32,
}

impl Default for CirculationConfig {
    fn default() -> Self {
        CirculationConfig {
            require_pin: true,
            pin_attempts: 3,
            mask_patron_name: true,
            stack_stable_rounds: 2,
            max_stack: 10,
        }
    }
}

/// What a device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceKind {
    /// A barcode or QR scanner.
    Scanner,
    /// An HF RFID reader (the pad).
    Rfid,
    /// A receipt printer.
    Printer,
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceKind::Scanner => "scanner",
            DeviceKind::Rfid => "rfid",
            DeviceKind::Printer => "printer",
        })
    }
}

/// Drivers known to the hardware layer, per kind.
pub const DRIVERS: &[(DeviceKind, &str)] = &[
    (DeviceKind::Scanner, "simulated"),
    (DeviceKind::Scanner, "serial"),
    (DeviceKind::Scanner, "evdev"),
    (DeviceKind::Rfid, "simulated"),
    (DeviceKind::Rfid, "3m810"),
    (DeviceKind::Rfid, "feig"),
    (DeviceKind::Printer, "simulated"),
    (DeviceKind::Printer, "escpos-usb"),
    (DeviceKind::Printer, "escpos-serial"),
    (DeviceKind::Printer, "escpos-tcp"),
];

/// One attached device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// What the device is for.
    pub kind: DeviceKind,
    /// Which driver talks to it (see [`DRIVERS`]).
    pub driver: String,
    /// Device path (`/dev/serial/by-id/…`, `/dev/input/by-id/…`) or `usb:VID:PID`.
    #[serde(default)]
    pub path: Option<String>,
    /// Network address (`host:port`) for network devices.
    #[serde(default)]
    pub address: Option<String>,
    /// The device profile (a file name in `hardware/profiles/` without `.toml`).
    #[serde(default)]
    pub profile: Option<String>,
}

impl DeviceConfig {
    fn simulated(kind: DeviceKind) -> Self {
        DeviceConfig { kind, driver: "simulated".into(), path: None, address: None, profile: None }
    }
}

/// When the kiosk offers a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ReceiptPrompt {
    /// Ask the visitor.
    #[default]
    Ask,
    /// Always print.
    Always,
    /// Never print.
    Never,
}

/// The printed receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReceiptConfig {
    /// Paper width in millimetres: 58 or 80.
    pub paper_width_mm: u32,
    /// Lines printed at the top (the library's name first).
    pub header: Vec<String>,
    /// Lines printed at the bottom.
    pub footer: Vec<String>,
    /// A PNG logo printed above the header.
    pub logo: Option<PathBuf>,
    /// When the receipt is offered.
    pub prompt: ReceiptPrompt,
}

impl Default for ReceiptConfig {
    fn default() -> Self {
        ReceiptConfig {
            paper_width_mm: 80,
            header: vec!["市工人文化宫图书馆".into(), "Workers' Cultural Palace Library".into()],
            footer: vec!["借阅通还 · 请按时归还".into(), "Please return on time".into()],
            logo: None,
            prompt: ReceiptPrompt::Ask,
        }
    }
}

/// A named choice in both languages with an icon, for trades and services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable identifier, stored in the visit records.
    pub id: String,
    /// Chinese name.
    pub zh: String,
    /// English name.
    pub en: String,
    /// Icon name from `assets/icons/`.
    #[serde(default)]
    pub icon: String,
}

impl Choice {
    fn new(id: &str, zh: &str, en: &str, icon: &str) -> Self {
        Choice { id: id.into(), zh: zh.into(), en: en.into(), icon: icon.into() }
    }

    /// The name in the given language.
    pub fn name(&self, language: Language) -> &str {
        match language {
            Language::ZhCn => &self.zh,
            Language::En => &self.en,
        }
    }

    /// The name of the choice with `id` among `choices`, or the id itself when the
    /// configuration no longer has it (old records outlive a renamed trade).
    pub fn name_of<'a>(choices: &'a [Choice], id: &'a str, language: Language) -> &'a str {
        choices.iter().find(|c| c.id == id).map_or(id, |c| c.name(language))
    }
}

/// The rest station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StationConfig {
    /// Trades a visitor can tap on check-in.
    pub trades: Vec<Choice>,
    /// Services a visitor can tick.
    pub services: Vec<Choice>,
    /// Seats; the station shows "full" at this occupancy (1–1000).
    pub capacity: u32,
    /// Visits still open after this many hours are checked out automatically (1–24).
    pub auto_checkout_hours: u32,
    /// The guest Wi-Fi's name, shown after check-in; empty when there is none.
    pub wifi_name: String,
    /// The guest Wi-Fi's password, shown with its name.
    pub wifi_password: String,
    /// When to print the day's summary on the receipt printer ("HH:MM"); empty for never.
    pub daily_summary_at: String,
}

impl Default for StationConfig {
    fn default() -> Self {
        StationConfig {
            trades: vec![
                Choice::new("courier", "快递员", "Courier", "courier"),
                Choice::new("delivery", "外卖骑手", "Delivery rider", "delivery"),
                Choice::new("sanitation", "环卫工人", "Sanitation worker", "sanitation"),
                Choice::new("traffic-police", "交通警察", "Traffic police", "police"),
                Choice::new("other", "其他户外劳动者", "Other outdoor worker", "worker"),
            ],
            services: vec![
                Choice::new("rest", "休息", "Rest", "rest"),
                Choice::new("water", "饮水", "Drinking water", "water"),
                Choice::new("charging", "手机充电", "Phone charging", "charging"),
                Choice::new("climate", "纳凉 / 取暖", "Cool off / warm up", "climate"),
                Choice::new("reading", "阅读", "Reading", "reading"),
                Choice::new("microwave", "微波炉", "Microwave", "microwave"),
                Choice::new("first-aid", "急救药箱", "First aid", "first-aid"),
                Choice::new("restroom", "卫生间", "Restroom", "restroom"),
            ],
            capacity: 20,
            auto_checkout_hours: 4,
            wifi_name: String::new(),
            wifi_password: String::new(),
            daily_summary_at: String::new(),
        }
    }
}

/// Technician access to diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Argon2 hash (PHC string) of the technician PIN. Better kept in the secrets file.
    pub technician_pin_hash: Option<String>,
    /// Card numbers that open diagnostics when scanned.
    pub technician_cards: Vec<String>,
}

/// Where data lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// The data directory; the XDG data directory (`~/.local/share/kiosk`) when absent.
    pub data_dir: Option<PathBuf>,
}

impl StorageConfig {
    /// The data directory in effect.
    pub fn resolved_data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        directories::ProjectDirs::from("", "", "kiosk")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from("kiosk-data"))
    }
}

/// A log level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Normal operation.
    #[default]
    Info,
    /// Detail for troubleshooting.
    Debug,
    /// Everything, including protocol traffic.
    Trace,
}

impl LogLevel {
    /// The `tracing` filter directive for this level.
    pub fn directive(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

/// Log output. `RUST_LOG`, when set, overrides the level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// The least severe level written.
    pub level: LogLevel,
    /// Also write a daily rolling file under `<data dir>/logs`.
    pub file: bool,
    /// Days of log files kept (1–365).
    pub keep_days: u32,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig { level: LogLevel::Info, file: true, keep_days: 14 }
    }
}

/// Keys that may appear in the secrets file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Secrets {
    ils: SecretIls,
    diagnostics: SecretDiagnostics,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SecretIls {
    login_password: Option<String>,
    terminal_password: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SecretDiagnostics {
    technician_pin_hash: Option<String>,
}

/// A problem with a configuration file: which file, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{line}: {key}: {reason}", file = .file.display(), line = .line.map(|l| format!(":{l}")).unwrap_or_default(), key = if .key.is_empty() { "(file)" } else { .key.as_str() })]
pub struct ConfigError {
    /// The file at fault.
    pub file: PathBuf,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The dotted key (`ils.port`, `devices[1].driver`); empty for the whole file.
    pub key: String,
    /// What is wrong and what is allowed.
    pub reason: String,
}

/// All problems found in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl Config {
    /// Loads a configuration file (and its secrets file, if it names one) and validates it.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            ConfigErrors(vec![ConfigError {
                file: path.to_path_buf(),
                line: None,
                key: String::new(),
                reason: format!("cannot read the file: {err}"),
            }])
        })?;
        let mut config = Config::parse(&text, path)?;
        if let Some(secrets_path) = config.secrets_file.clone() {
            let secrets_path = if secrets_path.is_relative() {
                path.parent().unwrap_or(Path::new(".")).join(secrets_path)
            } else {
                secrets_path
            };
            config.apply_secrets(&secrets_path)?;
        }
        Ok(config)
    }

    /// Parses and validates configuration text; `file` is named in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigErrors> {
        let config: Config = deserialize(text, file).map_err(|e| ConfigErrors(vec![e]))?;
        let problems = config.validate();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(
                problems
                    .into_iter()
                    .map(|(key, reason)| ConfigError {
                        file: file.to_path_buf(),
                        line: line_of_key(text, &key),
                        key,
                        reason,
                    })
                    .collect(),
            ))
        }
    }

    fn apply_secrets(&mut self, path: &Path) -> Result<(), ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            ConfigErrors(vec![ConfigError {
                file: path.to_path_buf(),
                line: None,
                key: String::new(),
                reason: format!("cannot read the secrets file: {err}"),
            }])
        })?;
        let secrets: Secrets = deserialize(&text, path).map_err(|e| ConfigErrors(vec![e]))?;
        if let Some(password) = secrets.ils.login_password {
            self.ils.login_password = password;
        }
        if let Some(password) = secrets.ils.terminal_password {
            self.ils.terminal_password = password;
        }
        if let Some(hash) = secrets.diagnostics.technician_pin_hash {
            self.diagnostics.technician_pin_hash = Some(hash);
        }
        Ok(())
    }

    /// Checks values that parse but make no sense; returns `(key, reason)` pairs.
    pub fn validate(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut range = |key: &str, value: u32, low: u32, high: u32| {
            if !(low..=high).contains(&value) {
                problems.push((key.to_string(), format!("{value} is out of range; allowed {low}–{high}")));
            }
        };
        range("terminal.idle_timeout_secs", self.terminal.idle_timeout_secs, 15, 3600);
        range("terminal.idle_warning_secs", self.terminal.idle_warning_secs, 5, 120);
        range("ils.connect_timeout_secs", self.ils.connect_timeout_secs, 1, 120);
        range("ils.response_timeout_secs", self.ils.response_timeout_secs, 1, 120);
        range("ils.retries", self.ils.retries, 0, 9);
        range("ils.heartbeat_secs", self.ils.heartbeat_secs, 10, 3600);
        range("offline.max_items_per_patron", self.offline.max_items_per_patron, 1, 50);
        range("offline.loan_days", self.offline.loan_days, 1, 365);
        range("circulation.pin_attempts", self.circulation.pin_attempts, 1, 10);
        range("circulation.stack_stable_rounds", self.circulation.stack_stable_rounds, 1, 10);
        range("circulation.max_stack", self.circulation.max_stack, 1, 30);
        range("station.capacity", self.station.capacity, 1, 1000);
        range("station.auto_checkout_hours", self.station.auto_checkout_hours, 1, 24);
        range("logging.keep_days", self.logging.keep_days, 1, 365);
        if !self.station.daily_summary_at.is_empty()
            && chrono::NaiveTime::parse_from_str(&self.station.daily_summary_at, "%H:%M").is_err()
        {
            problems
                .push(("station.daily_summary_at".into(), "must be a time like \"21:30\", or empty".into()));
        }

        if self.terminal.idle_warning_secs >= self.terminal.idle_timeout_secs {
            problems.push((
                "terminal.idle_warning_secs".into(),
                format!(
                    "the warning ({} s) must be shorter than the idle timeout ({} s)",
                    self.terminal.idle_warning_secs, self.terminal.idle_timeout_secs
                ),
            ));
        }
        if self.terminal.id.trim().is_empty() {
            problems.push(("terminal.id".into(), "must not be empty".into()));
        }
        if !self.ils.emulator {
            if self.ils.host.trim().is_empty() {
                problems.push(("ils.host".into(), "must not be empty when ils.emulator = false".into()));
            }
            if self.ils.port == 0 {
                problems.push(("ils.port".into(), "0 is out of range; allowed 1–65535".into()));
            }
        }
        for (key, value) in [
            ("ils.institution_id", &self.ils.institution_id),
            ("ils.login_user", &self.ils.login_user),
            ("ils.login_password", &self.ils.login_password),
            ("ils.location_code", &self.ils.location_code),
            ("ils.terminal_password", &self.ils.terminal_password),
        ] {
            if let Some(bad) = value.chars().find(|c| matches!(c, '|' | '\r' | '\n' | '\0')) {
                problems.push((key.into(), format!("must not contain {bad:?}: SIP2 cannot carry it")));
            }
        }
        if self.ils.tls_client_cert.is_some() != self.ils.tls_client_key.is_some() {
            problems.push((
                "ils.tls_client_key".into(),
                "a client certificate needs both tls_client_cert and tls_client_key".into(),
            ));
        }
        if !matches!(self.receipt.paper_width_mm, 58 | 80) {
            problems.push((
                "receipt.paper_width_mm".into(),
                format!("{} is not a paper width; allowed 58 or 80", self.receipt.paper_width_mm),
            ));
        }
        for (index, device) in self.devices.iter().enumerate() {
            let key = format!("devices[{index}]");
            if !DRIVERS.iter().any(|(kind, name)| *kind == device.kind && *name == device.driver) {
                let allowed: Vec<&str> =
                    DRIVERS.iter().filter(|(kind, _)| *kind == device.kind).map(|(_, n)| *n).collect();
                problems.push((
                    format!("{key}.driver"),
                    format!(
                        "unknown {} driver {:?}; allowed: {}",
                        device.kind,
                        device.driver,
                        allowed.join(", ")
                    ),
                ));
                continue;
            }
            let needs_address = device.driver == "escpos-tcp";
            let needs_path = device.driver != "simulated" && !needs_address;
            if needs_path && device.path.as_deref().is_none_or(|p| p.trim().is_empty()) {
                problems
                    .push((format!("{key}.path"), format!("driver {:?} needs a device path", device.driver)));
            }
            if needs_address {
                match device.address.as_deref() {
                    Some(address)
                        if address
                            .rsplit_once(':')
                            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0)) => {
                    }
                    _ => problems.push((
                        format!("{key}.address"),
                        format!("driver {:?} needs an address of the form host:port", device.driver),
                    )),
                }
            }
        }
        for (section, choices) in
            [("station.trades", &self.station.trades), ("station.services", &self.station.services)]
        {
            if section == "station.trades" && choices.is_empty() {
                problems.push((section.into(), "at least one trade is needed for check-in".into()));
            }
            let mut seen = BTreeSet::new();
            for (index, choice) in choices.iter().enumerate() {
                if choice.id.trim().is_empty() {
                    problems.push((format!("{section}[{index}].id"), "must not be empty".into()));
                } else if !seen.insert(choice.id.as_str()) {
                    problems
                        .push((format!("{section}[{index}].id"), format!("{:?} is used twice", choice.id)));
                }
            }
        }
        if let Some(hash) = &self.diagnostics.technician_pin_hash
            && !hash.starts_with("$argon2")
        {
            problems.push((
                "diagnostics.technician_pin_hash".into(),
                "must be an argon2 PHC string ($argon2id$…); make one with `kiosk config hash-pin`".into(),
            ));
        }
        problems
    }

    /// The devices in effect: the configured list, or the simulated set when none is configured.
    pub fn effective_devices(&self) -> Vec<DeviceConfig> {
        if self.devices.is_empty() {
            vec![
                DeviceConfig::simulated(DeviceKind::Scanner),
                DeviceConfig::simulated(DeviceKind::Rfid),
                DeviceConfig::simulated(DeviceKind::Printer),
            ]
        } else {
            self.devices.clone()
        }
    }

    /// Whether this configuration runs the demo: the built-in ILS emulator.
    pub fn is_demo(&self) -> bool {
        self.ils.emulator
    }

    /// A copy safe to show or export: passwords and the PIN hash replaced by `********`.
    pub fn masked(&self) -> Config {
        let mut copy = self.clone();
        let hide = |s: &mut String| {
            if !s.is_empty() {
                *s = "********".into();
            }
        };
        hide(&mut copy.ils.login_password);
        hide(&mut copy.ils.terminal_password);
        if copy.diagnostics.technician_pin_hash.is_some() {
            copy.diagnostics.technician_pin_hash = Some("********".into());
        }
        copy.diagnostics.technician_cards = copy
            .diagnostics
            .technician_cards
            .iter()
            .map(|c| crate::mask::identifier(c).to_string())
            .collect();
        copy
    }

    /// The configuration as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|err| format!("# cannot show the configuration: {err}\n"))
    }
}

fn deserialize<T: for<'de> Deserialize<'de>>(text: &str, file: &Path) -> Result<T, ConfigError> {
    let located = |key: String, span: Option<std::ops::Range<usize>>, reason: String| ConfigError {
        file: file.to_path_buf(),
        line: span.map(|s| line_of_offset(text, s.start)).or_else(|| line_of_key(text, &key)),
        key,
        reason,
    };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|err| located(String::new(), err.span(), err.message().trim().to_string()))?;
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let key = dotted(err.path());
        let inner = err.into_inner();
        located(key, inner.span(), inner.message().trim().to_string())
    })
}

/// Renders a serde path as `a.b[1].c`.
fn dotted(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Finds the line of `section.key` by scanning for the section header and then the key,
/// for errors found after parsing (range checks), where serde has no span.
fn line_of_key(text: &str, dotted_key: &str) -> Option<usize> {
    let (section, key) = match dotted_key.rsplit_once('.') {
        Some((section, key)) => (Some(section), key),
        None => (None, dotted_key),
    };
    if key.is_empty() || section.is_some_and(|s| s.contains('[')) {
        return None;
    }
    let mut in_section = section.is_none();
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = header.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            in_section = Some(name) == section;
            continue;
        }
        if in_section
            && let Some((name, _)) = trimmed.split_once('=')
            && name.trim() == key
        {
            return Some(number + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigErrors> {
        Config::parse(text, Path::new("/etc/kiosk/kiosk.toml"))
    }

    fn single_error(text: &str) -> ConfigError {
        let mut errors = parse(text).expect_err("the text must be refused").0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.remove(0)
    }

    #[test]
    fn empty_file_is_the_demo_default() {
        let config = parse("").unwrap();
        assert_eq!(config, Config::default());
        assert!(config.is_demo());
        assert_eq!(config.effective_devices().len(), 3);
    }

    #[test]
    fn fields_fall_back_to_defaults_one_by_one() {
        let config = parse("[ils]\nport = 6010\n[terminal]\nrole = \"library\"\n").unwrap();
        assert_eq!(config.ils.port, 6010);
        assert_eq!(config.ils.host, IlsConfig::default().host);
        assert_eq!(config.terminal.role, Role::Library);
        assert_eq!(config.terminal.language, Language::ZhCn);
    }

    #[test]
    fn unknown_key_is_named() {
        let error = single_error("[ils]\nhost = \"a\"\nprot = 6001\n");
        assert_eq!(error.key, "ils.prot");
        assert!(error.reason.contains("unknown field"), "{}", error.reason);
        assert_eq!(error.line, Some(3));
        let shown = error.to_string();
        assert!(shown.starts_with("/etc/kiosk/kiosk.toml:3: ils.prot: "), "{shown}");
    }

    #[test]
    fn unknown_section_is_named() {
        let error = single_error("[termnial]\nname = \"x\"\n");
        assert_eq!(error.key, "termnial");
    }

    #[test]
    fn wrong_type_is_named() {
        let error = single_error("[ils]\nport = \"six thousand\"\n");
        assert_eq!(error.key, "ils.port");
        assert_eq!(error.line, Some(2));
        assert!(error.reason.contains("invalid type"), "{}", error.reason);
    }

    #[test]
    fn bad_enum_value_is_named() {
        let error = single_error("[terminal]\nrole = \"cafe\"\n");
        assert_eq!(error.key, "terminal.role");
        assert!(error.reason.contains("library"), "{}", error.reason);
    }

    #[test]
    fn out_of_range_value_is_named_with_its_line() {
        let error = single_error("[terminal]\nname = \"x\"\nidle_timeout_secs = 5000\n");
        assert_eq!(error.key, "terminal.idle_timeout_secs");
        assert_eq!(error.line, Some(3));
        assert!(error.reason.contains("out of range"));
        let error = single_error("[receipt]\npaper_width_mm = 72\n");
        assert_eq!(error.key, "receipt.paper_width_mm");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let error = single_error("[ils]\nport = \n");
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn device_problems_are_named_by_index() {
        let errors = parse(
            "[[devices]]\nkind = \"scanner\"\ndriver = \"simulated\"\n\
             [[devices]]\nkind = \"printer\"\ndriver = \"laser\"\n\
             [[devices]]\nkind = \"rfid\"\ndriver = \"3m810\"\n\
             [[devices]]\nkind = \"printer\"\ndriver = \"escpos-tcp\"\naddress = \"printer\"\n",
        )
        .unwrap_err()
        .0;
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["devices[1].driver", "devices[2].path", "devices[3].address"]);
    }

    #[test]
    fn unknown_device_key_is_named_by_index() {
        let error = single_error("[[devices]]\nkind = \"scanner\"\ndriver = \"serial\"\npth = \"/dev/x\"\n");
        assert_eq!(error.key, "devices[0].pth");
    }

    #[test]
    fn the_daily_summary_time_must_be_a_time() {
        let error = single_error("[station]\ndaily_summary_at = \"9pm\"\n");
        assert_eq!(error.key, "station.daily_summary_at");
        assert_eq!(error.line, Some(2));
        assert_eq!(
            parse("[station]\ndaily_summary_at = \"21:30\"\n").unwrap().station.daily_summary_at,
            "21:30"
        );
    }

    #[test]
    fn sip2_unsafe_characters_are_refused() {
        let error = single_error("[ils]\ninstitution_id = \"A|B\"\n");
        assert_eq!(error.key, "ils.institution_id");
    }

    #[test]
    fn missing_file_names_the_file() {
        let errors = Config::load(Path::new("/nonexistent/kiosk.toml")).unwrap_err();
        assert_eq!(errors.0[0].file, Path::new("/nonexistent/kiosk.toml"));
        assert!(errors.to_string().contains("cannot read the file"));
    }

    #[test]
    fn example_is_valid_and_not_the_demo() {
        let config = parse(EXAMPLE).expect("the shipped example must be valid");
        assert!(!config.is_demo());
        assert!(!config.devices.is_empty());
    }

    #[test]
    fn secrets_file_overrides_and_is_validated() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("kiosk.toml");
        std::fs::write(&main, "secrets_file = \"secrets.toml\"\n[ils]\nlogin_password = \"public\"\n")
            .unwrap();
        std::fs::write(dir.path().join("secrets.toml"), "[ils]\nlogin_password = \"s3cret\"\n").unwrap();
        let config = Config::load(&main).unwrap();
        assert_eq!(config.ils.login_password, "s3cret");
        assert!(!config.masked().to_toml().contains("s3cret"));

        std::fs::write(dir.path().join("secrets.toml"), "[ils]\nhost = \"x\"\n").unwrap();
        let errors = Config::load(&main).unwrap_err();
        assert_eq!(errors.0[0].key, "ils.host");
        assert!(errors.0[0].file.ends_with("secrets.toml"));
    }

    #[test]
    fn default_config_round_trips_through_toml() {
        let text = Config::default().to_toml();
        assert_eq!(parse(&text).unwrap(), Config::default());
    }

    #[test]
    fn language_tags() {
        assert_eq!(Language::from_tag("zh-CN"), Some(Language::ZhCn));
        assert_eq!(Language::from_tag("EN-us"), Some(Language::En));
        assert_eq!(Language::from_tag("fr"), None);
        assert_eq!(Language::ZhCn.toggled(), Language::En);
    }
}
