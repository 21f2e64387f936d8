//! Crash safety: kiosk processes doing scripted loans and returns are killed with SIGKILL
//! at random moments, 200 times, while a separate ILS emulator process keeps running.
//! After restarts and a sync, the emulator's loans match the journal exactly, nothing is
//! left queued, and no loan was applied twice.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiosk_core::store::catalog::CatalogStore;
use kiosk_core::store::{JournalState, Store, TransactionKind};

const PATRON: &str = "20234000000019";
/// Books of this branch, on the shelf, nobody waiting.
const ITEMS: [&str; 4] = ["30234000000041", "30234000000058", "30234000000074", "30234000000082"];

fn kiosk(config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    command.arg("--config").arg(config).env_remove("RUST_LOG").stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn wait_until_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the emulator did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigkill_at_random_moments_loses_nothing_and_applies_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[ils]\nemulator = false\nport = {port}\nconnect_timeout_secs = 2\nresponse_timeout_secs = 2\nretries = 1\n\
             [storage]\ndata_dir = \"{}\"\n[logging]\nfile = false\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let emulator_db = dir.path().join("emulator.sqlite3");
    let mut emulator = kiosk(&config)
        .args(["ils-emulator", "--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(&emulator_db)
        .spawn()
        .unwrap();
    wait_until_listening(port);

    let mut random = Lcg(0x6b696f736b);
    let (mut kills, mut step) = (0, 0u64);
    while kills < 200 && step < 2000 {
        let item = ITEMS[(step / 2 % ITEMS.len() as u64) as usize];
        let mut command = kiosk(&config);
        if step % 2 == 0 {
            command.args(["ils", "checkout", "--patron", PATRON, "--item", item]);
        } else {
            command.args(["ils", "checkin", "--item", item]);
        }
        let mut child = command.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(random.below(60)));
        if child.try_wait().unwrap().is_none() {
            kill(&mut child);
            kills += 1;
        }
        step += 1;
    }
    assert_eq!(kills, 200, "the children finished too fast to be killed 200 times");

    let before = Store::open_in(&dir.path().join("data")).unwrap();
    let history: Vec<_> =
        before.journal_all().unwrap().iter().flat_map(|e| before.journal_events(e.id).unwrap()).collect();
    let settled = history
        .iter()
        .filter(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.contains("item information") || d.contains("had not applied"))
        })
        .count();
    eprintln!(
        "{step} runs, {kills} killed; journal: {:?}; {} state changes, {settled} lost answers settled",
        before.journal_counts().unwrap(),
        history.len()
    );
    drop(before);

    // Restart and drain the queue.
    for _ in 0..5 {
        let status = kiosk(&config).args(["sync", "--once"]).status().unwrap();
        assert!(status.success());
    }
    kill(&mut emulator);

    let journal = Store::open_in(&dir.path().join("data")).unwrap().journal_all().unwrap();
    assert!(!journal.is_empty());
    let open: Vec<_> = journal
        .iter()
        .filter(|e| matches!(e.state, JournalState::Pending | JournalState::InFlight))
        .collect();
    assert!(open.is_empty(), "rows still queued after the sync: {open:?}");

    // The last accepted transaction of each item decides where it is.
    let mut expected: BTreeMap<&str, bool> = ITEMS.iter().map(|i| (*i, false)).collect();
    let mut accepted_loans: BTreeMap<&str, u32> = BTreeMap::new();
    for entry in journal.iter().filter(|e| e.state == JournalState::Done) {
        let item = ITEMS.iter().find(|i| **i == entry.item).copied().expect("a scripted item");
        expected.insert(item, entry.kind == TransactionKind::Checkout);
        if entry.kind == TransactionKind::Checkout {
            *accepted_loans.entry(item).or_default() += 1;
        }
    }
    let catalog = CatalogStore::open(&emulator_db, chrono::Local::now().naive_local()).unwrap();
    let loans = catalog.loans().unwrap();
    for (item, on_loan) in &expected {
        let holder: Vec<&String> = loans.iter().filter(|(i, _)| i == item).map(|(_, p)| p).collect();
        assert_eq!(!holder.is_empty(), *on_loan, "{item}: the emulator and the journal disagree");
        if *on_loan {
            assert_eq!(holder, [PATRON]);
        }
    }
    // Each accepted loan row reached the ILS at most once (as a loan or, when the patron
    // already had it, a renewal): a second send would show as an extra event.
    let events = catalog.event_counts().unwrap();
    for item in ITEMS {
        let applied: u32 = events
            .iter()
            .filter(|(k, i, _)| i == item && (k == "checkout" || k == "renew"))
            .map(|(_, _, n)| n)
            .sum();
        let accepted = accepted_loans.get(item).copied().unwrap_or(0);
        assert!(applied <= accepted, "{item}: applied {applied} times for {accepted} accepted loan rows");
    }
}
