//! The systemd service protocol, without a library: `READY=1` once the first screen is up,
//! `WATCHDOG=1` from the UI loop so a hung screen gets the kiosk restarted, and whether
//! stderr goes to the journal.
//!
//! Under cage the kiosk is the compositor's child, not the service's main process; the
//! unit sets `NotifyAccess=all` so systemd accepts its messages.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

/// Sends `state` (e.g. `READY=1`) to systemd; `false` when not run by systemd with a
/// notify socket. Errors are logged, never fatal: the kiosk works without systemd.
pub fn notify(state: &str) -> bool {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else { return false };
    match notify_to(&socket.to_string_lossy(), state) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, state, "systemd could not be told");
            false
        }
    }
}

/// Sends `state` to the notify socket at `socket`: a path, or `@name` for an abstract one.
pub fn notify_to(socket: &str, state: &str) -> io::Result<()> {
    let sender = UnixDatagram::unbound()?;
    if let Some(name) = socket.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        sender.send_to_addr(state.as_bytes(), &address)?;
    } else {
        sender.send_to(state.as_bytes(), socket)?;
    }
    Ok(())
}

/// How often to feed the watchdog: half of `WATCHDOG_USEC`, when systemd set one.
pub fn watchdog_interval() -> Option<Duration> {
    parse_watchdog(std::env::var("WATCHDOG_USEC").ok().as_deref())
}

fn parse_watchdog(usec: Option<&str>) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    Some(Duration::from_micros(usec / 2))
}

/// Whether stderr is connected to the journal (systemd sets `JOURNAL_STREAM`): log lines
/// then go without colours or timestamps, which the journal adds itself.
pub fn logs_to_journal() -> bool {
    std::env::var_os("JOURNAL_STREAM").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_reach_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let receiver = UnixDatagram::bind(&path).unwrap();
        notify_to(path.to_str().unwrap(), "READY=1").unwrap();
        let mut buffer = [0u8; 64];
        let n = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"READY=1");
    }

    #[test]
    fn messages_reach_an_abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("kiosk-test-{}", std::process::id());
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let receiver = UnixDatagram::bind_addr(&address).unwrap();
        notify_to(&format!("@{name}"), "WATCHDOG=1").unwrap();
        let mut buffer = [0u8; 64];
        let n = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"WATCHDOG=1");
    }

    #[test]
    fn a_missing_socket_is_an_error_not_a_panic() {
        assert!(notify_to("/nonexistent/notify", "READY=1").is_err());
    }

    #[test]
    fn the_watchdog_is_fed_at_half_its_timeout() {
        assert_eq!(parse_watchdog(Some("30000000")), Some(Duration::from_secs(15)));
        assert_eq!(parse_watchdog(Some("0")), None);
        assert_eq!(parse_watchdog(Some("soon")), None);
        assert_eq!(parse_watchdog(None), None);
    }
}
