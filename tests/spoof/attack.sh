#!/bin/sh
# tests/spoof/attack.sh: the container side of tests/spoof.rs, copied into
# the test image as /attack (with /posture and the helper /spoof).
#
#   /attack NAME POLICY...
#
# Prints what the container really is (@@REAL@@: id -u, uid_map, status
# lines), then for each POLICY starts a fresh process that mounts attack NAME
# against its own pid, prints evidence that the attack took effect (for
# the test to assert, so that an attack that silently failed cannot pass),
# and execs `/posture --check --policy POLICY --json` in that same pid:
#
#   @@RUN p@@
#   <evidence lines>
#   @@JSON@@
#   <posture's JSON document>
#   @@EXIT n@@
#   @@STDERR@@
#   <posture's stderr, and the setup's>
#   @@END@@
#   ...
#   @@DONE@@
#
# A setup step that fails exits 111 before @@JSON@@.
#
#   /attack bounded CASE
#
# Makes a FIFO where posture reads a file, or names /dev/zero as the policy,
# and runs posture under `timeout 10` (exit 143 when it had to be killed).

T=$(printf '\t')

# Status lines that the forgeries change.
show_status() {
  grep -E '^(Pid|Uid|Gid|CapPrm|CapEff|CapBnd|NoNewPrivs):' "$1" | sed 's/^/status: /'
}

# A status file as a hardened process's: uid and gid 1000, no groups, no
# capabilities, no_new_privs; the rest as in $1.
forge_status() {
  sed -e "s/^Uid:.*/Uid:${T}1000${T}1000${T}1000${T}1000/" \
      -e "s/^Gid:.*/Gid:${T}1000${T}1000${T}1000${T}1000/" \
      -e "s/^Groups:.*/Groups:${T}/" \
      -e "s/^\(Cap[A-Za-z]*\):.*/\1:${T}0000000000000000/" \
      -e "s/^NoNewPrivs:.*/NoNewPrivs:${T}1/" "$1"
}

# Waits (5 s at most) until /proc/$1/status shows uid $2.
wait_uid() {
  i=0
  while ! grep -qE "^Uid:[[:space:]]+$2[[:space:]]" "/proc/$1/status" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 50 ] || { echo "setup: pid $1 never showed uid $2" >&2; exit 111; }
    sleep 0.1
  done
}

# Runs posture in this very process.
posture() {
  echo "@@JSON@@"
  exec /posture --check --policy "$policy" --json
}

# A confined process (uid 1000, no capabilities, no_new_privs; with
# --userns also in a user namespace mapping 0 to 100000) to steal /proc
# files from; sets $victim.
start_victim() {
  /spoof confined "$@" -- sleep 1000 &
  victim=$!
  if [ "$1" = --userns ]; then wait_uid "$victim" 101000; else wait_uid "$victim" 1000; fi
  echo "victim: $victim"
}

# What this process's /proc entry now says, read by path as /proc/self
# resolves for it, plus what the kernel says through syscalls.
show_forged() {
  echo "@@BOUND@@"
  echo "pid: $$"
  echo "id -u: $(id -u)"
  show_status "/proc/$$/status"
  sed 's/^/uid_map: /' "/proc/$$/uid_map"
}

one() {
  name=$1
  policy=$2
  set -e
  case "$name" in
  userns)
    # uid 1000 in a new user namespace is this container's uid 0.
    exec /spoof userns -- /attack in-userns "$policy"
    ;;
  in-userns)
    echo "@@BOUND@@"
    echo "id -u: $(id -u)"
    show_status /proc/self/status
    sed 's/^/uid_map: /' /proc/self/uid_map
    posture
    ;;
  proc-dir | proc-dir-userns)
    # The victim's whole /proc/<pid> directory over ours.
    if [ "$name" = proc-dir-userns ]; then start_victim --userns; else start_victim; fi
    mount --bind "/proc/$victim" "/proc/$$"
    show_forged
    posture
    ;;
  proc-files)
    # Single files of the victim over ours (the main thread's too).
    start_victim --userns
    for f in status uid_map gid_map; do
      mount --bind "/proc/$victim/$f" "/proc/$$/$f"
    done
    mount --bind "/proc/$victim/task/$victim/status" "/proc/$$/task/$$/status"
    show_forged
    posture
    ;;
  crafted-files)
    # Ordinary files (on the container's rootfs) with crafted text.
    d=/tmp/forge-$$
    mkdir -p "$d"
    forge_status "/proc/$$/status" > "$d/status"
    printf '         0     100000      65536\n' > "$d/uid_map"
    cp "$d/uid_map" "$d/gid_map"
    for f in status uid_map gid_map; do
      mount --bind "$d/$f" "/proc/$$/$f"
    done
    mount --bind "$d/status" "/proc/$$/task/$$/status"
    show_forged
    posture
    ;;
  crafted-uid-map)
    # Only the maps: a root process with its capabilities really dropped
    # (below) and no_new_privs claims a user namespace mapping 0 to 100000,
    # which the Pod Security Standards accept for runAsNonRoot.
    d=/tmp/forge-$$
    mkdir -p "$d"
    printf '         0     100000      65536\n' > "$d/uid_map"
    cp "$d/uid_map" "$d/gid_map"
    mount --bind "$d/uid_map" "/proc/$$/uid_map"
    mount --bind "$d/gid_map" "/proc/$$/gid_map"
    show_forged
    exec /spoof drop -- /attack posture-only "$policy"
    ;;
  posture-only)
    # After `spoof drop`: the capabilities really are gone.
    echo "@@DROPPED@@"
    show_status "/proc/$$/status"
    posture
    ;;
  tmpfs-proc)
    # A tmpfs over /proc holding a crafted tree, in a mount namespace of
    # this process's own.
    if [ -z "$SPOOF_MNTNS" ]; then export SPOOF_MNTNS=1; exec unshare -m /attack one "$name" "$policy"; fi
    d=/tmp/fakeproc-$$
    mkdir -p "$d/self/task/$$" "$d/1"
    for f in uid_map gid_map mountinfo cgroup environ; do
      cat "/proc/$$/$f" > "$d/self/$f"
    done
    forge_status "/proc/$$/status" > "$d/self/status"
    printf '         0     100000      65536\n' > "$d/self/uid_map"
    cp "$d/self/uid_map" "$d/self/gid_map"
    cp "$d/self/status" "$d/self/task/$$/status"
    cp "$d/self/status" "$d/1/status"
    mount -t tmpfs tmpfs /proc
    cp -a "$d/self" /proc/self
    cp -a "$d/self" "/proc/$$"
    cp -a "$d/1" /proc/1
    echo "@@BOUND@@"
    echo "id -u: $(id -u)"
    show_status /proc/self/status
    sed 's/^/uid_map: /' /proc/self/uid_map
    grep -E ' /proc ' /proc/self/mountinfo | sed 's/^/mountinfo: /' || true
    posture
    ;;
  foreign-procfs)
    # A second procfs instance over /proc, of a new pid namespace whose pid 1
    # is a confined process: this process is not in it, so /proc/self
    # resolves to nothing and /proc/1 is the confined process.
    if [ -z "$SPOOF_MNTNS" ]; then export SPOOF_MNTNS=1; exec unshare -m /attack one "$name" "$policy"; fi
    unshare -p -f /bin/sh -c 'mount -t proc proc /proc && exec /spoof confined -- sleep 1000' &
    wait_uid 1 1000
    echo "@@BOUND@@"
    echo "id -u: $(id -u)"
    if [ -e /proc/self ] || [ -e "/proc/$$/status" ]; then echo "self: present"; else echo "self: missing"; fi
    show_status /proc/1/status
    posture
    ;;
  *)
    echo "setup: unknown attack $name" >&2
    exit 111
    ;;
  esac
}

# posture within 10 s, for the cases that could make it block or grow.
bounded() {
  case "$1" in
  containerenv)
    # podman binds its own /run/.containerenv (unmounting it takes
    # CAP_SYS_ADMIN); docker has none.
    if grep -q ' /run/.containerenv ' /proc/self/mountinfo; then umount /run/.containerenv; fi
    rm -f /run/.containerenv
    mkdir -p /run
    mkfifo /run/.containerenv
    ls -l /run/.containerenv | sed 's/^/ls: /'
    set -- --check --json
    ;;
  policy-fifo)
    mkfifo /tmp/policy-fifo
    ls -l /tmp/policy-fifo | sed 's/^/ls: /'
    set -- --check --json --policy /tmp/policy-fifo
    ;;
  policy-zero)
    set -- --check --json --policy /dev/zero
    ;;
  *)
    echo "setup: unknown case $1" >&2
    exit 111
    ;;
  esac
  echo "@@JSON@@"
  timeout 10 /posture "$@" 2>/tmp/stderr
  rc=$?
  echo "@@EXIT $rc@@"
  echo "@@STDERR@@"
  cat /tmp/stderr
  echo "@@END@@"
}

case "$1" in
one)
  shift
  one "$@"
  ;;
in-userns | posture-only)
  policy=$2
  one "$1" "$2"
  ;;
bounded)
  echo "@@REAL@@"
  echo "@@RUN $2@@"
  bounded "$2"
  echo "@@DONE@@"
  ;;
*)
  name=$1
  shift
  echo "@@REAL@@"
  echo "id -u: $(id -u)"
  show_status /proc/self/status
  sed 's/^/uid_map: /' /proc/self/uid_map
  for p in "$@"; do
    echo "@@RUN $p@@"
    /attack one "$name" "$p" 2>/tmp/stderr
    echo "@@EXIT $?@@"
    echo "@@STDERR@@"
    cat /tmp/stderr
    echo "@@END@@"
  done
  echo "@@DONE@@"
  ;;
esac
