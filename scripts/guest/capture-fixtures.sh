#!/usr/bin/env bash
# scripts/guest/capture-fixtures.sh — capture real fixture trees inside the
# guest kernels (pure cgroup v2, AppArmor loaded) into
# tests/fixtures/guest-<series>-<scenario>/, with scripts/capture-fixture.sh
# run in the guest against podman (runc) containers.
#
#   bash scripts/guest/capture-fixtures.sh [SERIES...]     default: 6.1 6.12
#   POSTURE_GUEST_LSM=selinux bash scripts/guest/capture-fixtures.sh 6.1
#
# With POSTURE_GUEST_LSM=selinux the guest runs SELinux (permissive, Debian's
# reference policy plus scripts/guest/container-selinux.cil; see
# scripts/guest/run.sh) and the scenarios are the SELinux ones, written to
# tests/fixtures/guest-<series>-selinux-<scenario>/: podman's default
# container_t label, label=type:svirt_t, and label=disable (the process keeps
# runc's kernel_t).  The guest cache is $POSTURE_GUEST_CACHE (default
# /var/cache/posture-guests), as for run.sh.
#
# Needs what tests/guests.rs needs: root, `bash .ci/setup-runtimes.sh` (podman
# and localhost/posture-base:latest) and `bash .ci/setup-guests.sh`.  The
# containers run the base image's filesystem (busybox, capsh), imported in
# the guest as localhost/posture-test:latest from a tar made here (the
# capture needs no posture binary).
# Existing guest-* fixtures of the named series are replaced; nothing else
# in tests/fixtures is touched.  Run scripts/check-fixtures.sh afterwards.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FIX="$REPO/tests/fixtures"
BASE=localhost/posture-base:latest
SERIES=("$@"); [ ${#SERIES[@]} -gt 0 ] || SERIES=(6.1 6.12)
CACHE="${POSTURE_GUEST_CACHE:-/var/cache/posture-guests}"
LSM="${POSTURE_GUEST_LSM:-apparmor}"

die() { printf 'capture-fixtures: %s\n' "$*" >&2; exit 1; }
log() { printf 'capture-fixtures: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || die "run as root"
podman image exists "$BASE" || die "no $BASE: run bash .ci/setup-runtimes.sh"

HARDENED=(--cap-drop=ALL --user 1000:1000 --read-only --security-opt no-new-privileges
          --memory 64m --pids-limit 50 --network=none)
# name -> flags (one string; split on spaces: no flag here contains one)
declare -A FLAGS=(
  [hardened]="${HARDENED[*]}"
  [defaults]="--network=none"
  [network-host]="--network=host"
  [apparmor-unconfined]="${HARDENED[*]} --security-opt apparmor=unconfined"
  [host-path]="${HARDENED[*]} -v /srv/data:/data"
  [runtime-socket]="${HARDENED[*]} -v /run/podman/podman.sock:/run/podman/podman.sock"
)
declare -A NOTE=(
  [hardened]="the hardened line of issue 10: every check passes but userns_remap; no_host_network is decided by SO_NETNS_COOKIE, which a tree cannot hold: the cookies measured in the same boot (initial namespace, --network=none, --network=host) are in capture/guest-facts.txt"
  [defaults]="podman's defaults; --network=none because the bridge network does not work in the guest"
  [network-host]="--network=host: the guest's initial net namespace (SO_NETNS_COOKIE 1, capture/guest-facts.txt); UTS stays private"
  [apparmor-unconfined]="the hardened line with AppArmor disabled for the container: attr reads unconfined while AppArmor is loaded"
  [host-path]="the hardened line plus a bind of the guest's /srv/data (a tmpfs at /srv in the guest) at /data"
  [runtime-socket]="the hardened line plus a live unix socket (a python3 listener) at /run/podman/podman.sock, bound in"
)
# The SELinux guest's scenarios replace the above (names get "selinux-").
PREFIX=""
GUEST_DESC="AppArmor loaded (Debian's apparmor package)"
if [ "$LSM" = selinux ]; then
  PREFIX="selinux-"
  GUEST_DESC="SELinux (security=selinux) with Debian's reference policy plus scripts/guest/container-selinux.cil loaded PERMISSIVE by scripts/guest/init (the guest's /sys/fs/selinux/enforce reads 0: capture/guest-facts.txt), AppArmor off"
  FLAGS=(
    [container-t]="--network=none"
    [svirt-t]="--network=none --security-opt label=type:svirt_t"
    [label-disable]="--network=none --security-opt label=disable"
  )
  NOTE=(
    [container-t]="podman's defaults: podman labels the container from lxc_contexts, system_u:system_r:container_t with a random MCS pair. podman masks /sys/fs/selinux and mounts no securityfs, so sys/fs/selinux/enforce and sys/kernel/security/lsm are absent: the container cannot see that the guest is permissive"
    [svirt-t]="--security-opt label=type:svirt_t: a confined type of Debian's reference policy that the Pod Security Standards do not allow; the enforcing state is unseen as for container-t"
    [label-disable]="--security-opt label=disable: podman sets no label, the process keeps runc's, here the guest's kernel_t (unconfined)"
  )
fi

work="$REPO/target/guests/capture"
rm -rf "$work"; mkdir -p "$work"
ctr="posture-guest-capture-$$"
podman create --name "$ctr" "$BASE" /bin/true >/dev/null
podman export -o "$work/image.tar" "$ctr"; podman rm -f "$ctr" >/dev/null

for s in "${SERIES[@]}"; do
  [ -r "$CACHE/$s/package" ] || die "kernel $s not prepared: run bash .ci/setup-guests.sh"
  pkg="$(cat "$CACHE/$s/package")"
  J="$work/$s"; mkdir -p "$J/captures"
  cp "$HERE/job.sh" "$J/job.sh"; ln "$work/image.tar" "$J/image.tar"
  echo "$REPO" > "$J/repo"
  for n in "${!FLAGS[@]}"; do
    d="$J/captures/guest-$s-$PREFIX$n"; mkdir -p "$d"
    tr ' ' '\n' <<<"${FLAGS[$n]}" > "$d/args"
    {
      echo "Captured inside a QEMU (TCG) guest booted by scripts/guest/run.sh: Debian's $pkg, this machine's root read-only over 9p, pure cgroup v2 (every controller), $GUEST_DESC, podman 4.3 with runc (scripts/guest/capture-fixtures.sh)."
      echo "${NOTE[$n]}"
    } > "$d/notes"
  done
  log "booting $s"
  bash "$HERE/run.sh" "$s" "$J" 1200
  for d in "$J"/captures/*/; do
    n="$(basename "$d")"
    rc="$(cat "$J/out/capture-$n.rc" 2>/dev/null || echo missing)"
    [ "$rc" = 0 ] || { cat "$J/out/capture-$n.log" >&2 || true; die "$n: capture failed ($rc)"; }
    rm -rf "${FIX:?}/$n"
    cp -a "$J/out/fixtures/$n" "$FIX/$n"
    # the guest's facts of this boot (kernel, LSMs, cgroups, netns cookies)
    cp "$J/out/facts.txt" "$FIX/$n/capture/guest-facts.txt"
    log "wrote tests/fixtures/$n"
  done
done
