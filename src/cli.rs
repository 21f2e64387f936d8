//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kiosk_core::config::Language;

/// A self-service kiosk for library loans and returns and for a workers' rest station.
///
/// Without a subcommand, runs the kiosk's screen. Without a configuration file (neither
/// --config nor /etc/kiosk/kiosk.toml), runs the demo: simulated devices and the
/// built-in ILS emulator.
#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about, long_about)]
pub struct Cli {
    /// The configuration file [default: /etc/kiosk/kiosk.toml if it exists, else the demo].
    #[arg(long, short, global = true, value_name = "FILE", env = "KIOSK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Options for the screen.
    #[command(flatten)]
    pub gui: GuiArgs,

    /// What to do instead of running the screen.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options for running the screen.
#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    /// Fill the screen (overrides terminal.fullscreen).
    #[arg(long, conflicts_with = "windowed")]
    pub fullscreen: bool,
    /// Run in a window (overrides terminal.fullscreen).
    #[arg(long)]
    pub windowed: bool,
    /// The language to start in: zh-CN or en (overrides terminal.language).
    #[arg(long, value_name = "LANG", value_parser = parse_language)]
    pub lang: Option<Language>,
}

impl GuiArgs {
    /// The fullscreen choice made on the command line, if any.
    pub fn fullscreen(&self) -> Option<bool> {
        if self.fullscreen {
            Some(true)
        } else if self.windowed {
            Some(false)
        } else {
            None
        }
    }
}

fn parse_language(tag: &str) -> Result<Language, String> {
    Language::from_tag(tag).ok_or_else(|| format!("unknown language {tag:?}; use zh-CN or en"))
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check or show the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Talk to the configured library system through the kiosk's SIP2 client.
    Ils(IlsArgs),
    /// Run the built-in ILS emulator as a SIP2 server.
    IlsEmulator(EmulatorArgs),
    /// Forward queued transactions to the library system, or show the queue.
    Sync {
        /// One pass over the queue, then exit.
        #[arg(long, conflicts_with = "status")]
        once: bool,
        /// Show the queue: pending, sent without an answer, rejected.
        #[arg(long)]
        status: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List serial ports, keyboard devices and known USB devices, with matched profiles
    /// and permission problems.
    Devices {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print the udev rules for every supported USB device instead (the package's
        /// /lib/udev/rules.d/60-kiosk.rules).
        #[arg(long, conflicts_with = "json")]
        udev_rules: bool,
    },
    /// RFID tag data tools.
    #[command(subcommand)]
    Tag(TagCommand),
    /// Barcode tools.
    #[command(subcommand)]
    Barcode(BarcodeCommand),
    /// Receipt tools.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// Reports: the rest station's visits as CSV or as a chart.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Diagnostics for technicians: the overview (devices, library system, queue, disk),
    /// the queue, logs and the support bundle. Every use is audited.
    Diag(DiagArgs),
}

/// `kiosk report …`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The rest station's visits between two dates (both included).
    Visits {
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// The last day, YYYY-MM-DD.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// CSV rows (one per visit) or a PNG chart.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::commands::report::Format,
        /// The file to write; CSV goes to standard output without one.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The language of names and labels: zh-CN or en [default: terminal.language].
        #[arg(long, value_name = "LANG", value_parser = parse_language)]
        lang: Option<Language>,
    },
}

/// `kiosk diag …`
#[derive(Debug, Args)]
pub struct DiagArgs {
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do; without one, prints the overview.
    #[command(subcommand)]
    pub command: Option<DiagCommand>,
}

/// `kiosk diag …` subcommands.
#[derive(Debug, Subcommand)]
pub enum DiagCommand {
    /// Write a support bundle (logs, masked config, database statistics, device listing,
    /// versions) as a zip: to PATH, or into PATH when it is a directory (a USB stick).
    Bundle {
        /// The zip file or the directory.
        path: PathBuf,
    },
    /// The queue: open rows, or a staff action on one.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// The newest log entries.
    Logs {
        /// The least severe level shown: error, warn, info, debug or trace.
        #[arg(long, default_value = "info")]
        level: String,
        /// How many entries.
        #[arg(long, default_value_t = 100)]
        lines: usize,
    },
    /// The newest audit log entries.
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        lines: u32,
    },
}

/// `kiosk diag queue …`
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Pending, unanswered and refused transactions with the library system's reasons.
    List,
    /// Send a refused transaction again.
    Retry {
        /// Its id (as listed).
        id: i64,
    },
    /// Mark a refused transaction as dealt with; it is kept with the note.
    Resolve {
        /// Its id (as listed).
        id: i64,
        /// What was done about it.
        #[arg(long)]
        note: String,
    },
    /// Every recorded transaction as CSV (patron numbers masked).
    Export {
        /// The CSV file to write; `-` for standard output.
        path: PathBuf,
    },
}

/// `kiosk tag …`
#[derive(Debug, Subcommand)]
pub enum TagCommand {
    /// Decode raw tag memory (hex) in any supported format.
    Decode {
        /// The memory, as hex (spaces allowed).
        hex: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `kiosk barcode …`
#[derive(Debug, Subcommand)]
pub enum BarcodeCommand {
    /// Classify a code (patron, item, technician) and check its check digit.
    Check {
        /// The code as scanned (an AIM prefix like `]F0` is understood).
        code: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `kiosk receipt …`
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Render an ESC/POS byte stream to a PNG.
    Render {
        /// The ESC/POS bytes.
        input: PathBuf,
        /// The PNG to write.
        output: PathBuf,
        /// Paper width in mm (58 or 80).
        #[arg(long, default_value_t = 80)]
        width: u32,
    },
}

/// `kiosk ils …`
#[derive(Debug, Args)]
pub struct IlsArgs {
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to ask.
    #[command(subcommand)]
    pub command: IlsCommand,
}

/// `kiosk ils …` subcommands.
#[derive(Debug, Subcommand)]
pub enum IlsCommand {
    /// Log in and show every field of the ACS status (98) with the round-trip time.
    Status,
    /// Show a patron's account (63/64).
    Patron {
        /// The patron's card barcode.
        barcode: String,
        /// Also check this PIN (shown masked).
        #[arg(long)]
        pin: Option<String>,
    },
    /// Show an item (17/18).
    Item {
        /// The item barcode.
        barcode: String,
    },
    /// Lend an item, through the journal and the offline policy like the screen does.
    Checkout {
        /// The patron's card barcode.
        #[arg(long)]
        patron: String,
        /// The item barcode.
        #[arg(long)]
        item: String,
    },
    /// Return an item, through the journal (accepted off line and sent later).
    Checkin {
        /// The item barcode.
        #[arg(long)]
        item: String,
    },
    /// Send a message typed by hand, e.g. '1720260715    103000AOWCP|AB30234000000017|';
    /// AY/AZ are added when error detection is on.
    Raw {
        /// The message without AY/AZ.
        message: String,
    },
}

/// `kiosk ils-emulator …`
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:6001")]
    pub listen: std::net::SocketAddr,
    /// The emulator's database [default: ils-emulator.sqlite3 in the data directory].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// PEM certificate chain: serve SIP2 over TLS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// `kiosk config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration file; exits non-zero and names each bad key.
    Check,
    /// Print an annotated example configuration (the same as packaging/kiosk.toml).
    Example,
    /// Print the configuration in effect, with every default filled in and secrets masked.
    Show,
    /// Read a technician PIN from standard input and print its Argon2 hash for
    /// `diagnostics.technician_pin_hash`.
    HashPin,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_gui_options() {
        let cli = Cli::try_parse_from(["kiosk", "--windowed", "--lang", "en"]).unwrap();
        assert_eq!(cli.gui.fullscreen(), Some(false));
        assert_eq!(cli.gui.lang, Some(Language::En));
        assert!(cli.command.is_none());
        assert!(Cli::try_parse_from(["kiosk", "--lang", "fr"]).is_err());
        assert!(Cli::try_parse_from(["kiosk", "--windowed", "--fullscreen"]).is_err());
    }

    #[test]
    fn parses_diag_subcommands() {
        let cli = Cli::try_parse_from(["kiosk", "diag", "--json"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Diag(DiagArgs { json: true, command: None }))));
        let cli = Cli::try_parse_from(["kiosk", "diag", "queue", "resolve", "7", "--note", "done"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Diag(DiagArgs {
                command: Some(DiagCommand::Queue(QueueCommand::Resolve { id: 7, .. })),
                ..
            }))
        ));
        assert!(
            Cli::try_parse_from(["kiosk", "diag", "queue", "resolve", "7"]).is_err(),
            "a note is required"
        );
    }

    #[test]
    fn parses_config_subcommands() {
        let cli = Cli::try_parse_from(["kiosk", "config", "check", "--config", "/tmp/k.toml"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Config(ConfigCommand::Check))));
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new("/tmp/k.toml")));
    }
}
