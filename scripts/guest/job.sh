#!/usr/bin/env bash
# scripts/guest/job.sh — the job tests/guests.rs (and
# scripts/guest/capture-fixtures.sh) run inside a guest booted by
# scripts/guest/run.sh.  It is copied to JOBDIR/job.sh; the guest sees JOBDIR
# at /run/posture-job (J below).
#
# Input (all optional except image.tar):
#   J/image.tar                   a rootfs tar (busybox, capsh, /posture),
#                                 imported as localhost/posture-test:latest
#   J/scenarios/<name>/args       podman run flags, one argument per line
#   J/scenarios/<name>/script     the shell script run in the container
#                                 (/bin/sh -c "$(cat script)")
#   J/scenarios/<name>/image      the image to run, if not the test image
#                                 (localhost/posture-test-nopasswd:latest is
#                                 the test image without /etc/passwd and
#                                 /etc/group, built here from image.tar)
#   J/scenarios/<name>/before     a bash script run in the guest (its
#                                 initial namespaces) before the podman run,
#                                 e.g. to start a neighbour container or a
#                                 socket listener; IMAGE is in its
#                                 environment.  Its failure is recorded in
#                                 <name>.before.rc and the scenario runs on
#   J/scenarios/<name>/after      run after it, to stop what `before` began
#   J/captures/<name>/args        podman run flags for a fixture capture with
#                                 scripts/capture-fixture.sh
#   J/captures/<name>/notes       --note lines for its README
#   J/repo                        the repository path (for capture-fixture.sh)
#
# Output, under J/out:
#   facts.txt                     key=value lines about the guest
#   <name>.stdout .stderr .rc     each scenario's container output and status
#   <name>.apparmor               `podman inspect` AppArmorProfile
#   <name>.label                  `podman inspect` ProcessLabel (SELinux)
#   <name>.seconds                wall time of the podman run
#   fixtures/<name>/              captured fixture trees
#
# A scenario that fails is recorded (its .rc) and the job goes on; the job
# fails only when the guest itself is unusable (no image, podman broken).
set -uo pipefail

J=/run/posture-job
O=$J/out
IMAGE=localhost/posture-test:latest
mkdir -p "$O"
fact() { printf '%s=%s\n' "$1" "$2" >> "$O/facts.txt"; }
step() { printf '[job %s] %s\n' "$(date +%T)" "$*"; }
: > "$O/facts.txt"

# A socket number Python knows from Linux's headers: SO_NETNS_COOKIE = 71
# (include/uapi/asm-generic/socket.h, Linux 5.14+); 8 bytes, host order.
COOKIE_PY='import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    v = s.getsockopt(socket.SOL_SOCKET, 71, 8)
    print(int.from_bytes(v, sys.byteorder))
except OSError as e:
    print("error:" + e.strerror)'
cookie() { "$@" python3 -c "$COOKIE_PY" 2>&1 | tr -d '\n'; }

fact kernel_release "$(uname -r)"
fact kernel_version "$(uname -v)"
fact lsm "$(cat /sys/kernel/security/lsm 2>&1)"
fact apparmor_enabled "$(cat /sys/module/apparmor/parameters/enabled 2>&1)"
fact cgroup_fs "$(stat -f -c %T /sys/fs/cgroup)"
fact cgroup_controllers "$(cat /sys/fs/cgroup/cgroup.controllers 2>&1)"
# The layout scripts/guest/init mounted (posture.cgroup=v1 on the kernel
# command line: v1, else v2), the controllers the kernel has (enabled in
# /proc/cgroups), and the v1 hierarchies mounted: "<dir>:<options>" per
# cgroup (v1) mount, from the mount table, and the links beside them.
cgroup_layout=v2
case " $(cat /proc/cmdline) " in *" posture.cgroup=v1 "*) cgroup_layout=v1 ;; esac
fact cgroup_layout "$cgroup_layout"
fact proc_cgroups_enabled "$(awk '!/^#/ && $4 == 1 { print $1 }' /proc/cgroups | tr '\n' ' ' | sed 's/ $//')"
# mountinfo: fstype, source and super options follow the "-" field.
MI_TAIL='{ for (i = 7; $i != "-"; i++); t = $(i + 1); o = $(i + 3) }'
fact cgroup_v1_mounts "$(awk "$MI_TAIL"' t == "cgroup" { sub("^/sys/fs/cgroup/", "", $5); print $5 ":" o }' /proc/self/mountinfo | tr '\n' ' ' | sed 's/ $//')"
fact cgroup_v1_links "$(find /sys/fs/cgroup -maxdepth 1 -type l -printf '%f->%l ' 2>/dev/null | sed 's/ $//')"
fact cgroup_top "$(awk "$MI_TAIL"' $5 == "/sys/fs/cgroup" { print t " " $6 " " o }' /proc/self/mountinfo)"
fact cgroup2_mounts "$(awk "$MI_TAIL"' t == "cgroup2" { print $5 }' /proc/self/mountinfo | tr '\n' ' ' | sed 's/ $//')"
fact init_cgroupns "$(readlink /proc/self/ns/cgroup)"
fact init_netns "$(readlink /proc/self/ns/net)"
fact init_netns_cookie "$(cookie)"
fact unshared_netns "$(unshare -n readlink /proc/self/ns/net 2>&1)"
fact unshared_netns_cookie "$(cookie unshare -n)"
# SELinux (scripts/guest/init loads a policy with posture.lsm=selinux):
# empty or an error elsewhere.
fact selinux_mode "$(getenforce 2>&1)"
fact selinux_enforce "$(cat /sys/fs/selinux/enforce 2>&1)"
fact selinux_policy "$(cat /sys/fs/selinux/policyvers 2>&1)"
fact self_attr_current "$(tr -d '\0' < /proc/self/attr/current 2>&1)"
fact podman "$(podman --version)"
fact runc "$(runc --version | head -n1)"
fact interfaces "$(ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
fact podman_network_backend "$(podman info --format '{{.Host.NetworkBackend}}' 2>&1)"
fact podman_info "$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} cgroups={{.Host.CgroupsVersion}} manager={{.Host.CgroupManager}}' 2>&1)"

step "importing $IMAGE"
podman import -q --change 'CMD ["/posture"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  "$J/image.tar" "$IMAGE" >/dev/null || { step "podman import failed"; exit 3; }

# The same image without /etc/passwd and /etc/group, as a scratch or
# distroless image has none: for --user on a read-only root podman then
# binds its own from the container's userdata. Built the same way, from the
# same tar less those two members.
NOPASSWD=localhost/posture-test-nopasswd:latest
step "importing $NOPASSWD"
NP_TAR=/tmp/image-nopasswd.tar
cp "$J/image.tar" "$NP_TAR"
mapfile -t np_members < <(tar -tf "$NP_TAR" | grep -E '^(\./)?etc/(passwd|group)$')
if [ "${#np_members[@]}" -gt 0 ]; then
  tar --delete -f "$NP_TAR" "${np_members[@]}"
fi
if tar -tf "$NP_TAR" | grep -qE '^(\./)?etc/(passwd|group)$'; then
  fact nopasswd_image "error: /etc/passwd or /etc/group still in the tar"
elif podman import -q --change 'CMD ["/posture"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  "$NP_TAR" "$NOPASSWD" >/dev/null; then
  fact nopasswd_image "ok (removed: ${np_members[*]})"
else
  fact nopasswd_image "error: podman import failed"
fi
rm -f "$NP_TAR"

# What the runtime-socket and host-path scenarios mount: a live unix socket
# where podman's API service listens, and a host directory with a file.
mkdir -p /run/podman /srv/data
echo "host data" > /srv/data/hello.txt
python3 -c 'import socket,time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("/run/podman/podman.sock"); s.listen(8); time.sleep(3600)' &
SOCK_PID=$!
for _ in $(seq 50); do [ -S /run/podman/podman.sock ] && break; sleep 0.1; done
fact runtime_socket "$(stat -c '%F' /run/podman/podman.sock 2>&1)"

# The network namespaces podman gives containers, seen from the guest's
# init namespace: inode and SO_NETNS_COOKIE, by nsenter into a running one.
for net in none host; do
  n="probe-net-$net"
  if podman run -d --name "$n" --network="$net" "$IMAGE" /bin/sleep 120 >/dev/null 2>>"$O/probe.err"; then
    pid="$(podman inspect --format '{{.State.Pid}}' "$n")"
    fact "netns_$net" "$(readlink "/proc/$pid/ns/net")"
    fact "netns_${net}_cookie" "$(cookie nsenter -t "$pid" -n)"
  else
    fact "netns_$net" "error: podman run failed"
  fi
  podman rm -f -t 0 "$n" >/dev/null 2>&1
done

if [ -d "$J/scenarios" ]; then
  for d in "$J"/scenarios/*/; do
    name="$(basename "$d")"
    mapfile -t args < "$d/args"
    img="$IMAGE"
    if [ -r "$d/image" ]; then img="$(cat "$d/image")"; fi
    ctr="sc-$name"
    if [ -r "$d/before" ]; then
      step "scenario $name: before"
      IMAGE="$IMAGE" bash "$d/before" > "$O/$name.before.log" 2>&1 < /dev/null
      echo $? > "$O/$name.before.rc"
    fi
    step "scenario $name: podman run ${args[*]} $img"
    t0=$(date +%s)
    podman run --name "$ctr" "${args[@]}" "$img" /bin/sh -c "$(cat "$d/script")" \
      > "$O/$name.stdout" 2> "$O/$name.stderr"
    echo $? > "$O/$name.rc"
    echo $(( $(date +%s) - t0 )) > "$O/$name.seconds"
    podman inspect --format '{{.AppArmorProfile}}' "$ctr" > "$O/$name.apparmor" 2>&1
    podman inspect --format '{{.ProcessLabel}}' "$ctr" > "$O/$name.label" 2>&1
    podman rm -f -t 0 "$ctr" >/dev/null 2>&1
    if [ -r "$d/after" ]; then
      IMAGE="$IMAGE" bash "$d/after" >> "$O/$name.before.log" 2>&1 < /dev/null
    fi
  done
fi

if [ -d "$J/captures" ]; then
  repo="$(cat "$J/repo")"
  for d in "$J"/captures/*/; do
    name="$(basename "$d")"
    mapfile -t args < "$d/args"
    notes=()
    if [ -r "$d/notes" ]; then
      while IFS= read -r l; do notes+=(--note "$l"); done < "$d/notes"
    fi
    step "capture $name: podman run ${args[*]}"
    bash "$repo/scripts/capture-fixture.sh" --out "$O/fixtures" "${notes[@]}" "$name" \
      --run -- podman run --rm "${args[@]}" "$IMAGE" > "$O/capture-$name.log" 2>&1
    echo $? > "$O/capture-$name.rc"
  done
fi

kill "$SOCK_PID" 2>/dev/null
step done
echo done > "$O/done"
