#!/usr/bin/env bash
# scripts/make-handbuilt-fixtures.sh — build the HAND-BUILT fixture trees
# (scenarios that cannot be captured on the project's machines: no LSM is
# loaded there; gVisor, Kata, sysbox, CRI-O, Kubernetes, rootless podman,
# userns-remap, btrfs/ZFS hosts are not available).  Each one starts as a
# copy of the closest REAL capture and only the files the scenario changes
# are edited, from real published output (runtime sources and test data,
# issue threads, documentation) cited in the generated README.md.  Re-run
# after re-capturing the sources.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIX="${1:-$HERE/../tests/fixtures}"
FIX="$(cd "$FIX" && pwd)"

die() { printf 'make-handbuilt-fixtures: ERROR: %s\n' "$*" >&2; exit 1; }

# copy SRC DST: real capture -> new tree (without its README and capture/)
copy() {
  local src="$FIX/$1" dst="$FIX/$2"
  [ -f "$src/proc/self/status" ] || die "source fixture $1 missing (run scripts/capture-all.sh)"
  rm -rf "$dst"
  cp -a "$src" "$dst"
  rm -rf "$dst/README.md" "$dst/capture"
}
put() { # put TREE PATH CONTENT(printf format, so \n and \000 work)
  mkdir -p "$(dirname "$FIX/$1/$2")"
  rm -f "$FIX/$1/$2.errno"
  # shellcheck disable=SC2059
  printf -- "$3" > "$FIX/$1/$2"
}
readme() { # readme TREE SOURCE; body on stdin
  local t="$1" src="$2"
  {
    echo "# Fixture: \`$t\` (HAND-BUILT)"
    echo
    echo "**Not a real capture.** Built by \`scripts/make-handbuilt-fixtures.sh\` as a copy of the real"
    echo "capture \`$src\` (see \`../$src/README.md\` for its command and host), with only the files"
    echo "listed below changed. It could not be captured for real on the project's machines"
    echo "(Debian bookworm VM, kernel $(uname -r), no LSM loaded, gVisor not installable)."
    echo
    cat
  } > "$FIX/$t/README.md"
}

# --------------------------------------------------------------- AppArmor
# Kernel: Documentation/admin-guide/LSM/apparmor.rst; proc(5)
# /proc/[pid]/attr/current ("the current security attributes of the
# process"); AppArmor prints "<profile> (<mode>)\n" there and in
# /proc/[pid]/attr/apparmor/current (the LSM-specific interface, Linux 5.8+).
# Docker: docs.docker.com "AppArmor security profiles for Docker" – the
# default profile is named docker-default.
# /sys/kernel/security/lsm: comma-separated list of active LSMs, in order,
# WITHOUT a trailing newline (security/inode.c lsm_read writes lsm_names).
for mode in enforce complain; do
  t="apparmor-$mode"
  copy docker-default "$t"
  put "$t" proc/self/attr/current "docker-default ($mode)\n"
  put "$t" proc/self/attr/apparmor/current "docker-default ($mode)\n"
  put "$t" sys/kernel/security/lsm "lockdown,capability,landlock,yama,apparmor"
  modenote=""
  if [ "$mode" = complain ]; then
    modenote='- `complain` mode: the profile is loaded but not enforced; violations are only logged (apparmor.rst, aa-complain(8)).'
  fi
  readme "$t" docker-default <<EOF
## What was changed

| file | content | was |
| --- | --- | --- |
| \`proc/self/attr/current\` | \`docker-default ($mode)\` + newline | \`current.errno\` = EINVAL (no LSM) |
| \`proc/self/attr/apparmor/current\` | \`docker-default ($mode)\` + newline | absent (AppArmor not built into this kernel) |
| \`sys/kernel/security/lsm\` | \`lockdown,capability,landlock,yama,apparmor\` (no newline) | absent (securityfs not mounted) |

Everything else (status with docker's 14 caps and Seccomp 2, mountinfo, cgroup, ns links, /.dockerenv, dev/) is the real docker-default capture.

## References

- Linux \`Documentation/admin-guide/LSM/apparmor.rst\` and proc(5), \`/proc/[pid]/attr/current\`: AppArmor reports the confinement as \`<profile> (<mode>)\` followed by a newline; modes are \`enforce\`, \`complain\` (and \`kill\`, \`unconfined\`). Since Linux 5.8 the same text is also at \`/proc/[pid]/attr/apparmor/current\`.
- Docker documentation, "AppArmor security profiles for Docker": containers get the \`docker-default\` profile unless \`--security-opt apparmor=...\` is given.
- \`/sys/kernel/security/lsm\` (Linux \`security/inode.c\`, \`lsm_read\`): the comma-separated list of active LSMs, written without a trailing newline. The list here is Ubuntu's usual order. Note: inside a real docker container securityfs is normally NOT mounted, so this file would usually be absent there; it is included so that code reading it can be exercised.
$modenote
EOF
done

putf() { # putf TREE PATH; content (verbatim bytes) on stdin
  mkdir -p "$(dirname "$FIX/$1/$2")"
  rm -f "$FIX/$1/$2.errno"
  cat > "$FIX/$1/$2"
}
gone() { # gone TREE PATH...: remove files/dirs (and their .errno)
  local t="$1"; shift
  local p
  for p in "$@"; do rm -rf "${FIX:?}/$t/$p" "$FIX/$t/$p.errno"; done
}
keep() { # keep TREE DIR: an empty directory (holds .keep, as in the captures)
  mkdir -p "$FIX/$1/$2"
  : > "$FIX/$1/$2/.keep"
}
touchf() { # touchf TREE PATH...: empty regular files (dev/ names, masked proc files)
  local t="$1"; shift
  local p
  for p in "$@"; do mkdir -p "$(dirname "$FIX/$t/$p")"; : > "$FIX/$t/$p"; done
}
nslink() { # nslink TREE NAME TARGET: proc/self/ns/NAME -> TARGET (e.g. user:[4026532300])
  rm -f "$FIX/$1/proc/self/ns/$2"
  ln -s "$3" "$FIX/$1/proc/self/ns/$2"
}
status_sed() { # status_sed TREE SED-ARGS...: edit status and every task's status alike
  local t="$1"; shift
  local f
  for f in "$FIX/$t/proc/self/status" "$FIX/$t"/proc/self/task/*/status; do sed -i "$@" "$f"; done
}
status_all() { # status_all TREE: status on stdin, written as status and task/1/status
  local t="$1"
  rm -rf "$FIX/$t/proc/self/task"
  mkdir -p "$FIX/$t/proc/self/task/1"
  cat > "$FIX/$t/proc/self/status"
  cp "$FIX/$t/proc/self/status" "$FIX/$t/proc/self/task/1/status"
}
environ() { # environ TREE ENTRY...: proc/self/environ and proc/1/environ, NUL-terminated entries
  local t="$1"; shift
  local e
  : > "$FIX/$t/proc/self/environ"
  for e in "$@"; do printf '%s\0' "$e" >> "$FIX/$t/proc/self/environ"; done
  rm -f "$FIX/$t/proc/1/environ.errno"
  cp "$FIX/$t/proc/self/environ" "$FIX/$t/proc/1/environ"
}
cgroup_file() { # cgroup_file TREE; /proc/self/cgroup content on stdin (pid 1 is the same process)
  cat > "$FIX/$1/proc/self/cgroup"
  cp "$FIX/$1/proc/self/cgroup" "$FIX/$1/proc/1/cgroup"
}
# ---------------------------------------------------------------- SELinux
# Kernel: security/selinux/hooks.c selinux_getprocattr() returns the
# context from security_sid_to_context(), whose length INCLUDES the
# terminating NUL, so /proc/self/attr/current ends in "\0" (no newline).
# What a real container sees of selinuxfs: nothing.  Its /sys is a fresh
# sysfs mount, on which selinuxfs is not mounted, and podman (and CRI-O)
# additionally mask /sys/fs/selinux with an empty read-only tmpfs for
# unprivileged containers: containers/common pkg/config/default.go
# getMaskedPaths() lists "/sys/fs/selinux" (CRI-O: server/masked_paths.go
# appends config.DefaultMaskedPaths()).  A real podman container on an
# SELinux host (cockroachdb/cockroach pkg/util/cgroups/cgroups_test.go,
# v2Mounts) shows exactly that line:
#   391 374 0:44 / /sys/fs/selinux ro,relatime - tmpfs tmpfs rw,context="...",size=0k
# securityfs is not mounted in containers either, so there is no
# /sys/kernel/security/lsm.  So: no enforce file, no lsm file.
sel() { # tree source context masked(yes|no)
  local t="$1" src="$2" ctx="$3" masked="$4"
  copy "$src" "$t"
  put "$t" proc/self/attr/current "$ctx\\000"
  rm -rf "$FIX/$t/proc/self/attr/apparmor"
  keep "$t" sys/fs/selinux
  local mask_row mask_text
  if [ "$masked" = yes ]; then
    # The capture's own masks are "tmpfs tmpfs ro" on this non-SELinux host;
    # the mask is added in the same form, under the /sys mount (id 82).
    echo "61 82 0:51 / /sys/fs/selinux ro,relatime - tmpfs tmpfs ro" >> "$FIX/$t/proc/self/mountinfo"
    mask_row="| \`proc/self/mountinfo\` | one line added: \`61 82 0:51 / /sys/fs/selinux ro,relatime - tmpfs tmpfs ro\` (podman's mask of \`/sys/fs/selinux\`) | no such line |"
    mask_text="podman masks \`/sys/fs/selinux\` in unprivileged containers (containers/common \`pkg/config/default.go\`, \`getMaskedPaths()\`), so the container sees an empty read-only tmpfs there."
  else
    mask_row=""
    mask_text="A \`--privileged\` container is not masked, but its \`/sys\` is a fresh sysfs mount (see the capture's mountinfo: \`80 77 0:45 / /sys rw,... - sysfs sysfs rw\`, nothing below it but cgroup mounts) and selinuxfs is a separate filesystem that nothing mounts there, so \`/sys/fs/selinux\` is an empty directory."
  fi
  readme "$t" "$src" <<EOF
## What was changed

| file | content | was |
| --- | --- | --- |
| \`proc/self/attr/current\` | \`$ctx\` followed by ONE NUL byte, no newline | \`current.errno\` = EINVAL (no LSM) |
| \`sys/fs/selinux/\` | an empty directory (\`.keep\`): **no \`enforce\` file** | absent |
$mask_row

Everything else is the real \`$src\` capture (caps, seccomp, mountinfo, cgroup, ns links, /run/.containerenv, dev/).
There is deliberately **no** \`sys/fs/selinux/enforce\` and **no** \`sys/kernel/security/lsm\`: a real
container does not see them. $mask_text securityfs is not mounted in containers, so there is no
\`lsm\` file either. The enforcing state is therefore not visible from inside; only the label is.

A real SELinux host would also show \`seclabel\` / \`context="system_u:object_r:container_file_t:s0:c…"\`
mount options on tmpfs, devpts and overlay mounts (see the \`crio-selinux\` fixture, built from such a
capture); those were not added here.

## References

- Linux \`security/selinux/hooks.c\`, \`selinux_getprocattr()\`: the returned context comes from \`security_sid_to_context()\`, whose length includes the terminating NUL, so reading \`/proc/self/attr/current\` yields the context plus a trailing \`\\0\`.
- containers/common \`pkg/config/default.go\`, \`getMaskedPaths()\` (vendored as \`go.podman.io/common\` in cri-o/cri-o at f954a17e): \`/proc/acpi\`, \`/proc/kcore\`, \`/proc/keys\`, \`/proc/latency_stats\`, \`/proc/sched_debug\`, \`/proc/scsi\`, \`/proc/timer_list\`, \`/proc/timer_stats\`, \`/sys/devices/virtual/powercap\`, \`/sys/firmware\`, **\`/sys/fs/selinux\`**, \`/proc/interrupts\`.
- cockroachdb/cockroach \`pkg/util/cgroups/cgroups_test.go\`, \`v2Mounts\`: a real podman container on an SELinux host; its mountinfo has \`391 374 0:44 / /sys/fs/selinux ro,relatime - tmpfs tmpfs rw,context="system_u:object_r:container_file_t:s0:c200,c321",size=0k\` and no selinuxfs mount.
- container-selinux policy: ordinary containers run as \`container_t\` with a random MCS category pair; \`--privileged\` containers run as \`spc_t\` with \`s0\`.
EOF
}
sel selinux-container-t podman-default "system_u:system_r:container_t:s0:c123,c456" yes
sel selinux-spc-t privileged "system_u:system_r:spc_t:s0" no

# ----------------------------------------------------------------- no-lsm
copy podman-default no-lsm
readme no-lsm podman-default <<'EOF'
## What was changed

Nothing: this is a byte-for-byte copy of the real `podman-default` capture, which was taken on a
kernel with no LSM loaded. It exists so the "no LSM" case has a fixture of its own name:

- `proc/self/attr/current.errno` = `EINVAL`: with no LSM providing `getprocattr`, reading
  `/proc/self/attr/current` fails with EINVAL (Linux `security/security.c`,
  `security_getprocattr()` returns -EINVAL when no module handles the attribute).
- no `proc/self/attr/apparmor/` (AppArmor not built in), no `sys/fs/selinux/enforce`,
  no `sys/kernel/security/lsm` (securityfs not mounted in the container).
EOF

# ----------------------------------------------------------------- gVisor
# gVisor (runsc) implements /proc itself in the Sentry; nothing is read from
# the host kernel.  Everything below is taken from google/gvisor at
# 3c5eee17 (2026-08-21) and its history:
#   pkg/sentry/fsimpl/proc/task_files.go, statusFD.Generate: Name State
#     Tgid Pid PPid TracerPid Uid Gid FDSize Groups VmSize VmRSS VmData
#     Threads CapInh CapPrm CapEff CapBnd CapAmb Seccomp Mems_allowed
#     Mems_allowed_list voluntary_ctxt_switches nonvoluntary_ctxt_switches.
#     Never NoNewPrivs or Seccomp_filters.  Uid/Gid/Groups since 72c2b74ac
#     (2021-07-28, release-20210806.0); CapAmb since 4886c6690 (2026-06-09,
#     release-20260615.0); context switches since 6bfc25b90 (2026-04-27).
#   pkg/sentry/fsimpl/proc/tasks_sys.go + pkg/sentry/kernel/version:
#     /proc/sys/kernel/osrelease exists only since f01a2fea1 (2026-01-15,
#     release-20260126.0), as newStaticFile(LinuxRelease) WITHOUT a newline;
#     LinuxRelease "4.4.0" until ee08a593a (2026-04-27), "4.19.0-gvisor" since.
#   pkg/sentry/vfs/mount.go GenerateProcMountInfo/superBlockOpts: source is
#     always "none"; per-mount options rw|ro [,noatime][,noexec][,nosuid]
#     (nosuid printed only in newer releases); fs-specific options from each
#     filesystem's MountOptions() (gofer: trans=fd,rfdno,wfdno,aname,dfltuid,
#     dfltgid,dcache,cache=...,disable_fifo_open,directfs; proc/sysfs:
#     dentry_cache_limit=1000; cgroupfs: controller names).
#   runsc/boot/vfs.go: /dev is the "dev" filesystem (a tmpfs with mode=0755;
#     "devtmpfs" in 2022), the rootfs is an overlay over the gofer mount since
#     release-20230313.0 (defaultOverlay2 "root:self"), bind mounts of host
#     files are gofer ("9p") mounts, and a spec mount at /sys/fs/cgroup becomes
#     a tmpfs with every controller of kernel.CgroupCtrls (cpu cpuacct cpuset
#     devices job memory pids) bound from "/<container id>".
#   pkg/sentry/kernel/task_cgroup.go GenerateProcTaskCgroup: one
#     "<hierarchy>:<controllers>:<path>" line per hierarchy, highest id first,
#     no "0::" line; runsc puts the container in "/<container id>".
#   pkg/sentry/fsimpl/proc/task.go: ns/ holds net mnt pid user ipc uts (cgroup
#     only once cgroup2 is mounted, no time); the inode numbers come from
#     gVisor's own nsfs counter (kernfs NextIno), i.e. small numbers far below
#     Linux's fixed (0xEFFFFFF8..) and dynamic (0xF0000000..) ranges.
#     No attr/ directory.
#   /proc has no keys, timer_list or kcore; sysrq-trigger is a static file.
#   runsc applies the OCI seccomp profile only with --oci-seccomp, so a
#   docker default profile reads Seccomp 0 inside.
GV_CID=1667d936de7d50ad3a2953cf49331e42376a3572c4cbbdcfedf1b94a5b52a934  # docker-default's container id
gv_common() { # tree: what every gVisor release shares
  local t="$1"
  copy docker-default "$t"
  gone "$t" proc/self/attr proc/keys proc/timer_list proc/acpi proc/bus proc/fs proc/irq sys/firmware
  touchf "$t" proc/sysrq-trigger
  rm -f "$FIX/$t/proc/self/ns/"*
  nslink "$t" net "net:[3]"
  nslink "$t" mnt "mnt:[5]"
  nslink "$t" pid "pid:[2]"
  nslink "$t" user "user:[1]"
  nslink "$t" ipc "ipc:[4]"
  nslink "$t" uts "uts:[6]"
  cgroup_file "$t" <<EOF
7:pids:/$GV_CID
6:memory:/$GV_CID
5:job:/$GV_CID
4:devices:/$GV_CID
3:cpuset:/$GV_CID
2:cpuacct:/$GV_CID
1:cpu:/$GV_CID
EOF
}

t=gvisor
gv_common "$t"
status_all "$t" <<'EOF'
Name:	sh
State:	S (sleeping)
Tgid:	1
Pid:	1
PPid:	0
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	64
Groups:	 
VmSize:	2272 kB
VmRSS:	1024 kB
VmData:	176 kB
Threads:	1
CapInh:	0000000000000000
CapPrm:	00000000a80425fb
CapEff:	00000000a80425fb
CapBnd:	00000000a80425fb
CapAmb:	0000000000000000
Seccomp:	0
Mems_allowed:	1
Mems_allowed_list:	0
voluntary_ctxt_switches:	12
nonvoluntary_ctxt_switches:	0
EOF
put "$t" proc/sys/kernel/osrelease "4.19.0-gvisor"
GOFER_SHARED="aname=/,dfltuid=4294967294,dfltgid=4294967294,dcache=1000,cache=remote_revalidating,disable_fifo_open,directfs"
putf "$t" proc/self/mountinfo <<EOF
36 35 0:36 / / rw - overlay none rw
37 36 0:37 / /proc rw,noexec,nosuid - proc none rw,dentry_cache_limit=1000
38 36 0:38 / /dev rw,nosuid - dev none rw,mode=0755
39 38 0:22 / /dev/pts rw,noexec,nosuid - devpts none rw
40 36 0:39 / /sys ro,noexec,nosuid - sysfs none ro,dentry_cache_limit=1000
41 40 0:40 / /sys/fs/cgroup ro,noexec,nosuid - tmpfs none ro
42 41 0:9 /$GV_CID /sys/fs/cgroup/cpu rw - cgroup none rw,cpu
43 41 0:10 /$GV_CID /sys/fs/cgroup/cpuacct rw - cgroup none rw,cpuacct
44 41 0:11 /$GV_CID /sys/fs/cgroup/cpuset rw - cgroup none rw,cpuset
45 41 0:12 /$GV_CID /sys/fs/cgroup/devices rw - cgroup none rw,devices
46 41 0:13 /$GV_CID /sys/fs/cgroup/job rw - cgroup none rw,job
47 41 0:14 /$GV_CID /sys/fs/cgroup/memory rw - cgroup none rw,memory
48 41 0:15 /$GV_CID /sys/fs/cgroup/pids rw - cgroup none rw,pids
49 38 0:41 / /dev/mqueue rw,noexec,nosuid - mqueue none rw
50 38 0:42 / /dev/shm rw,noexec,nosuid - tmpfs none rw,mode=1777,size=65536k
51 36 0:43 / /etc/resolv.conf rw - 9p none rw,trans=fd,rfdno=7,wfdno=7,$GOFER_SHARED
52 36 0:44 / /etc/hostname rw - 9p none rw,trans=fd,rfdno=8,wfdno=8,$GOFER_SHARED
53 36 0:45 / /etc/hosts rw - 9p none rw,trans=fd,rfdno=9,wfdno=9,$GOFER_SHARED
EOF
readme "$t" docker-default <<'EOF'
Intended to look like `docker run --runtime=runsc --network=none posture-base` under a current gVisor
release (release-20260615.0 or later, before cgroup2 mounts became the default), with docker's default
14 capabilities. Every file below follows the google/gvisor source at 3c5eee17 (2026-08-21); see
`gvisor-old` for a 2021–2023 release.

## What was changed

| file | content | gVisor source |
| --- | --- | --- |
| `proc/self/status`, `proc/self/task/1/status` | Name State Tgid Pid PPid TracerPid **Uid Gid** FDSize **Groups** VmSize VmRSS VmData Threads CapInh CapPrm CapEff CapBnd **CapAmb** `Seccomp: 0` Mems_allowed Mems_allowed_list voluntary/nonvoluntary_ctxt_switches. **No `NoNewPrivs:`, no `Seccomp_filters:`** | `pkg/sentry/fsimpl/proc/task_files.go`, `statusFD.Generate` (Uid/Gid since 72c2b74ac, release-20210806.0; CapAmb since 4886c6690, release-20260615.0; ctxt switches since 6bfc25b90) |
| `proc/sys/kernel/osrelease` | `4.19.0-gvisor`, **no newline** | `pkg/sentry/fsimpl/proc/tasks_sys.go` `newStaticFile(version.LinuxRelease)`; `pkg/sentry/kernel/version/version.go` (bumped from 4.4.0 in ee08a593a, 2026-04-27) |
| `proc/self/mountinfo` | root `overlay none rw`; `proc`/`sysfs` with `dentry_cache_limit=1000`; `/dev` is the `dev` fs (`mode=0755`); `/etc/{resolv.conf,hostname,hosts}` are gofer `9p` mounts with the gofer's options; `/sys/fs/cgroup` a tmpfs with the seven cgroupfs controllers (incl. gVisor's `job`) bound from `/<container id>`; source always `none` | `pkg/sentry/vfs/mount.go` `GenerateProcMountInfo`, `superBlockOpts`; each filesystem's `MountOptions()`; `runsc/boot/vfs.go` (`defaultOverlay2` root:self, `goferMountData`, `mountCgroupSubmounts`) |
| `proc/self/cgroup`, `proc/1/cgroup` | `7:pids:/<id>` … `1:cpu:/<id>` incl. `5:job:/<id>`, no `0::` line | `pkg/sentry/kernel/task_cgroup.go` `GenerateProcTaskCgroup`; `runsc/boot/vfs.go` (InitialCgroups `/<container id>`) |
| `proc/self/ns/*` | `net mnt pid user ipc uts` only (no `cgroup`, no `time`), with small inode numbers | `pkg/sentry/fsimpl/proc/task.go` `newTaskInode`; `pkg/sentry/fsimpl/nsfs` (inodes from kernfs `NextIno`) |
| `proc/self/attr/` | removed (no file, no `.errno`) | no `attr` entry in gVisor's task directory |
| `proc/keys`, `proc/timer_list`, `proc/acpi`, `proc/bus`, `proc/fs`, `proc/irq`, `sys/firmware` | removed; `proc/sysrq-trigger` added (empty) | gVisor's `/proc` (`pkg/sentry/fsimpl/proc/tasks.go`) has no keys/timer_list/kcore and a static `sysrq-trigger` |

Seccomp is 0 because runsc applies the OCI (docker) seccomp profile inside the sandbox only with
`--oci-seccomp`; the Sentry itself is seccomp-confined on the host, invisibly to the application. The
sandbox, not seccomp, is the syscall boundary.

Not verified against a running gVisor (none can run here): the exact mount ids, device numbers, gofer
fd numbers and ns inode values are illustrative (their form follows the source); `uid_map` is gVisor's
root user namespace, `0 0 4294967295` (`pkg/sentry/kernel/auth/user_namespace.go`
`NewRootUserNamespace`), the same bytes as docker-default's. `environ`, the cgroup limit files (v1
files at `/sys/fs/cgroup/<controller>/`, unlimited), `dev/` names, `/.dockerenv` and `cap_last_cap`
(40) are docker-default's.

google/gvisor#6374 (2021-07-27, a user running Chromium under runsc) reports exactly that
`/proc/<pid>/status` lacked `Uid:`, `Gid:` and `Groups:`; 72c2b74ac added them the next day.

## Signals a detector can use (all in this tree)

- `Seccomp:` present but **no `NoNewPrivs:` line** on a kernel that claims ≥ 4.10 (every Linux since 4.10 prints it).
- Namespace inodes outside both Linux ranges (fixed `0xEFFFFFF8`–`0xEFFFFFFF`, dynamic from `0xF0000000`).
- Every mount source is `none`; gofer mounts are `9p` with `trans=fd,rfdno=…`; a `job` cgroup controller (no Linux kernel has one).
- `osrelease` ending in `-gvisor` (recent releases only; absent before release-20260126.0, `4.4.0` in between). `/proc/gvisor/kernel_is_gvisor` exists only with `--gvisor-marker-file` (`runsc/config/config.go`).
EOF

t=gvisor-old
gv_common "$t"
status_all "$t" <<'EOF'
Name:	sh
State:	S (sleeping)
Tgid:	1
Pid:	1
PPid:	0
TracerPid:	0
Uid:	0	0	0	0
Gid:	0	0	0	0
FDSize:	64
Groups:	 
VmSize:	2272 kB
VmRSS:	1024 kB
VmData:	176 kB
Threads:	1
CapInh:	0000000000000000
CapPrm:	00000000a80425fb
CapEff:	00000000a80425fb
CapBnd:	00000000a80425fb
Seccomp:	0
Mems_allowed:	1
Mems_allowed_list:	0
EOF
gone "$t" proc/sys/kernel/osrelease
GOFER_OLD="aname=/,dfltuid=4294967294,dfltgid=4294967294,msize=1048576,version=9P2000.L.Google.13,dentry_cache_limit=1000"
putf "$t" proc/self/mountinfo <<EOF
1 0 0:2 / / rw - 9p none rw,trans=fd,rfdno=4,wfdno=4,$GOFER_OLD,cache=fscache,overlayfs_stale_read
2 1 0:3 / /proc rw,noexec - proc none rw
3 1 0:4 / /dev rw - devtmpfs none rw,mode=0755
4 3 0:5 / /dev/pts rw,noexec - devpts none rw
5 1 0:6 / /sys ro,noexec - sysfs none ro
6 5 0:7 / /sys/fs/cgroup ro,noexec - tmpfs none ro
7 6 0:8 /$GV_CID /sys/fs/cgroup/cpu rw - cgroup none rw,cpu
8 6 0:9 /$GV_CID /sys/fs/cgroup/cpuacct rw - cgroup none rw,cpuacct
9 6 0:10 /$GV_CID /sys/fs/cgroup/cpuset rw - cgroup none rw,cpuset
10 6 0:11 /$GV_CID /sys/fs/cgroup/devices rw - cgroup none rw,devices
11 6 0:12 /$GV_CID /sys/fs/cgroup/job rw - cgroup none rw,job
12 6 0:13 /$GV_CID /sys/fs/cgroup/memory rw - cgroup none rw,memory
13 6 0:14 /$GV_CID /sys/fs/cgroup/pids rw - cgroup none rw,pids
14 3 0:15 / /dev/mqueue rw,noexec - mqueue none rw
15 3 0:16 / /dev/shm rw,noexec - tmpfs none rw,mode=1777,size=65536k
16 1 0:17 / /etc/resolv.conf rw - 9p none rw,trans=fd,rfdno=7,wfdno=7,$GOFER_OLD,cache=remote_revalidating
17 1 0:18 / /etc/hostname rw - 9p none rw,trans=fd,rfdno=8,wfdno=8,$GOFER_OLD,cache=remote_revalidating
18 1 0:19 / /etc/hosts rw - 9p none rw,trans=fd,rfdno=9,wfdno=9,$GOFER_OLD,cache=remote_revalidating
EOF
readme "$t" docker-default <<'EOF'
Intended to look like `docker run --runtime=runsc --network=none posture-base` under a gVisor release
of 2021-08 to 2023-03 (release-20210806.0 … before release-20230313.0), with docker's default 14
capabilities. Everything follows google/gvisor as of a09c49b9 (2022-06) unless noted; see `gvisor`
for a current release (the shared parts and the signals are described there).

## What differs from `gvisor`

| file | content | gVisor source at a09c49b9 |
| --- | --- | --- |
| `proc/self/status`, `proc/self/task/1/status` | as `gvisor` but **no `CapAmb:`** line and no context-switch lines (still Uid/Gid/Groups, still no NoNewPrivs/Seccomp_filters) | `pkg/sentry/fsimpl/proc/task_files.go` `statusData.Generate` |
| `proc/sys/kernel/osrelease` | **absent** (no file, no `.errno`): gVisor had no such file before f01a2fea1 (2026-01-15); `uname` said `4.4.0` | `pkg/sentry/fsimpl/proc/tasks_sys.go` |
| `proc/self/mountinfo` | root is the gofer mount itself (`9p`, `cache=fscache,overlayfs_stale_read`), `/dev` is `devtmpfs`; per-mount options only rw/ro and `noexec` (no `nosuid`); gofer options include `msize`, `version=9P2000.L.Google.13`, `dentry_cache_limit` | `pkg/sentry/vfs/mount.go`, `pkg/sentry/fsimpl/gofer/filesystem.go` `MountOptions`, `runsc/boot/vfs.go`, `pkg/p9/version.go` |

google/gvisor#6374 (2021-07-27) is the user report of the missing `Uid:`/`Gid:`/`Groups:` lines that
releases before release-20210806.0 had.

The old `gvisor` fixture encoded a combination no release produced (no Uid lines together with an
`osrelease` of 4.4.0): before 2021-08 there were no Uid lines but also no osrelease file.
EOF

# ------------------------------------------------------ Kubernetes on containerd
# The mountinfo is a real one: DataDog/datadog-go statsd/container_test.go,
# TestParseMountinfo, the "2775 2588 0:310" entry (a container in a pod on
# containerd with cgroup v2: overlay root from the overlayfs snapshotter,
# /etc/hosts and /dev/termination-log from /var/lib/kubelet/pods/<uid>/,
# /etc/hostname and /etc/resolv.conf from the CRI sandbox directory, the
# projected service-account token on a tmpfs, cgroup2 at /sys/fs/cgroup with
# root "/", i.e. a private cgroup namespace).
K8S_MI=$(cat <<'EOF'
2775 2588 0:310 / / rw,relatime master:760 - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/163/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/164/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/164/work
2776 2775 0:312 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
2777 2775 0:313 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
2778 2777 0:314 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666
2779 2777 0:301 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
2780 2775 0:306 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
2781 2780 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw
2782 2775 8:1 /var/lib/kubelet/pods/e50f2933-b36b-4e3b-89b1-280707f7bc53/etc-hosts /etc/hosts rw,relatime - ext4 /dev/sda1 rw,commit=30
2783 2777 8:1 /var/lib/kubelet/pods/e50f2933-b36b-4e3b-89b1-280707f7bc53/containers/bash2/3404dd90 /dev/termination-log rw,relatime - ext4 /dev/sda1 rw,commit=30
2784 2775 8:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/c5866f3bfef020a8c045540b4a05dd9d193443740be76437a6130c7759ab2076/hostname /etc/hostname rw,nosuid,nodev,relatime - ext4 /dev/sda1 rw,commit=30
2785 2775 8:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/c5866f3bfef020a8c045540b4a05dd9d193443740be76437a6130c7759ab2076/resolv.conf /etc/resolv.conf rw,nosuid,nodev,relatime - ext4 /dev/sda1 rw,commit=30
2786 2777 0:298 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k
2787 2775 0:297 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,size=2880088k
2602 2777 0:314 /0 /dev/console rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666
2603 2776 0:312 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
2604 2776 0:312 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw
2605 2776 0:312 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw
2606 2776 0:312 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
2607 2776 0:312 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw
2608 2776 0:315 / /proc/acpi ro,relatime - tmpfs tmpfs ro
2609 2776 0:313 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
2610 2776 0:313 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
2611 2776 0:313 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
2612 2776 0:316 / /proc/scsi ro,relatime - tmpfs tmpfs ro
2613 2780 0:317 / /sys/firmware ro,relatime - tmpfs tmpfs ro
EOF
)
k8s_containerd() { # tree: a copy of docker-default turned into the datadog-go pod
  local t="$1"
  copy docker-default "$t"
  gone "$t" .dockerenv sys/fs/cgroup/cpu sys/fs/cgroup/memory sys/fs/cgroup/pids
  printf '%s\n' "$K8S_MI" | putf "$t" proc/self/mountinfo
  printf '0::/\n' | cgroup_file "$t"
  nslink "$t" cgroup "cgroup:[4026532182]"
  # Kubernetes runs containers Unconfined unless seccompProfile (or the
  # kubelet's SeccompDefault) says otherwise: no filter.
  status_sed "$t" -e 's/^Seccomp:\t2$/Seccomp:\t0/' -e 's/^Seccomp_filters:\t1$/Seccomp_filters:\t0/'
  put "$t" proc/self/attr/current "cri-containerd.apparmor.d (enforce)\n"
  put "$t" proc/self/attr/apparmor/current "cri-containerd.apparmor.d (enforce)\n"
  put "$t" sys/fs/cgroup/cgroup.controllers "cpuset cpu io memory pids\n"
  put "$t" sys/fs/cgroup/memory.max "268435456\n"
  put "$t" sys/fs/cgroup/pids.max "max\n"
  put "$t" sys/fs/cgroup/cpu.max "max 100000\n"
  touchf "$t" dev/termination-log dev/console proc/kcore proc/sysrq-trigger
  keep "$t" proc/scsi
  put "$t" var/run/secrets/kubernetes.io/serviceaccount/token "REDACTED"
  environ "$t" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=bash2" \
    "KUBERNETES_SERVICE_HOST=10.96.0.1" "KUBERNETES_SERVICE_PORT=443" "HOME=/root"
}
K8S_TABLE='| `proc/self/mountinfo` | the real mountinfo of a pod container on containerd with cgroup v2 (DataDog/datadog-go `statsd/container_test.go`, `TestParseMountinfo`, entry `2775 2588 0:310 …`), byte for byte | docker 20.10 mountinfo |
| `proc/self/cgroup`, `proc/1/cgroup` | `0::/` | v1 lines `/docker/<id>` |
| `proc/self/ns/cgroup` | `cgroup:[4026532182]` (a non-initial inode: the mountinfo shows cgroup2 mounted with root `/`, i.e. a private cgroup namespace) | host cgroup namespace |
| `proc/self/status`, `task/1/status` | `Seccomp: 0`, `Seccomp_filters: 0` (Kubernetes default: Unconfined); the 14 capabilities are unchanged (containerd default, below) | `Seccomp: 2`, 1 filter |
| `proc/self/attr/current`, `attr/apparmor/current` | `cri-containerd.apparmor.d (enforce)` + newline | `current.errno` = EINVAL |
| `sys/fs/cgroup/` | v2 files: `cgroup.controllers` = `cpuset cpu io memory pids` (a child cgroup lists what its parent enables in `cgroup.subtree_control`, Documentation/admin-guide/cgroup-v2.rst; the kubelet'"'"'s `kubepods.slice` enables `cpuset cpu io memory pids`), `memory.max` = `268435456` (a 256Mi memory limit), `pids.max` = `max`, `cpu.max` = `max 100000` | v1 `cpu/ memory/ pids/` |
| `dev/` | `termination-log` and `console` added (both are mount points in the mountinfo) | |
| `proc/kcore`, `proc/sysrq-trigger`, `proc/scsi/` | added (they exist on such a kernel and the mountinfo masks them) | absent on the capture kernel |
| `var/run/secrets/kubernetes.io/serviceaccount/token` | `REDACTED` (redaction convention) | absent |
| `proc/self/environ`, `proc/1/environ` | PATH, `HOSTNAME=bash2`, `KUBERNETES_SERVICE_HOST=10.96.0.1`, `KUBERNETES_SERVICE_PORT=443`, HOME | docker'"'"'s |
| `/.dockerenv` | removed (containerd does not create it) | present |'
K8S_REFS='- DataDog/datadog-go `statsd/container_test.go`, `TestParseMountinfo`: the container mountinfo (real output pasted as a test case).
- Kubernetes documentation, "Restrict a Container'"'"'s Access to Resources with AppArmor" (kubernetes/website `content/en/docs/tutorials/security/apparmor.md`): `kubectl exec <pod> -- cat /proc/1/attr/current` prints `cri-containerd.apparmor.d (enforce)` for containerd'"'"'s default profile.
- containerd default capabilities (`pkg/oci/spec.go` `defaultUnixCaps()`): CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE = `00000000a80425fb`, the same 14 as Docker'"'"'s. containerd/containerd#10434 (open) asks to drop NET_RAW; #10435 (drop MKNOD, NET_RAW, SETFCAP, SYS_CHROOT, AUDIT_WRITE "since v2.0") was closed unmerged; #12588 (2025-11, open) proposes an opt-in "reduced" capability profile. So every containerd release, 1.x and 2.x, grants CAP_NET_RAW by default.
- Kubernetes documentation, "Restrict a Container'"'"'s Syscalls with seccomp": without `seccompProfile` (and without the kubelet'"'"'s `--seccomp-default`) containers run Unconfined.
- Kubernetes service environment variables (`KUBERNETES_SERVICE_HOST`/`PORT`, kubeadm'"'"'s default service CIDR 10.96.0.0/12).'

t=k8s-containerd
k8s_containerd "$t"
readme "$t" docker-default <<EOF
A container of a Kubernetes pod on containerd (runc), pure cgroup v2 with a private cgroup namespace,
containerd's default capabilities, no seccomp profile, AppArmor's \`cri-containerd.apparmor.d\` profile,
a 256Mi memory limit, the projected service-account token mounted.

## What was changed

| file | content | was |
| --- | --- | --- |
$K8S_TABLE

The kernel (\`osrelease\` 6.18, \`cap_last_cap\` 40), the namespace links other than cgroup, \`uid_map\`,
and \`dev/\` otherwise are docker-default's (real). The pids limit of a pod is set by the kubelet on the
pod's cgroup (\`podPidsLimit\`), an ancestor this container cannot see through its private cgroup
namespace, so the container's own \`pids.max\` reads \`max\`.

## References

$K8S_REFS
EOF

# ---------------------------------------------------------- Kubernetes userns
# kubernetes.io "Use a User Namespace With a Pod": with hostUsers: false,
# `cat /proc/self/uid_map` in the pod prints "0  833617920      65536".  The
# kernel writes each line as "%10u %10u %10u\n" (kernel/user_namespace.c
# uid_m_show), so the bytes are "         0  833617920      65536\n".  The
# pod's volumes are idmapped mounts; the kernel shows that as ",idmapped"
# after the other per-mount options (fs/proc_namespace.c show_mnt_opts).
t=k8s-userns
k8s_containerd "$t"
put "$t" proc/self/uid_map "         0  833617920      65536\n"
put "$t" proc/self/gid_map "         0  833617920      65536\n"
nslink "$t" user "user:[4026532183]"
sed -i -E '/ (\/etc\/hosts|\/dev\/termination-log|\/etc\/hostname|\/etc\/resolv\.conf|\/var\/run\/secrets\/kubernetes\.io\/serviceaccount) /s/^([0-9]+ [0-9]+ [0-9:]+ [^ ]+ [^ ]+ [^ ]+)/\1,idmapped/' "$FIX/$t/proc/self/mountinfo"
readme "$t" docker-default <<EOF
The \`k8s-containerd\` pod (see its README; the same changes to docker-default are applied) with
\`spec.hostUsers: false\`: a user namespace of its own whose uid 0 is host uid 833617920.

## What was changed (on top of \`k8s-containerd\`)

| file | content |
| --- | --- |
| \`proc/self/uid_map\`, \`gid_map\` | \`         0  833617920      65536\` (the values of the Kubernetes documentation, in the kernel's \`%10u %10u %10u\` layout) |
| \`proc/self/ns/user\` | \`user:[4026532183]\` (not the initial 4026531837) |
| \`proc/self/mountinfo\` | \`,idmapped\` appended to the per-mount options of the kubelet/CRI bind mounts and the token tmpfs (\`/etc/hosts\`, \`/dev/termination-log\`, \`/etc/hostname\`, \`/etc/resolv.conf\`, \`/var/run/secrets/kubernetes.io/serviceaccount\`) |

Capabilities are unchanged: inside its user namespace the container has containerd's 14, which are
capabilities over that namespace only.

## References

- Kubernetes documentation, "Use a User Namespace With a Pod" (kubernetes.io/docs/tasks/configure-pod-container/user-namespaces): \`cat /proc/self/uid_map\` → \`0  833617920      65536\`; pod volumes need idmap mounts.
- Linux \`kernel/user_namespace.c\` (\`uid_m_show\`: \`"%10u %10u %10u\n"\`), \`fs/proc_namespace.c\` (\`show_mnt_opts\`: \`",idmapped"\` for idmapped mounts).
- Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards): for pods with \`hostUsers: false\` the restricted profile does not require runAsNonRoot/runAsUser ≠ 0.
$K8S_REFS
EOF

# --------------------------------------------------------------- block PVC
# cockroachdb/cockroach pkg/util/cgroups/cgroups_test.go, v1MountsWithoutCPUController:
# a real pod whose data volume is a whole block device (an EBS disk) mounted in:
#   776 625 259:3 / /cockroach/cockroach-data rw,relatime - ext4 /dev/nvme2n1 rw,data=ordered
# Its root field is "/" because the volume is mounted whole, not because it is the host's /.
t=block-pvc
k8s_containerd "$t"
echo "2788 2775 259:3 / /data rw,relatime - ext4 /dev/nvme2n1 rw,data=ordered" >> "$FIX/$t/proc/self/mountinfo"
keep "$t" data
readme "$t" docker-default <<EOF
The \`k8s-containerd\` pod (see its README; the same changes to docker-default are applied) with a
block-backed PersistentVolumeClaim (an ext4 filesystem on its own disk) mounted whole at \`/data\`.

## What was changed (on top of \`k8s-containerd\`)

| file | content |
| --- | --- |
| \`proc/self/mountinfo\` | one line added: \`2788 2775 259:3 / /data rw,relatime - ext4 /dev/nvme2n1 rw,data=ordered\` |
| \`data/\` | an empty directory (\`.keep\`): the volume's top |

The line is the real \`776 625 259:3 / /cockroach/cockroach-data rw,relatime - ext4 /dev/nvme2n1
rw,data=ordered\` of a CockroachDB pod on EKS (cockroachdb/cockroach \`pkg/util/cgroups/cgroups_test.go\`,
\`v1MountsWithoutCPUController\`), with mount/parent ids renumbered into this table and the target
\`/cockroach/cockroach-data\` changed to \`/data\`. Its root field is \`/\` because the whole filesystem is
mounted, and its device (259:3, \`/dev/nvme2n1\`) is not the node's root disk (8:1, \`/dev/sda1\`, the
device of the kubelet's bind mounts): it is not the host's \`/\` and carries no host \`/run\`.

## References

- cockroachdb/cockroach \`pkg/util/cgroups/cgroups_test.go\` (\`v1MountsWithoutCPUController\`): the PVC line.
$K8S_REFS
EOF

# ----------------------------------------------------------- hostPath volume
# The same DataDog/datadog-go capture (entry "2208 2025 0:249") has real
# hostPath volumes, e.g.
#   2226 2208 8:1 /var/lib/datadog-agent/logs /opt/datadog-agent/run rw,nosuid,nodev,noexec,relatime - ext4 /dev/sda1 rw,commit=30
# i.e. root field = the host path, on the node's disk.  A hostPath /data/x at /x:
t=hostpath-volume
k8s_containerd "$t"
echo "2788 2775 8:1 /data/x /x rw,relatime - ext4 /dev/sda1 rw,commit=30" >> "$FIX/$t/proc/self/mountinfo"
keep "$t" x
readme "$t" docker-default <<EOF
The \`k8s-containerd\` pod (see its README; the same changes to docker-default are applied) with a
\`hostPath\` volume: host directory \`/data/x\` mounted at \`/x\`.

## What was changed (on top of \`k8s-containerd\`)

| file | content |
| --- | --- |
| \`proc/self/mountinfo\` | one line added: \`2788 2775 8:1 /data/x /x rw,relatime - ext4 /dev/sda1 rw,commit=30\` |
| \`x/\` | an empty directory (\`.keep\`) |

The line has the form of the real hostPath mounts of the same DataDog/datadog-go capture (entry
\`2208 2025 0:249\`: \`2226 2208 8:1 /var/lib/datadog-agent/logs /opt/datadog-agent/run … - ext4 /dev/sda1
rw,commit=30\`, \`2227 2208 8:1 /var/log/pods /var/log/pods ro,relatime - ext4 /dev/sda1 rw,commit=30\`):
the root field is the path on the node's root disk (8:1, the same device as the kubelet's own
\`/var/lib/kubelet/pods/…\` bind mounts). Only the host path and the target were chosen.

## References

- DataDog/datadog-go \`statsd/container_test.go\`, \`TestParseMountinfo\`, entry \`2208 2025 0:249\` (real hostPath lines).
$K8S_REFS
EOF

# ------------------------------------------------------------- CRI-O + SELinux
# Base lines: cockroachdb/cockroach pkg/util/cgroups/cgroups_test.go, v2Mounts:
# a real container of containers/storage (overlay under
# /var/lib/containers/storage, hostname/resolv.conf from the runroot on the
# /run tmpfs) on an SELinux host with cgroup v2 (context= options, seclabel,
# /sys/fs/selinux masked).  CRI-O uses the same containers/storage layout
# (internal/storage) and the same runroot files for the sandbox
# (server/sandbox_run_linux.go: hostnamePath = podContainer.RunDir +
# "/hostname"), mounts /run/.containerenv (server/container_create.go
# setupBaseContainerMounts), takes /etc/hosts from the kubelet (not on host
# network), gives unprivileged containers a private cgroup namespace on
# cgroup v2 (setupCgroupNamespace) and masks config.DefaultMaskedPaths() plus
# /proc/asound and /proc/interrupts (server/masked_paths.go).
CRIO_SB=f1c6b44c0d61f273952b8daecf154cee1be2d503b7e9184ebf7fcaf48e139810   # sandbox id (the capture's container id)
CRIO_CTR=7dcd88f815bded7b833fb5dc0f25de897250bcfa828624c0d78393689d0bc312  # container id (the capture's layer id)
CRIO_POD=3e1c3b0e-6a8e-4f3f-9d5e-2b7c1f0a9d41
CTX='context="system_u:object_r:container_file_t:s0:c200,c321"'
t=crio-selinux
copy podman-default "$t"
putf "$t" proc/self/mountinfo <<EOF
371 344 0:35 / / rw,relatime - overlay overlay rw,$CTX,lowerdir=/var/lib/containers/storage/overlay/l/SPNDOAU3AZNJMNKU3F5THCA36R,upperdir=/var/lib/containers/storage/overlay/$CRIO_CTR/diff,workdir=/var/lib/containers/storage/overlay/$CRIO_CTR/work
372 371 0:37 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
373 371 0:38 / /dev rw,nosuid - tmpfs tmpfs rw,$CTX,size=65536k,mode=755
374 371 0:39 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs rw,seclabel
375 373 0:40 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,$CTX,gid=5,mode=620,ptmxmode=666
376 373 0:36 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw,seclabel
377 371 0:24 /containers/storage/overlay-containers/$CRIO_SB/userdata/hostname /etc/hostname rw,nosuid,nodev - tmpfs tmpfs rw,seclabel,mode=755
378 371 259:1 /var/lib/containers/storage/overlay-containers/$CRIO_SB/userdata/.containerenv /run/.containerenv rw,noatime - xfs /dev/nvme0n1p1 rw,seclabel,attr2,inode64,noquota
379 371 0:24 /containers/storage/overlay-containers/$CRIO_CTR/userdata/run/secrets /run/secrets rw,nosuid,nodev - tmpfs tmpfs rw,seclabel,mode=755
380 371 0:24 /containers/storage/overlay-containers/$CRIO_SB/userdata/resolv.conf /etc/resolv.conf rw,nosuid,nodev,noexec - tmpfs tmpfs rw,seclabel,mode=755
381 371 259:1 /var/lib/kubelet/pods/$CRIO_POD/etc-hosts /etc/hosts rw,noatime - xfs /dev/nvme0n1p1 rw,seclabel,attr2,inode64,noquota
382 373 0:33 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,$CTX,size=64000k
383 374 0:25 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,seclabel
384 372 0:41 / /proc/acpi ro,relatime - tmpfs tmpfs rw,$CTX,size=0k
385 372 0:6 /null /proc/kcore rw,nosuid - devtmpfs devtmpfs rw,seclabel,size=1869464k,nr_inodes=467366,mode=755
386 372 0:6 /null /proc/keys rw,nosuid - devtmpfs devtmpfs rw,seclabel,size=1869464k,nr_inodes=467366,mode=755
387 372 0:6 /null /proc/timer_list rw,nosuid - devtmpfs devtmpfs rw,seclabel,size=1869464k,nr_inodes=467366,mode=755
388 372 0:6 /null /proc/sched_debug rw,nosuid - devtmpfs devtmpfs rw,seclabel,size=1869464k,nr_inodes=467366,mode=755
389 372 0:42 / /proc/scsi ro,relatime - tmpfs tmpfs rw,$CTX,size=0k
390 374 0:43 / /sys/firmware ro,relatime - tmpfs tmpfs rw,$CTX,size=0k
391 374 0:44 / /sys/fs/selinux ro,relatime - tmpfs tmpfs rw,$CTX,size=0k
392 372 0:37 /bus /proc/bus ro,relatime - proc proc rw
393 372 0:37 /fs /proc/fs ro,relatime - proc proc rw
394 372 0:37 /irq /proc/irq ro,relatime - proc proc rw
395 372 0:37 /sys /proc/sys ro,relatime - proc proc rw
396 372 0:37 /sysrq-trigger /proc/sysrq-trigger ro,relatime - proc proc rw
397 373 259:1 /var/lib/kubelet/pods/$CRIO_POD/containers/app/5f0c2d1e /dev/termination-log rw,noatime - xfs /dev/nvme0n1p1 rw,seclabel,attr2,inode64,noquota
398 379 0:69 / /run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw,seclabel,size=3884040k
EOF
printf '0::/\n' | cgroup_file "$t"
nslink "$t" cgroup "cgroup:[4026532254]"
# CRI-O's default capabilities (internal/config/capabilities/capabilities_linux.go
# Default()): CHOWN DAC_OVERRIDE FSETID FOWNER SETGID SETUID SETPCAP
# NET_BIND_SERVICE KILL = bits 0 1 4 3 6 7 8 10 5 = 0x5fb.  No seccompProfile:
# Unconfined (Kubernetes default).
status_sed "$t" -e 's/00000000800405fb/00000000000005fb/' -e 's/^Seccomp:\t2$/Seccomp:\t0/' -e 's/^Seccomp_filters:\t1$/Seccomp_filters:\t0/'
put "$t" proc/self/attr/current "system_u:system_r:container_t:s0:c200,c321\\000"
keep "$t" sys/fs/selinux
gone "$t" sys/fs/cgroup/cpu sys/fs/cgroup/memory sys/fs/cgroup/pids
put "$t" sys/fs/cgroup/cgroup.controllers "cpuset cpu io memory pids\n"
put "$t" sys/fs/cgroup/memory.max "max\n"
put "$t" sys/fs/cgroup/pids.max "max\n"
put "$t" sys/fs/cgroup/cpu.max "max 100000\n"
touchf "$t" dev/termination-log proc/kcore proc/sysrq-trigger
keep "$t" proc/scsi
put "$t" var/run/secrets/kubernetes.io/serviceaccount/token "REDACTED"
environ "$t" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOSTNAME=app" \
  "KUBERNETES_SERVICE_HOST=10.96.0.1" "KUBERNETES_SERVICE_PORT=443" "HOME=/root"
readme "$t" podman-default <<EOF
A container of a Kubernetes pod on CRI-O (runc) on an SELinux-enforcing RHEL-family node with cgroup
v2: CRI-O's default capabilities, no seccomp profile, label \`container_t\` with an MCS pair, the
service-account token mounted.

## What was changed

| file | content | was |
| --- | --- | --- |
| \`proc/self/mountinfo\` | see below | podman 4.3 on Debian, v1 cgroups |
| \`proc/self/cgroup\`, \`proc/1/cgroup\` | \`0::/\` (private cgroup namespace) | \`/libpod_parent/libpod-<id>\` |
| \`proc/self/ns/cgroup\` | \`cgroup:[4026532254]\` (non-initial) | initial |
| \`proc/self/status\`, \`task/1/status\` | CapPrm/CapEff/CapBnd \`00000000000005fb\`; \`Seccomp: 0\`, \`Seccomp_filters: 0\` | podman's \`800405fb\`, seccomp filter |
| \`proc/self/attr/current\` | \`system_u:system_r:container_t:s0:c200,c321\` + NUL (the MCS pair of the capture's \`context=\` options) | EINVAL |
| \`sys/fs/selinux/\` | empty directory, masked; **no \`enforce\`**, no \`sys/kernel/security/lsm\` | absent |
| \`sys/fs/cgroup/\` | v2: \`cgroup.controllers\` = \`cpuset cpu io memory pids\`, \`memory.max\` = \`max\`, \`pids.max\` = \`max\`, \`cpu.max\` = \`max 100000\` (no limits requested; CRI-O's \`pids_limit\` default is unlimited) | v1 dirs |
| \`dev/termination-log\`, \`proc/kcore\`, \`proc/sysrq-trigger\`, \`proc/scsi/\` | added (mount points in the mountinfo) | |
| \`var/run/secrets/kubernetes.io/serviceaccount/token\` | \`REDACTED\` | |
| \`proc/self/environ\`, \`proc/1/environ\` | PATH, \`HOSTNAME=app\`, \`KUBERNETES_SERVICE_HOST/PORT\`, HOME (no \`container=podman\`) | podman's |

The mountinfo keeps, byte for byte, every line of the real \`v2Mounts\` capture in
cockroachdb/cockroach \`pkg/util/cgroups/cgroups_test.go\` (a containers/storage container on an
SELinux host with cgroup v2) except \`/dev/console\` (no tty in a pod), with these adaptations for CRI-O
under the kubelet:

- \`/etc/hostname\`, \`/etc/resolv.conf\` come from the **sandbox's** runroot directory (\`server/sandbox_run_linux.go\`: \`podContainer.RunDir + "/hostname"\`), \`/run/.containerenv\` from the sandbox's \`Dir()\` (\`internal/lib/sandbox/sandbox.go\`) on the node's disk; \`resolv.conf\` is bound \`nodev,nosuid,noexec\` (\`server/container_create.go\` \`setupBaseContainerMounts\`). The ids are the capture's.
- \`/etc/hosts\`, \`/dev/termination-log\` come from \`/var/lib/kubelet/pods/<uid>/\` and the token from a tmpfs at \`/run/secrets/kubernetes.io/serviceaccount\` (as under containerd, and as \`df\` shows on OpenShift 4.6 with CRI-O in Alluxio/alluxio#12664: \`/etc/resolv.conf\` and \`/etc/hostname\` on tmpfs, \`/etc/hosts\` and \`/dev/termination-log\` on the root disk, tmpfs \`/run/secrets\` and \`/run/secrets/kubernetes.io/serviceaccount\`). The node-disk lines use the xfs device and options of the real kubelet lines in the same cockroach file (\`259:1 … xfs /dev/nvme0n1p1 rw,attr2,inode64,noquota\`) plus \`seclabel\`.

The kernel (\`osrelease\` 6.18) and other namespace links are podman-default's; on RHEL 9 the kernel
would be 5.14, where \`no_host_network\` cannot be decided from the inode.

CRI-O on cgroup v2 gives every unprivileged container a private cgroup namespace, so the systemd unit
\`kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/crio-<id>.scope\` is **not** visible
in \`/proc/self/cgroup\`; what names CRI-O is the combination of containers/storage paths with kubelet pod
paths.

## References

- cri-o/cri-o at f954a17e: \`internal/config/capabilities/capabilities_linux.go\` (\`Default()\`), \`server/masked_paths.go\` + vendored \`go.podman.io/common/pkg/config/default.go\` (\`/sys/fs/selinux\` masked), \`server/container_create.go\` (\`setupBaseContainerMounts\`, \`setupCgroupNamespace\`), \`server/sandbox_run_linux.go\`, \`internal/config/cgmgr/\` (\`crio-<id>.scope\` units, \`crio-conmon-<id>.scope\`).
- cockroachdb/cockroach \`pkg/util/cgroups/cgroups_test.go\` (\`v2Mounts\`, \`v1MountsWithoutCPUController\`).
- Alluxio/alluxio#12664 (OpenShift 4.6 / CRI-O \`df -h\` inside a pod).
- Linux \`security/selinux/hooks.c\` \`selinux_getprocattr()\` (context + NUL).
EOF

# ----------------------------------------------------------- rootless podman
# pre-commit/pre-commit tests/languages/docker_test.py,
# PODMAN_CGROUPS_V2_MOUNTINFO_EXAMPLE: a real rootless podman container on
# cgroup v2 (storage in /home/asottile/.local/share/containers/storage, the
# runroot on the user's /run/user/1000 tmpfs, uid=1000 in the tmpfs options,
# devpts gid=100004 = container gid 5 mapped to 100000+4, host device nodes
# bound from udev, cgroup2 with root "/").  The container id in it was edited
# by the test's author to match the file's other examples.
t=podman-rootless
copy rootless-like "$t"
putf "$t" proc/self/mountinfo <<'EOF'
685 690 0:63 /containers/overlay-containers/c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7/userdata/resolv.conf /etc/resolv.conf rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1637624k,nr_inodes=409406,mode=700,uid=1000,gid=1000,inode64
686 690 0:63 /containers/overlay-containers/c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7/userdata/hosts /etc/hosts rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1637624k,nr_inodes=409406,mode=700,uid=1000,gid=1000,inode64
687 692 0:50 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=64000k,uid=1000,gid=1000,inode64
688 690 0:63 /containers/overlay-containers/c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7/userdata/.containerenv /run/.containerenv rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1637624k,nr_inodes=409406,mode=700,uid=1000,gid=1000,inode64
689 690 0:63 /containers/overlay-containers/c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7/userdata/hostname /etc/hostname rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=1637624k,nr_inodes=409406,mode=700,uid=1000,gid=1000,inode64
690 546 0:55 / / rw,relatime - overlay overlay rw,lowerdir=/home/asottile/.local/share/containers/storage/overlay/l/NPOHYOD3PI3YW6TQSGBOVOUSK6,upperdir=/home/asottile/.local/share/containers/storage/overlay/565c206fb79f876ffd5f069b8bd7a97fb5e47d5d07396b0c395a4ed6725d4a8e/diff,workdir=/home/asottile/.local/share/containers/storage/overlay/565c206fb79f876ffd5f069b8bd7a97fb5e47d5d07396b0c395a4ed6725d4a8e/work,redirect_dir=nofollow,uuid=on,volatile,userxattr
691 690 0:59 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
692 690 0:61 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755,uid=1000,gid=1000,inode64
693 690 0:62 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs rw
694 692 0:66 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=100004,mode=620,ptmxmode=666
695 692 0:58 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
696 693 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
698 692 0:6 /null /dev/null rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
699 692 0:6 /zero /dev/zero rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
700 692 0:6 /full /dev/full rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
701 692 0:6 /tty /dev/tty rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
702 692 0:6 /random /dev/random rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
703 692 0:6 /urandom /dev/urandom rw,nosuid,noexec,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
704 691 0:67 / /proc/acpi ro,relatime - tmpfs tmpfs rw,size=0k,uid=1000,gid=1000,inode64
705 691 0:6 /null /proc/kcore ro,nosuid,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
706 691 0:6 /null /proc/keys ro,nosuid,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
707 691 0:6 /null /proc/latency_stats ro,nosuid,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
708 691 0:6 /null /proc/timer_list ro,nosuid,relatime - devtmpfs udev rw,size=8147812k,nr_inodes=2036953,mode=755,inode64
709 691 0:68 / /proc/scsi ro,relatime - tmpfs tmpfs rw,size=0k,uid=1000,gid=1000,inode64
710 693 0:69 / /sys/firmware ro,relatime - tmpfs tmpfs rw,size=0k,uid=1000,gid=1000,inode64
711 693 0:70 / /sys/dev/block ro,relatime - tmpfs tmpfs rw,size=0k,uid=1000,gid=1000,inode64
712 693 0:71 / /sys/devices/virtual/powercap ro,relatime - tmpfs tmpfs rw,size=0k,uid=1000,gid=1000,inode64
713 691 0:59 /asound /proc/asound ro,nosuid,nodev,noexec,relatime - proc proc rw
714 691 0:59 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
715 691 0:59 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw
716 691 0:59 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw
717 691 0:59 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
718 691 0:59 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw
547 692 0:66 /0 /dev/console rw,relatime - devpts devpts rw,gid=100004,mode=620,ptmxmode=666
EOF
put "$t" proc/self/uid_map "         0       1000          1\n         1     100000      65536\n"
put "$t" proc/self/gid_map "         0       1000          1\n         1     100000      65536\n"
printf '0::/\n' | cgroup_file "$t"
nslink "$t" cgroup "cgroup:[4026532255]"
gone "$t" sys/fs/cgroup/cpu sys/fs/cgroup/memory sys/fs/cgroup/pids sys/dev
keep "$t" sys/dev/block
keep "$t" sys/devices/virtual/powercap
keep "$t" proc/scsi
keep "$t" proc/asound
touchf "$t" proc/kcore proc/sysrq-trigger dev/console
put "$t" sys/fs/cgroup/cgroup.controllers "memory pids\n"
put "$t" sys/fs/cgroup/memory.max "max\n"
put "$t" sys/fs/cgroup/pids.max "2048\n"
readme "$t" rootless-like <<'EOF'
Real rootless podman: `podman run` by user 1000 (subordinate ids 100000–165535), pure cgroup v2 with
the systemd cgroup manager, default capabilities and seccomp profile.

## What was changed

| file | content | was |
| --- | --- | --- |
| `proc/self/mountinfo` | byte for byte the real `PODMAN_CGROUPS_V2_MOUNTINFO_EXAMPLE` of pre-commit/pre-commit `tests/languages/docker_test.py` | rootful podman on Debian with `--uidmap` |
| `proc/self/uid_map`, `gid_map` | `0 1000 1` and `1 100000 65536` (kernel layout) — what `/etc/subuid` `user:100000:65536` gives | `1 100000 65535` |
| `proc/self/cgroup`, `proc/1/cgroup` | `0::/` | v1 paths |
| `proc/self/ns/cgroup` | `cgroup:[4026532255]` (non-initial: the mountinfo's cgroup2 root is `/`) | initial |
| `sys/fs/cgroup/` | v2: `cgroup.controllers` = `memory pids` (what systemd delegates to `user@.service` by default), `memory.max` = `max`, `pids.max` = `2048` (containers.conf `pids_limit` default, applied by the systemd cgroup manager) | v1 dirs |
| `sys/dev/block/`, `sys/devices/virtual/powercap/`, `proc/scsi/`, `proc/asound/`, `proc/kcore`, `proc/sysrq-trigger`, `dev/console` | added: mount points in this mountinfo | |

The status (podman's 11 capabilities inside the user namespace, seccomp filter, uid 0), the user
namespace link (non-initial), `run/.containerenv`, `environ` (`container=podman`) are the real
rootless-like capture's. The kernel (6.18) is the capture host's. In rootless podman the cgroup is
`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-<id>.scope`, but with the default
private cgroup namespace on v2 the container sees only `0::/`.

## References

- pre-commit/pre-commit `tests/languages/docker_test.py` (`PODMAN_CGROUPS_V2_MOUNTINFO_EXAMPLE`; also `PODMAN_CGROUPS_V1_MOUNTINFO_EXAMPLE`, where the v1 controller roots show `/user.slice/user-1000.slice/user@1000.service`).
- podman-container-tools/podman#9191 (containers.conf defaults logged: `PidsLimit:2048`, `CgroupNS` per version).
- Linux `kernel/user_namespace.c` `uid_m_show` (`%10u %10u %10u`).
EOF

# ----------------------------------------------------- dockerd --userns-remap
# docs.docker.com/engine/security/userns-remap: with "userns-remap", dockerd
# maps container uid 0 to the first subordinate id of its user (dockremap:
# 165536:65536 is what dockerd writes to /etc/subuid for "default") and keeps
# all state under /var/lib/docker/<uid>.<gid>/.  tmpfs mounts it creates are
# owned by the remapped root (uid=165536,gid=165536), devpts gid 5 -> 165541.
t=docker-userns-remap
copy docker-default "$t"
sed -i -e 's#/var/lib/docker/overlay2/#/var/lib/docker/165536.165536/overlay2/#g' \
       -e 's#/var/lib/docker/containers/#/var/lib/docker/165536.165536/containers/#g' \
       -e 's#\(/dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\)$#\1,uid=165536,gid=165536#' \
       -e 's#\(- devpts devpts rw,\)gid=5,#\1gid=165541,#' \
       -e 's#\(/null /proc/[a-z_]* rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\)$#\1,uid=165536,gid=165536#' \
       -e 's#\( / /proc/acpi ro,relatime - tmpfs tmpfs ro\)$#\1,uid=165536,gid=165536#' \
       -e 's#\( / /sys/firmware ro,relatime - tmpfs tmpfs ro\)$#\1,uid=165536,gid=165536#' \
       -e 's#\(- tmpfs shm rw,size=65536k\)$#\1,uid=165536,gid=165536#' \
       "$FIX/$t/proc/self/mountinfo"
put "$t" proc/self/uid_map "         0     165536      65536\n"
put "$t" proc/self/gid_map "         0     165536      65536\n"
nslink "$t" user "user:[4026532176]"
readme "$t" docker-default <<'EOF'
`docker run` on a dockerd started with `"userns-remap": "default"` (user `dockremap`, subordinate ids
165536–231071): container root is host uid 165536.

## What was changed

| file | content | was |
| --- | --- | --- |
| `proc/self/uid_map`, `gid_map` | `         0     165536      65536` | `0 0 4294967295` |
| `proc/self/ns/user` | `user:[4026532176]` (non-initial) | initial |
| `proc/self/mountinfo` | overlay layers and the `resolv.conf`/`hostname`/`hosts` bind sources moved under `/var/lib/docker/165536.165536/`; `uid=165536,gid=165536` added to the tmpfs mounts dockerd/runc create (`/dev`, `/dev/shm`, the `/null` masks, `/proc/acpi`, `/sys/firmware`); devpts `gid=165541` | docker-default's |

Everything else (the 14 capabilities — capabilities over the container's own user namespace —,
seccomp filter, cgroup v1 files, other ns links, `/.dockerenv`) is the real docker-default capture.

## References

- Docker documentation, "Isolate containers with a user namespace" (docs.docker.com/engine/security/userns-remap): `/etc/subuid` ranges, uid 0 mapped to the first subordinate id, the per-mapping data directory `/var/lib/docker/<uid>.<gid>`.
- Gist AlexMikhalev/e375ede342940a2edd718792d202805f: with `"userns-remap": "default"` dockerd adds `dockremap:165536:65536` to `/etc/subuid`; files created as container root are owned by 165536.
- nestybox/sysbox#230 and #315 (`findmnt` inside containers of a remapping runtime): tmpfs mounts show `uid=165536,gid=165536`.
EOF

# -------------------------------------------------------------------- sysbox
# nestybox/sysbox-fs mount/infoParser_test.go, mountInfoData: the real
# mountinfo of a system container under Docker + sysbox-runc (Ubuntu kernel
# 5.0.0-38-generic with shiftfs, subordinate range from 231072): /proc/sys,
# /proc/swaps, /proc/uptime and /sys/module/nf_conntrack/parameters/hashsize
# are FUSE mounts of sysbox-fs ("fuse sysboxfs"), /sys is sysfs rw, cgroup v1
# controllers with root "/" (private cgroup namespace), /var/lib/docker,
# /var/lib/kubelet, /var/lib/containerd bound from sysbox's own
# /var/lib/sysbox/... volumes, kernel headers/modules bound read-only.
# nestybox/sysbox docs/user-guide/security.md: root in a system container
# starts with all capabilities (CapInh..CapAmb 0000003fffffffff), Sysbox
# ignores AppArmor profiles, it uses seccomp (notify) for mount syscalls.
t=sysbox
copy docker-default "$t"
putf "$t" proc/self/mountinfo <<'EOF'
1526 1218 0:86 / / rw,relatime - shiftfs /var/lib/docker/overlay2/85257da8a9d3ce990cc15656845ff381b195501df3aedce24748282556baec11/merged rw
1531 1526 0:95 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
1532 1531 0:96 / /sys/fs/cgroup ro,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755,uid=231072,gid=231072
1533 1532 0:27 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime - cgroup systemd rw,xattr,name=systemd
1534 1532 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu,cpuacct
1535 1532 0:31 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,blkio
1536 1532 0:32 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,net_cls,net_prio
1537 1532 0:33 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,hugetlb
1538 1532 0:34 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,perf_event
1539 1532 0:35 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpuset,clone_children
1540 1532 0:36 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,devices
1541 1532 0:37 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory
1542 1532 0:38 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,rdma
1543 1532 0:39 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,pids
1544 1532 0:40 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,freezer
1555 1531 0:97 / /sys/kernel/config rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=1024k,uid=231072,gid=231072
1583 1531 0:98 / /sys/kernel/debug rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=1024k,uid=231072,gid=231072
1589 1531 0:77 /sys/module/nf_conntrack/parameters/hashsize /sys/module/nf_conntrack/parameters/hashsize rw,nosuid,nodev,relatime - fuse sysboxfs rw,user_id=0,group_id=0,default_permissions,allow_other
1590 1526 0:85 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1610 1590 0:77 /proc/swaps /proc/swaps rw,nosuid,nodev,relatime - fuse sysboxfs rw,user_id=0,group_id=0,default_permissions,allow_other
1638 1590 0:77 /proc/sys /proc/sys rw,nosuid,nodev,relatime - fuse sysboxfs rw,user_id=0,group_id=0,default_permissions,allow_other
1644 1590 0:77 /proc/uptime /proc/uptime rw,nosuid,nodev,relatime - fuse sysboxfs rw,user_id=0,group_id=0,default_permissions,allow_other
1645 1526 0:104 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755,uid=231072,gid=231072
1711 1645 0:6 /null /dev/kmsg rw,nosuid,relatime - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1712 1645 0:84 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
1713 1645 0:105 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=231077,mode=620,ptmxmode=666
1714 1645 0:106 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k,uid=231072,gid=231072
1715 1526 0:94 /resolv.conf /etc/resolv.conf rw,relatime - shiftfs /var/lib/docker/containers/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae rw
1716 1526 0:94 /hostname /etc/hostname rw,relatime - shiftfs /var/lib/docker/containers/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae rw
1717 1526 0:94 /hosts /etc/hosts rw,relatime - shiftfs /var/lib/docker/containers/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae rw
1718 1526 0:90 / /usr/src/linux-headers-5.0.0-38-generic ro,relatime - shiftfs /usr/src/linux-headers-5.0.0-38-generic rw
1719 1526 0:88 / /usr/src/linux-headers-5.0.0-38 ro,relatime - shiftfs /usr/src/linux-headers-5.0.0-38 rw
1720 1526 0:87 / /usr/lib/modules/5.0.0-38-generic ro,relatime - shiftfs /lib/modules/5.0.0-38-generic rw
1721 1526 8:1 /var/lib/sysbox/docker/baseVol/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae /var/lib/docker rw,relatime shared:815 - ext4 /dev/sda1 rw,errors=remount-ro
1722 1526 8:1 /var/lib/sysbox/kubelet/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae /var/lib/kubelet rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro
1723 1526 8:1 /var/lib/sysbox/containerd/acbc2a6670e672cbaf39897aaaabce7f245a8c09a27458173e8a9b99c28ac6ae /var/lib/containerd rw,relatime - ext4 /dev/sda1 rw,errors=remount-ro
1724 1526 0:107 / /run rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=65536k,mode=755,uid=231072,gid=231072
1725 1724 0:108 / /run/lock rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=4096k,uid=231072,gid=231072
1726 1526 0:109 / /tmp rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=65536k,uid=231072,gid=231072
1727 1645 0:6 /null /dev/null rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1728 1645 0:6 /random /dev/random rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1729 1645 0:6 /full /dev/full rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1730 1645 0:6 /tty /dev/tty rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1731 1645 0:6 /zero /dev/zero rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1732 1645 0:6 /urandom /dev/urandom rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1219 1645 0:105 /0 /dev/console rw,nosuid,noexec,relatime - devpts devpts rw,gid=231077,mode=620,ptmxmode=666
1343 1590 0:85 /bus /proc/bus ro,relatime - proc proc rw
1344 1590 0:85 /fs /proc/fs ro,relatime - proc proc rw
1345 1590 0:85 /irq /proc/irq ro,relatime - proc proc rw
1360 1590 0:85 /sysrq-trigger /proc/sysrq-trigger ro,relatime - proc proc rw
1361 1590 0:110 / /proc/asound ro,relatime - tmpfs tmpfs ro,uid=231072,gid=231072
1362 1590 0:111 / /proc/acpi ro,relatime - tmpfs tmpfs ro,uid=231072,gid=231072
1393 1590 0:6 /null /proc/keys rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1399 1590 0:6 /null /proc/timer_list rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1400 1590 0:6 /null /proc/sched_debug rw,nosuid,relatime master:2 - devtmpfs udev rw,size=4058184k,nr_inodes=1014546,mode=755
1416 1590 0:112 / /proc/scsi ro,relatime - tmpfs tmpfs ro,uid=231072,gid=231072
1417 1531 0:113 / /sys/firmware ro,relatime - tmpfs tmpfs ro,uid=231072,gid=231072
EOF
status_sed "$t" -e 's/^\(Cap[A-Za-z]*:\t\).*/\10000003fffffffff/' -e '/^Seccomp_filters:/d'
put "$t" proc/sys/kernel/osrelease "5.0.0-38-generic\n"
put "$t" proc/sys/kernel/cap_last_cap "37\n"
put "$t" proc/self/uid_map "         0     231072      65536\n"
put "$t" proc/self/gid_map "         0     231072      65536\n"
nslink "$t" user "user:[4026532183]"
nslink "$t" cgroup "cgroup:[4026532184]"
rm -f "$FIX/$t/proc/self/ns/time"
put "$t" proc/self/attr/current "unconfined\n"
cgroup_file "$t" <<'EOF'
12:rdma:/
11:pids:/
10:freezer:/
9:memory:/
8:devices:/
7:cpuset:/
6:perf_event:/
5:hugetlb:/
4:net_cls,net_prio:/
3:blkio:/
2:cpu,cpuacct:/
1:name=systemd:/
0::/
EOF
gone "$t" sys/fs/cgroup/cpu sys/fs/cgroup/memory sys/fs/cgroup/pids
put "$t" "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us" "-1\n"
put "$t" "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us" "100000\n"
put "$t" sys/fs/cgroup/memory/memory.limit_in_bytes "9223372036854771712\n"
put "$t" sys/fs/cgroup/pids/pids.max "max\n"
touchf "$t" proc/kcore proc/sysrq-trigger proc/swaps proc/uptime dev/kmsg dev/console
keep "$t" proc/asound
keep "$t" proc/scsi
keep "$t" var/lib/docker
readme "$t" docker-default <<'EOF'
A system container: `docker run --runtime=sysbox-runc` on Ubuntu (kernel 5.0.0-38-generic, shiftfs),
root in the container with every capability over its own user namespace, uid 0 = host uid 231072.

## What was changed

| file | content | was |
| --- | --- | --- |
| `proc/self/mountinfo` | byte for byte `mountInfoData` of nestybox/sysbox-fs `mount/infoParser_test.go` (a real sysbox container) | docker 20.10 / runc |
| `proc/self/status`, `task/1/status` | CapInh = CapPrm = CapEff = CapBnd = CapAmb = `0000003fffffffff`; no `Seccomp_filters:` line (Linux < 5.9); `Seccomp: 2` kept (sysbox installs a seccomp-notify filter) | docker's 14 caps |
| `proc/sys/kernel/osrelease`, `cap_last_cap` | `5.0.0-38-generic` (the capture's kernel, from its `/usr/src/linux-headers-5.0.0-38-generic` mount), `37` (the last capability of 5.0, CAP_AUDIT_READ) | 6.18, 40 |
| `proc/self/uid_map`, `gid_map` | `0 231072 65536` (the capture's tmpfs `uid=231072,gid=231072`) | `0 0 4294967295` |
| `proc/self/ns/user`, `cgroup` | non-initial; `time` removed (time namespaces exist from Linux 5.6) | initial |
| `proc/self/attr/current` | `unconfined` + newline: Ubuntu loads AppArmor and sysbox ignores the profile docker asks for | EINVAL |
| `proc/self/cgroup`, `proc/1/cgroup` | v1 hierarchies of the capture's cgroup mounts, all `/` (private cgroup namespace), and `0::/`; the hierarchy numbers are illustrative | `/docker/<id>` |
| `sys/fs/cgroup/` | `cpu,cpuacct/cpu.cfs_{quota,period}_us` = `-1`/`100000`, `memory/memory.limit_in_bytes` = unlimited, `pids/pids.max` = `max` | docker-default's v1 files under `cpu/` |
| `proc/kcore` (present, **not** masked in the capture), `proc/sysrq-trigger`, `proc/swaps`, `proc/uptime`, `proc/asound/`, `proc/scsi/`, `dev/kmsg`, `dev/console`, `var/lib/docker/` | added: they exist there | |

`/.dockerenv` and the bind sources `/var/lib/docker/containers/<id>/…` are Docker's: Docker is the engine,
sysbox-runc the runtime.

## Signals a detector can use (all real, in the mountinfo)

- `fuse` mounts with source `sysboxfs` at `/proc/sys`, `/proc/swaps`, `/proc/uptime`, `/sys/module/nf_conntrack/parameters/hashsize` (newer sysbox also `/sys/kernel`, `/sys/devices/virtual`: nestybox/sysbox#757, #800).
- `/var/lib/docker`, `/var/lib/kubelet`, `/var/lib/containerd` bound from `/var/lib/sysbox/{docker/baseVol,kubelet,containerd}/<id>`; root on `shiftfs` (older kernels) or idmapped overlay.
- A full bounding set inside a user namespace whose uid 0 is an unprivileged host uid.
- `/proc/sys` being FUSE means it is not the kernel's sysctl tree: it must not be judged as procfs.

## References

- nestybox/sysbox-fs `mount/infoParser_test.go` (`mountInfoData`), at ca22161f.
- nestybox/sysbox `docs/user-guide/security.md`: "Process Capabilities" (`CapInh…CapAmb: 0000003fffffffff`), "AppArmor" (ignored), seccomp.
- nestybox/sysbox#812, #757, #800, #230 (`findmnt` in sysbox containers: `sysboxfs[/proc/sys] fuse rw,nosuid,nodev,relatime,user_id=0,group_id=0,default_permissions,allow_other`).
EOF

# ---------------------------------------------------------------------- Kata
# kata-containers/kata-containers at 7c6ba40c (2026-08-22):
#  - src/runtime/virtcontainers/kata_agent.go: the host's network, cgroup and
#    time namespaces are dropped from the spec sent to the agent ("handled on
#    the host"), so in the guest the container stays in the guest kernel's
#    INITIAL net, cgroup and time namespaces (and user namespace); the agent
#    creates new pid/mnt namespaces and shares IPC/UTS per sandbox
#    (src/agent/src/sandbox.rs setup_shared_namespaces, rpc.rs).
#  - the shared directory is a virtio-fs mount tagged "kataShared"
#    (mountGuestTag); the container rootfs is <cid>/rootfs in it
#    (fs_share_linux.go), files such as /etc/hosts are copied there as
#    "<cid>-<16 hex>-<name>" (shareFileName, 8 random bytes hex).
#  - guest kernel: versions.yaml assets.kernel.version v6.18.35;
#    DEFDISABLEGUESTSECCOMP := true (src/runtime/Makefile): no seccomp in the guest.
KATA_CID=0b14fd09a2d4d54042919c5cdc9767f4d18afc50b3a90383043fa898e3483daa
KATA_POD=8fb5051e-cc32-4752-b1fd-8dd7931af82a
t=kata
k8s_containerd "$t"
putf "$t" proc/self/mountinfo <<EOF
73 46 0:33 /$KATA_CID/rootfs / rw,relatime - virtiofs kataShared rw,dax
74 73 0:36 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
75 73 0:37 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
76 75 0:38 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666
77 75 0:32 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw
78 73 0:21 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
79 78 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
80 73 0:33 /$KATA_CID-1f3ead8083566ffb-hosts /etc/hosts rw,relatime - virtiofs kataShared rw,dax
81 75 0:33 /$KATA_CID-175b29da4eda0e77-termination-log /dev/termination-log rw,relatime - virtiofs kataShared rw,dax
82 73 0:33 /$KATA_CID-e68b0c7cb9120239-hostname /etc/hostname rw,relatime - virtiofs kataShared rw,dax
83 73 0:33 /$KATA_CID-2e9eb70638428f8b-resolv.conf /etc/resolv.conf rw,relatime - virtiofs kataShared rw,dax
84 75 0:34 / /dev/shm rw,relatime - tmpfs shm rw
85 73 0:39 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw
86 74 0:36 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw
87 74 0:36 /fs /proc/fs ro,nosuid,nodev,noexec,relatime - proc proc rw
88 74 0:36 /irq /proc/irq ro,nosuid,nodev,noexec,relatime - proc proc rw
89 74 0:36 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
90 74 0:36 /sysrq-trigger /proc/sysrq-trigger ro,nosuid,nodev,noexec,relatime - proc proc rw
91 74 0:40 / /proc/acpi ro,relatime - tmpfs tmpfs ro
92 74 0:37 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
93 74 0:37 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
94 74 0:37 /null /proc/timer_list rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
95 74 0:41 / /proc/scsi ro,relatime - tmpfs tmpfs ro
96 78 0:42 / /sys/firmware ro,relatime - tmpfs tmpfs ro
EOF
put "$t" proc/sys/kernel/osrelease "6.18.35\n"
nslink "$t" net "net:[4026531833]"
nslink "$t" cgroup "cgroup:[4026531835]"
nslink "$t" time "time:[4026531834]"
nslink "$t" user "user:[4026531837]"
printf '0::/kubepods/besteffort/pod%s/%s\n' "$KATA_POD" "$KATA_CID" | cgroup_file "$t"
gone "$t" sys/fs/cgroup
put "$t" sys/fs/cgroup/cgroup.controllers "cpuset cpu io memory hugetlb pids rdma misc\n"
put "$t" "sys/fs/cgroup/kubepods/besteffort/pod$KATA_POD/$KATA_CID/memory.max" "max\n"
put "$t" "sys/fs/cgroup/kubepods/besteffort/pod$KATA_POD/$KATA_CID/pids.max" "max\n"
put "$t" "sys/fs/cgroup/kubepods/besteffort/pod$KATA_POD/$KATA_CID/cpu.max" "max 100000\n"
proc_attr="$FIX/$t/proc/self/attr"
rm -rf "$proc_attr"; mkdir -p "$proc_attr"; printf 'EINVAL\n' > "$proc_attr/current.errno"
readme "$t" docker-default <<EOF
A container of a Kubernetes pod with \`runtimeClassName: kata\` (Kata Containers 3, QEMU, virtio-fs) on
containerd: the container runs in a guest VM with its own kernel. Built as \`k8s-containerd\` (same
capabilities, \`Seccomp: 0\`, token, environment), then changed as below.

## What was changed (on top of \`k8s-containerd\`)

| file | content | source |
| --- | --- | --- |
| \`proc/self/mountinfo\` | rootfs and \`/etc/hosts\`, \`/etc/hostname\`, \`/etc/resolv.conf\`, \`/dev/termination-log\` on the \`virtiofs\` mount tagged \`kataShared\`, roots \`/<cid>/rootfs\` and \`/<cid>-<16 hex>-<name>\`; guest tmpfs for the token; the usual runc masks | kata \`src/runtime/virtcontainers/kata_agent.go\` (\`mountGuestTag = "kataShared"\`, \`typeVirtioFS\`), \`fs_share_linux.go\` (\`shareFileName\`, rootfs \`<cid>/rootfs\`); kata \`docs/how-to/how-to-run-docker-with-kata.md\` shows the real \`mount\` line inside a Kata container, \`kataShared on / type virtiofs (rw,relatime,dax)\` (per-mount \`rw,relatime\`, filesystem options \`rw,dax\`) |
| \`proc/sys/kernel/osrelease\` | \`6.18.35\` — the **guest** kernel | kata \`versions.yaml\` \`assets.kernel.version: v6.18.35\` |
| \`proc/self/ns/net\`, \`cgroup\`, \`time\`, \`user\` | the guest kernel's **initial** namespaces: \`net:[4026531833]\` (fixed on 6.18), \`cgroup:[4026531835]\`, \`time:[4026531834]\`, \`user:[4026531837]\` | kata_agent.go drops network, cgroup and time namespaces from the spec sent to the agent |
| \`proc/self/attr/current.errno\` | \`EINVAL\` (no LSM in the guest kernel; not verified) | |
| \`proc/self/cgroup\`, \`sys/fs/cgroup/\` | \`0::/kubepods/besteffort/pod<uid>/<cid>\` (initial cgroup namespace, so the full guest path shows) with \`max\` limits at the container's directory only | path form of the kubelet's cgroupfs driver; not verified in a guest |

The pid, mnt, ipc and uts links stay non-initial (the agent creates them). \`uid_map\` is the guest's
initial \`0 0 4294967295\`.

## Signals a detector can use

- \`virtiofs\` (or \`9p\`) mounts with source \`kataShared\`, including the rootfs; root fields \`/<cid>/rootfs\` and \`/<cid>-<hex>-hosts\`.
- Initial net/cgroup/time/user namespaces **together with** private pid/mnt namespaces and a container rootfs: no Linux runtime on a host produces that (runc always unshares net or inherits the host's mount table).
- Not read by posture today, but real in Kata guests: \`/proc/cpuinfo\` \`flags\` contains \`hypervisor\`; \`/sys/class/dmi/id/sys_vendor\` names the VMM (e.g. \`QEMU\`); the guest has virtio devices (\`/sys/bus/virtio/devices\`) and a very small \`/proc/meminfo\` MemTotal (the sandbox size: \`DEFMEMSZ := 2048\` MiB in \`src/runtime/Makefile\`).
- Because the fixed initial inodes are the *guest's*, host-namespace checks cannot pass or fail from them.

## References

- kata-containers/kata-containers at 7c6ba40c: \`src/runtime/virtcontainers/kata_agent.go\`, \`src/runtime/virtcontainers/fs_share_linux.go\`, \`src/agent/src/sandbox.rs\`, \`src/agent/src/rpc.rs\` (\`update_container_namespaces\`), \`versions.yaml\`, \`src/runtime/Makefile\` (\`DEFDISABLEGUESTSECCOMP := true\`).
$K8S_REFS
EOF

# ------------------------------------------------------ btrfs / ZFS host /etc
# podman-container-tools/podman#24454 (Fedora, real /proc/self/mountinfo of the
# host): "77 1 0:41 /root / rw,noatime shared:1 - btrfs /dev/nvme0n1p3
# rw,seclabel,compress=zstd:1,ssd,discard=async,space_cache=v2,subvolid=256,subvol=/root".
# Fedora's root subvolume is named "root"; a bind of the host's /etc shows the
# path inside the btrfs tree, "/root/etc", and btrfs's anonymous 0:NN device.
t=btrfs-host-etc
copy podman-default "$t"
echo "100 79 0:41 /root/etc /host-etc rw,noatime - btrfs /dev/nvme0n1p3 rw,seclabel,compress=zstd:1,ssd,discard=async,space_cache=v2,subvolid=256,subvol=/root" >> "$FIX/$t/proc/self/mountinfo"
keep "$t" host-etc
readme "$t" podman-default <<'EOF'
`podman run -v /etc:/host-etc …` on a Fedora host whose root filesystem is btrfs (subvolume `root`).

## What was changed

| file | content |
| --- | --- |
| `proc/self/mountinfo` | one line added: `100 79 0:41 /root/etc /host-etc rw,noatime - btrfs /dev/nvme0n1p3 rw,seclabel,compress=zstd:1,ssd,discard=async,space_cache=v2,subvolid=256,subvol=/root` |
| `host-etc/` | empty directory (`.keep`) |

The line is the host's real root line from podman-container-tools/podman#24454 (`77 1 0:41 /root / rw,noatime
shared:1 - btrfs /dev/nvme0n1p3 rw,seclabel,compress=zstd:1,ssd,discard=async,space_cache=v2,subvolid=256,subvol=/root`)
as a bind of its `/etc` appears in a container: the root field is the path inside the btrfs tree
(`/root` + `/etc`), the device the same anonymous `0:41`, the mount a private copy (no `shared:`), its
mount id and parent renumbered into this table. Note `0:41`: btrfs (like ZFS, overlayfs, tmpfs) has no
block device major, so "host filesystem = major ≠ 0" misses it; and the `/root` prefix is the
subvolume, not the host's `/root` directory. Everything else is the real podman-default capture (whose
own host is Debian on ext4).

## References

- podman-container-tools/podman#24454 (Fedora host mountinfo, btrfs root subvolume `root`); containers/crun#2066 (Fedora, `916 830 0:35 /root / rw,relatime master:1 - btrfs /dev/mapper/luks-… rw,seclabel,compress=zstd:1,ssd,discard=async,space_cache,subvolid=256,subvol=/root`).
- proc(5), `/proc/[pid]/mountinfo` field 4: "the pathname of the directory in the filesystem which forms the root of this mount".
EOF

t=zfs-host-etc
copy podman-default "$t"
echo "100 79 0:24 /etc /host-etc rw,relatime - zfs rpool/ROOT/ubuntu_bcqdgs rw,xattr,posixacl" >> "$FIX/$t/proc/self/mountinfo"
keep "$t" host-etc
readme "$t" podman-default <<'EOF'
`podman run -v /etc:/host-etc …` on an Ubuntu host installed root-on-ZFS (dataset `rpool/ROOT/ubuntu_<id>`).

## What was changed

| file | content |
| --- | --- |
| `proc/self/mountinfo` | one line added: `100 79 0:24 /etc /host-etc rw,relatime - zfs rpool/ROOT/ubuntu_bcqdgs rw,xattr,posixacl` |
| `host-etc/` | empty directory (`.keep`) |

The dataset and its options are real: aristocratos/btop#201 shows an Ubuntu root-on-ZFS host's
`mount` output, `rpool/ROOT/ubuntu_bcqdgs on / type zfs (rw,relatime,xattr,posixacl)` (`relatime` is
the per-mount option, `rw,xattr,posixacl` the filesystem's); `/etc` lives in that root dataset
(ubuntu/zsys#183 lists the installer's separate datasets: `/var/lib/apt`, `/var/log`, … but not
`/etc`). ZFS datasets get an anonymous `0:NN` device (the minor here is illustrative); the root field
of a bind of `/etc` is `/etc`, the path inside the dataset. Everything else is the real
podman-default capture.

## References

- aristocratos/btop#201 (Ubuntu on ZFS, `mount` output); ubuntu/zsys#183 (the root dataset's children).
- proc(5), `/proc/[pid]/mountinfo`.
EOF

# ------------------------------------------------ host directory + socket
# A host directory holding a runtime socket, bound at a path of its own
# (`-v /srv/sockdir:/mnt/x`): the mount table shows only the directory. The
# bind line is the form podman 4.3 prints for such a bind on this host
# (`84 80 254:0 /tmp/pwtest/sockdir /mnt/x rw,relatime - ext4 /dev/vda rw,…`,
# measured with `podman run -v /tmp/pwtest/sockdir:/mnt/x`); a fixture holds
# no socket, so a regular file stands for it (the fixture root reads a
# regular file where a socket is looked for as one, src/root.rs is_socket).
t=hostdir-runtime-socket
copy hardened "$t"
echo "90 77 254:0 /srv/sockdir /mnt/x rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534" >> "$FIX/$t/proc/self/mountinfo"
touchf "$t" mnt/x/docker.sock
readme "$t" hardened <<'EOF'
`podman run … -v /srv/sockdir:/mnt/x …` with the hardened flags, where the host's `/srv/sockdir`
holds a listening Docker socket `docker.sock`: the container reaches the Docker daemon at
`/mnt/x/docker.sock`, though no mount line names a socket.

## What was changed

| file | content |
| --- | --- |
| `proc/self/mountinfo` | one line added: `90 77 254:0 /srv/sockdir /mnt/x rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534` |
| `mnt/x/docker.sock` | an empty **regular file** standing for the socket (a fixture tree holds no socket; a fixture root takes a regular file where a socket is looked for as the socket) |

The bind line has the form podman 4.3 prints on the capture host for `-v <host dir>:/mnt/x`
(measured: `84 80 254:0 /tmp/pwtest/sockdir /mnt/x rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534`),
renumbered into this table (the root overlay is mount 77). Everything else is the real `hardened`
capture. The real-container counterpart is `tests/runtimes.rs`, `socket_in_a_host_directory`.
EOF

# ------------------------------------ podman's storage on a volume of its own
# RHEL's documentation advises a separate volume for /var/lib/containers
# (podman's graph root is /var/lib/containers/storage). When the image has
# no /etc/passwd entry for --user (scratch, distroless) and the root is
# read-only, podman writes passwd and group into the container's static
# directory, <graphroot>/overlay-containers/<id>/userdata/, and binds them
# (measured with podman 4.3 here: `89 81 254:0
# /var/lib/containers/storage/overlay-containers/<id>/userdata/passwd
# /etc/passwd ro,nosuid,nodev,noexec,relatime - ext4 /dev/vda …`). With the
# graph root's filesystem mounted at /var/lib/containers, the root field is
# relative to that filesystem: /storage/overlay-containers/<id>/userdata/passwd.
t=podman-storage-volume
copy hardened "$t"
PSV_ID=c8edc22dc3193495617c5a526be062b9cb08dd6d88cb012a45f2138ee447ba2d  # hardened's container id
n=90
for f in passwd group; do
  echo "$n 77 254:16 /storage/overlay-containers/$PSV_ID/userdata/$f /etc/$f ro,nosuid,nodev,noexec,relatime - xfs /dev/vdb rw,attr2,inode64,logbufs=8,logbsize=32k,noquota" >> "$FIX/$t/proc/self/mountinfo"
  n=$((n + 1))
done
readme "$t" hardened <<EOF
The hardened line (\`--user 1000:1000 --read-only …\`) with an image that has no \`/etc/passwd\`
entry for uid 1000, on a host whose \`/var/lib/containers\` (podman's graph root
\`/var/lib/containers/storage\`) is a filesystem of its own, as Red Hat advises for container
storage: podman binds its generated \`passwd\` and \`group\` from that filesystem.

## What was changed

| file | content |
| --- | --- |
| \`proc/self/mountinfo\` | two lines added: \`90 77 254:16 /storage/overlay-containers/$PSV_ID/userdata/passwd /etc/passwd ro,nosuid,nodev,noexec,relatime - xfs /dev/vdb rw,attr2,inode64,logbufs=8,logbsize=32k,noquota\` and the same for \`group\` (mount 91) |

podman 4.3 binds these two files when the image has no entry for \`--user\` and the root is read-only;
measured on the capture host with an image without \`/etc/passwd\`:
\`89 81 254:0 /var/lib/containers/storage/overlay-containers/<id>/userdata/passwd /etc/passwd ro,nosuid,nodev,noexec,relatime - ext4 /dev/vda …\`
(the graph root on the root filesystem). Here the graph root's filesystem (xfs on a second disk,
\`/dev/vdb\`, 254:16) is mounted at \`/var/lib/containers\`, so the root field is the path below it,
\`/storage/overlay-containers/<id>/userdata/passwd\` (proc(5): field 4 is "the pathname of the directory
in the filesystem which forms the root of this mount"); nothing on that device says where it is
mounted on the host. The container id is the \`hardened\` capture's own. Everything else is the real
\`hardened\` capture.

## References

- Red Hat Enterprise Linux, "Building, running, and managing containers": container storage under
  \`/var/lib/containers\`, which can be placed on a separate logical volume or disk.
- containers/podman \`libpod/container_internal_linux.go\` (\`generatePasswdAndGroup\`,
  \`writeStringToStaticDir\`): the files are written to the container's static directory
  (\`<graphroot>/overlay-containers/<id>/userdata\`) and bind-mounted over \`/etc/passwd\` and \`/etc/group\`.
EOF

echo "make-handbuilt-fixtures: built apparmor-enforce apparmor-complain selinux-container-t selinux-spc-t no-lsm gvisor gvisor-old k8s-containerd k8s-userns block-pvc hostpath-volume crio-selinux podman-rootless docker-userns-remap sysbox kata btrfs-host-etc zfs-host-etc hostdir-runtime-socket podman-storage-volume" >&2
