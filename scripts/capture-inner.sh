# scripts/capture-inner.sh — runs INSIDE the container (busybox sh, busybox
# applets only; POSIX sh) and prints, on stdout, everything posture reads, as
# a stream of records that scripts/capture-fixture.sh decodes on the host:
#
#   ==POSTURE== FILE <tree-path>        followed by base64 lines, then
#   ==POSTURE== END
#   ==POSTURE== ERRNO <tree-path> <error message text>
#   ==POSTURE== LINK <tree-path> <readlink output>
#   ==POSTURE== DIR <tree-path>
#   ==POSTURE== EMPTY <tree-path>
#   ==POSTURE== DONE
#
# <tree-path> is where the file goes in the fixture tree (relative, shaped
# like /).  "self" files are read through /proc/$$ — the pid of this shell —
# so that proc/self/status and proc/self/task/<tid>/status describe the same
# process (the shell is single-threaded, so its only task is $$).  The shell
# has the credentials, namespaces, seccomp filter and NoNewPrivs of the
# container process (under docker/podman run it usually IS pid 1).
#
# Nothing is written inside the container (works with --read-only), nothing
# is mounted; stderr stays silent so `podman logs` output is clean.
#
# Secrets: environ files are emitted with only a short list of harmless
# variables (ENV_KEEP); every other entry is left out, name and value (this
# script also runs on hosts, where pid 1 may carry credentials).  The
# Kubernetes service account token is never read (emitted as REDACTED).

SELF=/proc/$$
M='==POSTURE=='

# keep these environment entries; all others are left out
ENV_KEEP='PATH|HOME|HOSTNAME|TERM|container|USER|LOGNAME|SHELL|LANG|KUBERNETES_SERVICE_HOST|KUBERNETES_SERVICE_PORT|KUBERNETES_PORT'

errmsg() { # file -> last ": "-separated field of the reader's error
  cat "$1" 2>&1 >/dev/null | sed -n '$s/.*: //p'
}

# emit <src> <tree-path> [filter]: file content, or its errno, or nothing
# when it does not exist.
emit() {
  src=$1; dst=$2; filter=${3:-}
  if [ ! -e "$src" ] && [ ! -L "$src" ]; then
    return 0
  fi
  if cat "$src" >/dev/null 2>&1; then
    echo "$M FILE $dst"
    if [ "$filter" = environ ]; then
      # NUL-separated NAME=value; entries outside ENV_KEEP are dropped
      cat "$src" 2>/dev/null | tr '\000' '\n' \
        | grep -E "^($ENV_KEEP)=" | tr '\n' '\000' | base64
    else
      base64 "$src" 2>/dev/null
    fi
    echo "$M END"
  else
    echo "$M ERRNO $dst $(errmsg "$src")"
  fi
}

emit_text() { # <tree-path> <command...>: command's stdout+stderr as a file
  dst=$1; shift
  echo "$M FILE $dst"
  "$@" 2>&1 | base64
  echo "$M END"
}

emit_link() { # <link> <tree-path>
  if [ ! -e "$1" ] && [ ! -L "$1" ]; then return 0; fi
  if t=$(readlink "$1" 2>/dev/null); then
    echo "$M LINK $2 $t"
  else
    echo "$M ERRNO $2 $(ls -l "$1" 2>&1 >/dev/null | sed -n '$s/.*: //p')"
  fi
}

echo "$M BEGIN 1"

for f in status uid_map gid_map setgroups mountinfo cgroup; do
  emit "$SELF/$f" "proc/self/$f"
done
emit "$SELF/environ" proc/self/environ environ
emit "$SELF/attr/current" proc/self/attr/current
emit "$SELF/attr/apparmor/current" proc/self/attr/apparmor/current
for t in "$SELF"/task/*; do
  [ -d "$t" ] || continue
  tid=${t##*/}
  emit "$t/status" "proc/self/task/$tid/status"
done
emit /proc/1/environ proc/1/environ environ
emit /proc/1/cgroup proc/1/cgroup
emit /proc/sys/kernel/cap_last_cap proc/sys/kernel/cap_last_cap
emit /proc/sys/kernel/osrelease proc/sys/kernel/osrelease

for ns in cgroup ipc mnt net pid time user uts; do
  emit_link "$SELF/ns/$ns" "proc/self/ns/$ns"
done

# cgroup limits as mounted in here: v2 at the cgroup root, v1 per controller
for f in cgroup.controllers memory.max pids.max cpu.max \
         memory/memory.limit_in_bytes pids/pids.max \
         cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us; do
  emit "/sys/fs/cgroup/$f" "sys/fs/cgroup/$f"
done

emit /sys/fs/selinux/enforce sys/fs/selinux/enforce
emit /sys/kernel/security/lsm sys/kernel/security/lsm

emit /.dockerenv .dockerenv
emit /run/.containerenv run/.containerenv
tok=/var/run/secrets/kubernetes.io/serviceaccount/token
if [ -e "$tok" ]; then
  echo "$M FILE var/run/secrets/kubernetes.io/serviceaccount/token"
  echo REDACTED | base64
  echo "$M END"
fi

# Runtime-masked and read-only paths that exist here (masked or not), as
# empty markers: posture stats a path the mount table leaves uncovered to tell
# "exposed" from "absent on this kernel" (e.g. no /proc/kcore without
# CONFIG_PROC_KCORE).
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug \
         /proc/latency_stats /proc/timer_stats /proc/acpi /proc/scsi \
         /sys/firmware /sys/devices/virtual/powercap /proc/sysrq-trigger \
         /proc/bus /proc/fs /proc/irq /proc/asound; do
  if [ -d "$p" ]; then echo "$M DIR ${p#/}"
  elif [ -e "$p" ]; then echo "$M EMPTY ${p#/}"; fi
done

# /dev top level: names only
for d in /dev/* /dev/.[!.]*; do
  [ -e "$d" ] || [ -L "$d" ] || continue
  name=${d##*/}
  if [ -d "$d" ] && [ ! -L "$d" ]; then
    echo "$M DIR dev/$name"
  else
    echo "$M EMPTY dev/$name"
  fi
done

# side captures (not part of the tree)
emit "$SELF/status" capture/status.txt
emit_text capture/id.txt id
if command -v capsh >/dev/null 2>&1; then
  emit_text capture/capsh-print.txt capsh --print
else
  echo "$M FILE capture/capsh-print.txt"
  echo "capsh not available in this image" | base64
  echo "$M END"
fi
emit_text capture/ls-sys-fs-cgroup.txt ls -la /sys/fs/cgroup
echo "$M DONE"
