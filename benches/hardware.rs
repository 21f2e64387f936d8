//! Tag-data decoding, a 10-tag stack read through the 3M driver over a pseudo-terminal
//! with a fake reader on the other end, and receipt build + render.

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosk_hardware::escpos::render::render;
use kiosk_hardware::escpos::{Align, PaperWidth, QrErrorCorrection, ReceiptBuilder};
use kiosk_hardware::reader::fake::{FakePad, Protocol, library_book, serve};
use kiosk_hardware::reader::{HfReader, M3Reader};
use kiosk_hardware::tag::{self, SetInfo, parse_hex};
use serialport::{SerialPort, TTYPort};

fn tag_decode(c: &mut Criterion) {
    let samples: Vec<Vec<u8>> = vec![
        parse_hex("9100051cbe991a140201d0140204b34607441cb6e2e335d6830207acc09ebaa06f6b0000").unwrap(),
        parse_hex("11010131313232333334340000000000000000513e4445373035000000000000").unwrap(),
        library_book(1, "30234000000017", "平凡的世界（全三册）", Some(SetInfo { parts: 3, part: 1 })).memory,
    ];
    let mut group = c.benchmark_group("tag-data");
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.bench_function("decode (28560-2, Danish, 28560-2 with Chinese title)", |b| {
        b.iter(|| {
            for memory in &samples {
                black_box(tag::decode(black_box(memory)).unwrap());
            }
        })
    });
    group.finish();
}

fn stack_over_pty(c: &mut Criterion) {
    let (mut master, mut slave) = TTYPort::pair().expect("a pseudo-terminal pair");
    master.set_timeout(Duration::from_millis(20)).unwrap();
    slave.set_timeout(Duration::from_millis(20)).unwrap();
    let pad = Arc::new(Mutex::new(FakePad {
        tags: (1..=10).map(|n| library_book(n, &format!("302340000{n:04}0"), "活着", None)).collect(),
    }));
    serve(master, pad.clone(), Protocol::M3);
    let mut reader = M3Reader::new(slave, Duration::from_secs(2));
    let mut group = c.benchmark_group("rfid-stack");
    group.sample_size(20);
    group.bench_function("10-tag inventory + system info + read + decode (3M over a pty)", |b| {
        b.iter(|| {
            let uids = reader.inventory(None).unwrap();
            assert_eq!(uids.len(), 10);
            for uid in uids {
                let info = reader.system_info(uid).unwrap();
                let memory = reader.read_blocks(uid, 0, info.memory.map_or(28, |m| m.0 as u8)).unwrap();
                black_box(tag::decode(&memory).unwrap());
            }
        })
    });
    group.finish();
}

fn receipt(c: &mut Criterion) {
    let build = || {
        let mut r = ReceiptBuilder::new(PaperWidth::Mm80);
        r.align(Align::Center)
            .size(2, 2)
            .line("市工人文化宫图书馆")
            .size(1, 1)
            .line("借书凭条 / Loan receipt")
            .align(Align::Left);
        for n in 1..=3 {
            r.line(&format!("{n}. 平凡的世界（全三册） The Old Man and the Sea"))
                .line("   30234000000017  应还 Due 2026-08-14");
        }
        r.align(Align::Center)
            .qr(b"https://lib.example.cn/r?items=30234000000017", 5, QrErrorCorrection::Medium)
            .unwrap();
        r.line("借阅通还 · 请按时归还").cut(false);
        r.finish()
    };
    let mut group = c.benchmark_group("receipt");
    group.sample_size(20);
    group.bench_function("build", |b| b.iter(|| black_box(build())));
    let bytes = build();
    group.bench_function("render to PNG", |b| b.iter(|| black_box(render(&bytes, PaperWidth::Mm80).png())));
    group.finish();
}

criterion_group!(benches, tag_decode, stack_over_pty, receipt);
criterion_main!(benches);
