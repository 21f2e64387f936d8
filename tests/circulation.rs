//! Journal-first circulation against the ILS emulator over loopback: online loans and
//! returns, refusals, the offline policy, queued transactions forwarded once the ILS is
//! back, and a lost answer settled by item information instead of a second send.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use kiosk::runtime::circulation::{Circulation, Outcome};
use kiosk_core::Config;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::catalog::CatalogStore;
use kiosk_core::store::{JournalState, Store};
use kiosk_sip2::client::Client;
use kiosk_sip2::server::{ServerConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(10, 0, 0).unwrap()
}

const PATRON: &str = "20234000000019";
const BLOCKED: &str = "20234000000068";
const BOOK: &str = "30234000000041";
const HELD_BOOK: &str = "30234000000025";

/// Starts the emulator on `listener`; returns it to inspect its loans.
fn start_emulator(listener: TcpListener) -> Arc<Emulator> {
    let store = CatalogStore::in_memory(now()).unwrap();
    let emulator =
        Arc::new(Emulator::new(store, Box::new(now), ("kiosk".into(), "kiosk".into()), "WCP".into()));
    tokio::spawn(serve(listener, emulator.clone(), ServerConfig::default(), None, std::future::pending()));
    emulator
}

fn circulation(config: &Config, port: u16, dir: &std::path::Path) -> Circulation {
    let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
    client.connect_timeout = Duration::from_millis(500);
    client.session.timeout = Duration::from_millis(800);
    client.session.retries = 1;
    Circulation::new(config, Store::open_in(dir).unwrap(), Client::new(client))
}

fn loans_of(emulator: &Emulator, item: &str) -> Vec<String> {
    emulator.store().loans().unwrap().into_iter().filter(|(i, _)| i == item).map(|(_, p)| p).collect()
}

fn times_applied(emulator: &Emulator, kind: &str, item: &str) -> u32 {
    emulator
        .store()
        .event_counts()
        .unwrap()
        .into_iter()
        .filter(|(k, i, _)| k == kind && i == item)
        .map(|(_, _, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_loans_returns_and_refusals() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let emulator = start_emulator(listener);
    let dir = tempfile::tempdir().unwrap();
    let mut circulation = circulation(&Config::default(), port, dir.path());

    let loan = circulation.checkout(PATRON, BOOK, now()).await.unwrap();
    assert!(matches!(loan, Outcome::Done { due: Some(_), .. }), "{loan:?}");
    assert_eq!(loans_of(&emulator, BOOK), [PATRON]);

    let refused = circulation.checkout(BLOCKED, "30234000000058", now()).await.unwrap();
    assert!(
        matches!(refused, Outcome::Refused { ref message, .. } if message.contains("暂停")),
        "{refused:?}"
    );

    let held = circulation.checkin(HELD_BOOK, now()).await.unwrap();
    assert!(matches!(held, Outcome::Done { ref message, .. } if message.contains("预约架")), "{held:?}");

    let journal = circulation.store().journal_all().unwrap();
    let states: Vec<JournalState> = journal.iter().map(|e| e.state).collect();
    assert_eq!(states, [JournalState::Done, JournalState::Rejected, JournalState::Done]);
    assert!(journal.iter().all(|e| !e.offline));
    assert_eq!(circulation.counts().unwrap().rejected, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_then_online_forwards_each_transaction_once() {
    // A port with nothing listening yet: the ILS is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.offline.max_items_per_patron = 1;
    let mut circulation = circulation(&config, port, dir.path());

    let back = circulation.checkin(HELD_BOOK, now()).await.unwrap();
    assert!(matches!(back, Outcome::Queued { due: None, .. }), "{back:?}");
    let loan = circulation.checkout(PATRON, BOOK, now()).await.unwrap();
    let Outcome::Queued { due: Some(due), .. } = loan else { panic!("{loan:?}") };
    assert_eq!(due.date(), NaiveDate::from_ymd_opt(2026, 8, 14).unwrap());
    let over_limit = circulation.checkout(PATRON, "30234000000074", now()).await.unwrap();
    assert!(matches!(over_limit, Outcome::NotAllowed { .. }), "{over_limit:?}");
    assert_eq!(circulation.counts().unwrap().pending, 2);

    let report = circulation.sync_once(now()).await.unwrap();
    assert_eq!(report.remaining, 2);
    assert!(report.stopped.is_some());

    // The ILS comes back.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let emulator = start_emulator(listener);
    let report = circulation.sync_once(now()).await.unwrap();
    assert_eq!((report.accepted, report.rejected, report.remaining), (2, 0, 0), "{report:?}");
    assert_eq!(loans_of(&emulator, BOOK), [PATRON]);
    let again = circulation.sync_once(now()).await.unwrap();
    assert_eq!(again.accepted, 0);
    assert_eq!(times_applied(&emulator, "checkout", BOOK), 1);
    assert_eq!(times_applied(&emulator, "checkin", HELD_BOOK), 1);
    let journal = circulation.store().journal_all().unwrap();
    assert!(journal.iter().all(|e| e.offline && e.state == JournalState::Done));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_loans_can_be_forbidden() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.offline.allow_loans = false;
    let mut circulation = circulation(&config, port, dir.path());
    let loan = circulation.checkout(PATRON, BOOK, now()).await.unwrap();
    assert!(matches!(loan, Outcome::NotAllowed { ref reason } if reason.contains("off line")), "{loan:?}");
    assert!(circulation.store().journal_all().unwrap().is_empty(), "nothing recorded");
    assert!(matches!(circulation.checkin(BOOK, now()).await.unwrap(), Outcome::Queued { .. }));
}

/// A proxy that forwards to `upstream` but, while `cut` is set, closes both sides right
/// after forwarding a checkout request: the ILS applies it, the kiosk never hears back.
async fn cutting_proxy(upstream: SocketAddr, cut: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let cut = cut.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                let (mut client_buf, mut server_buf) = ([0u8; 4096], [0u8; 4096]);
                loop {
                    tokio::select! {
                        read = client.read(&mut client_buf) => {
                            let Ok(n) = read else { return };
                            if n == 0 || server.write_all(&client_buf[..n]).await.is_err() {
                                return;
                            }
                            if cut.load(Ordering::SeqCst) && client_buf[..n].starts_with(b"11") {
                                tokio::time::sleep(Duration::from_millis(200)).await;
                                return;
                            }
                        }
                        read = server.read(&mut server_buf) => {
                            let Ok(n) = read else { return };
                            if n == 0 || client.write_all(&server_buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_settled_by_item_information_not_by_sending_again() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    let emulator = start_emulator(listener);
    let cut = Arc::new(AtomicBool::new(true));
    let port = cutting_proxy(upstream, cut.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut circulation = circulation(&Config::default(), port, dir.path());

    let loan = circulation.checkout(PATRON, BOOK, now()).await.unwrap();
    assert!(matches!(loan, Outcome::Queued { .. }), "{loan:?}");
    assert_eq!(circulation.counts().unwrap().in_flight, 1, "sent, answer lost");
    assert_eq!(loans_of(&emulator, BOOK), [PATRON], "the ILS did apply it");

    cut.store(false, Ordering::SeqCst);
    let report = circulation.sync_once(now()).await.unwrap();
    assert_eq!((report.resolved, report.accepted, report.remaining), (1, 0, 0), "{report:?}");
    assert_eq!(times_applied(&emulator, "checkout", BOOK), 1, "never applied twice");
    assert_eq!(circulation.store().journal_all().unwrap()[0].state, JournalState::Done);
}
