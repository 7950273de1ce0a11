#!/bin/sh
# Whole-process cost, with hyperfine: the posture CLI (text mode, static
# release build) against `capsh --print`, and against the floor of its reads
# as a process of its own (benches/floor_reader.rs, static release build, fed
# the exact syscalls one posture() call makes here, as the posture bench
# derives them). Prints the machine, hyperfine's table, and the medians of the
# three run in turns (benches/interleave.py): hyperfine runs each command's
# runs in one block, and on a shared VM the blocks drift apart.
#
#   benches/compare-capsh.sh     # needs hyperfine (apt-get install hyperfine), capsh (libcap2-bin), python3
set -eu
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-1000}
target=x86_64-unknown-linux-gnu
for tool in hyperfine capsh python3; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --quiet --release --bin posture --target "$target"
bin="target/$target/release/posture"
# A bench target's binary has a hashed name: take it from cargo's own report.
floor_bin=$(RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build --quiet --release --bench floor_reader --target "$target" --message-format=json |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "floor_reader" and m.get("executable"):
        print(m["executable"])')
ops=$(mktemp)
md=$(mktemp)
trap 'rm -f "$ops" "$md"' EXIT
POSTURE_BENCH_PRINT_FLOOR=1 cargo bench --quiet --bench posture >"$ops"
echo "date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bin ($(stat -c %s "$bin") bytes, $(file -b "$bin" | cut -d, -f1-2))"
echo "floor:   $(wc -l <"$ops") operations"
echo
# shellcheck disable=SC2046 # one argument per operation (paths have no spaces)
hyperfine --warmup 20 --min-runs 500 -N --style basic \
    --export-markdown "$md" \
    "$bin --color never" \
    "capsh --print" \
    "$floor_bin $(tr '\n' ' ' <"$ops")" >/dev/null
sed "s|\`$floor_bin [^\`]*\`|floor_reader (the same syscalls, no parsing)|" "$md"
echo
echo "In turns, $rounds rounds (benches/interleave.py), milliseconds:"
echo
echo "| command | median | p25 | p75 |"
echo "|:---|---:|---:|---:|"
python3 benches/interleave.py "$rounds" "$bin --color never" "capsh --print" \
    "$floor_bin $(tr '\n' ' ' <"$ops")" |
    sed "s|$floor_bin [^|]*|floor_reader (the same syscalls, no parsing) |"
