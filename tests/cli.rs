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
