#!/bin/sh
# Whole-process cost: the posture CLI (text mode, static release build) against
# `capsh --print`, with hyperfine. Prints hyperfine's table and the machine.
#
#   benches/compare-capsh.sh            # needs hyperfine (apt-get install hyperfine), capsh (libcap2-bin)
set -eu
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --quiet --release --example posture --target "$target"
bin="target/$target/release/examples/posture"
for tool in hyperfine capsh; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bin ($(stat -c %s "$bin") bytes, $(file -b "$bin" | cut -d, -f1-2))"
echo
md=$(mktemp)
trap 'rm -f "$md"' EXIT
hyperfine --warmup 20 --min-runs 300 -N --style basic \
    --export-markdown "$md" \
    "$bin --color never" \
    "capsh --print" >/dev/null
cat "$md"
