//! Encode and decode throughput for a realistic kiosk message mix (Chinese titles and
//! names, checksums on), side by side with the `sip2` crate on the same messages.
//!
//! The `sip2` crate neither writes nor checks AY/AZ; it is given the same bytes and parses
//! the trailer as ordinary fields, so the comparison favours it.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiosk_sip2::{Codec, Message};

/// A day at the kiosk: requests it sends and responses it reads.
const MIX: &[&str] = &[
    "11YN20260715    103000                  AOWCP|AA21234000123456|AB31234000654321|AC|AD1234|BON|",
    "120NNY20260715    103001AOWCP|AA21234000123456|AB31234000654321|AJ三体：地球往事|AH20260814    235900|CK001|AF借阅成功，请于 2026-08-14 前归还|",
    "09N20260715    10310020260715    103100APWCP-SELF-01|AOWCP|AB31234000654322|AC|",
    "101YNY20260715    103101AOWCP|AB31234000654322|AQWCP-MAIN|AJ活着|CLA3|CK001|AF请将此书放到预约架|CT工人文化宫分馆|CV01|CY21234000009999|DA李四|",
    "64              00120260715    103002000100000003000000000000AOWCP|AA21234000123456|AE张三丰|BZ0005|CA0003|CB0010|BLY|CQY|BHCNY|BV0.00|AU31234000654321|AU31234000654323|AU31234000654324|AF您好，张三丰|",
    "1803010120260715    103003CF00000|AH20260814    235900|AB31234000654321|AJ平凡的世界（全三册）|BGWCP|CK001|AQWCP-MAIN|APWCP-MAIN|CSI247.57/L75|",
    "98YYYYYY010003",
    "24              01920260715    103004AOWCP|AA21234000123456|AE王小明|BLY|CQY|BHCNY|BV12.50|AF有逾期罚款 12.50 元|",
];

fn frames(codec: &Codec) -> Vec<Vec<u8>> {
    MIX.iter()
        .enumerate()
        .map(|(i, text)| {
            let text = if text.starts_with("98") {
                format!(
                    "{text}20260715    1030002.00AOWCP|AM市工人文化宫图书馆|BXYYYYYYYYYYYYYYYY|ANWCP-SELF-01|"
                )
            } else {
                text.to_string()
            };
            let message = Codec { error_detection: false, ..*codec }
                .decode(text.as_bytes())
                .expect("mix decodes")
                .message;
            codec.encode(&message, Some((i % 10) as u8)).expect("mix encodes")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let codec = Codec::default();
    let wire = frames(&codec);
    let ours: Vec<Message> = wire.iter().map(|f| codec.decode(f).unwrap().message).collect();
    let texts: Vec<String> =
        wire.iter().map(|f| String::from_utf8(f[..f.len() - 1].to_vec()).unwrap()).collect();
    let theirs: Vec<sip2::Message> = texts.iter().map(|t| sip2::Message::from_sip(t).unwrap()).collect();

    let mut group = c.benchmark_group("sip2-mix");
    group.throughput(Throughput::Elements(wire.len() as u64));
    group.bench_function("decode/kiosk-sip2 (checksums verified)", |b| {
        b.iter(|| {
            for frame in &wire {
                black_box(codec.decode(black_box(frame)).unwrap());
            }
        })
    });
    group.bench_function("decode/sip2 crate", |b| {
        b.iter(|| {
            for frame in &wire {
                let text = std::str::from_utf8(black_box(&frame[..frame.len() - 1])).unwrap();
                black_box(sip2::Message::from_sip(text).unwrap());
            }
        })
    });
    group.bench_function("encode/kiosk-sip2 (checksums written)", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            for (i, message) in ours.iter().enumerate() {
                out.clear();
                codec.encode_into(black_box(message), Some((i % 10) as u8), &mut out).unwrap();
                black_box(&out);
            }
        })
    });
    group.bench_function("encode/sip2 crate", |b| {
        b.iter(|| {
            for message in &theirs {
                black_box(black_box(message).to_sip());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
