#!/usr/bin/env bash
# scripts/make-handbuilt-fixtures.sh — build the HAND-BUILT fixture trees
# (scenarios that cannot be captured on the project's machines: no LSM is
# loaded there and gVisor is not installable).  Each one starts as a copy of
# the closest REAL capture and only the files the scenario changes are
# edited, following the kernel / gVisor / AppArmor / SELinux documentation
# cited in the generated README.md.  Re-run after re-capturing the sources.
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
  printf "$3" > "$FIX/$1/$2"
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

# ---------------------------------------------------------------- SELinux
# Kernel: security/selinux/hooks.c selinux_getprocattr() returns the
# context from security_sid_to_context(), whose length INCLUDES the
# terminating NUL, so /proc/self/attr/current ends in "\0" (no newline).
# selinuxfs: /sys/fs/selinux/enforce reads "1" (enforcing) / "0", no newline
# (sel_read_enforce: scnprintf "%d").  container-selinux policy: container_t
# with MCS categories for normal containers, spc_t ("super privileged
# container") for --privileged ones.
sel() { # tree source context
  local t="$1" src="$2" ctx="$3"
  copy "$src" "$t"
  put "$t" proc/self/attr/current "$ctx\\000"
  rm -rf "$FIX/$t/proc/self/attr/apparmor"
  put "$t" sys/fs/selinux/enforce "1"
  put "$t" sys/kernel/security/lsm "lockdown,capability,yama,selinux"
  readme "$t" "$src" <<EOF
## What was changed

| file | content | was |
| --- | --- | --- |
| \`proc/self/attr/current\` | \`$ctx\` followed by ONE NUL byte, no newline | \`current.errno\` = EINVAL (no LSM) |
| \`proc/self/attr/apparmor/current\` | absent (AppArmor not in this kernel) | absent |
| \`sys/fs/selinux/enforce\` | \`1\` (no newline) = enforcing | absent |
| \`sys/kernel/security/lsm\` | \`lockdown,capability,yama,selinux\` (no newline) | absent |

Everything else is the real \`$src\` capture (caps, seccomp, mountinfo, cgroup, ns links, /run/.containerenv, dev/). A real SELinux host would also show \`context=...\` mount options on some mounts in mountinfo; those were NOT added.

## References

- Linux \`security/selinux/hooks.c\`, \`selinux_getprocattr()\`: the returned context comes from \`security_sid_to_context()\`, whose length includes the terminating NUL, so reading \`/proc/self/attr/current\` yields the context plus a trailing \`\\0\` (proc(5): attr/current holds the process's current security context).
- selinuxfs (\`security/selinux/selinuxfs.c\`, \`sel_read_enforce\`): \`/sys/fs/selinux/enforce\` reads \`1\` in enforcing mode, \`0\` in permissive mode, without a newline.
- container-selinux policy (used by podman, CRI-O, docker on Fedora/RHEL): ordinary containers run as \`container_t\` with a random MCS category pair (\`s0:cNNN,cMMM\`); \`--privileged\` / \`label=disable\` containers run as \`spc_t\` (super privileged container) with \`s0\`.
- \`/sys/kernel/security/lsm\` (\`security/inode.c\`, \`lsm_read\`): comma-separated active LSMs, no trailing newline; this list is Fedora's usual order. Inside real containers securityfs is normally not mounted.
EOF
}
sel selinux-container-t podman-default "system_u:system_r:container_t:s0:c123,c456"
sel selinux-spc-t privileged "system_u:system_r:spc_t:s0"

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
# the host kernel.  References (google/gvisor):
#   pkg/sentry/fsimpl/proc/task_files.go, statusData.Generate: status has
#     Name State Tgid Pid PPid TracerPid FDSize VmSize VmRSS VmData Threads
#     CapInh CapPrm CapEff CapBnd Seccomp Mems_allowed Mems_allowed_list —
#     no Uid/Gid, no CapAmb, no NoNewPrivs, no Seccomp_filters.
#   pkg/sentry/vfs/mount.go, GenerateProcMountInfo: per-mount options are
#     only rw/ro (+noexec); mount source is always "none".
#   pkg/sentry/kernel/task_cgroup.go, GenerateProcTaskCgroup: v1-style
#     "<hierarchy>:<controllers>:<path>" lines, highest hierarchy id first.
#   runsc reports kernel release 4.4.0 (uname / osrelease).
#   runsc applies the OCI seccomp profile only with --oci-seccomp, so the
#     default is Seccomp 0.
t=gvisor
copy docker-default "$t"
gv_status() { # tid
  printf 'Name:\tsh\nState:\tS (sleeping)\nTgid:\t1\nPid:\t%s\nPPid:\t0\nTracerPid:\t0\nFDSize:\t64\nVmSize:\t2272 kB\nVmRSS:\t1024 kB\nVmData:\t176 kB\nThreads:\t1\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nSeccomp:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n' "$1"
}
gv_status 1 > "$FIX/$t/proc/self/status"
rm -rf "$FIX/$t/proc/self/task"
mkdir -p "$FIX/$t/proc/self/task/1"
gv_status 1 > "$FIX/$t/proc/self/task/1/status"
# no /proc/[pid]/attr directory in gVisor's task dir
rm -rf "$FIX/$t/proc/self/attr"
put "$t" proc/sys/kernel/osrelease "4.4.0\n"
GVCG='7:pids:/\n6:memory:/\n5:job:/\n4:devices:/\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n'
put "$t" proc/self/cgroup "$GVCG"
put "$t" proc/1/cgroup "$GVCG"
cat > "$FIX/$t/proc/self/mountinfo" <<'EOF'
1 1 0:1 / / rw - 9p none rw,trans=fd,rfdno=4,wfdno=4,cache=remote_revalidating
2 1 0:2 / /dev rw - tmpfs none rw,mode=0755
3 2 0:3 / /dev/pts rw,noexec - devpts none rw
4 2 0:4 / /dev/shm rw,noexec - tmpfs none rw,mode=1777
5 2 0:5 / /dev/mqueue rw,noexec - mqueue none rw
6 1 0:6 / /proc rw,noexec - proc none rw
7 1 0:7 / /sys ro,noexec - sysfs none ro,dentry_cache_limit=1000
8 7 0:8 / /sys/fs/cgroup rw,noexec - tmpfs none rw,mode=0755
9 8 0:9 / /sys/fs/cgroup/cpu ro,noexec - cgroup none ro,cpu
10 8 0:10 / /sys/fs/cgroup/cpuacct ro,noexec - cgroup none ro,cpuacct
11 8 0:11 / /sys/fs/cgroup/cpuset ro,noexec - cgroup none ro,cpuset
12 8 0:12 / /sys/fs/cgroup/devices ro,noexec - cgroup none ro,devices
13 8 0:13 / /sys/fs/cgroup/job ro,noexec - cgroup none ro,job
14 8 0:14 / /sys/fs/cgroup/memory ro,noexec - cgroup none ro,memory
15 8 0:15 / /sys/fs/cgroup/pids ro,noexec - cgroup none ro,pids
16 1 0:16 / /etc/hostname rw - 9p none rw,trans=fd,rfdno=6,wfdno=6,cache=remote_revalidating
17 1 0:17 / /etc/hosts rw - 9p none rw,trans=fd,rfdno=7,wfdno=7,cache=remote_revalidating
18 1 0:18 / /etc/resolv.conf rw - 9p none rw,trans=fd,rfdno=8,wfdno=8,cache=remote_revalidating
EOF
readme "$t" docker-default <<'EOF'
Intended to look like `docker run --runtime=runsc --network=none posture-base` (gVisor), with docker's
default 14 capabilities.

## What was changed

| file | content | why |
| --- | --- | --- |
| `proc/self/status`, `proc/self/task/1/status` | gVisor's short status: Name, State, Tgid, Pid, PPid, TracerPid, FDSize, VmSize, VmRSS, VmData, Threads, CapInh, CapPrm, CapEff, CapBnd, `Seccomp: 0`, Mems_allowed, Mems_allowed_list. **No `Uid:`/`Gid:` lines, no `CapAmb:`, no `NoNewPrivs:`, no `Seccomp_filters:`** | gVisor's Sentry generates this file itself (`pkg/sentry/fsimpl/proc/task_files.go`, `statusData.Generate`) |
| `proc/self/attr/` | removed (neither file nor `.errno`) | gVisor's per-task proc directory has no `attr` entry |
| `proc/self/mountinfo` | gVisor-style: mount source always `none`, per-mount options only `rw`/`ro` (+`noexec`), root fs is the gofer (`9p`) mount, v1 cgroupfs mounts including gVisor's own `job` controller | `pkg/sentry/vfs/mount.go`, `GenerateProcMountInfo` / `superBlockOpts` |
| `proc/self/cgroup`, `proc/1/cgroup` | `7:pids:/` … `1:cpu:/` incl. `5:job:/`, no `0::` line | `pkg/sentry/kernel/task_cgroup.go`, `GenerateProcTaskCgroup` (highest hierarchy id first) |
| `proc/sys/kernel/osrelease` | `4.4.0` | runsc reports Linux 4.4.0 as its release |

Seccomp is 0 because runsc does not install the OCI (docker) seccomp profile inside the sandbox
unless started with `--oci-seccomp`; the Sentry itself is seccomp-confined on the host, invisibly
to the application.

Left as in docker-default (plausible but NOT verified against a real gVisor): ns link targets
(inode numbers come from gVisor's own nsfs in reality), `uid_map`/`gid_map`/`setgroups`, `environ`,
the cgroup limit files, `dev/` names, `/.dockerenv`, `cap_last_cap`. The exact mount ids, device
numbers and 9p options in mountinfo are illustrative; the FORMAT follows the gVisor source above, and
newer gVisor releases may print a different root filesystem type (e.g. an overlay for the rootfs)
or add status fields.
EOF

echo "make-handbuilt-fixtures: built apparmor-enforce apparmor-complain selinux-container-t selinux-spc-t no-lsm gvisor" >&2
