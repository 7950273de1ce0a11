#!/usr/bin/env bash
# scripts/guest/run.sh — boot one of Debian's own kernels in QEMU (TCG) on
# this machine's root filesystem and run a job in it.
#
#   scripts/guest/run.sh SERIES JOBDIR [TIMEOUT_SECONDS]
#
# SERIES is a kernel series prepared by .ci/setup-guests.sh (6.1, 6.12 or
# 5.10; files under $POSTURE_GUEST_CACHE/SERIES).  JOBDIR must hold job.sh; the
# guest sees JOBDIR read-write at /run/posture-job and runs job.sh there,
# chrooted into this machine's root (read-only over 9p) as root, with
# pure cgroup v2, securityfs and tmpfs over /run /tmp /var/lib/containers
# /var/tmp /root /srv (scripts/guest/init); POSTURE_GUEST_CGROUP=v1 mounts
# cgroup v1 the way systemd does on legacy hosts instead.  job.sh writes its results under
# /run/posture-job/out.  After the guest powers off, JOBDIR/out holds:
#   console.log  the serial console (kernel messages, init's lines)
#   job.log      job.sh's stdout and stderr
#   job.rc       job.sh's exit status (absent if it never finished)
#
# The guest has one NIC, virtio-net on QEMU's user networking with
# restrict=on (no traffic leaves this machine), brought up by
# scripts/guest/init: a host network namespace holds a real device, as on
# any machine.  POSTURE_GUEST_NIC=0 boots without it (the guest's initial
# namespace then holds only lo).  The cached kernel's own modules
# ($CACHE/SERIES/root/lib/modules/RELEASE) are a third, read-only 9p share
# (tag "modules") that init mounts at /lib/modules/RELEASE.
#
# The whole boot is bounded by TIMEOUT_SECONDS (default 900): QEMU is sent
# SIGTERM then SIGKILL, and this script fails.  Exit status: job.sh's exit
# status, or 124 on timeout, or 125 when the guest ended without job.rc.
#
# KVM is not used: /dev/kvm exists on this VM, but a nested KVM guest hangs;
# TCG (-accel tcg) boots 6.1 in about 5 s on 2 cores.
#
# TCG runs the guest's vCPUs in ONE host thread (thread=single), not one
# thread each (MTTCG, thread=multi).  Under MTTCG the 6.12 guest died in CI
# with "Oops: int3" in kmem_cache_alloc_noprof while podman imported the
# image: the kernel patches its own text with int3 breakpoints (static keys,
# text_poke_bp) and relies on every CPU seeing the patched bytes after its
# sync IPI; a vCPU in another host thread went on executing a stale
# translation that still held the int3, and the kernel found no patch site
# for it.  One thread makes every vCPU see each code write at once.  It is
# also faster on this 2-core machine (the 6.12 matrix: 108 s against 186 s
# with thread=multi), since two busy vCPU threads fight the test build.
# POSTURE_GUEST_TCG_THREAD=multi brings MTTCG back for experiments.
#
# POSTURE_GUEST_LSM picks the major LSM: apparmor (default: `apparmor=1`)
# or selinux.  SELinux: `security=selinux` (Debian's CONFIG_LSM lists
# apparmor before selinux, and the exclusive LSMs take the first; Debian
# builds without CONFIG_SECURITY_SELINUX_BOOTPARAM, so `selinux=1` would be
# an unknown parameter and is not passed), plus `posture.lsm=selinux`,
# `posture.selinux_policy=DIR` (the policy .ci/setup-guests.sh built,
# $CACHE/selinux/etc/selinux) and `posture.selinux_mode=MODE`
# (POSTURE_GUEST_SELINUX_MODE, default permissive: see
# scripts/guest/container-selinux.cil) for scripts/guest/init, which loads
# the policy.
set -euo pipefail

CACHE="${POSTURE_GUEST_CACHE:-/var/cache/posture-guests}"
SMP="${POSTURE_GUEST_SMP:-2}"
TCG_THREAD="${POSTURE_GUEST_TCG_THREAD:-single}"
MEM="${POSTURE_GUEST_MEM:-2048}"
NIC="${POSTURE_GUEST_NIC:-1}"

die() { printf 'guest/run.sh: %s\n' "$*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: $0 SERIES JOBDIR [TIMEOUT_SECONDS]"
SERIES=$1
JOBDIR="$(cd "$2" && pwd)" || die "no such job directory: $2"
TIMEOUT=${3:-900}
KDIR="$CACHE/$SERIES"

# The guest's cgroup layout: v2 (pure cgroup v2, the default) or v1 (the
# legacy per-controller hierarchies of RHEL 8 and Amazon Linux 2 hosts),
# passed to scripts/guest/init as posture.cgroup=v1 on the kernel command
# line.
CGROUP="${POSTURE_GUEST_CGROUP:-v2}"
case $CGROUP in
  v2) APPEND_CGROUP="" ;;
  v1) APPEND_CGROUP=" posture.cgroup=v1" ;;
  *) die "POSTURE_GUEST_CGROUP must be v1 or v2, not $CGROUP" ;;
esac
for f in vmlinuz initrd.img release; do
  [ -r "$KDIR/$f" ] || die "$KDIR/$f missing: run \`bash .ci/setup-guests.sh\` as root"
done
[ -r "$JOBDIR/job.sh" ] || die "$JOBDIR/job.sh missing"
REL="$(cat "$KDIR/release")"
[ -d "$KDIR/root/lib/modules/$REL" ] || die "$KDIR/root/lib/modules/$REL missing: run \`bash .ci/setup-guests.sh\` as root"
NIC_ARGS=()
case "$NIC" in
  1) NIC_ARGS=(-nic "user,model=virtio-net-pci,restrict=on") ;;
  0) ;;
  *) die "POSTURE_GUEST_NIC must be 0 or 1, not $NIC" ;;
esac

# The LSM switch (kernel command line): a block of its own.
LSM="${POSTURE_GUEST_LSM:-apparmor}"
case "$LSM" in
  apparmor) LSM_ARGS="apparmor=1" ;;
  selinux)
    SE_POLICY="$CACHE/selinux/etc/selinux"
    SE_MODE="${POSTURE_GUEST_SELINUX_MODE:-permissive}"
    [ -d "$SE_POLICY/default/policy" ] || die "$SE_POLICY missing: run \`bash .ci/setup-guests.sh\` as root"
    case "$SE_MODE" in permissive|enforcing) ;; *) die "POSTURE_GUEST_SELINUX_MODE: permissive or enforcing, not $SE_MODE" ;; esac
    case "$SE_POLICY" in *[[:space:]]*) die "$SE_POLICY: no spaces allowed (kernel command line)" ;; esac
    LSM_ARGS="security=selinux posture.lsm=selinux posture.selinux_policy=$SE_POLICY posture.selinux_mode=$SE_MODE"
    ;;
  *) die "POSTURE_GUEST_LSM: apparmor or selinux, not $LSM" ;;
esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run \`bash .ci/setup-guests.sh\` as root"
[ "$(id -u)" = 0 ] || die "run as root (9p passthrough of / needs it)"

OUT="$JOBDIR/out"
rm -rf "$OUT"
mkdir -p "$OUT"

start=$(date +%s)
set +e
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
  -accel "tcg,thread=$TCG_THREAD" -cpu max -smp "$SMP" -m "$MEM" \
  -nodefaults -no-user-config -display none -no-reboot \
  -monitor none -serial "file:$OUT/console.log" \
  -kernel "$KDIR/vmlinuz" -initrd "$KDIR/initrd.img" \
  -append "console=ttyS0 panic=-1 loglevel=4 $LSM_ARGS rw$APPEND_CGROUP" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap,id=hostroot" \
  -virtfs "local,path=$JOBDIR,mount_tag=job,security_model=passthrough,multidevs=remap,id=job" \
  -virtfs "local,path=$KDIR/root/lib/modules/$REL,mount_tag=modules,security_model=passthrough,readonly=on,multidevs=remap,id=modules" \
  "${NIC_ARGS[@]}" \
  </dev/null >"$OUT/qemu.log" 2>&1
qrc=$?
set -e
took=$(( $(date +%s) - start ))
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
  printf 'guest/run.sh: %s: timed out after %ss; QEMU killed. Last console lines:\n' "$SERIES" "$TIMEOUT" >&2
  tail -n 20 "$OUT/console.log" >&2 || true
  exit 124
fi
if [ $qrc != 0 ]; then
  printf 'guest/run.sh: %s: qemu exited %s:\n' "$SERIES" "$qrc" >&2
  cat "$OUT/qemu.log" >&2
  exit 125
fi
if [ ! -s "$OUT/job.rc" ]; then
  printf 'guest/run.sh: %s: the guest powered off without finishing job.sh (%ss). Console:\n' "$SERIES" "$took" >&2
  tail -n 40 "$OUT/console.log" >&2 || true
  exit 125
fi
rc="$(cat "$OUT/job.rc")"
printf 'guest/run.sh: %s (%s, nic=%s, cgroup %s, lsm %s): job.sh exited %s after %ss\n' "$SERIES" "$REL" "$NIC" "$CGROUP" "$LSM" "$rc" "$took" >&2
exit "$rc"
