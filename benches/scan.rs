//! Load + evaluate + render of a synthetic organization (`bench/mockgen.py
//! --synthetic N`, 17 regions per account). `AUDITSCOPE_BENCH_ACCOUNTS`
//! picks N (default 100); `bench/run.sh` measures the whole command with
//! peak memory for N = 100 and 1,000.

use auditscope::engine::{self, RunInfo};
use auditscope::report::{Format, RenderOptions, Renderer};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;
use std::process::Command;

fn synthetic(accounts: usize) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = std::env::temp_dir().join(format!("auditscope-bench-{accounts}.json"));
    if !path.exists() {
        let output = Command::new("python3")
            .arg(root.join("bench/mockgen.py"))
            .args(["--synthetic", &accounts.to_string()])
            .output()
            .expect("python3 runs bench/mockgen.py");
        assert!(output.status.success(), "mockgen failed");
        std::fs::write(&path, output.stdout).expect("write synthetic snapshot");
    }
    path
}

fn bench(c: &mut Criterion) {
    let accounts: usize = std::env::var("AUDITSCOPE_BENCH_ACCOUNTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let path = synthetic(accounts);
    let catalogue = auditscope::checks::load_sources(&auditscope::embedded::check_sources())
        .expect("embedded checks load");
    let renderer = Renderer::new(
        None,
        std::sync::Arc::new(auditscope::i18n::Texts::load("en").expect("English")),
    )
    .expect("embedded templates");
    let mut group = c.benchmark_group(format!("scan-{accounts}-accounts"));
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| auditscope::collect::mock::load(&path).expect("snapshot loads"))
    });
    let snapshot = auditscope::collect::mock::load(&path).expect("snapshot loads");
    group.bench_function("evaluate", |b| {
        b.iter(|| engine::run(&snapshot, &catalogue, RunInfo::default()))
    });
    let result = engine::run(&snapshot, &catalogue, RunInfo::default());
    for format in [Format::Json, Format::Markdown, Format::Html] {
        group.bench_function(format!("render-{format:?}"), |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                renderer
                    .render_to(
                        format,
                        &result,
                        &catalogue,
                        &RenderOptions::default(),
                        &mut sink,
                    )
                    .expect("renders")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
