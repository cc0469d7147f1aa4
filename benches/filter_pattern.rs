//! The filter-pattern matcher: the 17 alarm checks' recommended patterns
//! against 100,000 CloudTrail records (the 130 sample records of
//! `checks/events/`, each repeated with its own event id, time and source
//! address). Goal: at least 1 million pattern-event evaluations per second
//! on one core; criterion reports elements (evaluations) per second.

use auditscope::checks::load_dir;
use auditscope::filter_pattern::{parse, Pattern};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use std::path::Path;

fn bench(c: &mut Criterion) {
    let catalogue = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("checks"))
        .unwrap_or_else(|d| panic!("{d}"));
    let sources: Vec<&str> = catalogue
        .checks
        .iter()
        .filter_map(|c| c.monitor.as_ref().map(|m| m.pattern.as_str()))
        .collect();
    assert_eq!(sources.len(), 17, "one pattern per alarm check");
    let patterns: Vec<Pattern> = sources
        .iter()
        .map(|p| parse(p).unwrap_or_else(|e| panic!("{}", e.caret())))
        .collect();
    let samples: Vec<&Value> = catalogue.events.values().map(|e| &e.record).collect();
    let events: Vec<Value> = (0..100_000)
        .map(|i| {
            let mut record = samples[i % samples.len()].clone();
            record["eventID"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
            record["eventTime"] = json!(format!(
                "2026-11-20T{:02}:{:02}:{:02}Z",
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            ));
            record["sourceIPAddress"] = json!(format!("198.51.{}.{}", i / 256 % 256, i % 256));
            record
        })
        .collect();
    let mut group = c.benchmark_group("filter-pattern");
    group.sample_size(10);
    group.throughput(Throughput::Elements((patterns.len() * events.len()) as u64));
    group.bench_function("17-patterns-x-100k-events", |b| {
        b.iter(|| {
            let mut matched = 0usize;
            for event in &events {
                for pattern in &patterns {
                    matched += usize::from(pattern.matches_json(event));
                }
            }
            matched
        })
    });
    group.throughput(Throughput::Elements(sources.len() as u64));
    group.bench_function("parse-17-patterns", |b| {
        b.iter(|| sources.iter().filter_map(|p| parse(p).ok()).count())
    });
    // The worst case a member account can write: many `...` fields
    // (exponential for a backtracking matcher), against long records.
    let ellipses = parse(
        "[...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,...,x=y]",
    )
    .unwrap_or_else(|e| panic!("{}", e.caret()));
    let long: Vec<&Value> = samples.iter().copied().take(10).collect();
    group.throughput(Throughput::Elements(long.len() as u64));
    group.bench_function("20-ellipses-x-10-records", |b| {
        b.iter(|| long.iter().filter(|e| ellipses.matches_json(e)).count())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
