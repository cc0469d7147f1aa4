#!/bin/sh
# Remakes the README screenshots of the HTML report with headless Chromium
# (Debian package `chromium`). Run from the repository root.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { cargo run --quiet --locked -- "$@" 2>/dev/null; }
run scan --mock mock/acme --format json --out "$tmp/base"
run scan --mock mock/acme --waivers examples/waivers.yaml --out "$tmp/acme"
run scan --mock mock/scenarios/monitoring.yaml --baseline "$tmp/base/result.json" \
    --waivers examples/waivers.yaml --out "$tmp/changes"
shot() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --hide-scrollbars \
        --window-size="$1" --screenshot="$2" "file://$3" 2>/dev/null
}
mkdir -p docs/img
shot 1280,1400 docs/img/report-summary.png "$tmp/acme/report.html"
shot 1280,1300 docs/img/report-changes.png "$tmp/changes/report.html"
