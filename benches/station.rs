//! Rest-station figures: a check-in (salted card hash, occupancy, durable insert), a card
//! scan that finds the visitor's open visit, and statistics over a busy month.

use std::hint::black_box;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosk_core::config::StationConfig;
use kiosk_core::station::stats::{self, Period};
use kiosk_core::station::{CardScan, Station};
use kiosk_core::store::Store;

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap().and_hms_opt(6, 0, 0).unwrap()
}

fn check_ins(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let config = StationConfig { capacity: 1000, ..StationConfig::default() };
    let station = Station::open(&store, &config).unwrap();
    let mut group = c.benchmark_group("station");
    group.throughput(Throughput::Elements(1));
    let mut minute = 0i64;
    group.bench_function("card check-in and check-out (two durable writes, occupancy)", |b| {
        b.iter(|| {
            minute += 1;
            let at = start() + Duration::minutes(minute);
            let card = format!("GH32010{:05}", minute % 997);
            let CardScan::ChooseTrade { card_hash, .. } = station.scan(&card, at).unwrap() else {
                panic!("the card is not checked in")
            };
            station.check_in("courier", Some(card_hash), &["water".into()], at).unwrap();
            black_box(station.scan(&card, at + Duration::seconds(30)).unwrap());
        })
    });
    group.finish();
}

fn month_statistics(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let config = StationConfig { capacity: 1000, ..StationConfig::default() };
    let station = Station::open(&store, &config).unwrap();
    let trades = ["courier", "delivery", "sanitation", "traffic-police", "other"];
    // A busy month: 300 visits a day, a third with cards.
    for index in 0..9_000i64 {
        let at = start() + Duration::minutes(index * 4 + index % 7);
        let card = (index % 3 == 0).then(|| station.hash(&format!("GH{}", index % 400)));
        station.check_in(trades[index as usize % trades.len()], card, &["water".into()], at).unwrap();
        station.close_expired(at).unwrap();
    }
    let mut group = c.benchmark_group("station");
    group.throughput(Throughput::Elements(9_000));
    group.bench_function("month statistics from the store (9,000 visits)", |b| {
        b.iter(|| black_box(stats::for_period(&store, &config, Period::Month, start().date()).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, check_ins, month_statistics);
criterion_main!(benches);
