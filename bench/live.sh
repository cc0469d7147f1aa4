#!/usr/bin/env bash
# Live-collector benchmark: one account seeded into moto, collected across
# 17 regions through a proxy that adds latency to every call (default 50 ms;
# AUDITSCOPE_BENCH_LATENCY_MS to change). The first pass goes through moto
# and records its answers; the timed passes are answered from the record, so
# moto's own time per call does not count. Prints wall time, API calls and
# the critical-path bound. Needs the README's test set-up (.venv with moto).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --locked --test suite -- --ignored --nocapture bench_live_scan 2>&1 \
  | grep -E "live scan|test result"
