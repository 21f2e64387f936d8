use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use kiosk::app::{App, Overrides, Services};
use kiosk::cli::{
    BarcodeCommand, Cli, Command, ConfigCommand, EmulatorArgs, IlsArgs, IlsCommand, ReceiptCommand,
    ReportCommand, TagCommand,
};
use kiosk::runtime::sync::SyncWorker;
use kiosk::{commands, fonts, load_config, logging};
use kiosk_core::config::EXAMPLE;

fn main() -> ExitCode {
    kiosk::app::mark_start();
    let mut cli = Cli::parse();
    match cli.command.take() {
        None => run_gui(&cli),
        Some(Command::Config(command)) => config_command(&cli, command),
        Some(Command::Ils(args)) => async_command(&cli, |config| ils_command(config, args)),
        Some(Command::IlsEmulator(args)) => async_command(&cli, |config| emulator_command(config, args)),
        Some(Command::Sync { once, status: _, json }) => {
            async_command(&cli, |config| sync_command(config, once, json))
        }
        Some(Command::Devices { udev_rules: true, .. }) => {
            print!("{}", kiosk_hardware::profile::udev_rules());
            ExitCode::SUCCESS
        }
        Some(Command::Devices { json, udev_rules: false }) => {
            async_command(&cli, |_| async move { Ok(commands::hardware::devices(json)) })
        }
        Some(Command::Tag(TagCommand::Decode { hex, json })) => {
            async_command(&cli, |_| async move { commands::hardware::tag_decode(&hex, json) })
        }
        Some(Command::Barcode(BarcodeCommand::Check { code, json })) => {
            async_command(&cli, |config| async move {
                Ok(commands::hardware::barcode_check(&code, &config.diagnostics.technician_cards, json))
            })
        }
        Some(Command::Receipt(ReceiptCommand::Render { input, output, width })) => {
            async_command(&cli, |_| async move { commands::hardware::receipt_render(&input, &output, width) })
        }
        Some(Command::Report(ReportCommand::Visits { from, to, format, output, lang })) => {
            async_command(&cli, |config| async move {
                let language = lang.unwrap_or(config.terminal.language);
                commands::report::visits(&config, from, to, format, output.as_deref(), language)
            })
        }
        Some(Command::Diag(args)) => {
            async_command(&cli, |config| commands::diag::run(config, args.command, args.json))
        }
    }
}

/// Runs a one-shot async command with the configuration; errors are printed with context.
fn async_command<F, Fut>(cli: &Cli, command: F) -> ExitCode
where
    F: FnOnce(kiosk_core::Config) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    logging::init_for_command();
    let config = match load_config(cli.config.as_deref()) {
        Ok(loaded) => loaded.config,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("kiosk: cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(command(config)) {
        Ok(mut output) => {
            if !output.ends_with('\n') && !output.is_empty() {
                output.push('\n');
            }
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = std::io::stdout().write_all(output.as_bytes());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kiosk: {error:#}");
            ExitCode::from(1)
        }
    }
}

async fn ils_command(config: kiosk_core::Config, args: IlsArgs) -> anyhow::Result<String> {
    let client = kiosk::runtime::ils_client_config(&config)?;
    match args.command {
        IlsCommand::Status => commands::ils::status(client, args.json).await,
        IlsCommand::Patron { barcode, pin } => {
            commands::ils::patron(client, &config, &barcode, pin, args.json).await
        }
        IlsCommand::Item { barcode } => commands::ils::item(client, &config, &barcode, args.json).await,
        IlsCommand::Raw { message } => commands::ils::raw(client, &message, args.json).await,
        IlsCommand::Checkout { patron, item } => {
            let mut circulation = circulation(&config, client)?;
            let outcome = circulation.checkout(&patron, &item, chrono::Local::now().naive_local()).await?;
            Ok(commands::ils::describe_outcome(&outcome, args.json))
        }
        IlsCommand::Checkin { item } => {
            let mut circulation = circulation(&config, client)?;
            let outcome = circulation.checkin(&item, chrono::Local::now().naive_local()).await?;
            Ok(commands::ils::describe_outcome(&outcome, args.json))
        }
    }
}

fn circulation(
    config: &kiosk_core::Config,
    client: kiosk_sip2::client::ClientConfig,
) -> anyhow::Result<kiosk::runtime::circulation::Circulation> {
    let store = kiosk_core::Store::open_in(&config.storage.resolved_data_dir())?;
    Ok(kiosk::runtime::circulation::Circulation::new(config, store, kiosk_sip2::client::Client::new(client)))
}

async fn sync_command(config: kiosk_core::Config, once: bool, json: bool) -> anyhow::Result<String> {
    if !once {
        let store = kiosk_core::Store::open_in(&config.storage.resolved_data_dir())?;
        let counts = store.journal_counts()?;
        let rejected = store.journal_in_state(kiosk_core::store::JournalState::Rejected, 50)?;
        if json {
            let rows: Vec<_> = rejected
                .iter()
                .map(|e| serde_json::json!({ "id": e.id.0, "kind": e.kind.to_string(), "item": e.item, "at": e.at.to_string(), "message": e.ils_message }))
                .collect();
            return Ok(serde_json::to_string_pretty(&serde_json::json!({
                "pending": counts.pending, "in_flight": counts.in_flight, "rejected": counts.rejected, "rejected_rows": rows
            }))?);
        }
        let mut out = format!(
            "pending {}, sent without an answer {}, rejected {}\n",
            counts.pending, counts.in_flight, counts.rejected
        );
        for entry in rejected {
            out.push_str(&format!(
                "  #{} {} {} at {}: {}\n",
                entry.id.0,
                entry.kind,
                entry.item,
                entry.at.format("%Y-%m-%d %H:%M"),
                entry.ils_message.unwrap_or_default()
            ));
        }
        return Ok(out);
    }
    let client = kiosk::runtime::ils_client_config(&config)?;
    let mut circulation = circulation(&config, client)?;
    let report = circulation.sync_once(chrono::Local::now().naive_local()).await?;
    if json {
        return Ok(serde_json::to_string_pretty(&serde_json::json!({
            "accepted": report.accepted, "rejected": report.rejected, "resolved": report.resolved,
            "remaining": report.remaining, "stopped": report.stopped
        }))?);
    }
    let mut out = format!(
        "accepted {}, rejected {}, settled {}, still queued {}\n",
        report.accepted, report.rejected, report.resolved, report.remaining
    );
    if let Some(why) = report.stopped {
        out.push_str(&format!("stopped: {why}\n"));
    }
    Ok(out)
}

async fn emulator_command(config: kiosk_core::Config, args: EmulatorArgs) -> anyhow::Result<String> {
    let database = args
        .db
        .unwrap_or_else(|| config.storage.resolved_data_dir().join(kiosk::runtime::emulator::DATABASE_FILE));
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(kiosk_sip2::transport::server_acceptor(cert, key)?),
        _ => None,
    };
    kiosk::runtime::emulator::run(args.listen, &database, &config, tls).await?;
    Ok(String::new())
}

fn config_command(cli: &Cli, command: ConfigCommand) -> ExitCode {
    logging::init_for_command();
    match command {
        ConfigCommand::Example => {
            print!("{EXAMPLE}");
            return ExitCode::SUCCESS;
        }
        ConfigCommand::HashPin => return hash_pin(),
        ConfigCommand::Check | ConfigCommand::Show => {}
    }
    match load_config(cli.config.as_deref()) {
        Ok(loaded) => {
            let source = loaded
                .source
                .as_ref()
                .map_or_else(|| "the built-in demo".to_string(), |p| p.display().to_string());
            match command {
                ConfigCommand::Check => println!("{source}: OK"),
                ConfigCommand::Show => print!("# {source}\n{}", loaded.config.masked().to_toml()),
                ConfigCommand::Example | ConfigCommand::HashPin => {}
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("kiosk: the configuration has {} problem(s); nothing was changed", errors.0.len());
            ExitCode::from(2)
        }
    }
}

fn hash_pin() -> ExitCode {
    eprintln!("Type the technician PIN (4–12 digits) and press Enter:");
    let mut line = String::new();
    if let Err(err) = std::io::stdin().read_line(&mut line) {
        eprintln!("kiosk: cannot read the PIN: {err}");
        return ExitCode::from(2);
    }
    let pin = line.trim();
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        eprintln!("kiosk: a technician PIN is 4 to 12 digits");
        return ExitCode::from(2);
    }
    match kiosk_core::pin::hash(pin) {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("kiosk: {err}");
            ExitCode::from(1)
        }
    }
}

fn run_gui(cli: &Cli) -> ExitCode {
    let loaded = match load_config(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("kiosk: refusing to start with an invalid configuration (see `kiosk config check`)");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "kiosk: no display found (neither WAYLAND_DISPLAY nor DISPLAY is set).\n\
             Run it in a graphical session, under the cage kiosk compositor, or under Xvfb:\n    \
             Xvfb :99 -screen 0 1280x800x24 & DISPLAY=:99 kiosk"
        );
        return ExitCode::from(3);
    }
    let config = loaded.config;
    let _log_guard = logging::init(&config.logging, &config.storage.resolved_data_dir());
    match &loaded.source {
        Some(path) => tracing::info!(config = %path.display(), "starting"),
        None => tracing::info!("starting the demo (no configuration file)"),
    }
    let fullscreen = cli.gui.fullscreen().unwrap_or(config.terminal.fullscreen);
    let overrides = Overrides { language: cli.gui.lang, fullscreen: Some(fullscreen) };
    let client = match kiosk::runtime::ils_client_config(&config) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("kiosk: {error:#}");
            return ExitCode::from(1);
        }
    };
    let data_dir = config.storage.resolved_data_dir();
    let devices = match kiosk::runtime::devices::specs(&config, &data_dir) {
        Ok(specs) => kiosk::runtime::devices::Devices::start(specs),
        Err(error) => {
            eprintln!("kiosk: {error:#}");
            return ExitCode::from(2);
        }
    };
    let store = match kiosk_core::Store::open_in(&data_dir) {
        Ok(store) => store,
        Err(error) => {
            tracing::error!(%error, "the journal could not be opened");
            eprintln!("kiosk: the journal in {} could not be opened: {error}", data_dir.display());
            return ExitCode::from(1);
        }
    };
    let probe = Arc::new(client.clone());
    let circulation = kiosk::runtime::circulation::Circulation::new(
        &config,
        store,
        kiosk_sip2::client::Client::new(client),
    );
    let circulation = Arc::new(tokio::sync::Mutex::new(circulation));
    let services = Services {
        devices: Some(devices),
        sync: Some(SyncWorker {
            circulation: circulation.clone(),
            probe,
            every: std::time::Duration::from_secs(u64::from(config.ils.heartbeat_secs)),
        }),
        circulation: Some(circulation),
        clock: None,
        ils: None,
        disk: None,
    };
    let config = Arc::new(config);
    let window = iced::window::Settings {
        size: iced::Size::new(1280.0, 800.0),
        min_size: Some(iced::Size::new(800.0, 480.0)),
        fullscreen,
        decorations: !fullscreen,
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: "kiosk".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let result = iced::application(
        move || App::boot(config.clone(), overrides.clone(), services.clone()),
        App::update,
        App::view,
    )
    .title(App::title)
    .theme(App::theme)
    .subscription(App::subscription)
    .font(fonts::CJK_FONT_BYTES)
    .default_font(fonts::DEFAULT)
    .window(window)
    .run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "the screen could not run");
            eprintln!("kiosk: the screen could not run: {err}");
            ExitCode::from(1)
        }
    }
}
