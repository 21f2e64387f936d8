//! The command line, run as a real process.

use std::io::Write;
use std::process::{Command, Stdio};

fn kiosk() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    command.env_remove("KIOSK_CONFIG").env_remove("RUST_LOG");
    command
}

#[test]
fn version_is_printed() {
    let output = kiosk().arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("kiosk {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn config_check_names_the_bad_key_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "[terminal]\nrole = \"library\"\n\n[ils]\nport = 70000\n").unwrap();
    let output = kiosk().args(["config", "check", "--config"]).arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kiosk.toml:5: ils.port:"), "{stderr}");
}

#[test]
fn config_check_accepts_the_example_and_the_demo() {
    let output = kiosk().args(["config", "check", "--config", "packaging/kiosk.toml"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let output = kiosk().args(["config", "check"]).output().unwrap();
    assert!(output.status.success());
}

#[test]
fn config_example_is_the_packaged_file() {
    let output = kiosk().args(["config", "example"]).output().unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, std::fs::read("packaging/kiosk.toml").unwrap());
}

#[test]
fn config_show_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "[ils]\nlogin_password = \"hunter2\"\n").unwrap();
    let output = kiosk().args(["config", "show", "--config"]).arg(&path).output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("login_password = \"********\""), "{stdout}");
    assert!(!stdout.contains("hunter2"));
}

#[test]
fn hash_pin_prints_a_verifiable_hash() {
    let mut child = kiosk()
        .args(["config", "hash-pin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"13579\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let phc = String::from_utf8_lossy(&output.stdout).trim().to_string();
    assert!(kiosk_core::pin::verify("13579", &phc), "{phc}");
}

#[test]
fn gui_without_display_fails_clearly() {
    let output =
        kiosk().env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").arg("--windowed").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no display found"));
}

#[test]
fn ils_status_against_the_demo_emulator() {
    let data = tempfile::tempdir().unwrap();
    let output =
        kiosk().env("XDG_DATA_HOME", data.path()).args(["ils", "status", "--json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["command"], "98");
    let online = json["fields"].as_array().unwrap().iter().find(|f| f["name"] == "online_status").unwrap();
    assert_eq!(online["value"], "Y");
    assert!(json["round_trip_ms"].as_f64().unwrap() >= 0.0);
}

#[test]
fn ils_patron_and_item_show_the_demo_data_with_the_pin_masked() {
    let data = tempfile::tempdir().unwrap();
    let output = kiosk()
        .env("XDG_DATA_HOME", data.path())
        .args(["ils", "patron", "20234000000019", "--pin", "1234"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(
        text.contains("张伟") && text.contains("CQ valid_patron_password") && !text.contains("1234 "),
        "{text}"
    );
    let output =
        kiosk().env("XDG_DATA_HOME", data.path()).args(["ils", "item", "30234000000017"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("活着"));
    let output = kiosk().env("XDG_DATA_HOME", data.path()).args(["ils", "raw", "not sip2"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a SIP2 message"));
}

#[test]
fn ils_emulator_serves_a_configured_kiosk_and_unreachable_ils_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = kiosk()
        .env("XDG_DATA_HOME", data.path())
        .args(["ils-emulator", "--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(data.path().join("emu.sqlite3"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let config = data.path().join("kiosk.toml");
    std::fs::write(&config, format!("[ils]\nemulator = false\nport = {port}\nconnect_timeout_secs = 2\n"))
        .unwrap();
    let mut answered = None;
    for _ in 0..50 {
        let output =
            kiosk().arg("--config").arg(&config).args(["ils", "item", "30234000000025"]).output().unwrap();
        if output.status.success() {
            answered = Some(String::from_utf8_lossy(&output.stdout).to_string());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    server.kill().unwrap();
    let _ = server.wait();
    assert!(answered.expect("the emulator answers").contains("许三观卖血记"));
    let output = kiosk().arg("--config").arg(&config).args(["ils", "status"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach the library system"));
}

#[test]
fn tag_decode_barcode_check_and_receipt_render() {
    let output = kiosk()
        .args(["tag", "decode", "--json", "11010131313232333334340000000000000000513e4445373035000000000000"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["format"], "ISO 28560-3 (Danish)");
    assert_eq!(json["owner_institution"], "DE-705");

    let output = kiosk().args(["tag", "decode", "77 66"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown tag data format"));

    let output = kiosk().args(["barcode", "check", "]F020234000000019"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("patron card"));

    let dir = tempfile::tempdir().unwrap();
    let mut receipt = kiosk_hardware::escpos::ReceiptBuilder::new(kiosk_hardware::escpos::PaperWidth::Mm58);
    receipt.line("还书凭条").cut(false);
    std::fs::write(dir.path().join("r.bin"), receipt.finish()).unwrap();
    let output = kiosk()
        .args(["receipt", "render", "--width", "58"])
        .arg(dir.path().join("r.bin"))
        .arg(dir.path().join("r.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 cut(s)"));
    assert_eq!(image::open(dir.path().join("r.png")).unwrap().width(), 384);
}

#[test]
fn devices_lists_without_failing() {
    let output = kiosk().args(["devices", "--json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(list.is_array());
}

/// A configuration with every kind of secret, in a fresh data directory.
fn config_with_secrets(dir: &std::path::Path) -> std::path::PathBuf {
    let hash = kiosk_core::pin::hash("975310").unwrap();
    let path = dir.join("kiosk.toml");
    std::fs::write(
        &path,
        format!(
            "[terminal]\nid = \"branch-7\"\n\n[storage]\ndata_dir = \"{}\"\n\n[ils]\nemulator = false\nhost = \"127.0.0.1\"\nport = 9\nlogin_password = \"s3cret-login\"\nterminal_password = \"s3cret-terminal\"\n\n[diagnostics]\ntechnician_pin_hash = \"{hash}\"\ntechnician_cards = [\"T99887766\"]\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn diag_prints_the_overview_and_audits_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_secrets(dir.path());
    let output = kiosk().args(["diag", "--json", "--config"]).arg(&config).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let overview: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(overview["devices"].as_array().unwrap().len(), 3);
    assert_eq!(overview["queue"]["pending"], 0);
    // No ILS listens on the configured address: the overview says so instead of failing.
    assert_eq!(overview["ils"]["online"], false);
    assert!(overview["disk"]["total_bytes"].as_u64().unwrap() > 0);
    let output = kiosk().args(["diag", "audit", "--config"]).arg(&config).output().unwrap();
    let audit = String::from_utf8_lossy(&output.stdout);
    assert!(audit.contains("diagnostics.cli"), "{audit}");
}

#[test]
fn diag_bundle_holds_what_a_technician_needs_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_secrets(dir.path());
    let logs = dir.path().join("data/logs");
    std::fs::create_dir_all(&logs).unwrap();
    // A log line that happens to carry a secret is blanked in the bundle too.
    std::fs::write(
        logs.join("kiosk.2026-11-29.log"),
        "2026-11-29T08:00:00.000000Z  WARN kiosk: login refused for s3cret-login\n",
    )
    .unwrap();
    let stick = dir.path().join("usb-stick");
    std::fs::create_dir(&stick).unwrap();
    let output = kiosk().args(["diag", "bundle"]).arg(&stick).arg("--config").arg(&config).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let zips: Vec<_> = std::fs::read_dir(&stick).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(zips.len(), 1);
    let name = zips[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("kiosk-support-branch-7-") && name.ends_with(".zip"), "{name}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zips[0]).unwrap()).unwrap();
    let mut names = Vec::new();
    let mut everything = String::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        names.push(file.name().unwrap().to_string());
        std::io::Read::read_to_string(&mut file, &mut everything).unwrap();
    }
    for expected in [
        "overview.txt",
        "config.toml",
        "database.txt",
        "devices.txt",
        "versions.txt",
        "logs/kiosk.2026-11-29.log",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    assert!(everything.contains("schema version"));
    assert!(everything.contains(&format!("kiosk {}", env!("CARGO_PKG_VERSION"))));
    assert!(everything.contains("login refused for ********"));
    for secret in ["s3cret-login", "s3cret-terminal", "$argon2", "T99887766", "975310"] {
        assert!(!everything.contains(secret), "{secret} is in the bundle");
    }
}

#[test]
fn diag_queue_actions_are_refused_for_unknown_rows() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_secrets(dir.path());
    let output = kiosk()
        .args(["diag", "queue", "resolve", "42", "--note", "x", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("42"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = kiosk().args(["diag", "queue", "export", "-", "--config"]).arg(&config).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("id,kind,state"));
}

#[test]
fn report_visits_writes_csv_and_refuses_a_png_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, format!("[storage]\ndata_dir = \"{}\"\n", dir.path().join("data").display()))
        .unwrap();
    let output = kiosk()
        .args(["report", "visits", "--from", "2026-07-01", "--to", "2026-07-31", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "id,checked_in,checked_out,minutes,trade,trade_name,services,visitor,checkout\r\n"
    );
    let output = kiosk()
        .args([
            "report",
            "visits",
            "--from",
            "2026-07-01",
            "--to",
            "2026-07-31",
            "--format",
            "png",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--output"));
    let output = kiosk().args(["report", "visits", "--from", "July", "--to", "2026-07-31"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a bad date is a usage error");
}
