#!/usr/bin/env bash
# Refactoring guard: every fixture's CLI output (text, --json, --check and
# --check --json under every preset, --check --format junit, coloured text)
# captured into a directory, and compared with an earlier capture.
#
#   scripts/compare-outputs.sh capture DIR     # write DIR/<fixture>/<variant>
#   scripts/compare-outputs.sh compare BEFORE  # capture into /tmp/posture-after, diff -r
#
# Builds the release CLI first (CARGO_TARGET_DIR is honoured). Exit status
# and stderr are captured too. Moves and visibility changes must keep every
# file byte-identical.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: compare-outputs.sh capture DIR | compare BEFORE [AFTER]}
target=${CARGO_TARGET_DIR:-target}
cargo build --quiet --release --all-features --bin posture
bin=$target/release/posture
presets="checklist pss-baseline pss-restricted strict"

capture() {
  local out=$1
  rm -rf "$out"
  mkdir -p "$out"
  for dir in tests/fixtures/*/; do
    [ -d "$dir/proc" ] || continue
    local name
    name=$(basename "$dir")
    local o=$out/$name
    mkdir -p "$o"
    run() { # run VARIANT ARGS...
      local v=$1
      shift
      local rc=0
      env -u POSTURE_POLICY -u POSTURE_OVERRIDE -u NO_COLOR \
        "$bin" --root "$dir" "$@" >"$o/$v.out" 2>"$o/$v.err" || rc=$?
      echo "$rc" >"$o/$v.rc"
    }
    run text
    run text-color --color always
    run json --json
    for p in $presets; do
      run "check-$p" --check --policy "$p"
      run "check-json-$p" --check --json --policy "$p"
      run "check-junit-$p" --check --format junit --policy "$p"
    done
    run check-default --check
  done
}

case $mode in
  capture) capture "${2:?DIR}" ;;
  compare)
    before=${2:?BEFORE}
    after=${3:-/tmp/posture-after}
    capture "$after"
    if diff -r "$before" "$after" >/tmp/posture-compare.diff; then
      echo "compare-outputs: $(find "$after" -type f | wc -l) files byte-identical"
    else
      echo "compare-outputs: outputs differ (see /tmp/posture-compare.diff):" >&2
      head -40 /tmp/posture-compare.diff >&2
      exit 1
    fi
    ;;
  *) echo "usage: compare-outputs.sh capture DIR | compare BEFORE [AFTER]" >&2; exit 2 ;;
esac
