#!/usr/bin/env bash
# scripts/capture-all.sh — (re)capture every REAL fixture scenario under
# tests/fixtures/ with scripts/capture-fixture.sh, then rebuild the
# hand-built ones (scripts/make-handbuilt-fixtures.sh), always.
#
# Needs root and the runtimes from .ci/setup-runtimes.sh (run it first).
# Usage: scripts/capture-all.sh [SCENARIO...]   (default: all)
#
# Each scenario states the capability masks etc. it must show; a mismatch
# fails the run.  Masks (bit numbers from linux/capability.h):
#   docker default 14 caps  = 0x00000000a80425fb  (CHOWN DAC_OVERRIDE FOWNER
#     FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT
#     MKNOD AUDIT_WRITE SETFCAP)
#   podman default 11 caps  = 0x00000000800405fb  (docker's minus NET_RAW,
#     MKNOD, AUDIT_WRITE)
#   NET_BIND_SERVICE        = 0x0000000000000400
#   SYS_ADMIN               = 0x0000000000200000
#   this host's full set    = 0x000001fffeffffff  (cap_last_cap 40, but the
#     VM's init lacks CAP_SYS_RESOURCE = bit 24, so nothing here can have it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CAP="$HERE/capture-fixture.sh"
DOCKER="${DOCKER:-/usr/bin/docker}"
IMG=localhost/posture-base:latest
PR=(podman run --rm)
DR=("$DOCKER" run --rm)

DOCKER14=00000000a80425fb
PODMAN11=00000000800405fb
NBS=0000000000000400
ZERO=0000000000000000
HOSTFULL=000001fffeffffff

HYBRID_NOTE="This host has a hybrid cgroup layout (v1 controllers, cgroup2 at /sys/fs/cgroup/unified with only the hugetlb controller available and none enabled), so runc runs in cgroup v1 mode: the container sees v1 controller mounts under /sys/fs/cgroup/<controller>, no cgroup2 mount at all, and /proc/self/cgroup lists the v1 hierarchies plus the \`0::\` line of the unified hierarchy."
NO_LSM_NOTE="No LSM is loaded on this kernel: /proc/self/attr/current fails with EINVAL and /proc/self/attr/apparmor/ does not exist; /sys/kernel/security is not mounted, so there is no lsm file."
SELF_NOTE="proc/self/* and proc/self/task/<tid>/ were read through /proc/\$\$ of the capturing shell (the container's pid 1 when the runtime runs it directly), so status and task status describe the same single-threaded process; Name is \`sh\`."
ULIMIT_NOTE="The host lacks CAP_SYS_RESOURCE, so the runtimes are configured with nofile=10000:10000 and nproc=1000:1000 default ulimits (below the host's hard limits); no memory/pids/cpu limit was requested, so the v1 limit files show the unlimited values."

# The notes below describe the machine these fixtures were captured on.
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" != cgroup2fs ] || cat /proc/self/attr/current >/dev/null 2>&1; then
  echo "capture-all: WARNING: this host is not hybrid-cgroup/no-LSM like the original capture host;" \
       "review the --note texts in this script before committing re-captured fixtures" >&2
fi

want() { [ $# -eq 0 ] || [[ " $* " == *" $SCEN "* ]]; }
run() { # scenario, then capture-fixture args
  SCEN="$1"; shift
  if want "${ONLY[@]+"${ONLY[@]}"}"; then
    echo "=== $SCEN" >&2
    "$CAP" "$SCEN" "$@"
  fi
}
ONLY=("$@")

run docker-default \
  --expect CapEff=$DOCKER14 --expect CapBnd=$DOCKER14 --expect Seccomp=2 --expect NoNewPrivs=0 --expect ROOT=rw \
  --note "docker's default 14 capabilities including NET_RAW; docker's default seccomp profile (Seccomp 2, one filter); /.dockerenv exists (empty)." \
  --note "dockerd runs with --iptables=false --bridge=none on this host, hence --network=none." \
  --note "Docker 20.10 on a cgroup v1 host keeps the HOST cgroup namespace (ns/cgroup equals the host's), so /proc/self/cgroup shows the full /docker/<id> paths and the v1 controller mounts have root /docker/<id>." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" --note "$ULIMIT_NOTE" \
  --run -- "${DR[@]}" --network=none posture-base

run podman-default \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 --expect NoNewPrivs=0 --expect ROOT=rw \
  --note "podman's default 11 capabilities (no NET_RAW, MKNOD, AUDIT_WRITE); default seccomp profile; /run/.containerenv exists (empty for a non-privileged container)." \
  --note "Default network (CNI bridge, created by podman) – podman needs no iptables-less setup." \
  --note "podman 4.3 on a cgroup v1 host uses the host cgroup namespace by default (ns/cgroup equals the host's)." \
  --note "pids.max is 2048 although no limit was asked for: podman's default pids_limit (containers.conf). memory and cpu stay unlimited." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" --note "$ULIMIT_NOTE" \
  --run -- "${PR[@]}" $IMG

run hardened \
  --expect CapEff=$NBS --expect CapBnd=$NBS --expect CapAmb=$NBS --expect Seccomp=2 --expect NoNewPrivs=1 --expect ROOT=ro \
  --note "Podman, uid/gid 1000, all capabilities dropped but NET_BIND_SERVICE, read-only root, no-new-privileges." \
  --note "Surprise worth knowing: podman puts the added capability into the AMBIENT set for a non-root user, so CapInh=CapPrm=CapEff=CapAmb=0x400 even though the process is uid 1000. Docker does not (see docker-hardened: CapEff 0, CapBnd 0x400)." \
  --note "With --read-only podman still mounts tmpfs on /tmp, /var/tmp, /run (read_only_tmpfs default), visible in mountinfo." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --cap-drop=ALL --cap-add=NET_BIND_SERVICE --read-only --security-opt no-new-privileges --user 1000:1000 $IMG

run docker-hardened \
  --expect CapEff=$ZERO --expect CapBnd=$NBS --expect CapAmb=$ZERO --expect Seccomp=2 --expect NoNewPrivs=1 --expect ROOT=ro \
  --note "Docker with the same hardening flags as \`hardened\`: uid 1000 gets an empty effective/permitted set; only the bounding set keeps NET_BIND_SERVICE (0x400). Unlike podman, docker does not raise ambient capabilities." \
  --note "Docker mounts no tmpfs for --read-only (no /tmp tmpfs in mountinfo)." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${DR[@]}" --network=none --cap-drop=ALL --cap-add=NET_BIND_SERVICE --read-only --security-opt no-new-privileges --user 1000:1000 posture-base

run privileged \
  --expect CapEff=$HOSTFULL --expect CapBnd=$HOSTFULL --expect Seccomp=0 --expect NoNewPrivs=0 --expect ROOT=rw \
  --note "podman run --privileged: all capabilities the host has, no seccomp, host devices in /dev, cgroup mounts read-write. (\`docker run --privileged\` fails on this host, so the privileged capture is podman's.)" \
  --note "CapEff/CapBnd are 0x000001fffeffffff, not 0x000001ffffffffff: this VM's init itself lacks CAP_SYS_RESOURCE (bit 24), so no process on the host can have it. A privileged container elsewhere shows all 41 bits." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --privileged $IMG

run userns-remapped \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 --expect ROOT=rw \
  --note "Root inside a user namespace mapped to host uids/gids 100000-165535: uid_map is \`0 100000 65536\`; caps are podman's default set, effective only inside the user namespace (ns/user differs from the host's 4026531837)." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --uidmap 0:100000:65536 --gidmap 0:100000:65536 $IMG

# podman 4.3's overlay driver fails to mount an image layer for a
# multi-range --uidmap ("creating overlay mount ... no such file or
# directory"), so rootless-like runs from an exploded copy of the image,
# owned by the uid that container root maps to (as a rootless user's
# storage would be).
ROOTLESS_ROOTFS=/var/tmp/posture-rootless-rootfs
prepare_rootless_rootfs() {
  rm -rf "$ROOTLESS_ROOTFS"; mkdir -p "$ROOTLESS_ROOTFS"
  local c; c="$(podman create $IMG true)"
  podman export "$c" | tar -C "$ROOTLESS_ROOTFS" -xf -
  podman rm "$c" >/dev/null
  chown -R -h 1000:1000 "$ROOTLESS_ROOTFS"
  chown 100999:100999 "$ROOTLESS_ROOTFS/home/user"   # container uid 1000
}
SCEN=rootless-like; if want "${ONLY[@]+"${ONLY[@]}"}"; then prepare_rootless_rootfs; fi
run rootless-like \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 --expect ROOT=rw \
  --note "Looks like rootless podman from inside: container root is host uid/gid 1000 (a non-root user), the rest of the range is a subordinate range. Captured with rootful podman and explicit --uidmap/--gidmap, because rootless podman would need a login user with /etc/subuid entries; the inside view (uid_map, caps, user ns) is the same shape." \
  --note "podman 4.3's overlay storage could not mount the image for a multi-range --uidmap on this host (\`creating overlay mount ... no such file or directory\`), so this one runs with --rootfs from an exploded copy of the image chowned to uid/gid 1000 (like a rootless user's storage); the root mount in mountinfo is therefore a bind of that directory from the host's ext4, not an overlay." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --uidmap 0:1000:1 --uidmap 1:100000:65535 --gidmap 0:1000:1 --gidmap 1:100000:65535 --rootfs "$ROOTLESS_ROOTFS"

run k8s-restricted \
  --expect CapEff=$ZERO --expect CapBnd=$ZERO --expect CapAmb=$ZERO --expect Seccomp=2 --expect NoNewPrivs=1 --expect ROOT=ro \
  --note "Pod manifest (capture/pod.yaml, template scripts/k8s-restricted-pod.yaml.in) with a PSS-restricted securityContext: runAsNonRoot, runAsUser/runAsGroup 1000, allowPrivilegeEscalation false, capabilities drop ALL, seccompProfile RuntimeDefault, readOnlyRootFilesystem true; run with podman kube play, output read with podman logs." \
  --note "pids.max is \`max\`: unlike podman run, podman kube play did not apply the 2048 default pids limit." \
  --note "This is podman's interpretation of the manifest, not a kubelet's: no service account token is mounted (automountServiceAccountToken false; podman mounts none anyway), no KUBERNETES_* environment, /run/.containerenv exists, and the pod has a podman infra (pause) container sharing the net/ipc/uts namespaces; pid namespace is not shared, so the capture shell is pid 1." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --kube "$HERE/k8s-restricted-pod.yaml.in"

run cgroupns-private \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "podman --cgroupns=private on this hybrid host: ns/cgroup differs from the host's and every line of /proc/self/cgroup (all v1 hierarchies AND the \`0::\` unified line) reads \`/\`; the v1 controller mounts have root \`/\`. Still no cgroup2 mount inside: runc is in v1 mode here. See cgroupns-private-v2 for a pure cgroup2 view." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --cgroupns=private $IMG

# A pure cgroup v2 view is not something runc offers on a hybrid host (it
# picks v1 mode from the host's /sys/fs/cgroup).  The closest real thing:
# a private cgroup namespace in which the v1 mounts are replaced by a
# cgroup2 mount.  A wrapper needs CAP_SYS_ADMIN for that; it then removes
# SYS_ADMIN from the bounding set (capsh --drop) and execs the capture shell
# as root, so the captured process has podman's 11 default caps again.
V2WRAP='for d in /sys/fs/cgroup/*; do umount "$d"; done; umount /sys/fs/cgroup && mount -t cgroup2 -o ro,nosuid,nodev,noexec cgroup2 /sys/fs/cgroup && shift && exec capsh --drop=cap_sys_admin --shell=/bin/sh -- "$@"'
run cgroupns-private-v2 \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "Closest real approximation of a pure cgroup v2 container on this hybrid host: podman --cgroupns=private --cap-add=SYS_ADMIN, and a wrapper (see command.txt) that unmounts the v1 controller mounts and the tmpfs at /sys/fs/cgroup, mounts cgroup2 there read-only, drops SYS_ADMIN from the bounding set with capsh and execs the capture shell (so caps end up as podman's default 11)." \
  --note "Result: mountinfo has a single cgroup2 mount at /sys/fs/cgroup with root \`/\` (the container's own cgroup); /proc/self/cgroup still lists the v1 hierarchies (the kernel always prints every mounted hierarchy) – all \`/\` thanks to the private cgroupns. On this host the unified hierarchy has no controllers enabled, so memory.max / pids.max / cpu.max do NOT exist (only cgroup.controllers, which is empty) – on a real cgroup v2 host (e.g. Debian 12 default, systemd unified) they would." \
  --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --cgroupns=private --cap-add=SYS_ADMIN $IMG /bin/sh -c "$V2WRAP" v2wrap

run podman-limits \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "podman defaults plus --memory=256m --pids-limit=100 --cpus=0.5: on this hybrid host all three limits ARE applied through the v1 controllers (memory.limit_in_bytes 268435456, pids.max 100, cpu.cfs_quota_us 50000 / cpu.cfs_period_us 100000); there are no v2 limit files in the container." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --memory=256m --pids-limit=100 --cpus=0.5 $IMG

run docker-limits \
  --expect CapEff=$DOCKER14 --expect CapBnd=$DOCKER14 --expect Seccomp=2 \
  --note "docker defaults plus --memory=256m --pids-limit=100 --cpus=0.5: applied through the v1 controllers (memory.limit_in_bytes 268435456, pids.max 100, cpu.cfs_quota_us 50000 / cpu.cfs_period_us 100000)." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${DR[@]}" --network=none --memory=256m --pids-limit=100 --cpus=0.5 posture-base

run podman-seccomp-unconfined \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=0 --expect NoNewPrivs=0 \
  --note "podman defaults with --security-opt seccomp=unconfined: Seccomp 0 and Seccomp_filters 0, capabilities unchanged." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --security-opt seccomp=unconfined $IMG

run podman-cap-sys-admin \
  --expect CapEff=00000000802405fb --expect CapBnd=00000000802405fb --expect Seccomp=2 \
  --note "podman defaults plus CAP_SYS_ADMIN (bit 21): 0x802405fb. Podman's seccomp profile opens mount/umount/unshare etc. when SYS_ADMIN is granted." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --cap-add=SYS_ADMIN $IMG

run podman-pid-host \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "podman --pid=host: ns/pid equals the host's (4026531836), the capture shell is not pid 1, and proc/1/* are the HOST's init: proc/1/cgroup is the host init's (all \`/\`), proc/1/environ fails with EACCES (container root without CAP_SYS_PTRACE may not read it)." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none --pid=host $IMG

if [ "${POSTURE_NO_DOCKER:-0}" != 1 ]; then
run podman-docker-sock \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "podman defaults with the docker daemon socket bind-mounted: mountinfo has a /var/run/docker.sock line (the socket itself is not stored in the tree; git cannot store sockets)." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none -v /var/run/docker.sock:/var/run/docker.sock $IMG
fi

run podman-host-root \
  --expect CapEff=$PODMAN11 --expect CapBnd=$PODMAN11 --expect Seccomp=2 \
  --note "podman defaults with the host's / bind-mounted at /host (rw): mountinfo has a \`/ /host\` line from the host's root device." \
  --note "$HYBRID_NOTE" --note "$NO_LSM_NOTE" --note "$SELF_NOTE" \
  --run -- "${PR[@]}" --network=none -v /:/host $IMG

run host \
  --expect CapEff=$HOSTFULL --expect CapBnd=$HOSTFULL --expect Seccomp=0 --expect NoNewPrivs=0 \
  --note "Not containerized: the same inner script run directly on the host as root (busybox applets first in PATH, environment cleared). Initial namespaces (user:[4026531837], pid:[4026531836], cgroup:[4026531835], ...)." \
  --note "This host is itself a VM whose init (pid 1, \`process_api\`) lacks CAP_SYS_RESOURCE, so CapEff/CapBnd are 0x000001fffeffffff rather than all 41 bits." \
  --note "proc/1/environ fails with EACCES even for root here: this VM's pid 1 (\`process_api\`) is not readable through /proc/1/environ." \
  --note "Host /dev has real device nodes; only their names are stored. environ files keep only PATH/HOME/TERM/container-like entries (others dropped by the capture script)." \
  --note "/proc/self/cgroup on the hybrid host: v1 hierarchies plus \`0::/\`; /sys/fs/cgroup is a tmpfs with v1 controllers and the cgroup2 mount at /sys/fs/cgroup/unified ; the capture read the limit files at the top of each v1 mount, i.e. the ROOT cgroup's (unlimited; pids.max does not exist at a v1 root), while /proc/self/cgroup shows the shell in a child memory cgroup (/process_api/...) made by this VM's agent." \
  --note "$NO_LSM_NOTE" \
  --host

run host-unshare-user \
  --expect CapEff=000001ffffffffff --expect CapBnd=000001ffffffffff --expect Seccomp=0 \
  --note "Host process in a new user namespace made by \`unshare -Ur\` (maps only root -> host root, i.e. uid_map \`0 0 1\`); the unprivileged-user-namespace shape of rootless tools, captured on the host. All other namespaces are the host's." \
  --note "Surprise: CapEff/CapBnd are 0x000001ffffffffff – all 41 bits, including CAP_SYS_RESOURCE that the host itself lacks: the kernel gives a process entering a new user namespace a FULL bounding and permitted set (set_cred_user_ns: cap_bset = CAP_FULL_SET), meaningful only inside that namespace. proc/1/environ fails with EACCES (the host's pid 1 is outside this user namespace)." \
  --note "$NO_LSM_NOTE" \
  --host -- unshare -Ur

# hand-built trees are copies of real ones: rebuild them after any capture
echo "=== hand-built scenarios" >&2
"$HERE/make-handbuilt-fixtures.sh"
