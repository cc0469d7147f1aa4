#!/usr/bin/env bash
# The merge step of a sharded organization scan, end to end: synthetic
# organizations of N accounts x 17 regions (bench/mockgen.py) split into
# K shard files, then `auditscope merge` of the shards, and `auditscope
# scan` of the merged snapshot, release build. Prints wall time and peak
# memory (max RSS) of each; with WHOLE=1, also of the merge read whole
# (AUDITSCOPE_SNAPSHOT_IN_MEMORY=1), for comparison; SCAN=0 skips the scan.
# Usage: bench/merge.sh [N ...]   (default: 1000; K from SHARDS, default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shards=${SHARDS:-4}
measure() {
  local label=$1
  shift
  /usr/bin/time -f "  $label: wall %e s, user %U s, peak RSS %M KiB" "$@" 2>&1 >/dev/null |
    grep -E "^  $label:|^error|^warning" || true
}
for n in "${@:-1000}"; do
  python3 bench/mockgen.py --synthetic "$n" --shards "$shards" "$work/shard.json"
  echo "== $n accounts x 17 regions in $shards shards ($(du -ch "$work"/shard-*.json | tail -1 | cut -f1))"
  measure merge ./target/release/auditscope merge "$work"/shard-*.json --out "$work/merged.json"
  if [ "${WHOLE:-0}" = 1 ]; then
    AUDITSCOPE_SNAPSHOT_IN_MEMORY=1 measure "merge read whole" \
      ./target/release/auditscope merge "$work"/shard-*.json --out "$work/whole.json"
    cmp "$work/merged.json" "$work/whole.json" && echo "  the two merged snapshots are identical"
    rm -f "$work/whole.json"
  fi
  if [ "${SCAN:-1}" = 1 ]; then
    measure "scan of the merged snapshot" ./target/release/auditscope scan \
      --snapshot "$work/merged.json" --out "$work/out-$n"
  fi
  rm -rf "$work"/shard-*.json "$work/merged.json" "$work/out-$n"
done
