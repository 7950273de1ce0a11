#!/usr/bin/env bash
# The project's test command (README: "Run the tests"). On a fresh Debian
# bookworm machine, as root, it installs and starts everything the tests
# need, then runs every test target, including the real-container suite.
#
#   bash scripts/test-all.sh
#
# Steps:
#   1. .ci/setup-runtimes.sh: podman+runc, Docker Engine (dockerd started),
#      promtool, capsh/setpriv/unshare, hyperfine, the busybox base image.
#   2. .ci/setup-guests.sh: QEMU, AppArmor, Debian 12's 6.1 and 6.12 and
#      Debian 11's 5.10 kernels with their initramfs and modules, and the
#      SELinux guest's policy (Debian's refpolicy plus container types), cached
#      under /var/cache/posture-guests (the guest matrix, feature
#      guest-tests).
#   3. scripts/check-fixtures.sh: the fixture trees hold only plain files and
#      the ns links git can store.
#   4. cargo test --all-features: unit, doc, fixture, policy, CLI, live
#      (setpriv, capsh, unshare, seccomp), robustness, HTTP and metrics tests,
#      (feature root-tests) the tests that need root and the host's own
#      namespaces, which a plain `cargo test` lists as ignored,
#      (feature tool-tests) the cross-checks by xmllint, junitparser,
#      PyYAML, promtool, capsh, setpriv and unshare, ignored likewise,
#      (feature runtime-tests) the CLI inside real containers, flag by flag,
#      and (feature guest-tests) the same in podman on the three guest
#      kernels (5.10, 6.1, 6.12), with host and bridge networks, and on
#      6.1 with cgroup v1 and with SELinux (permissive).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test-all.sh: run as root (it installs packages and starts dockerd)" >&2
  exit 1
fi

bash .ci/setup-runtimes.sh
bash .ci/setup-guests.sh
bash scripts/check-fixtures.sh
cargo test --all-features
