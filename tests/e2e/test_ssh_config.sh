#!/usr/bin/env bash
# The SSH config as an OpenSSH user writes it, with no --ssh-config: the
# ~/.ssh/config of $HOME is honoured. An alias there with HostName, User, Port,
# IdentityFile and UserKnownHostsFile deploys to host1; each of them counts (the
# key and the known_hosts file have names only the config gives, known_hosts
# knows host1 only as [addr]:port, and a User that does not exist is refused).
# ProxyJump works: a target only reachable from inside host1 (127.0.0.1 there)
# is deployed to through host1 as the jump host, and is refused without it; and
# two jump hosts are taken in the order given.
#
# host1's sshd listens on host1's address only, so "host1's sshd seen from
# inside host1" is a relay that this test starts in host1's network namespace:
# PORT (on every address there) to host1's sshd. 127.0.0.1:PORT is then host1's
# sshd inside host1 and nothing here.
#
# libssh runs the system `ssh` for ProxyJump, which reads the ~/.ssh of the
# password database, not of $HOME: that part runs in a private mount namespace
# in which a directory of this test is mounted over that ~/.ssh.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1

home_inst=$E2E_NAME-home
jump_inst=$E2E_NAME-jump
# Clean up through the harness's config, whatever this test does to its own.
cz_harness() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
on_exit cz_harness destroy --volumes --missing-ok "$home_inst" --lock-timeout 30s
on_exit cz_harness destroy --volumes --missing-ok "$jump_inst" --lock-timeout 30s

cat >"$T/app.yaml" <<'EOF'
services:
  box: {image: local/busybox:1, cmd: sleep 3600}
EOF

# containers_of INSTANCE: the running containers of INSTANCE on host1.
containers_of() { host_docker 1 ps --filter "label=io.calzion.instance=$1" --format '{{.Names}}'; }
error_line() { grep '^calzion: error: ' <<<"$ERR" || fail "no error line in: $ERR"; }

# host1's host key ("ssh-ed25519 AAAA..."), to be recorded under other names.
key=$(grep "^$CZ_HOST1_ADDR " "$CZ_KNOWN_HOSTS" | cut -d' ' -f2,3)
[ -n "$key" ] || fail "no key for $CZ_HOST1_ADDR in $CZ_KNOWN_HOSTS"

# ---- the relay: PORT, free here and in host1's network namespace
listening_here() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
listening_in_host1() { [ -n "$(nsenter --net="$CZ_HOST1_NETNS" ss -Hltn "sport = :$1")" ]; }
port=$((20000 + $$ % 20000))
while listening_here "$port" || listening_in_host1 "$port"; do
  port=$((port + 1))
done
# $! is the relay itself: nsenter execs it.
nsenter --net="$CZ_HOST1_NETNS" busybox nc -ll -p "$port" -e busybox nc "$CZ_HOST1_ADDR" 22 </dev/null >/dev/null 2>&1 &
relay=$!
on_exit kill "$relay"
wait_for 10 listening_in_host1 "$port"

# ---- $HOME/.ssh/config
home=$T/home
mkdir -p "$home/.ssh"
chmod 700 "$home/.ssh"
cp "$CZ_KEY" "$home/.ssh/e2e_key"
chmod 600 "$home/.ssh/e2e_key"
# Only the names under which host1 is reached here: a port or a host name the
# config does not give would find no key (exit 77).
printf '[%s]:%s %s\n[127.0.0.1]:%s %s\n' "$CZ_HOST1_ADDR" "$port" "$key" "$port" "$key" >"$home/.ssh/e2e_known_hosts"
# host_block ALIAS HOSTNAME USER [LINE]: a Host block of ~/.ssh/config.
host_block() {
  cat <<EOF
Host $1
  HostName $2
  Port $port
  User $3
  IdentityFile ~/.ssh/e2e_key
  IdentitiesOnly yes
  UserKnownHostsFile ~/.ssh/e2e_known_hosts
  GlobalKnownHostsFile /dev/null
  ${4:-}

EOF
}
{
  host_block cz-alias "$CZ_HOST1_ADDR" root
  host_block cz-nouser "$CZ_HOST1_ADDR" cz-no-such-user
  host_block cz-jump 127.0.0.1 root "ProxyJump root@$CZ_HOST1_ADDR"
  host_block cz-nojump 127.0.0.1 root
  host_block cz-jump2 127.0.0.1 root "ProxyJump root@$CZ_HOST1_ADDR,root@127.0.0.1:$port"
} >"$home/.ssh/config"
# calzion with that $HOME and no agent.
cz_home() { env -u SSH_AUTH_SOCK HOME="$home" "$CALZION_BIN" "$@"; }

# ---- an alias of ~/.ssh/config
start=$(date +%s%N)
assert_exit 0 cz_home --host cz-alias deploy "$T/app.yaml" "$home_inst"
echo "deploy through the alias: $((($(date +%s%N) - start) / 1000000)) ms" >&2
assert_eq "${home_inst}_box" "$(containers_of "$home_inst")" "containers deployed through the alias"
assert_exit 69 cz_home --host cz-nouser status "$home_inst"
assert_contains "$(error_line)" "authentication failed for user \"cz-no-such-user\"" "User of the config"

# ---- ProxyJump
# Without the jump, 127.0.0.1:PORT is nothing here.
assert_exit 69 cz_home --host cz-nojump status "$jump_inst"
assert_contains "$(error_line)" "cannot connect to \"cz-nojump\" (127.0.0.1:$port)"

# What the system ssh reads for the jump host, as the ~/.ssh of root's entry in
# the password database, inside the mount namespace only.
jump_ssh=$T/jump-ssh
mkdir "$jump_ssh"
chmod 700 "$jump_ssh"
printf '%s %s\n[127.0.0.1]:%s %s\n' "$CZ_HOST1_ADDR" "$key" "$port" "$key" >"$jump_ssh/known_hosts"
cat >"$jump_ssh/config" <<EOF
Host $CZ_HOST1_ADDR 127.0.0.1
  User root
  IdentityFile $CZ_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $jump_ssh/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  GSSAPIAuthentication no
  ConnectTimeout 10
EOF
pw_ssh=$(getent passwd "$(id -u)" | cut -d: -f6)/.ssh
if [ ! -d "$pw_ssh" ]; then
  mkdir -m 700 "$pw_ssh"
  # Ours: removed again, if nothing else has put anything there meanwhile.
  on_exit rmdir "$pw_ssh"
fi
# cz_jump ARGS...: cz_home with that directory as the ~/.ssh of the system ssh.
# shellcheck disable=SC2016
cz_jump() {
  unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
    sh "$jump_ssh" "$pw_ssh" env -u SSH_AUTH_SOCK HOME="$home" "$CALZION_BIN" "$@"
}
start=$(date +%s%N)
assert_exit 0 cz_jump --host cz-jump deploy "$T/app.yaml" "$jump_inst"
echo "deploy through the jump host: $((($(date +%s%N) - start) / 1000000)) ms" >&2
assert_eq "${jump_inst}_box" "$(containers_of "$jump_inst")" "containers deployed through the jump host"
assert_exit 0 cz_jump --host cz-jump status "$jump_inst"
assert_eq "cz-jump: $jump_inst at revision 1" "$(head -n 1 <<<"$OUT")" "status through the jump host"
grep -Eq '^ +box +running ' <<<"$OUT" || fail "box is not running in: $OUT"

# Two jump hosts, taken in the order given: host1, then 127.0.0.1:PORT as seen
# from host1 (from here it is nothing), then the target.
assert_exit 0 cz_jump --host cz-jump2 status "$jump_inst"
assert_eq "cz-jump2: $jump_inst at revision 1" "$(head -n 1 <<<"$OUT")" "status through two jump hosts"
