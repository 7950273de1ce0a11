#!/usr/bin/env bash
# scripts/build-static.sh — build statically linked (glibc, crt-static)
# release binaries of posture (the `posture` binary, src/bin/posture.rs) and
# of its examples (e.g. health), for copying into FROM-scratch / busybox
# container images (no libc in the image).
#
#   scripts/build-static.sh [NAME...]      default: posture
#
# A NAME with a src/bin/NAME.rs is a binary target (built into
# target/static/<triple>/release/NAME), any other an example
# (target/static/<triple>/release/examples/NAME).
#
# Builds into target/static (its own CARGO_TARGET_DIR, so the RUSTFLAGS used
# here do not invalidate the normal target/ build) and prints the absolute
# path of each binary, one per line, on stdout.  Fails if a binary is not
# static (ldd must say "not a dynamic executable" or "statically linked").
#
# Environment: CARGO (default cargo), POSTURE_STATIC_TARGET_DIR (default
# <repo>/target/static), POSTURE_STATIC_FEATURES (extra --features value).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO="${CARGO:-cargo}"
TRIPLE=x86_64-unknown-linux-gnu
TARGET_DIR="${POSTURE_STATIC_TARGET_DIR:-$REPO/target/static}"
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(posture)

# The path cargo builds NAME to, relative to the profile directory.
rel() { if [ -f "$REPO/src/bin/$1.rs" ]; then echo "$1"; else echo "examples/$1"; fi; }

[ "$(uname -m)" = x86_64 ] || { echo "build-static.sh: only x86_64 hosts are supported (got $(uname -m))" >&2; exit 1; }

args=(build --release --target "$TRIPLE" --manifest-path "$REPO/Cargo.toml")
for name in "${NAMES[@]}"; do
  if [ -f "$REPO/src/bin/$name.rs" ]; then args+=(--bin "$name"); else args+=(--example "$name"); fi
done
if [ -n "${POSTURE_STATIC_FEATURES:-}" ]; then args+=(--features "$POSTURE_STATIC_FEATURES"); fi

# stdout carries only the paths: cargo's own output goes to stderr.
CARGO_TARGET_DIR="$TARGET_DIR" RUSTFLAGS="-C target-feature=+crt-static" \
  "$CARGO" "${args[@]}" >&2

for name in "${NAMES[@]}"; do
  bin="$TARGET_DIR/$TRIPLE/release/$(rel "$name")"
  [ -x "$bin" ] || { echo "build-static.sh: $bin was not built" >&2; exit 1; }
  if ldd_out="$(ldd "$bin" 2>&1)"; then
    case "$ldd_out" in
      *"statically linked"*) ;;
      *) echo "build-static.sh: $bin is dynamically linked:" >&2; echo "$ldd_out" >&2; exit 1 ;;
    esac
  fi
  echo "$bin"
done
