//! The configured devices: started under the hardware supervisor at boot, their events
//! forwarded to the GUI as a subscription.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

use iced::futures::Stream;
use kiosk_core::Config;
use kiosk_core::config::{DeviceConfig, DeviceKind as ConfigKind};
use kiosk_hardware::device::{DeviceKind, DeviceSpec, Driver, Event, Supervisor};
use kiosk_hardware::profile::Profile;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// The profile a driver uses when the configuration names none.
fn default_profile(device: &DeviceConfig, paper_width_mm: u32) -> &'static str {
    match (device.kind, device.driver.as_str()) {
        (ConfigKind::Rfid, "feig") => "feig-cpr",
        (ConfigKind::Rfid, _) => "3m-810",
        (ConfigKind::Scanner, "evdev") => "generic-hid-scanner",
        (ConfigKind::Scanner, _) => "honeywell-1900",
        (ConfigKind::Printer, _) if paper_width_mm == 58 => "generic-escpos-58",
        (ConfigKind::Printer, _) => "generic-escpos-80",
    }
}

/// Turns the configured devices into supervisor specs; errors name the device.
pub fn specs(config: &Config, data_dir: &Path) -> anyhow::Result<Vec<DeviceSpec>> {
    config
        .effective_devices()
        .iter()
        .enumerate()
        .map(|(index, device)| {
            let name = device
                .profile
                .as_deref()
                .unwrap_or_else(|| default_profile(device, config.receipt.paper_width_mm));
            let mut profile =
                Profile::built_in(name).map_err(|e| anyhow::anyhow!("devices[{index}]: {e}"))?;
            if device.kind == ConfigKind::Printer {
                profile.paper_width_mm = Some(config.receipt.paper_width_mm);
            }
            let driver = Driver::from_name(&device.driver)
                .ok_or_else(|| anyhow::anyhow!("devices[{index}]: unknown driver {:?}", device.driver))?;
            let kind = match device.kind {
                ConfigKind::Scanner => DeviceKind::Scanner,
                ConfigKind::Rfid => DeviceKind::Rfid,
                ConfigKind::Printer => DeviceKind::Printer,
            };
            Ok(DeviceSpec {
                name: device.kind.to_string(),
                kind,
                driver,
                path: device.path.as_ref().map(Into::into),
                address: device.address.clone(),
                profile,
                output_dir: Some(data_dir.join("receipts")),
            })
        })
        .collect()
}

/// The running devices and their event stream (taken once by the GUI's subscription).
#[derive(Clone)]
pub struct Devices {
    /// Command handles.
    pub supervisor: Arc<Supervisor>,
    events: Arc<Mutex<Option<UnboundedReceiver<Event>>>>,
}

impl Hash for Devices {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // One device set per process.
        "devices".hash(state);
    }
}

impl Devices {
    /// Starts the supervisor and a thread that forwards its events to async code.
    pub fn start(specs: Vec<DeviceSpec>) -> Devices {
        let (sender, receiver) = std::sync::mpsc::channel();
        let supervisor = Supervisor::start(specs, sender);
        let (forward, events) = unbounded_channel();
        let spawned = std::thread::Builder::new().name("device-events".into()).spawn(move || {
            while let Ok(event) = receiver.recv() {
                if forward.send(event).is_err() {
                    return;
                }
            }
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot forward device events");
        }
        Devices { supervisor: Arc::new(supervisor), events: Arc::new(Mutex::new(Some(events))) }
    }
}

/// The device events, for `Subscription::run_with`.
pub fn events(devices: &Devices) -> impl Stream<Item = Event> + use<> {
    let receiver = devices.events.lock().ok().and_then(|mut slot| slot.take());
    iced::futures::stream::unfold(receiver, |receiver| async move {
        let mut receiver = receiver?;
        let event = receiver.recv().await?;
        Some((event, Some(receiver)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_devices_are_simulated_with_fitting_profiles() {
        let mut config = Config::default();
        config.receipt.paper_width_mm = 58;
        let specs = specs(&config, Path::new("/tmp/kiosk")).unwrap();
        assert_eq!(specs.len(), 3);
        assert!(specs.iter().all(|s| s.driver == Driver::Simulated));
        let printer = specs.iter().find(|s| s.kind == DeviceKind::Printer).unwrap();
        assert_eq!(printer.profile.paper_width_mm, Some(58));
        assert_eq!(printer.output_dir.as_deref(), Some(Path::new("/tmp/kiosk/receipts")));
    }

    #[test]
    fn every_configurable_driver_is_in_the_hardware_registry() {
        for (kind, name) in kiosk_core::config::DRIVERS {
            let kind = match kind {
                ConfigKind::Scanner => DeviceKind::Scanner,
                ConfigKind::Rfid => DeviceKind::Rfid,
                ConfigKind::Printer => DeviceKind::Printer,
            };
            assert!(
                kiosk_hardware::device::DRIVERS.iter().any(|d| d.name == *name && d.kind == kind),
                "{name} ({kind:?}) is configurable but has no driver"
            );
            assert!(Driver::from_name(name).is_some(), "{name}");
        }
        assert_eq!(kiosk_hardware::device::DRIVERS.len(), kiosk_core::config::DRIVERS.len());
    }

    #[test]
    fn configured_devices_keep_their_paths_and_profiles() {
        let config = Config::parse(kiosk_core::config::EXAMPLE, Path::new("kiosk.toml")).unwrap();
        let specs = specs(&config, Path::new("/var/lib/kiosk")).unwrap();
        let reader = specs.iter().find(|s| s.kind == DeviceKind::Rfid).unwrap();
        assert_eq!(reader.driver, Driver::M3);
        assert_eq!(reader.profile.serial.baud, 19200);
        assert!(reader.path.as_ref().unwrap().starts_with("/dev/serial/by-id"));
    }
}
