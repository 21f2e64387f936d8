//! Journal and circulation figures: durable journal appends (WAL, synchronous=FULL), the
//! queue draining to the ILS emulator over loopback, and the latency from a scanned
//! barcode to its outcome, online (journal + SIP2 round trip) and offline (journal only).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Local, NaiveDateTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosk::runtime::circulation::Circulation;
use kiosk_core::Config;
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::store::catalog::CatalogStore;
use kiosk_core::store::{NewTransaction, Store, TransactionKind};
use kiosk_sip2::client::Client;
use kiosk_sip2::server::{ServerConfig, serve};

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

fn journal_appends(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let mut group = c.benchmark_group("journal");
    group.throughput(Throughput::Elements(1));
    group.bench_function("durable append (WAL, synchronous=FULL)", |b| {
        b.iter(|| {
            black_box(
                store
                    .journal_append(&NewTransaction {
                        kind: TransactionKind::Checkin,
                        patron: None,
                        item: "30234000000017".into(),
                        title: None,
                        at: now(),
                        due_date: None,
                        offline: true,
                        cancel: false,
                    })
                    .unwrap(),
            )
        })
    });
    group.finish();
}

/// The emulator on its own thread, as in the demo; returns its port and usable books.
fn emulator() -> (u16, String, Vec<String>) {
    let catalog = CatalogStore::in_memory(now()).unwrap();
    let patron = catalog.patron_list().unwrap()[0].0.clone();
    let books: Vec<String> = catalog.shelf_items("WCP").unwrap().into_iter().take(5).collect();
    let emulator =
        Arc::new(Emulator::new(catalog, Box::new(now), ("kiosk".into(), "kiosk".into()), "WCP".into()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            serve(
                listener,
                emulator,
                ServerConfig { inline_backend: true, ..ServerConfig::default() },
                None,
                std::future::pending(),
            )
            .await;
        });
    });
    (port, patron, books)
}

fn circulation(config: &Config, port: u16, dir: &std::path::Path) -> Circulation {
    let mut client = kiosk_core::ils::client_config(&config.ils, "127.0.0.1", port, 48);
    client.connect_timeout = Duration::from_millis(300);
    Circulation::new(config, Store::open_in(dir).unwrap(), Client::new(client))
}

fn drain_and_latency(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (port, patron, books) = emulator();
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = Config::default();
    config.offline.max_items_per_patron = 50;

    let mut group = c.benchmark_group("circulation");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200));
    group.bench_function("drain 200 queued transactions to the emulator", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let dir = tempfile::tempdir().unwrap();
                runtime.block_on(async {
                    let mut offline = circulation(&config, down, dir.path());
                    for round in 0..40 {
                        for book in &books {
                            if round % 2 == 0 {
                                offline.checkout(&patron, book, now()).await.unwrap();
                            } else {
                                offline.checkin(book, now()).await.unwrap();
                            }
                        }
                    }
                    drop(offline);
                    let mut online = circulation(&config, port, dir.path());
                    let started = Instant::now();
                    let report = online.sync_once(now()).await.unwrap();
                    total += started.elapsed();
                    assert_eq!(report.accepted, 200, "{report:?}");
                });
            }
            total
        })
    });
    group.finish();

    let mut group = c.benchmark_group("scan-to-outcome");
    let dir = tempfile::tempdir().unwrap();
    let mut online = circulation(&config, port, dir.path());
    let book = books[0].clone();
    group.bench_function("online loan + return (journal, SIP2 round trip, journal)", |b| {
        b.iter(|| {
            runtime.block_on(async {
                black_box(online.checkout(&patron, &book, now()).await.unwrap());
                black_box(online.checkin(&book, now()).await.unwrap());
            })
        })
    });
    let offline_dir = tempfile::tempdir().unwrap();
    let mut offline = circulation(&config, down, offline_dir.path());
    // Connecting to a closed port fails at once; the cost measured is the journal.
    group.bench_function("offline return (journal only)", |b| {
        b.iter(|| runtime.block_on(async { black_box(offline.checkin(&book, now()).await.unwrap()) }))
    });
    group.finish();
}

criterion_group!(benches, journal_appends, drain_and_latency);
criterion_main!(benches);
