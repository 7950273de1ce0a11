#!/usr/bin/env bash
# scripts/capture-fixture.sh — capture a real fixture tree for posture.
#
# Runs scripts/capture-inner.sh inside a container (or on the host) and lays
# out what it printed on stdout as tests/fixtures/<scenario>/, shaped like /.
# No mount is added to the container: the data travels over stdout.
#
# Usage:
#   scripts/capture-fixture.sh [options] SCENARIO --run    -- CMD...
#       CMD... is a container command up to and including the image, e.g.
#         podman run --rm --network=none localhost/posture-base:latest
#       the script appends:  /bin/sh -c "$(cat scripts/capture-inner.sh)"
#   scripts/capture-fixture.sh [options] SCENARIO --host   [-- PREFIX...]
#       runs the inner script on this host with busybox applets first in
#       PATH (optionally under PREFIX, e.g. `unshare -Ur`).
#   scripts/capture-fixture.sh [options] SCENARIO --kube POD_TEMPLATE.yaml
#       POD_TEMPLATE contains the line `@@INNER_SCRIPT@@` (indented where
#       the script should go, inside a YAML block scalar); the filled-in
#       manifest is run with `podman kube play`, the output is read with
#       `podman logs`, and the manifest is kept as capture/pod.yaml.
#
# Options:
#   --note TEXT         add a line to the README "Notes" section (repeatable)
#   --expect FIELD=VAL  check a /proc/self/status field (e.g. CapEff=...,
#                       Seccomp=2, NoNewPrivs=1) or ROOT=ro|rw; fails if not
#   --out DIR           fixtures dir (default: <repo>/tests/fixtures)
#
# Conventions of the tree (see tests/fixtures/README.md):
#   * a file that could not be read holds no content; instead `<name>.errno`
#     holds the errno name (e.g. EINVAL) and a newline;
#   * a file that does not exist is absent;
#   * proc/self/ns/<name> are symlinks whose target is what readlink printed;
#   * dev/ holds one empty regular file per top-level /dev entry (dirs become
#     dirs with a .keep file);
#   * environ files keep only harmless entries (PATH, HOME, HOSTNAME, TERM,
#     container, ...); the service account token reads REDACTED.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
INNER_FILE="$HERE/capture-inner.sh"
OUT_BASE="$REPO/tests/fixtures"
DOCKER="${DOCKER:-/usr/bin/docker}"

die() { printf 'capture-fixture: ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf 'capture-fixture: %s\n' "$*" >&2; }

NOTES=(); EXPECTS=(); MODE=""; KUBE_TEMPLATE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --note) NOTES+=("$2"); shift 2 ;;
    --expect) EXPECTS+=("$2"); shift 2 ;;
    --out) OUT_BASE="$2"; shift 2 ;;
    --run|--host) MODE="${1#--}"; shift ;;
    --kube) MODE=kube; KUBE_TEMPLATE="$2"; shift 2 ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) if [ -z "${SCENARIO:-}" ]; then SCENARIO="$1"; shift; else die "unexpected argument $1"; fi ;;
  esac
done
[ -n "${SCENARIO:-}" ] || die "missing SCENARIO"
[ -n "$MODE" ] || die "missing --run, --host or --kube"
case "$SCENARIO" in */*|.*|"") die "bad scenario name: $SCENARIO" ;; esac
CMD=("$@")
[ "$MODE" != run ] || [ ${#CMD[@]} -gt 0 ] || die "--run needs a command after --"
[ -r "$INNER_FILE" ] || die "missing $INNER_FILE"
INNER="$(cat "$INNER_FILE")"

WORK="$(mktemp -d /tmp/posture-capture.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
STREAM="$WORK/stream"
ERRLOG="$WORK/stderr"

q() { # shell-quote args readably: bare when safe, else in single quotes
  local a out=""
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then out+="$a "
    else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}
INNER_REF='"$(cat scripts/capture-inner.sh)"'

# --------------------------------------------------------------- run it
case "$MODE" in
  run)
    COMMAND_TXT="$(q "${CMD[@]}") /bin/sh -c $INNER_REF"
    log "running: $COMMAND_TXT"
    "${CMD[@]}" /bin/sh -c "$INNER" >"$STREAM" 2>"$ERRLOG" \
      || { cat "$ERRLOG" >&2; die "container command failed"; }
    RUNTIME_BIN="$(basename "${CMD[0]}")"
    ;;
  host)
    # fixed path, so the captured PATH is the same on every run
    BB=/tmp/posture-busybox-applets; rm -rf "$BB"; mkdir -p "$BB"
    for a in $(/bin/busybox --list); do ln -s /bin/busybox "$BB/$a"; done
    rm -f "$BB/capsh"   # (not an applet, but be sure the real one is used)
    HOSTENV=(env -i "PATH=$BB:/usr/sbin:/usr/bin:/sbin:/bin" HOME=/root TERM=dumb)
    COMMAND_TXT="$(q "${CMD[@]}") env -i PATH=/tmp/posture-busybox-applets:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb /bin/busybox sh -c $INNER_REF"
    COMMAND_TXT="${COMMAND_TXT# }"
    log "running on host: $COMMAND_TXT"
    "${CMD[@]}" "${HOSTENV[@]}" /bin/busybox sh -c "$INNER" >"$STREAM" 2>"$ERRLOG" \
      || { cat "$ERRLOG" >&2; die "host capture failed"; }
    RUNTIME_BIN="host"
    ;;
  kube)
    [ -r "$KUBE_TEMPLATE" ] || die "cannot read $KUBE_TEMPLATE"
    POD_YAML="$WORK/pod.yaml"
    # indent the inner script like the @@INNER_SCRIPT@@ line
    INNER_FILE="$INNER_FILE" awk '
      /^[ \t]*@@INNER_SCRIPT@@[ \t]*$/ {
        ind = $0; sub(/@@INNER_SCRIPT@@.*/, "", ind)
        while ((getline l < ENVIRON["INNER_FILE"]) > 0) print (l == "" ? "" : ind l)
        next }
      { print }' "$KUBE_TEMPLATE" > "$POD_YAML"
    POD_NAME="$(awk '/^metadata:/{m=1;next} m && /^  name:/{print $2; exit}' "$POD_YAML")"
    CTR_NAME="$(awk '/^ *containers:/{c=1;next} c && /- name:/{print $3; exit}' "$POD_YAML")"
    [ -n "$POD_NAME" ] && [ -n "$CTR_NAME" ] || die "cannot find pod/container name in $KUBE_TEMPLATE"
    CTR="$POD_NAME-$CTR_NAME"
    podman kube down "$POD_YAML" >/dev/null 2>&1 || true
    COMMAND_TXT="podman kube play capture/pod.yaml && podman wait $CTR && podman logs $CTR && podman kube down capture/pod.yaml"
    log "running: $COMMAND_TXT"
    podman kube play "$POD_YAML" >"$WORK/play.out" 2>"$ERRLOG" \
      || { cat "$WORK/play.out" "$ERRLOG" >&2; die "podman kube play failed"; }
    timeout 120 podman wait "$CTR" >/dev/null 2>>"$ERRLOG" || { cat "$ERRLOG" >&2; die "podman wait $CTR failed"; }
    podman logs "$CTR" >"$STREAM" 2>>"$ERRLOG" || { cat "$ERRLOG" >&2; die "podman logs failed"; }
    podman kube down "$POD_YAML" >/dev/null 2>>"$ERRLOG" || log "warning: podman kube down failed"
    RUNTIME_BIN=podman
    ;;
esac

grep -q '^==POSTURE== BEGIN 1$' "$STREAM" || { head -c 2000 "$STREAM" >&2; cat "$ERRLOG" >&2; die "no BEGIN record in output"; }
grep -q '^==POSTURE== DONE$' "$STREAM" || { tail -c 2000 "$STREAM" >&2; cat "$ERRLOG" >&2; die "output truncated (no DONE record)"; }

# ------------------------------------------------------------- decode it
errno_name() {
  case "$1" in
    "Operation not permitted") echo EPERM ;;
    "No such file or directory") echo ENOENT ;;
    "No such process") echo ESRCH ;;
    "Input/output error"|"I/O error") echo EIO ;;
    "No such device or address") echo ENXIO ;;
    "Permission denied") echo EACCES ;;
    "Device or resource busy") echo EBUSY ;;
    "No such device") echo ENODEV ;;
    "Not a directory") echo ENOTDIR ;;
    "Is a directory") echo EISDIR ;;
    "Invalid argument") echo EINVAL ;;
    "Function not implemented") echo ENOSYS ;;
    "Operation not supported"|"Not supported") echo EOPNOTSUPP ;;
    "No data available") echo ENODATA ;;
    "Bad file descriptor") echo EBADF ;;
    "Resource temporarily unavailable") echo EAGAIN ;;
    *) return 1 ;;
  esac
}

safe_path() {
  case "$1" in
    ""|/*|..|../*|*/../*|*/..) die "unsafe path in stream: '$1'" ;;
  esac
}

DEST="$OUT_BASE/$SCENARIO"
NEW="$WORK/tree"
mkdir -p "$NEW/capture"
cur=""; b64="$WORK/b64"
while IFS= read -r line; do
  if [ -n "$cur" ]; then
    if [ "$line" = "==POSTURE== END" ]; then
      mkdir -p "$(dirname "$NEW/$cur")"
      base64 -d < "$b64" > "$NEW/$cur" || die "bad base64 for $cur"
      cur=""
    else
      printf '%s\n' "$line" >> "$b64"
    fi
    continue
  fi
  case "$line" in
    "==POSTURE== FILE "*)
      cur="${line#==POSTURE== FILE }"; safe_path "$cur"; : > "$b64" ;;
    "==POSTURE== ERRNO "*)
      rest="${line#==POSTURE== ERRNO }"; p="${rest%% *}"; msg="${rest#* }"; safe_path "$p"
      name="$(errno_name "$msg")" || die "unknown error message for $p: '$msg'"
      mkdir -p "$(dirname "$NEW/$p")"; printf '%s\n' "$name" > "$NEW/$p.errno" ;;
    "==POSTURE== LINK "*)
      rest="${line#==POSTURE== LINK }"; p="${rest%% *}"; t="${rest#* }"; safe_path "$p"
      case "$t" in /*|*..*) die "refusing absolute/escaping symlink $p -> $t" ;; esac
      mkdir -p "$(dirname "$NEW/$p")"; ln -s "$t" "$NEW/$p" ;;
    "==POSTURE== DIR "*)
      p="${line#==POSTURE== DIR }"; safe_path "$p"; mkdir -p "$NEW/$p"; : > "$NEW/$p/.keep" ;;
    "==POSTURE== EMPTY "*)
      p="${line#==POSTURE== EMPTY }"; safe_path "$p"; mkdir -p "$(dirname "$NEW/$p")"; : > "$NEW/$p" ;;
    "==POSTURE== BEGIN "*|"==POSTURE== DONE") ;;
    *) ;;  # runtime chatter (e.g. in podman logs) is ignored
  esac
done < "$STREAM"
[ -z "$cur" ] || die "unterminated FILE record for $cur"
printf '%s\n' "$COMMAND_TXT" > "$NEW/capture/command.txt"
[ "$MODE" != kube ] || cp "$POD_YAML" "$NEW/capture/pod.yaml"
[ -f "$NEW/proc/self/status" ] || die "capture has no proc/self/status"

# ------------------------------------------------------------ verify it
field() { sed -n "/^$1:/{s/^$1:[[:space:]]*//;p;q}" "$NEW/proc/self/status"; }
root_mode() {
  # mountinfo: field 5 is the mount point, field 6 the per-mount options;
  # the last "/" entry is the one in effect.
  awk '$5 == "/" { split($6, o, ","); m = o[1] } END { print m }' "$NEW/proc/self/mountinfo" 2>/dev/null
}
fail=0
for e in "${EXPECTS[@]+"${EXPECTS[@]}"}"; do
  k="${e%%=*}"; v="${e#*=}"
  if [ "$k" = ROOT ]; then got="$(root_mode)"; else got="$(field "$k")"; fi
  if [ "$got" = "$v" ]; then log "ok: $k=$got"; else log "MISMATCH: $k expected '$v' got '$got'"; fail=1; fi
done

# no file over 1 MiB, only regular files, dirs and relative symlinks
big="$(find "$NEW" -type f -size +1024k)"; [ -z "$big" ] || die "files over 1 MiB: $big"
odd="$(find "$NEW" ! -type f ! -type d ! -type l)"; [ -z "$odd" ] || die "special files: $odd"
while IFS= read -r l; do
  case "$(readlink "$l")" in /*) die "absolute symlink $l" ;; esac
done < <(find "$NEW" -type l)

# ---------------------------------------------------------------- README
host_kernel="$(uname -r)"
host_cgroups() {
  case "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" in
    cgroup2fs) echo "cgroup v2 (unified)" ;;
    tmpfs) if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
             echo "hybrid cgroups: v1 controllers + cgroup2 at /sys/fs/cgroup/unified"
           else echo "cgroup v1 (legacy)"; fi ;;
    *) echo "cgroups: unknown layout" ;;
  esac
}
host_lsm() {
  if [ -r /sys/kernel/security/lsm ]; then echo "LSMs: $(cat /sys/kernel/security/lsm)"
  elif cat /proc/self/attr/current >/dev/null 2>&1; then echo "an LSM is loaded"
  else echo "no LSM loaded (attr/current unreadable)"; fi
}
case "$RUNTIME_BIN" in
  podman) ocirt="$(podman info --format '{{.Host.OCIRuntime.Version}}' 2>/dev/null || true)"
          rt_version="$(podman --version) (OCI runtime: ${ocirt%%$'\n'*})" ;;
  docker) rt_version="docker.io client $("$DOCKER" version --format '{{.Client.Version}}') / dockerd $("$DOCKER" version --format '{{.Server.Version}}') (runc $(runc --version | sed -n 's/^runc version //p'))" ;;
  host) rt_version="none (captured directly on the host${CMD[0]:+, under \`$(q "${CMD[@]}")\`})" ;;
  *) rt_version="$RUNTIME_BIN" ;;
esac
uidmap="$(tr -s ' ' < "$NEW/proc/self/uid_map" 2>/dev/null | sed 's/^ //' | paste -sd ';' -)"
{
  echo "# Fixture: \`$SCENARIO\`"
  echo
  echo "Real capture, produced by \`scripts/capture-fixture.sh\` (inner script: \`scripts/capture-inner.sh\`)."
  echo
  echo "- Date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- Host kernel: $host_kernel ($(. /etc/os-release; echo "$PRETTY_NAME"); $(host_cgroups); $(host_lsm))"
  echo "- Runtime: $rt_version"
  echo "- Command (exact; the inner script is passed as one argument):"
  echo
  echo '  ```sh'
  echo "  $COMMAND_TXT"
  echo '  ```'
  echo
  echo "## What it shows"
  echo
  echo "| field | value |"
  echo "| --- | --- |"
  for k in CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp Seccomp_filters Uid Gid; do
    echo "| $k | \`$(field "$k" | tr '\t' ' ')\` |"
  done
  echo "| uid_map | \`${uidmap:-?}\` |"
  echo "| root mount | $(root_mode) |"
  echo "| cap_last_cap | $(cat "$NEW/proc/sys/kernel/cap_last_cap" 2>/dev/null || echo '?') |"
  echo
  echo "Files that could not be read (\`.errno\`):"
  echo
  (cd "$NEW" && find . -name '*.errno' | sort | while read -r f; do echo "- \`${f#./}\`: $(cat "$f")"; done)
  echo
  echo "Capture side files (not part of the tree) are in \`capture/\`: \`command.txt\`, \`status.txt\` (raw status), \`id.txt\` (busybox id), \`capsh-print.txt\`, \`ls-sys-fs-cgroup.txt\`."
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    echo "## Notes"
    echo
    for n in "${NOTES[@]}"; do echo "- $n"; done
  fi
} > "$NEW/README.md"

rm -rf "$DEST"
mkdir -p "$OUT_BASE"
cp -a "$NEW" "$DEST"
log "wrote $DEST ($(find "$DEST" -type f | wc -l) files)"
[ $fail = 0 ] || die "expectations not met for $SCENARIO (tree written anyway; see above)"
