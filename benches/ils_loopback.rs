//! Circulation throughput between the kiosk's SIP2 client and the built-in ILS emulator
//! over loopback TCP, with 1 and with 8 connections (checksums on, emulator on a SQLite
//! file in WAL mode). Each iteration is one checkout followed by the return of the same
//! book, so the catalog stays in the same state; checkouts per second equal cycles per
//! second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Local;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosk_core::ils::emulator::Emulator;
use kiosk_core::ils::{client_config, sip_date};
use kiosk_core::store::catalog::CatalogStore;
use kiosk_sip2::Message;
use kiosk_sip2::client::Client;
use kiosk_sip2::messages::{Checkin, Checkout};
use kiosk_sip2::server::{ServerConfig, serve};

fn bench(c: &mut Criterion) {
    // Clients on one thread and the emulator on another: one per core.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let now = Local::now().naive_local();
    let store = CatalogStore::open(&dir.path().join("ils.sqlite3"), now).unwrap();
    let patrons: Vec<String> =
        store.patron_list().unwrap().into_iter().map(|(barcode, _)| barcode).take(4).collect();
    let items: Vec<String> = store.shelf_items("WCP").unwrap();
    let emulator = Arc::new(Emulator::new(
        store,
        Box::new(|| Local::now().naive_local()),
        ("kiosk".into(), "kiosk".into()),
        "WCP".into(),
    ));
    // The emulator serves on its own thread, as in the demo.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let _server = std::thread::Builder::new().name("ils-server".into()).spawn(move || {
        let server = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        server.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let config = ServerConfig { inline_backend: true, ..ServerConfig::default() };
            serve(listener, emulator, config, None, std::future::pending()).await;
        });
    });
    let ils = kiosk_core::config::IlsConfig::default();
    let config = client_config(&ils, "127.0.0.1", address.port(), 48);

    let mut group = c.benchmark_group("ils-loopback");
    group.measurement_time(Duration::from_secs(8));
    for connections in [1usize, 8] {
        let clients: Vec<Client> = runtime.block_on(async {
            let mut clients = Vec::new();
            for _ in 0..connections {
                clients.push(Client::connect(config.clone()).await.unwrap());
            }
            clients
        });
        let clients: Vec<Arc<tokio::sync::Mutex<Client>>> =
            clients.into_iter().map(|c| Arc::new(tokio::sync::Mutex::new(c))).collect();
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("checkout+checkin/{connections} connection(s)"), |b| {
            b.iter_custom(|iterations| {
                runtime.block_on(async {
                    let started = Instant::now();
                    let mut tasks = Vec::new();
                    for (index, client) in clients.iter().enumerate() {
                        let client = client.clone();
                        let share = iterations / connections as u64
                            + u64::from((index as u64) < iterations % connections as u64);
                        let patron = patrons[index % patrons.len()].clone();
                        let item = items[index].clone();
                        tasks.push(tokio::spawn(async move {
                            let mut client = client.lock().await;
                            for _ in 0..share {
                                let date = sip_date(Local::now().naive_local());
                                let loan = Message::from(Checkout {
                                    transaction_date: date,
                                    institution_id: "WCP".into(),
                                    patron_identifier: patron.as_str().into(),
                                    item_identifier: item.as_str().into(),
                                    ..Default::default()
                                });
                                let reply =
                                    client.request(&loan).await.unwrap_or_else(|e| panic!("checkout: {e}"));
                                let Message::CheckoutResponse(reply) = reply else { panic!("not a 12") };
                                assert!(reply.ok, "{reply:?}");
                                let back = Message::from(Checkin {
                                    transaction_date: date,
                                    institution_id: "WCP".into(),
                                    item_identifier: item.as_str().into(),
                                    ..Default::default()
                                });
                                client.request(&back).await.unwrap();
                            }
                        }));
                    }
                    for task in tasks {
                        task.await.unwrap();
                    }
                    started.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
