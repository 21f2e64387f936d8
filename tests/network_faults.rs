//! 2,000 queued transactions drain through a TCP proxy that drops connections, delays and
//! corrupts bytes; every transaction reaches the library system's backend exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use kiosk::runtime::circulation::{Circulation, Outcome};
use kiosk_core::Config;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::catalog::CatalogStore;
use kiosk_core::store::{JournalState, Store};
use kiosk_sip2::client::Client;
use kiosk_sip2::messages::*;
use kiosk_sip2::server::{Backend, ConnectionInfo, ServerConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 15).unwrap().and_hms_opt(8, 0, 0).unwrap()
}

/// The emulator, counting each executed loan and return by (kind, item, date).
struct Counting {
    inner: Emulator,
    executed: Mutex<HashMap<(&'static str, String, String), u32>>,
}

impl Counting {
    fn count(&self, kind: &'static str, item: &str, date: &kiosk_sip2::types::SipDate) {
        *self.executed.lock().unwrap().entry((kind, item.to_string(), date.to_string())).or_default() += 1;
    }
}

impl Backend for Counting {
    fn login(&self, c: &ConnectionInfo, r: &Login) -> LoginResponse {
        self.inner.login(c, r)
    }
    fn status(&self, c: &ConnectionInfo, r: &ScStatus) -> AcsStatus {
        self.inner.status(c, r)
    }
    fn patron_status(&self, c: &ConnectionInfo, r: &PatronStatusRequest) -> PatronStatusResponse {
        self.inner.patron_status(c, r)
    }
    fn patron_information(&self, c: &ConnectionInfo, r: &PatronInformation) -> PatronInformationResponse {
        self.inner.patron_information(c, r)
    }
    fn checkout(&self, c: &ConnectionInfo, r: &Checkout) -> CheckoutResponse {
        self.count("checkout", &r.item_identifier, &r.transaction_date);
        self.inner.checkout(c, r)
    }
    fn checkin(&self, c: &ConnectionInfo, r: &Checkin) -> CheckinResponse {
        self.count("checkin", &r.item_identifier, &r.transaction_date);
        self.inner.checkin(c, r)
    }
    fn renew(&self, c: &ConnectionInfo, r: &Renew) -> RenewResponse {
        self.inner.renew(c, r)
    }
    fn renew_all(&self, c: &ConnectionInfo, r: &RenewAll) -> RenewAllResponse {
        self.inner.renew_all(c, r)
    }
    fn item_information(&self, c: &ConnectionInfo, r: &ItemInformation) -> ItemInformationResponse {
        self.inner.item_information(c, r)
    }
    fn end_session(&self, c: &ConnectionInfo, r: &EndPatronSession) -> EndSessionResponse {
        self.inner.end_session(c, r)
    }
}

/// Forwards bytes both ways, and now and then drops the connection, delays a chunk, or
/// flips a bit (never in a terminator, so frames stay framed).
async fn faulty_proxy(upstream: std::net::SocketAddr, seed: Arc<AtomicU64>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else { return };
            let Ok(server) = TcpStream::connect(upstream).await else { continue };
            let seed = seed.clone();
            tokio::spawn(async move {
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let upward = {
                    let seed = seed.clone();
                    async move {
                        let mut buffer = [0u8; 2048];
                        loop {
                            let n = match client_read.read(&mut buffer).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if !mangle(&mut buffer[..n], &seed).await
                                || server_write.write_all(&buffer[..n]).await.is_err()
                            {
                                return;
                            }
                        }
                    }
                };
                let downward = async move {
                    let mut buffer = [0u8; 2048];
                    loop {
                        let n = match server_read.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if !mangle(&mut buffer[..n], &seed).await
                            || client_write.write_all(&buffer[..n]).await.is_err()
                        {
                            return;
                        }
                    }
                };
                tokio::select! {
                    () = upward => {}
                    () = downward => {}
                }
            });
        }
    });
    port
}

/// Applies a random fault to a chunk; `false` = drop the connection.
async fn mangle(chunk: &mut [u8], seed: &AtomicU64) -> bool {
    let roll =
        seed.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::SeqCst).wrapping_mul(0xD1B5_4A32_D192_ED03) >> 40;
    match roll % 100 {
        0..=2 => false,
        3..=7 => {
            tokio::time::sleep(Duration::from_millis(20 + roll % 150)).await;
            true
        }
        8..=9 => {
            let position = (roll as usize / 100) % chunk.len();
            if chunk[position] != b'\r' && chunk[position] != b'\n' {
                chunk[position] ^= 0x01;
            }
            true
        }
        _ => true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_queued_transactions_drain_through_a_faulty_network_exactly_once() {
    // Record 2,000 transactions while the ILS is down: loans and returns of 20 books.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.offline.max_items_per_patron = 50;
    let catalog = CatalogStore::in_memory(start()).unwrap();
    let patron = catalog.patron_list().unwrap()[0].0.clone();
    let books: Vec<String> = catalog.shelf_items("WCP").unwrap().into_iter().take(20).collect();
    let make_client = |port: u16| {
        let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
        client.connect_timeout = Duration::from_millis(500);
        client.session.timeout = Duration::from_millis(300);
        client.session.retries = 2;
        Client::new(client)
    };
    let mut offline = Circulation::new(&config, Store::open_in(dir.path()).unwrap(), make_client(down));
    let mut at = start();
    for round in 0..100 {
        for book in &books {
            at += chrono::Duration::seconds(1);
            let outcome = if round % 2 == 0 {
                offline.checkout(&patron, book, at).await.unwrap()
            } else {
                offline.checkin(book, at).await.unwrap()
            };
            assert!(matches!(outcome, Outcome::Queued { .. }), "{outcome:?}");
        }
    }
    drop(offline);
    let queued = Store::open_in(dir.path()).unwrap().journal_counts().unwrap().pending;
    assert_eq!(queued, 2000);

    // The ILS comes back, behind a network that drops, delays and corrupts.
    let backend = Arc::new(Counting {
        inner: Emulator::new(catalog, Box::new(start), ("kiosk".into(), "kiosk".into()), "WCP".into()),
        executed: Mutex::default(),
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, backend.clone(), ServerConfig::default(), None, std::future::pending()));
    let proxy = faulty_proxy(upstream, Arc::new(AtomicU64::new(7))).await;
    let mut online = Circulation::new(&config, Store::open_in(dir.path()).unwrap(), make_client(proxy));
    let mut passes = 0;
    while online.counts().unwrap().queued() > 0 {
        passes += 1;
        assert!(passes < 2000, "the queue does not drain");
        let _ = online.sync_once(at).await.unwrap();
    }

    eprintln!("drained in {passes} sync passes through the faulty network");
    let journal = online.store().journal_all().unwrap();
    assert_eq!(journal.len(), 2000);
    assert!(journal.iter().all(|e| e.state == JournalState::Done), "every queued row is accepted");
    let executed = backend.executed.lock().unwrap();
    let total: u32 = executed.values().sum();
    assert_eq!(executed.len(), 2000, "every transaction reached the backend");
    assert_eq!(total, 2000, "none twice ({} passes through the faulty network)", passes);
    let loans = backend.inner.store().loans().unwrap();
    assert!(
        books.iter().all(|b| !loans.iter().any(|(item, _)| item == b)),
        "the last round returned every book"
    );
}
