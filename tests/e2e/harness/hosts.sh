#!/usr/bin/env bash
# hosts.sh: real test hosts on this machine for calzion's end-to-end tests.
#
#   hosts.sh up DIR [N]    start N hosts host1..hostN under DIR (default N=1)
#   hosts.sh down DIR      stop everything `up` started (idempotent)
#   hosts.sh status DIR    print what is up; exit 0 only if every host is up
#   hosts.sh stop-engine DIR K   kill host K's engine as a crash would (see below)
#   hosts.sh start-engine DIR K  start it again, as `up` did; wait until it answers
#
# A host is a network namespace (own address, iptables, docker bridge) joined
# to the root namespace by a veth pair (root side NET.K.1, host side NET.K.2)
# plus a private mount namespace in which DIR/hostK/state is /var/lib/calzion
# and DIR/hostK/home is /root, and a UTS namespace (hostname hostK). In those
# namespaces run the host's own dockerd (which starts its own containerd) and
# its own sshd on port 22, whose sessions get DOCKER_HOST pointing at that
# dockerd. dockerd and sshd share the mount namespace on purpose: a bind mount
# `-v /var/lib/calzion/x:/y` asked for over ssh must resolve on the engine's
# side to the same directory.
#
# Each host also has a user without root, czuser (in group docker, home
# DIR/hostK/czuser): the host's /etc/passwd and /etc/group are this machine's
# plus that user, bind-mounted in its mount namespace. It logs in with the same
# key as root (ssh_config: `User czuser`). DIR's parents must be searchable by
# others for sshd to read the key file as that user.
#
# Files under DIR: id_ed25519 (client key), known_hosts, ssh_config (aliases
# host1..hostN), env (sourceable; written last, removed first by `down`),
# hostK/*.log (daemon logs), image/busybox-rootfs.tar (local/busybox:1).
#
# stop-engine SIGKILLs host K's dockerd, its containerd, the containerd shims
# and every process of its containers, as if the machine had lost power; the
# host's sshd and namespaces stay, so start-engine can run the same dockerd in
# them again.
#
# Environment: CZ_E2E_TIMEOUT (seconds to wait for a host, default 60),
# CZ_E2E_VERBOSE=1 (progress on stderr), CZ_E2E_KEEP_ON_FAILURE=1 (do not tear
# down after a failed `up`), CI=true (missing prerequisites fail instead of
# exiting 77, the "skipped" code), CZ_E2E_INSECURE_REGISTRY=hostK:PORT (for
# `up`: every engine trusts a plain-HTTP registry at host K's address and
# PORT, which need not run yet; env gets CZ_E2E_INSECURE_REGISTRY=ADDR:PORT).
set -euo pipefail
umask 022
export LC_ALL=C

PROG=hosts.sh
IMAGE=local/busybox:1
TIMEOUT=${CZ_E2E_TIMEOUT:-60}

die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { if [ -n "${CZ_E2E_VERBOSE:-}" ]; then echo "$PROG: $*" >&2; fi; }
usage() {
  echo "usage:" >&2
  sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}
# A machine that cannot run the hosts at all: a failure in CI, "skipped" (77)
# elsewhere so that ctest reports the e2e tests as skipped.
unavailable() {
  if [ "${CI:-}" = true ]; then die "$* (CI=true: the e2e hosts are required)"; fi
  echo "$PROG: cannot start test hosts: $*; skipping" >&2
  exit 77
}

# ---------------------------------------------------------------- naming

# Everything system-wide (netns, veth, exec-root, cgroup) is named after a
# short hash of DIR, so several DIRs can be up at once and `down` can find
# leftovers even when `up` died before recording anything.
setup_names() {
  [ -n "$1" ] || die "DIR must not be empty"
  DIR=$(realpath -m -- "$1")
  [ "$DIR" != / ] || die "DIR must not be /"
  # It ends up unquoted in ssh and sshd configs and in the env file.
  [[ $DIR =~ ^[A-Za-z0-9/._+-]+$ ]] || die "DIR may only contain letters, digits and / . _ + -: $DIR"
  ID=$(printf %s "$DIR" | sha1sum | cut -c1-6)
  CONF=$DIR/harness.conf
}
host_dir() { echo "$DIR/host$1"; }
ns_name() { echo "cz-$ID-$1"; }
veth_name() { echo "cz$ID-$1"; }
exec_root() { echo "/run/cz-$ID-$1"; }  # short: unix socket paths max 108 bytes
docker_sock() { echo "$(exec_root "$1")/docker.sock"; }
cgroup_name() { echo "cz-$ID-$1"; }

# ---------------------------------------------------------------- processes

# A zombie counts as gone: daemons are reparented to PID 1, which may reap
# them only seconds later (this machine's init does).
alive() {
  local st
  [ -n "${1:-}" ] && st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}
read_pid() { local p; p=$(cat "$1" 2>/dev/null || true); case $p in '' | *[!0-9]*) echo "" ;; *) echo "$p" ;; esac; }
# pid_is PID WORD: PID is alive and WORD appears in its command line (guards
# against a recorded pid that was reused by an unrelated process).
pid_is() {
  alive "$1" || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}
# Pids of every process in host K's mount and network namespaces (sshd
# sessions, docker clients, containerd, shims...), recorded by `up`.
ns_pids() {
  local d mnt net p
  d=$(host_dir "$1")
  mnt=$(cat "$d/run/mntns" 2>/dev/null || true)
  net=$(cat "$d/run/netns" 2>/dev/null || true)
  [ -n "$mnt" ] && [ -n "$net" ] || return 0
  # One find over all processes (the links read "mnt:[4026531840]").
  mnt=${mnt//[/\\[}
  mnt=${mnt//]/\\]}
  find /proc/[0-9]*/ns/mnt -maxdepth 0 -lname "$mnt" 2>/dev/null |
    while read -r p; do
      p=${p#/proc/}
      p=${p%%/*}
      [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$net" ] && echo "$p"
    done || true
}
# Pids in the cgroups of host K's containers (cgroup v1 controllers or v2).
cgroup_pids() {
  local cg
  for cg in /sys/fs/cgroup/*/"$(cgroup_name "$1")" /sys/fs/cgroup/"$(cgroup_name "$1")"; do
    [ -d "$cg" ] || continue
    find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done | sort -un
}
# wait_gone SECONDS PID...: true once none of the pids is alive (0: one look).
wait_gone() {
  local n=$(($1 * 10)) p left
  shift
  while :; do
    left=
    for p in "$@"; do alive "$p" && left=1 && break; done
    [ -z "$left" ] && return 0
    [ "$n" -le 0 ] && return 1
    n=$((n - 1))
    sleep 0.1
  done
}
# stop_pids SECONDS PID...: SIGTERM, wait, then SIGKILL what is left.
stop_pids() {
  local t=$1
  shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  wait_gone "$t" "$@" && return 0
  kill -KILL "$@" 2>/dev/null || true
  wait_gone 5 "$@" || true
}

# ---------------------------------------------------------------- prerequisites

check_prereqs() {
  [ "$(id -u)" = 0 ] || unavailable "must run as root (dockerd, network namespaces)"
  local c missing=
  for c in dockerd docker containerd runc iptables ip nsenter unshare setsid flock \
    ssh ssh-keygen busybox sha1sum; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
  done
  [ -x /usr/sbin/sshd ] || missing="$missing /usr/sbin/sshd"
  [ -z "$missing" ] || unavailable "missing commands:$missing (packages: docker.io openssh-server busybox-static iproute2)"
  iptables --version >/dev/null 2>&1 || unavailable "iptables does not work: $(iptables --version 2>&1 | head -1)"
  local probe=cz-probe-$$
  ip netns add "$probe" 2>/dev/null || unavailable "cannot create network namespaces (ip netns add)"
  ip netns del "$probe"
  BUSYBOX=$(command -v busybox)
  # A dynamic busybox (package "busybox") would give an image that cannot run.
  if ldd "$BUSYBOX" >/dev/null 2>&1; then
    unavailable "$BUSYBOX is dynamically linked: install busybox-static"
  fi
}

# ---------------------------------------------------------------- status

# host_up K: dockerd and sshd of host K run (cheap: pids, socket, namespace).
host_up() {
  local d dp sp
  d=$(host_dir "$1")
  dp=$(read_pid "$d/run/dockerd.pid")
  sp=$(read_pid "$d/run/sshd.pid")
  pid_is "$dp" "$(exec_root "$1")" && pid_is "$sp" "$d/sshd_config" &&
    [ -S "$(docker_sock "$1")" ] && [ -e "/run/netns/$(ns_name "$1")" ]
}

cmd_status() {
  setup_names "$1"
  if [ ! -f "$CONF" ]; then
    echo "$DIR: not up"
    return 1
  fi
  # shellcheck disable=SC1090
  . "$CONF"
  local k d ok=0 dp sp ds ss
  [ -f "$DIR/env" ] || ok=1
  echo "$DIR: $N host(s), network $NET.0.0/16, env $([ -f "$DIR/env" ] && echo "$DIR/env" || echo missing)"
  for k in $(seq 1 "$N"); do
    d=$(host_dir "$k")
    dp=$(read_pid "$d/run/dockerd.pid")
    sp=$(read_pid "$d/run/sshd.pid")
    ds=down ss=down
    pid_is "$dp" "$(exec_root "$k")" && ds="up pid $dp"
    pid_is "$sp" "$d/sshd_config" && ss="up pid $sp"
    host_up "$k" || ok=1
    printf 'host%s  %s:22  dockerd %s  sshd %s  DOCKER_HOST=unix://%s  state %s\n' \
      "$k" "$NET.$k.2" "$ds" "$ss" "$(docker_sock "$k")" "$d/state"
  done
  return $ok
}

# ---------------------------------------------------------------- down

# Stop host K: its containers, sshd, dockerd, anything left in its namespaces
# or container cgroups. Runs once per host, in parallel.
stop_host() {
  local k=$1 d dp sp cp='' sock pids
  d=$(host_dir "$k")
  sock=$(docker_sock "$k")
  dp=$(read_pid "$d/run/dockerd.pid")
  sp=$(read_pid "$d/run/sshd.pid")
  pid_is "$dp" "$(exec_root "$k")" || dp=
  pid_is "$sp" "$d/sshd_config" || sp=
  # sshd first: no new sessions while the engine goes down.
  # shellcheck disable=SC2086
  stop_pids 5 $sp
  if [ -n "$dp" ] && [ -S "$sock" ]; then
    # SIGKILL containers now: a graceful dockerd shutdown would wait up to 10 s
    # for each container whose PID 1 ignores SIGTERM (busybox sh does).
    if [ "$(timeout 10 docker -H "unix://$sock" info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; then
      timeout 30 docker -H "unix://$sock" swarm leave --force >/dev/null 2>&1 || true
    fi
    pids=$(timeout 10 docker -H "unix://$sock" ps -q 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || timeout 30 docker -H "unix://$sock" kill $pids >/dev/null 2>&1 || true
  fi
  # dockerd stops its containerd as the last step of a clean shutdown, then
  # polls once a second for it to be gone: once it is, dockerd has nothing
  # left to do and is killed rather than waited for (saves ~2 s).
  if [ -n "$dp" ]; then
    cp=$(read_pid "$(exec_root "$k")/containerd/containerd.pid")
    pid_is "$cp" "$(exec_root "$k")" || cp=
    kill -TERM "$dp" 2>/dev/null || true
    if [ -n "$cp" ] && wait_gone 30 "$cp"; then wait_gone 0 "$dp" || true; fi
    stop_pids 0 "$dp"
  fi
  # Leftovers: sshd sessions (a remote command outlives its client), docker
  # clients, containerd and its shims, then container processes.
  # shellcheck disable=SC2046
  stop_pids 5 $(ns_pids "$k")
  # shellcheck disable=SC2046
  stop_pids 0 $(cgroup_pids "$k")
  # The daemons are dead; give PID 1 a moment to reap them, so that `pgrep
  # dockerd` right after `down` does not list <defunct> entries.
  local n=30 p
  for p in $sp $dp $cp; do
    while [ -e "/proc/$p" ] && [ "$n" -gt 0 ]; do
      n=$((n - 1))
      sleep 0.1
    done
  done
}

# Remove host K's system-wide objects (after every host's processes are gone:
# a mount namespace can pin another host's network namespace).
remove_host() {
  local k=$1 ns veth xr cg
  ns=$(ns_name "$k")
  veth=$(veth_name "$k")
  xr=$(exec_root "$k")
  if ip link show "$veth" >/dev/null 2>&1; then ip link del "$veth" 2>/dev/null || true; fi
  if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
  # Nothing should be mounted there in this namespace; be sure before rm -rf.
  awk -v p="$xr" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$xr"
  for cg in /sys/fs/cgroup/*/"$(cgroup_name "$k")" /sys/fs/cgroup/"$(cgroup_name "$k")"; do
    [ -d "$cg" ] || continue
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# Which host numbers may have something to stop: recorded ones, plus anything
# named after this DIR (a crashed `up` may not have recorded it).
known_hosts_nums() {
  {
    # shellcheck disable=SC1090
    if [ -f "$CONF" ]; then (. "$CONF" && seq 1 "$N"); fi
    for d in "$DIR"/host[0-9]*; do if [ -d "$d" ]; then echo "${d##*/host}"; fi; done
    ip netns list 2>/dev/null | awk '{print $1}' | sed -n "s/^cz-$ID-\([0-9][0-9]*\)\$/\1/p"
    ip -o link show 2>/dev/null | sed -n "s/^[0-9]*: cz$ID-\([0-9][0-9]*\)[@:].*/\1/p"
    for d in /run/cz-"$ID"-[0-9]*; do if [ -e "$d" ]; then echo "${d##*-}"; fi; done
  } | sort -un
}

do_down() {
  local nums k pids=()
  rm -f "$DIR/env"
  nums=$(known_hosts_nums)
  for k in $nums; do
    stop_host "$k" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  for k in $nums; do remove_host "$k"; done
  rm -f "$CONF"
  for k in $nums; do rm -rf "$(host_dir "$k")/run"; done
}

cmd_down() {
  setup_names "$1"
  [ "$(id -u)" = 0 ] || unavailable "must run as root"
  [ -d "$DIR" ] || [ -n "$(known_hosts_nums)" ] || return 0
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "$DIR is locked by another hosts.sh"
  do_down
  say "down: $DIR"
}

# ---------------------------------------------------------------- up

# Pick NET=10.X (X from 77) whose 10.X.1..N.0/24 are unused on this machine.
allocate_net() {
  local x k used
  used=$( (ip -4 -o addr show; ip -4 route show) 2>/dev/null | grep -o '10\.[0-9]*\.[0-9]*\.' | sort -u || true)
  for x in $(seq 77 126); do
    for k in $(seq 1 "$1"); do
      if printf '%s\n' "$used" | grep -qxF "10.$x.$k."; then continue 2; fi
    done
    echo "10.$x"
    return 0
  done
  die "no free 10.X.K.0/24 networks between 10.77 and 10.126"
}

make_network() {
  local k=$1 ns veth
  ns=$(ns_name "$k")
  veth=$(veth_name "$k")
  # No default route: anything outside (a registry lookup, DNS) fails at once
  # with "network unreachable" instead of timing out. Every root-side address
  # NET.J.1 is reachable from every host (services run in the root namespace).
  # Hosts reach each other (cross-host expose) because the root namespace
  # forwards between these veths only: per-interface forwarding, which goes
  # with the veth, leaves the machine's own ip_forward alone.
  ip netns add "$ns" &&
    ip link add "$veth" type veth peer name eth0 netns "$ns" &&
    ip addr add "$NET.$k.1/24" dev "$veth" &&
    ip link set "$veth" up &&
    sysctl -qw "net.ipv4.conf.$veth.forwarding=1" &&
    ip -n "$ns" link set lo up &&
    ip -n "$ns" addr add "$NET.$k.2/24" dev eth0 &&
    ip -n "$ns" link set eth0 up &&
    ip -n "$ns" route add "$NET.0.0/16" via "$NET.$k.1"
}

# The rootfs of local/busybox:1, built once per DIR.
build_image_tar() {
  local tar=$DIR/image/busybox-rootfs.tar tmp a
  [ -s "$tar" ] && return 0
  mkdir -p "$DIR/image"
  tmp=$(mktemp -d "$DIR/image/rootfs.XXXXXX")
  mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/root" "$tmp/tmp" "$tmp/var"
  chmod 1777 "$tmp/tmp"
  cp "$BUSYBOX" "$tmp/bin/busybox"
  for a in $("$BUSYBOX" --list); do
    [ "$a" = busybox ] || ln -s busybox "$tmp/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
  tar -C "$tmp" --numeric-owner --owner=0 --group=0 -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$tmp"
}

write_ssh_files() {
  local k d
  [ -s "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C calzion-e2e -f "$DIR/id_ed25519" </dev/null
  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  : >"$DIR/known_hosts.tmp"
  : >"$DIR/ssh_config.tmp"
  mkdir -p "$DIR/keys"
  for k in $(seq 1 "$N"); do
    d=$(host_dir "$k")
    # Host keys survive down/up: a known_hosts kept elsewhere stays valid.
    [ -s "$DIR/keys/host${k}_ed25519" ] ||
      ssh-keygen -q -t ed25519 -N '' -C "host$k" -f "$DIR/keys/host${k}_ed25519" </dev/null
    echo "$NET.$k.2 $(cut -d' ' -f1,2 "$DIR/keys/host${k}_ed25519.pub")" >>"$DIR/known_hosts.tmp"
    cat >>"$DIR/ssh_config.tmp" <<EOF
Host host$k
  HostName $NET.$k.2
  Port 22
  User root
  IdentityFile $DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR

EOF
    cat >"$d/sshd_config" <<EOF
# sshd of test host host$k (written by hosts.sh)
Port 22
ListenAddress $NET.$k.2
HostKey $DIR/keys/host${k}_ed25519
AuthorizedKeysFile $DIR/authorized_keys
PidFile $d/run/sshd.pid
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
SetEnv DOCKER_HOST=unix://$(docker_sock "$k")
# Many tests connect at once: do not drop unauthenticated connections early.
MaxStartups 100:30:200
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  done
  # ssh and sshd ignore private keys others can read (a copied or chmod'ed DIR).
  chmod 600 "$DIR/id_ed25519" "$DIR"/keys/host*_ed25519
  mv "$DIR/known_hosts.tmp" "$DIR/known_hosts"
  mv "$DIR/ssh_config.tmp" "$DIR/ssh_config"
}

# free_id FILE: the first id from 2000 that no entry of FILE (passwd or group
# format) uses.
free_id() {
  local id=2000
  while cut -d: -f3 "$1" | grep -qxF "$id"; do id=$((id + 1)); done
  echo "$id"
}

# write_user_files D: D/etc/passwd and D/etc/group for a host, with czuser
# added (in group docker, which is made if this machine has none) and its
# home D/czuser.
write_user_files() {
  local d=$1 uid gid
  mkdir -p "$d/etc"
  uid=$(free_id /etc/passwd)
  gid=$(free_id /etc/group)
  { cat /etc/passwd; echo "czuser:x:$uid:$gid:calzion e2e:$d/czuser:/bin/sh"; } >"$d/etc/passwd"
  { cat /etc/group; echo "czuser:x:$gid:"; } >"$d/etc/group.tmp"
  grep -q '^docker:' /etc/group || echo "docker:x:$(free_id "$d/etc/group.tmp"):" >>"$d/etc/group.tmp"
  sed '/^docker:/{ s/:$/:czuser/; t; s/$/,czuser/; }' "$d/etc/group.tmp" >"$d/etc/group"
  rm "$d/etc/group.tmp"
  mkdir -p "$d/czuser"
  chown "$uid:$gid" "$d/czuser"
}

# registry_addr: ADDR:PORT of the registry the engines trust (REGISTRY=hostK:PORT).
registry_addr() {
  local k=${REGISTRY%%:*}
  echo "$NET.${k#host}.2:${REGISTRY#*:}"
}

# dockerd_argv K: host K's dockerd and its arguments, in DOCKERD_ARGV (the
# same for `up` and `start-engine`).
dockerd_argv() {
  local k=$1 d xr
  d=$(host_dir "$k")
  xr=$(exec_root "$k")
  DOCKERD_ARGV=(dockerd --data-root "$d/docker/data" --exec-root "$xr" --pidfile "$xr/dockerd.pid"
    -H "unix://$(docker_sock "$k")" --config-file "$d/docker/etc/daemon.json"
    --cgroup-parent "/$(cgroup_name "$k")")
  if [ -n "${REGISTRY:-}" ]; then DOCKERD_ARGV+=(--insecure-registry "$(registry_addr)"); fi
}

# start_host K: dockerd, then sshd in dockerd's namespaces, then wait until
# both answer and the image is there. Runs in a subshell per host.
start_host() {
  local k=$1 d xr sock ns dp sp sw n mine got
  d=$(host_dir "$k")
  xr=$(exec_root "$k")
  sock=$(docker_sock "$k")
  ns=$(ns_name "$k")
  mkdir -p "$d/docker/data" "$d/docker/etc" "$d/state" "$d/home" "$d/run" "$xr"
  echo '{}' >"$d/docker/etc/daemon.json"
  write_user_files "$d"
  mkdir -p /var/lib/calzion /etc/docker /run/containerd /run/sshd
  dockerd_argv "$k"
  # Own hostname; in the mount namespace /var/lib/calzion and /root are the
  # host's own, /etc/docker too (dockerd keeps key.json there: the engine ID),
  # and a tmpfs on /run/containerd keeps shim sockets apart and hides any
  # system containerd (dockerd would use it instead of starting its own).
  # nsenter, unshare, sh and dockerd exec each other: $! is dockerd's pid.
  # shellcheck disable=SC2016
  setsid nsenter --net="/run/netns/$ns" -- \
    unshare --mount --uts --propagation private -- /bin/sh -c '
      set -e
      hostname "$1"
      mount --bind "$2" /var/lib/calzion
      mount --bind "$3" /root
      mount --bind "$4" /etc/docker
      mount --bind "$5/passwd" /etc/passwd
      mount --bind "$5/group" /etc/group
      mount -t tmpfs -o mode=0711 cz-containerd /run/containerd
      shift 5
      exec "$@"' sh "host$k" "$d/state" "$d/home" "$d/docker/etc" "$d/etc" \
    "${DOCKERD_ARGV[@]}" </dev/null >>"$d/dockerd.log" 2>&1 9>&- &
  dp=$!
  echo "$dp" >"$d/run/dockerd.pid"
  # Wait until dockerd's pid is in its new mount namespace, then record both
  # namespaces: sshd joins them, and `down` finds stragglers by them.
  mine=$(readlink /proc/self/ns/mnt)
  n=0
  while :; do
    got=$(readlink "/proc/$dp/ns/mnt" 2>/dev/null) || { echo "dockerd exited at once" >&2; return 1; }
    [ "$got" != "$mine" ] && break
    n=$((n + 1))
    [ "$n" -lt 200 ] || { echo "dockerd did not enter its mount namespace" >&2; return 1; }
    sleep 0.01
  done
  echo "$got" >"$d/run/mntns"
  stat -L -c 'net:[%i]' "/run/netns/$ns" >"$d/run/netns"
  # shellcheck disable=SC2094
  setsid nsenter --target "$dp" --mount --uts --net -- /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" \
    </dev/null >>"$d/sshd.log" 2>&1 9>&- &
  sp=$!

  # The ssh check runs while the engine starts.
  wait_sshd "$k" "$sp" &
  sw=$!
  if ! wait_docker "$k" "$dp"; then
    kill "$sw" 2>/dev/null || true
    return 1
  fi
  docker -H "unix://$sock" import -c 'ENV PATH=/bin' "$DIR/image/busybox-rootfs.tar" "$IMAGE" >/dev/null ||
    { echo "docker import failed" >&2; return 1; }
  wait "$sw"
}

# wait_docker K PID: host K's dockerd answers on its socket.
wait_docker() {
  local sock n
  sock=$(docker_sock "$1")
  n=$((TIMEOUT * 20))
  until [ -S "$sock" ] && docker -H "unix://$sock" version -f '{{.Server.Version}}' >/dev/null 2>&1; do
    alive "$2" || { echo "dockerd exited" >&2; return 1; }
    n=$((n - 1))
    [ "$n" -gt 0 ] || { echo "dockerd not ready after ${TIMEOUT}s" >&2; return 1; }
    sleep 0.05
  done
}

# wait_sshd K PID: host K's sshd accepts a real login, and its sessions see
# this host's DOCKER_HOST and state directory.
wait_sshd() {
  local d want got n
  d=$(host_dir "$1")
  want="unix://$(docker_sock "$1") $(stat -c %d:%i "$d/state")"
  n=$((TIMEOUT * 10))
  while :; do
    # shellcheck disable=SC2016
    got=$(ssh -F "$DIR/ssh_config" -o ConnectTimeout=2 "host$1" \
      'echo "$DOCKER_HOST $(stat -c %d:%i /var/lib/calzion)"' 2>>"$d/ssh-client.log" </dev/null) && break
    alive "$2" || { echo "sshd exited" >&2; return 1; }
    n=$((n - 1))
    [ "$n" -gt 0 ] || { echo "sshd not ready after ${TIMEOUT}s" >&2; return 1; }
    sleep 0.1
  done
  [ "$got" = "$want" ] || { echo "ssh session sees '$got', expected '$want'" >&2; return 1; }
  # sshd wrote its own pidfile by now; it must be the process we started.
  [ "$(read_pid "$d/run/sshd.pid")" = "$2" ] || { echo "sshd pidfile does not match pid $2" >&2; return 1; }
}

write_env() {
  local k tmp=$DIR/env.tmp hosts=
  for k in $(seq 1 "$N"); do hosts="$hosts host$k"; done
  {
    echo "# calzion e2e hosts (written by hosts.sh up; source it)"
    echo "export CZ_E2E_DIR='$DIR'"
    echo "export CZ_HOSTS='${hosts# }'"
    echo "export CZ_HOST_COUNT=$N"
    echo "export CZ_SSH_CONFIG='$DIR/ssh_config'"
    echo "export CZ_KNOWN_HOSTS='$DIR/known_hosts'"
    echo "export CZ_KEY='$DIR/id_ed25519'"
    echo "export CZ_IMAGE='$IMAGE'"
    for k in $(seq 1 "$N"); do
      echo "export CZ_HOST${k}_ADDR=$NET.$k.2"
      echo "export CZ_HOST${k}_PORT=22"
      echo "export CZ_HOST${k}_DOCKER_HOST='unix://$(docker_sock "$k")'"
      echo "export CZ_HOST${k}_STATE='$(host_dir "$k")/state'"
      echo "export CZ_HOST${k}_HOME='$(host_dir "$k")/home'"
      echo "export CZ_HOST${k}_CZUSER_HOME='$(host_dir "$k")/czuser'"
      echo "export CZ_HOST${k}_GATEWAY=$NET.$k.1"
      echo "export CZ_HOST${k}_NETNS='/run/netns/$(ns_name "$k")'"
    done
    if [ -n "${REGISTRY:-}" ]; then echo "export CZ_E2E_INSECURE_REGISTRY=$(registry_addr)"; fi
  } >"$tmp"
  mv "$tmp" "$DIR/env"
}

print_failure() {
  local k=$1 d f
  d=$(host_dir "$k")
  echo "$PROG: error: host$k failed to start: $(tail -n 1 "$d/start.err" 2>/dev/null)" >&2
  for f in "$d/start.err" "$d/dockerd.log" "$d/sshd.log" "$d/ssh-client.log"; do
    [ -s "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 25 "$f" >&2
  done
}

up_failed() {
  trap - EXIT
  if [ "$1" != 0 ] && [ -z "${CZ_E2E_KEEP_ON_FAILURE:-}" ]; then
    do_down >/dev/null 2>&1 || true
  fi
  exit "$1"
}

cmd_up() {
  setup_names "$1"
  local want=${2:-1} k d pids=() failed='' t0 rmpid registry=${CZ_E2E_INSECURE_REGISTRY:-}
  case $want in '' | *[!0-9]* | 0*) die "N must be a positive number: $want" ;; esac
  [ "$want" -le 99 ] || die "N must be at most 99"
  if [ -n "$registry" ]; then
    if ! [[ $registry =~ ^host([1-9][0-9]*):([1-9][0-9]*)$ ]] || [ "${BASH_REMATCH[1]}" -gt "$want" ]; then
      die "CZ_E2E_INSECURE_REGISTRY must be hostK:PORT with K at most $want: $registry"
    fi
  fi
  check_prereqs
  t0=$(date +%s%N)
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "$DIR is locked by another hosts.sh"

  # Already up with the same number of hosts: nothing to do.
  # shellcheck disable=SC1090
  if [ -f "$CONF" ] && [ -f "$DIR/env" ] && (. "$CONF" && [ "$N" = "$want" ] && [ "${REGISTRY:-}" = "$registry" ]); then
    . "$CONF"
    local ok=1
    for k in $(seq 1 "$N"); do host_up "$k" || ok=; done
    if [ -n "$ok" ]; then
      say "already up: $DIR"
      return 0
    fi
  fi
  do_down
  N=$want
  REGISTRY=$registry
  # From here on, a failure (or ctest's timeout) tears down what was started;
  # the logs stay in DIR/hostK.
  trap 'exit 143' TERM INT HUP PIPE
  trap 'up_failed $?' EXIT

  # Fresh hosts: no engine data, state or logs from an earlier run. Removing
  # an engine's data takes a while: it runs while the hosts start.
  for d in "$DIR"/host[0-9]*; do
    if [ -d "$d" ]; then mv "$d" "$(mktemp -d "$DIR/.old.XXXXXX")/"; fi
  done
  rm -rf "$DIR"/.old.* 9>&- &
  rmpid=$!
  for k in $(seq 1 "$N"); do mkdir -p "$(host_dir "$k")/run"; done

  mkdir -p /run/lock
  exec 8>/run/lock/calzion-e2e-net.lock
  flock -w 60 8 || die "cannot lock /run/lock/calzion-e2e-net.lock"
  NET=$(allocate_net "$N")
  printf 'N=%s\nNET=%s\nID=%s\nREGISTRY=%s\n' "$N" "$NET" "$ID" "$REGISTRY" >"$CONF"
  for k in $(seq 1 "$N"); do
    make_network "$k" || die "cannot set up the network of host$k (network namespace, veth pair)"
  done
  flock -u 8
  exec 8>&-

  build_image_tar
  write_ssh_files
  say "network $NET, starting $N host(s)"
  for k in $(seq 1 "$N"); do
    (start_host "$k") 2>"$(host_dir "$k")/start.err" &
    pids+=($!)
  done
  for k in $(seq 1 "$N"); do
    wait "${pids[$((k - 1))]}" || failed="$failed $k"
  done
  wait "$rmpid" || true
  if [ -n "$failed" ]; then
    for k in $failed; do print_failure "$k"; done
    exit 1
  fi
  # The root namespace's /var/lib/calzion must be untouched by the binds.
  if mountpoint -q /var/lib/calzion; then
    die "/var/lib/calzion became a mount point in the root namespace"
  fi
  write_env
  trap - EXIT TERM INT HUP PIPE
  say "up: $N host(s) in $((($(date +%s%N) - t0) / 1000000)) ms; source $DIR/env"
}

# ---------------------------------------------------------------- one engine

# engine_host DIR K: the conf of an up DIR, K one of its hosts, DIR locked.
engine_host() {
  setup_names "$1"
  [ "$(id -u)" = 0 ] || unavailable "must run as root"
  [ -f "$CONF" ] || die "$DIR is not up"
  # shellcheck disable=SC1090
  . "$CONF"
  case $2 in '' | *[!0-9]* | 0*) die "K must be a host number: $2" ;; esac
  [ "$2" -le "$N" ] || die "$DIR has $N host(s), no host$2"
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "$DIR is locked by another hosts.sh"
}

# engine_pids K: dockerd, containerd, the containerd shims and docker-proxy
# processes of host K (not its sshd or the sessions' processes).
engine_pids() {
  local k=$1 p comm
  p=$(read_pid "$(host_dir "$k")/run/dockerd.pid")
  if pid_is "$p" "$(exec_root "$k")"; then echo "$p"; fi
  p=$(read_pid "$(exec_root "$k")/containerd/containerd.pid")
  if pid_is "$p" "$(exec_root "$k")"; then echo "$p"; fi
  for p in $(ns_pids "$k"); do
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case $comm in dockerd | containerd | containerd-shim* | docker-proxy | runc) echo "$p" ;; esac
  done
}

cmd_stop_engine() {
  engine_host "$1" "$2"
  local k=$2 pids left
  # The engine first, so that nothing starts a container again, then the
  # container processes the shims leave behind.
  pids=$(engine_pids "$k" | sort -un)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  # shellcheck disable=SC2046
  kill -KILL $(cgroup_pids "$k") 2>/dev/null || true
  # shellcheck disable=SC2046,SC2086
  wait_gone 10 $pids $(cgroup_pids "$k") || true
  left=$( (engine_pids "$k"; cgroup_pids "$k") | sort -un | while read -r p; do if alive "$p"; then echo "$p"; fi; done)
  [ -z "$left" ] || die "host$k: processes of the engine or its containers survived SIGKILL: $left"
  rm -f "$(host_dir "$k")/run/dockerd.pid"
  say "host$k: engine stopped"
}

cmd_start_engine() {
  engine_host "$1" "$2"
  local k=$2 d sp dp
  d=$(host_dir "$k")
  if pid_is "$(read_pid "$d/run/dockerd.pid")" "$(exec_root "$k")"; then
    say "host$k: engine already running"
    return 0
  fi
  # sshd holds the host's mount and UTS namespaces (dockerd made them).
  sp=$(read_pid "$d/run/sshd.pid")
  pid_is "$sp" "$d/sshd_config" || die "host$k's sshd is not running: its namespaces are gone (hosts.sh up again)"
  [ -z "$(engine_pids "$k")" ] || die "host$k: processes of an earlier engine still run: $(engine_pids "$k" | tr '\n' ' ')"
  dockerd_argv "$k"
  setsid nsenter --target "$sp" --mount --uts --net -- "${DOCKERD_ARGV[@]}" \
    </dev/null >>"$d/dockerd.log" 2>&1 9>&- &
  dp=$!
  echo "$dp" >"$d/run/dockerd.pid"
  wait_docker "$k" "$dp" || die "host$k: the engine did not start again (see $d/dockerd.log)"
  say "host$k: engine started, pid $dp"
}

case ${1:-} in
up) if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi; cmd_up "$2" "${3:-1}" ;;
down) [ $# -eq 2 ] || usage; cmd_down "$2" ;;
status) [ $# -eq 2 ] || usage; cmd_status "$2" ;;
stop-engine) [ $# -eq 3 ] || usage; cmd_stop_engine "$2" "$3" ;;
start-engine) [ $# -eq 3 ] || usage; cmd_start_engine "$2" "$3" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
