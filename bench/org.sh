#!/usr/bin/env bash
# Organization benchmark: an organization of 50 member accounts (and the
# management account) made in moto, each seeded through its own assumed
# role, scanned across 4 regions through a proxy that adds 50 ms to every
# call and answers from a recording of moto (so moto's own time per call
# does not count). AUDITSCOPE_BENCH_ACCOUNTS=N changes the member count.
# Prints wall time against the bound (rounds of --max-accounts x the
# per-account critical path), API calls per account and memory.
# Needs the README's test set-up (.venv with moto).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --locked --test suite -- --ignored --nocapture bench_org_scan 2>&1 \
  | grep -E "org scan|test result|panicked"
