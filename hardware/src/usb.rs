//! USB: the printer-class bulk transport, and the device listing `kiosk devices` shows.
//!
//! A USB printer is interface class 7; the kernel's `usblp` is detached and the interface
//! claimed, then data goes to the bulk OUT endpoint and status replies come back on bulk
//! IN (both read from the descriptors, never assumed).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use rusb::UsbContext;

use crate::device::DeviceState;
use crate::profile;

/// An opened USB printer.
pub struct UsbPrinter {
    handle: rusb::DeviceHandle<rusb::Context>,
    interface: u8,
    out_endpoint: u8,
    in_endpoint: Option<u8>,
    timeout: Duration,
}

/// Parses `usb:VID:PID` (hex).
pub fn parse_usb_path(path: &str) -> Option<(u16, u16)> {
    let rest = path.strip_prefix("usb:")?;
    let (vid, pid) = rest.split_once(':')?;
    Some((u16::from_str_radix(vid, 16).ok()?, u16::from_str_radix(pid, 16).ok()?))
}

fn usb_state(error: rusb::Error, what: &str) -> DeviceState {
    match error {
        rusb::Error::Access => DeviceState::NoPermission {
            fix: format!(
                "{what}: found, but no permission; install the kiosk udev rules (packaging/udev) and replug"
            ),
        },
        rusb::Error::NoDevice | rusb::Error::NotFound => {
            DeviceState::Disconnected { reason: format!("{what}: not connected") }
        }
        other => DeviceState::Error { message: format!("{what}: {other}") },
    }
}

impl UsbPrinter {
    /// Opens the first printer with this vendor and product id.
    pub fn open(vid: u16, pid: u16) -> Result<UsbPrinter, DeviceState> {
        let what = format!("USB printer {vid:04x}:{pid:04x}");
        // An explicit context: libusb's global one aborts where there is no usbfs.
        let context = rusb::Context::new().map_err(|e| usb_state(e, &what))?;
        let devices = context.devices().map_err(|e| usb_state(e, &what))?;
        let device = devices
            .iter()
            .find(|d| {
                d.device_descriptor().is_ok_and(|desc| desc.vendor_id() == vid && desc.product_id() == pid)
            })
            .ok_or(DeviceState::Disconnected { reason: format!("{what}: not connected") })?;
        let config = device.active_config_descriptor().map_err(|e| usb_state(e, &what))?;
        let mut chosen = None;
        for interface in config.interfaces() {
            for setting in interface.descriptors() {
                if setting.class_code() != 7 {
                    continue;
                }
                let mut out_endpoint = None;
                let mut in_endpoint = None;
                for endpoint in setting.endpoint_descriptors() {
                    if endpoint.transfer_type() == rusb::TransferType::Bulk {
                        match endpoint.direction() {
                            rusb::Direction::Out => out_endpoint = Some(endpoint.address()),
                            rusb::Direction::In => in_endpoint = Some(endpoint.address()),
                        }
                    }
                }
                if let Some(out_endpoint) = out_endpoint {
                    chosen = Some((setting.interface_number(), out_endpoint, in_endpoint));
                }
            }
        }
        let (interface, out_endpoint, in_endpoint) = chosen.ok_or(DeviceState::Error {
            message: format!("{what}: no printer-class interface with a bulk OUT endpoint"),
        })?;
        let handle = device.open().map_err(|e| usb_state(e, &what))?;
        let _ = handle.set_auto_detach_kernel_driver(true);
        if handle.kernel_driver_active(interface).unwrap_or(false) {
            handle.detach_kernel_driver(interface).map_err(|e| usb_state(e, &what))?;
        }
        handle.claim_interface(interface).map_err(|e| usb_state(e, &what))?;
        Ok(UsbPrinter { handle, interface, out_endpoint, in_endpoint, timeout: Duration::from_secs(5) })
    }
}

impl Drop for UsbPrinter {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.interface);
    }
}

fn io_error(error: rusb::Error) -> std::io::Error {
    let kind = match error {
        rusb::Error::Timeout => std::io::ErrorKind::TimedOut,
        rusb::Error::NoDevice => std::io::ErrorKind::NotConnected,
        rusb::Error::Access => std::io::ErrorKind::PermissionDenied,
        _ => std::io::ErrorKind::Other,
    };
    std::io::Error::new(kind, error.to_string())
}

impl Write for UsbPrinter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.handle.write_bulk(self.out_endpoint, bytes, self.timeout).map_err(io_error)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Read for UsbPrinter {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        match self.in_endpoint {
            Some(endpoint) => {
                self.handle.read_bulk(endpoint, buffer, Duration::from_millis(500)).map_err(io_error)
            }
            None => {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "unidirectional printer: no status"))
            }
        }
    }
}

/// A device found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDevice {
    /// `/dev/…` or `usb:VID:PID`.
    pub path: String,
    /// What it is, as far as known.
    pub description: String,
    /// A matching built-in profile.
    pub profile: Option<String>,
    /// Whether the kiosk user can open it; the fix when not.
    pub access: Result<(), String>,
}

fn profile_for(vid: u16, pid: u16) -> Option<String> {
    profile::all()
        .into_iter()
        .find(|(_, p)| p.usb_ids().contains(&(vid, pid)))
        .map(|(name, _)| name.to_string())
}

fn check_access(path: &Path, group_hint: &str) -> Result<(), String> {
    match std::fs::OpenOptions::new().read(true).write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(format!(
            "found, but no permission: add the kiosk user to group {group_hint} (usermod -aG {group_hint} kiosk)"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads a sysfs attribute next to a tty (`idVendor`, `idProduct`, `product`).
fn tty_usb_attribute(tty: &str, attribute: &str) -> Option<String> {
    let mut dir = std::fs::canonicalize(format!("/sys/class/tty/{tty}/device")).ok()?;
    for _ in 0..4 {
        if let Ok(value) = std::fs::read_to_string(dir.join(attribute)) {
            return Some(value.trim().to_string());
        }
        dir = dir.parent()?.to_path_buf();
    }
    None
}

/// Serial ports, input devices and USB devices, with matched profiles and access.
pub fn list_devices() -> Vec<FoundDevice> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/sys/class/tty") {
        let mut names: Vec<String> =
            entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        for name in names
            .into_iter()
            .filter(|n| n.starts_with("ttyUSB") || n.starts_with("ttyACM") || n.starts_with("ttyS"))
        {
            let path = format!("/dev/{name}");
            let vid = tty_usb_attribute(&name, "idVendor").and_then(|v| u16::from_str_radix(&v, 16).ok());
            let pid = tty_usb_attribute(&name, "idProduct").and_then(|v| u16::from_str_radix(&v, 16).ok());
            if name.starts_with("ttyS") && vid.is_none() {
                // Legacy UARTs that exist on every PC; list only real ones.
                if !Path::new(&format!("/sys/class/tty/{name}/device/driver")).exists() {
                    continue;
                }
            }
            let product = tty_usb_attribute(&name, "product").unwrap_or_else(|| "serial port".into());
            let description = match (vid, pid) {
                (Some(vid), Some(pid)) => format!("{product} (USB {vid:04x}:{pid:04x})"),
                _ => product,
            };
            found.push(FoundDevice {
                profile: vid.zip(pid).and_then(|(v, p)| profile_for(v, p)),
                access: check_access(Path::new(&path), "dialout"),
                path,
                description,
            });
        }
    }
    if let Ok(entries) = std::fs::read_dir("/dev/input/by-id") {
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with("-event-kbd") {
                found.push(FoundDevice {
                    path: entry.path().display().to_string(),
                    description: format!("keyboard device {name} (a keyboard-wedge scanner?)"),
                    profile: Some("generic-hid-scanner".into()),
                    access: check_access(&entry.path(), "input"),
                });
            }
        }
    }
    match rusb::Context::new().and_then(|context| context.devices()) {
        Ok(devices) => {
            for device in devices.iter() {
                let Ok(descriptor) = device.device_descriptor() else { continue };
                let (vid, pid) = (descriptor.vendor_id(), descriptor.product_id());
                let Some(profile) = profile_for(vid, pid) else { continue };
                let access = match device.open() {
                    Ok(_) => Ok(()),
                    Err(rusb::Error::Access) => {
                        Err("found, but no permission: install the kiosk udev rules and replug".into())
                    }
                    Err(e) => Err(e.to_string()),
                };
                found.push(FoundDevice {
                    path: format!("usb:{vid:04x}:{pid:04x}"),
                    description: format!(
                        "USB device {vid:04x}:{pid:04x} on bus {} address {}",
                        device.bus_number(),
                        device.address()
                    ),
                    profile: Some(profile),
                    access,
                });
            }
        }
        Err(error) => tracing::debug!(%error, "USB is not available here"),
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usb_paths() {
        assert_eq!(parse_usb_path("usb:0416:5011"), Some((0x0416, 0x5011)));
        assert_eq!(parse_usb_path("/dev/ttyUSB0"), None);
        assert_eq!(parse_usb_path("usb:zz:1"), None);
        assert_eq!(profile_for(0x0416, 0x5011).as_deref(), Some("generic-escpos-80"));
    }

    #[test]
    #[ignore = "needs a USB printer: KIOSK_TEST_PRINTER=usb:VID:PID"]
    fn real_usb_printer_status() {
        let path = std::env::var("KIOSK_TEST_PRINTER").expect("KIOSK_TEST_PRINTER");
        let (vid, pid) = parse_usb_path(&path).expect("usb:VID:PID");
        let mut printer = UsbPrinter::open(vid, pid).expect("the printer opens");
        printer.write_all(&crate::escpos::status_request(crate::escpos::StatusQuery::Paper)).unwrap();
        let mut byte = [0u8; 1];
        assert_eq!(printer.read(&mut byte).unwrap(), 1);
        crate::escpos::parse_status(crate::escpos::StatusQuery::Paper, byte[0]).expect("a status byte");
    }
}
