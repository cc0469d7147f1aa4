#!/bin/sh
# Remakes the README screenshots of the HTML report with headless Chromium
# (Debian packages `chromium` and, for the Japanese report, `fonts-noto-cjk`).
# Run from the repository root.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { cargo run --quiet --locked -- "$@" 2>/dev/null; }
run scan --mock mock/acme --format json --out "$tmp/base"
run scan --mock mock/acme --waivers examples/waivers.yaml --out "$tmp/acme"
run scan --mock mock/scenarios/monitoring.yaml --baseline "$tmp/base/result.json" \
    --waivers examples/waivers.yaml --out "$tmp/changes"
run scan --mock mock/acme --lang ja --format html --out "$tmp/ja"
shot() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --hide-scrollbars \
        --window-size="$1" --screenshot="$2" "file://$3" 2>/dev/null
}
mkdir -p docs/img
shot 1280,1400 docs/img/report-summary.png "$tmp/acme/report.html"
shot 1280,1300 docs/img/report-changes.png "$tmp/changes/report.html"
shot 1280,1500 docs/img/report-ja-1280.png "$tmp/ja/report.html"
shot 800,1500 docs/img/report-ja-800.png "$tmp/ja/report.html"
# The Japanese report printed, to look at (not committed).
chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
    --no-pdf-header-footer --print-to-pdf=out-report-ja.pdf "file://$tmp/ja/report.html" 2>/dev/null
