#!/usr/bin/env bash
# Checks the minimum supported Rust version declared in Cargo.toml
# (`rust-version`) with the one toolchain this machine has (no older
# toolchain can be downloaded here):
#
#   (a) every package in the resolved graph, with all features and the
#       dev-dependencies the tests build, declares a `rust-version` no newer
#       than ours (`cargo metadata`);
#   (b) clippy's `incompatible_msrv` lint, which reads `rust-version` and
#       flags every standard-library item stabilised after it, is clean on
#       every target with every feature;
#   (c) edition 2024 needs Rust 1.85 or newer, so `rust-version` is not
#       below that.
#
# What it does NOT prove: that `cargo +<msrv> build` succeeds. Language
# features (syntax, lints that became errors, inference changes) newer than
# the MSRV are not caught by (b), and a dependency that declares no
# `rust-version` is not checked by (a) (it is listed). Only building with
# the MSRV toolchain itself proves those.
#
#   bash scripts/check-msrv.sh      (from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "check-msrv: needs python3 (apt-get install python3)" >&2; exit 1; }

# The metadata (close to 1 MB) goes through a pipe, the program through -c.
read -r -d '' CHECK <<'EOF' || true
import json, sys

meta = json.load(sys.stdin)

def ver(v):
    return tuple(int(x) for x in v.split("."))

root = meta["resolve"]["root"]
pkgs = {p["id"]: p for p in meta["packages"]}
ours = pkgs[root]
msrv = ours.get("rust_version")
if not msrv:
    sys.exit("check-msrv: Cargo.toml declares no rust-version")
edition = ours["edition"]
print(f"check-msrv: rust-version {msrv}, edition {edition}")

# (c) the edition's own minimum.
edition_min = {"2015": "1.0", "2018": "1.31", "2021": "1.56", "2024": "1.85"}[edition]
if ver(msrv) < ver(edition_min):
    sys.exit(f"check-msrv: edition {edition} needs Rust {edition_min}, rust-version is {msrv}")

# (a) every resolved package (normal, build and dev dependencies, all features).
newer, undeclared = [], []
for node in meta["resolve"]["nodes"]:
    p = pkgs[node["id"]]
    if p["id"] == root:
        continue
    rv = p.get("rust_version")
    if rv is None:
        undeclared.append(f"{p['name']} {p['version']}")
    elif ver(rv) > ver(msrv):
        newer.append(f"{p['name']} {p['version']} needs {rv}")
if undeclared:
    print(f"check-msrv: {len(undeclared)} dependencies declare no rust-version (not checked): "
          + ", ".join(sorted(undeclared)))
if newer:
    sys.exit("check-msrv: dependencies newer than rust-version " + msrv + ":\n  "
             + "\n  ".join(sorted(newer)))
print(f"check-msrv: {len(meta['resolve']['nodes']) - 1 - len(undeclared)} dependencies declare "
      f"a rust-version <= {msrv}")
EOF
cargo metadata --format-version 1 --all-features --locked | python3 -c "$CHECK"

# (b) standard-library items stabilised after rust-version.
cargo clippy --all-targets --all-features --locked -- -D clippy::incompatible_msrv
echo "check-msrv: clippy::incompatible_msrv clean"
