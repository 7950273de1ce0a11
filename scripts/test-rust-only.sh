#!/usr/bin/env bash
# Proves TESTING.md's promise that a plain `cargo test` passes on a machine
# with nothing but Rust: runs it as an unprivileged user whose PATH holds
# only the Rust toolchain and the C linker, with the outside tools the
# extra tests use (xmllint, promtool, python3, capsh, strace) made
# unrunnable even by absolute path.
#
#   sudo bash scripts/test-rust-only.sh [CARGO TEST ARGS...]
#
# As root, once: creates the user `tester` (useradd -m), copies the
# checkout (without target/ and .git) to ~tester/posture and the cargo registry to
# ~tester/.cargo (so the build needs no network and no access to /root),
# and fills ~tester/bin with links to cargo, rustc, rustdoc and cc, as, ld,
# ar (the linker, and the C compiler one build script uses). Then, in a
# private mount namespace (nothing changes outside it): the toolchain is
# bound at /opt/posture-rust, /dev/null is bound over every copy of the
# tools above, and `cargo test` runs as tester with
# `env -i PATH=~tester/bin HOME=~tester CARGO_HOME=~tester/.cargo`.
# The target dir (~tester/target) is kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-rust-only.sh: run as root (it creates a user and a mount namespace)" >&2
  exit 1
fi
SRC=$(pwd)
TOOLCHAIN=$(rustc --print sysroot)
CARGO_REGISTRY=${CARGO_HOME:-$HOME/.cargo}/registry
U=tester
id "$U" >/dev/null 2>&1 || useradd -m "$U"
H=$(getent passwd "$U" | cut -d: -f6)

rm -rf "$H/posture"
mkdir -p "$H/posture" "$H/bin" "$H/.cargo" "$H/target" /opt/posture-rust
tar -C "$SRC" --exclude=./target --exclude=./.git -cf - . | tar -C "$H/posture" -xf -
if [ ! -d "$H/.cargo/registry" ]; then
  cp -a "$CARGO_REGISTRY" "$H/.cargo/registry"
fi
rm -f "$H/bin"/*
for t in cargo rustc rustdoc; do ln -s "/opt/posture-rust/bin/$t" "$H/bin/$t"; done
for t in cc as ld ar; do ln -s "$(command -v "$t")" "$H/bin/$t"; done
chown -R "$U:$U" "$H/posture" "$H/bin" "$H/.cargo" "$H/target"

# Every copy of the outside tools, by absolute path (Debian has merged /usr).
MASK=()
for dir in /usr/bin /usr/sbin /usr/local/bin /usr/local/sbin; do
  for t in xmllint promtool python3 'python3.*' capsh strace; do
    for f in "$dir"/$t; do
      [ -f "$f" ] && MASK+=("$f")
    done
  done
done

echo "test-rust-only: PATH=$H/bin holds: $(ls "$H/bin" | tr '\n' ' ')" >&2
echo "test-rust-only: /dev/null bound over: ${MASK[*]}" >&2

unshare -m --propagation private bash -euo pipefail -c '
  mount --bind "$1" /opt/posture-rust
  shift
  H=$1; U=$2; shift 2
  while [ "$1" != -- ]; do
    mount --bind /dev/null "$1"
    # Refuse to go on unless the tool is really out of reach for the user.
    if setpriv --reuid="$U" --regid="$U" --init-groups "$1" --version >/dev/null 2>&1; then
      echo "test-rust-only: $1 still runs" >&2
      exit 1
    fi
    shift
  done
  shift
  cd "$H/posture"
  exec setpriv --reuid="$U" --regid="$U" --init-groups \
    env -i HOME="$H" USER="$U" PATH="$H/bin" CARGO_HOME="$H/.cargo" \
      CARGO_TARGET_DIR="$H/target" CARGO_TERM_COLOR=never \
      cargo test "$@"
' bash "$TOOLCHAIN" "$H" "$U" "${MASK[@]}" -- "$@"
