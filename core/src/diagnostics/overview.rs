//! What a technician needs first: every device's state and history, the library system's
//! reachability, the queue, disk space, version and uptime. Built by the app from what it
//! has observed; printed by `kiosk diag` and drawn by the diagnostics overview screen.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::store::JournalCounts;

/// A device's state, in plain data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum DeviceHealth {
    /// Nothing heard from it yet.
    Unknown,
    /// Open and answering.
    Connected,
    /// Gone; being retried.
    Disconnected(String),
    /// Present, but the kiosk user may not open it: what to do.
    NoPermission(String),
    /// Open but failing.
    Error(String),
}

impl DeviceHealth {
    /// Whether the device works.
    pub fn is_ok(&self) -> bool {
        matches!(self, DeviceHealth::Connected)
    }

    /// A short word for it.
    pub fn word(&self) -> &'static str {
        match self {
            DeviceHealth::Unknown => "unknown",
            DeviceHealth::Connected => "connected",
            DeviceHealth::Disconnected(_) => "disconnected",
            DeviceHealth::NoPermission(_) => "no permission",
            DeviceHealth::Error(_) => "error",
        }
    }

    /// The reason or fix, when there is one.
    pub fn detail(&self) -> Option<&str> {
        match self {
            DeviceHealth::Unknown | DeviceHealth::Connected => None,
            DeviceHealth::Disconnected(why) | DeviceHealth::NoPermission(why) | DeviceHealth::Error(why) => {
                Some(why)
            }
        }
    }
}

/// One configured device and what has been seen of it since start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// Its name (scanner, rfid, printer).
    pub name: String,
    /// The driver.
    pub driver: String,
    /// The serial path, USB address or network address.
    pub path: String,
    /// Its state now.
    pub health: DeviceHealth,
    /// When it last reported anything, and what.
    pub last_event: Option<(NaiveDateTime, String)>,
    /// Times it failed (disconnected or errored).
    pub errors: u32,
    /// Times it came back after a failure.
    pub reconnects: u32,
    /// The last failure, kept after it came back.
    pub last_error: Option<(NaiveDateTime, String)>,
}

impl DeviceRecord {
    /// A device not heard from yet.
    pub fn new(name: &str, driver: &str, path: &str) -> DeviceRecord {
        DeviceRecord {
            name: name.into(),
            driver: driver.into(),
            path: path.into(),
            health: DeviceHealth::Unknown,
            last_event: None,
            errors: 0,
            reconnects: 0,
            last_error: None,
        }
    }

    /// Notes a state report: counts failures and recoveries.
    pub fn observe_state(&mut self, health: DeviceHealth, now: NaiveDateTime) {
        if health == self.health {
            return;
        }
        match &health {
            DeviceHealth::Connected if self.errors > 0 => self.reconnects += 1,
            DeviceHealth::Disconnected(why) | DeviceHealth::NoPermission(why) | DeviceHealth::Error(why) => {
                self.errors += 1;
                self.last_error = Some((now, why.clone()));
            }
            DeviceHealth::Connected | DeviceHealth::Unknown => {}
        }
        self.last_event = Some((now, health.word().to_string()));
        self.health = health;
    }

    /// Notes an event (a scan, tags, a print) in a few words.
    pub fn observe_event(&mut self, what: String, now: NaiveDateTime) {
        self.last_event = Some((now, what));
    }

    /// Notes a failure that is not a state change (a print that failed).
    pub fn observe_failure(&mut self, why: String, now: NaiveDateTime) {
        self.errors += 1;
        self.last_event = Some((now, why.clone()));
        self.last_error = Some((now, why));
    }
}

/// The library system as last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IlsSnapshot {
    /// Where it is.
    pub address: String,
    /// `None` until the first heartbeat.
    pub online: Option<bool>,
    /// The last round trip, in milliseconds.
    pub round_trip_ms: Option<u64>,
    /// When it was last checked.
    pub checked_at: Option<NaiveDateTime>,
    /// The last error, kept after it recovered.
    pub last_error: Option<String>,
}

/// Queue counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueSnapshot {
    /// Waiting to be sent.
    pub pending: u64,
    /// Sent, answer not recorded.
    pub in_flight: u64,
    /// Refused by the library system, waiting for staff.
    pub rejected: u64,
}

impl From<JournalCounts> for QueueSnapshot {
    fn from(counts: JournalCounts) -> QueueSnapshot {
        QueueSnapshot { pending: counts.pending, in_flight: counts.in_flight, rejected: counts.rejected }
    }
}

/// Space on the data directory's file system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiskSnapshot {
    /// The data directory.
    pub path: String,
    /// Bytes free for the kiosk.
    pub free_bytes: u64,
    /// Bytes in all.
    pub total_bytes: u64,
}

impl DiskSnapshot {
    /// Less than 5 % or 200 MB free: the journal and logs will soon have no room.
    pub fn is_low(&self) -> bool {
        self.free_bytes < 200 * 1024 * 1024 || self.free_bytes * 20 < self.total_bytes
    }
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    /// The terminal's name.
    pub terminal: String,
    /// The kiosk's version.
    pub version: String,
    /// When this was taken.
    pub at: NaiveDateTime,
    /// Seconds since the kiosk started (`None` from the command line: it did not start it).
    pub uptime_secs: Option<u64>,
    /// Devices.
    pub devices: Vec<DeviceRecord>,
    /// The library system.
    pub ils: IlsSnapshot,
    /// The queue.
    pub queue: QueueSnapshot,
    /// Disk space, when it could be read.
    pub disk: Option<DiskSnapshot>,
}

impl Overview {
    /// Problems a technician must see first, in words; empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for device in &self.devices {
            if let Some(detail) = device.health.detail() {
                problems.push(format!("{}: {} — {detail}", device.name, device.health.word()));
            }
        }
        if self.ils.online == Some(false) {
            let why = self.ils.last_error.as_deref().unwrap_or("no answer");
            problems.push(format!("library system {} unreachable — {why}", self.ils.address));
        }
        if self.queue.rejected > 0 {
            problems.push(format!(
                "{} transaction(s) refused by the library system wait for staff",
                self.queue.rejected
            ));
        }
        if let Some(disk) = &self.disk
            && disk.is_low()
        {
            problems.push(format!("disk almost full: {} free on {}", bytes(disk.free_bytes), disk.path));
        }
        problems
    }

    /// The overview as text, for `kiosk diag` over SSH.
    pub fn to_text(&self) -> String {
        let mut out =
            format!("{} — kiosk {} — {}\n", self.terminal, self.version, self.at.format("%Y-%m-%d %H:%M:%S"));
        if let Some(uptime) = self.uptime_secs {
            out.push_str(&format!("up {}\n", duration(uptime)));
        }
        let problems = self.problems();
        if problems.is_empty() {
            out.push_str("\nAll is well.\n");
        } else {
            out.push_str("\nProblems:\n");
            for problem in problems {
                out.push_str(&format!("  ! {problem}\n"));
            }
        }
        out.push_str("\nDevices:\n");
        for device in &self.devices {
            out.push_str(&format!(
                "  {:<8} {:<14} {:<24} {:<13} errors {} reconnects {}\n",
                device.name,
                device.driver,
                device.path,
                device.health.word(),
                device.errors,
                device.reconnects
            ));
            if let Some((at, what)) = &device.last_event {
                out.push_str(&format!("           last: {} {what}\n", at.format("%H:%M:%S")));
            }
            if let Some((at, why)) = &device.last_error {
                out.push_str(&format!("           last error: {} {why}\n", at.format("%m-%d %H:%M:%S")));
            }
        }
        let online = match self.ils.online {
            Some(true) => "online",
            Some(false) => "OFFLINE",
            None => "not checked yet",
        };
        out.push_str(&format!("\nLibrary system: {} {online}", self.ils.address));
        if let Some(ms) = self.ils.round_trip_ms {
            out.push_str(&format!(", round trip {ms} ms"));
        }
        out.push('\n');
        if let Some(error) = &self.ils.last_error {
            out.push_str(&format!("  last error: {error}\n"));
        }
        out.push_str(&format!(
            "\nQueue: {} pending, {} sent without an answer, {} refused\n",
            self.queue.pending, self.queue.in_flight, self.queue.rejected
        ));
        if let Some(disk) = &self.disk {
            out.push_str(&format!(
                "Disk: {} free of {} ({})\n",
                bytes(disk.free_bytes),
                bytes(disk.total_bytes),
                disk.path
            ));
        }
        out
    }
}

/// Bytes in the largest whole unit, e.g. `1.5 GB`.
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{count} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Seconds as `3d 4h 05m`.
pub fn duration(seconds: u64) -> String {
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes:02}m")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else {
        format!("{minutes}m {:02}s", seconds % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::at;

    #[test]
    fn a_device_record_counts_failures_and_recoveries() {
        let mut printer = DeviceRecord::new("printer", "escpos-serial", "/dev/ttyUSB1");
        printer.observe_state(DeviceHealth::Connected, at(1, 9, 0));
        assert_eq!((printer.errors, printer.reconnects), (0, 0));
        printer.observe_state(DeviceHealth::Disconnected("unplugged".into()), at(1, 9, 5));
        printer.observe_state(DeviceHealth::Disconnected("unplugged".into()), at(1, 9, 6));
        printer.observe_state(DeviceHealth::Connected, at(1, 9, 7));
        assert_eq!((printer.errors, printer.reconnects), (1, 1));
        assert_eq!(printer.last_error, Some((at(1, 9, 5), "unplugged".into())));
        printer.observe_failure("out of paper".into(), at(1, 9, 8));
        assert_eq!(printer.errors, 2);
        assert_eq!(printer.health, DeviceHealth::Connected);
    }

    #[test]
    fn problems_come_first_in_the_text() {
        let mut scanner = DeviceRecord::new("scanner", "serial-scanner", "/dev/ttyACM0");
        scanner.observe_state(DeviceHealth::NoPermission("add kiosk to dialout".into()), at(1, 9, 0));
        let overview = Overview {
            terminal: "Branch 1".into(),
            version: "0.1.0".into(),
            at: at(1, 10, 0),
            uptime_secs: Some(3 * 86_400 + 4 * 3600 + 5 * 60),
            devices: vec![scanner],
            ils: IlsSnapshot {
                address: "10.0.0.5:6001".into(),
                online: Some(false),
                round_trip_ms: None,
                checked_at: Some(at(1, 9, 59)),
                last_error: Some("connection refused".into()),
            },
            queue: QueueSnapshot { pending: 3, in_flight: 0, rejected: 1 },
            disk: Some(DiskSnapshot {
                path: "/var/lib/kiosk".into(),
                free_bytes: 100 << 20,
                total_bytes: 32 << 30,
            }),
        };
        let problems = overview.problems();
        assert_eq!(problems.len(), 4, "{problems:?}");
        let text = overview.to_text();
        assert!(text.contains("up 3d 4h 05m"));
        assert!(text.contains("scanner: no permission — add kiosk to dialout"));
        assert!(text.contains("library system 10.0.0.5:6001 unreachable — connection refused"));
        assert!(text.contains("disk almost full: 100.0 MB free"));
        assert!(text.contains("Queue: 3 pending, 0 sent without an answer, 1 refused"));
        let json = serde_json::to_value(&overview).unwrap();
        assert_eq!(json["devices"][0]["health"]["state"], "no_permission");
        assert_eq!(json["queue"]["rejected"], 1);
    }

    #[test]
    fn units() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(duration(59), "0m 59s");
        assert_eq!(duration(3600), "1h 00m");
    }
}
