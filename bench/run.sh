#!/usr/bin/env bash
# End-to-end benchmark: `auditscope scan` of synthetic organizations of N
# accounts x 17 regions (bench/mockgen.py), all three formats, release build.
# Prints wall time, peak memory (max RSS) and the per-phase times the binary
# logs. Usage: bench/run.sh [N ...]   (default: 100 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${@:-100 1000}"; do
  for size in $n; do
    python3 bench/mockgen.py --synthetic "$size" "$work/syn-$size.json"
    echo "== $size accounts x 17 regions ($(du -h "$work/syn-$size.json" | cut -f1) snapshot)"
    AUDITSCOPE_LOG=info /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
      ./target/release/auditscope scan --snapshot "$work/syn-$size.json" --out "$work/out-$size" \
      2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -E "elapsed_ms|wall|findings:" | sed 's/^.*INFO auditscope[a-z:_]*: //'
    du -sh "$work/out-$size"/* | sed 's/^/  /'
  done
done
