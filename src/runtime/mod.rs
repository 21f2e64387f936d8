//! Runtime wiring: the ILS endpoint (the configured server or the in-process emulator)
//! and the background work the GUI subscribes to.

pub mod circulation;
pub mod devices;
pub mod diagnostics;
pub mod emulator;
pub mod intake;
pub mod receipt;
pub mod session;
pub mod sync;
pub mod systemd;

use std::net::SocketAddr;

use anyhow::Context;
use kiosk_core::Config;
use kiosk_sip2::client::ClientConfig;

/// The receipt width in characters reported to the ILS in `99`.
pub fn print_width(config: &Config) -> u16 {
    if config.receipt.paper_width_mm == 58 { 32 } else { 48 }
}

/// The SIP2 client settings in effect: for the demo, starts the built-in emulator on a
/// loopback port first.
pub fn ils_client_config(config: &Config) -> anyhow::Result<ClientConfig> {
    let (host, port) = if config.ils.emulator {
        let database = config.storage.resolved_data_dir().join(emulator::DATABASE_FILE);
        let address: SocketAddr = emulator::spawn_background(&database, config)
            .with_context(|| format!("starting the built-in ILS emulator ({})", database.display()))?;
        (address.ip().to_string(), address.port())
    } else {
        (config.ils.host.clone(), config.ils.port)
    };
    Ok(kiosk_core::ils::client_config(&config.ils, &host, port, print_width(config)))
}
