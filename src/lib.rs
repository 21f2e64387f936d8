//! The kiosk application: command line, iced GUI (screens, widgets, theme) and the
//! runtime that wires the domain (`kiosk-core`), the devices (`kiosk-hardware`) and the
//! library system (`kiosk-sip2`) together.

pub mod app;
pub mod cli;
pub mod commands;
pub mod fonts;
pub mod icons;
pub mod logging;
pub mod runtime;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod widgets;

use std::path::{Path, PathBuf};

use kiosk_core::Config;
use kiosk_core::config::ConfigErrors;

/// Where an installed kiosk keeps its configuration.
pub const SYSTEM_CONFIG: &str = "/etc/kiosk/kiosk.toml";

/// The configuration in effect and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// The file it came from; `None` for the built-in demo.
    pub source: Option<PathBuf>,
}

/// Loads the configuration: the given file, else the system file if present, else the demo.
pub fn load_config(explicit: Option<&Path>) -> Result<LoadedConfig, ConfigErrors> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(SYSTEM_CONFIG)).filter(|p| p.exists()),
    };
    match path {
        Some(path) => Ok(LoadedConfig { config: Config::load(&path)?, source: Some(path) }),
        None => Ok(LoadedConfig { config: Config::default(), source: None }),
    }
}
