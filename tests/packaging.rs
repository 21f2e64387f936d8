//! The package's pieces stay in step with the code: the udev rules with the device
//! profiles, the package's asset list with the files in the tree, the unit with what the
//! kiosk does under systemd. (`packaging/check` builds and installs the package itself.)

use std::path::Path;

#[test]
fn the_udev_rules_are_the_ones_the_profiles_make() {
    let packaged = std::fs::read_to_string("packaging/udev/60-kiosk.rules").unwrap();
    assert_eq!(
        packaged,
        kiosk_hardware::profile::udev_rules(),
        "regenerate with: cargo run -- devices --udev-rules > packaging/udev/60-kiosk.rules"
    );
}

#[test]
fn every_packaged_file_exists() {
    let manifest: toml::Table = std::fs::read_to_string("Cargo.toml").unwrap().parse().unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    let assets = deb["assets"].as_array().unwrap();
    assert!(assets.len() >= 5);
    for asset in assets {
        let source = asset[0].as_str().unwrap();
        if source.starts_with("target/") {
            continue;
        }
        assert!(Path::new(source).is_file(), "{source} is in the package but not in the tree");
    }
    let scripts = deb["maintainer-scripts"].as_str().unwrap();
    for script in ["postinst", "prerm", "postrm"] {
        let path = Path::new(scripts).join(script);
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o111, 0o111, "{} must be executable", path.display());
    }
    assert_eq!(deb["conf-files"].as_array().unwrap()[0].as_str(), Some("/etc/kiosk/kiosk.toml"));
}

#[test]
fn the_unit_waits_for_the_kiosk_and_watches_it() {
    let unit = std::fs::read_to_string("packaging/systemd/kiosk.service").unwrap();
    for line in [
        "Type=notify",
        "NotifyAccess=all",
        "User=kiosk",
        "TTYPath=/dev/tty1",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/kiosk",
        "NoNewPrivileges=yes",
        "Restart=always",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing from the unit");
    }
    let watchdog: u64 = unit.lines().find_map(|l| l.strip_prefix("WatchdogSec=")).unwrap().parse().unwrap();
    assert!(watchdog >= 10, "the kiosk feeds the watchdog at half of WatchdogSec");
    // The data directory the unit allows is the one the packaged configuration uses.
    let config = kiosk_core::Config::load(Path::new("packaging/kiosk.toml")).unwrap();
    assert_eq!(config.storage.resolved_data_dir(), Path::new("/var/lib/kiosk"));
}
