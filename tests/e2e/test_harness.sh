#!/usr/bin/env bash
# The e2e hosts are what they claim: real engines reached over real ssh, one
# engine and one /var/lib/calzion per host, working user-defined networks.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2

ssh_host() { host_ssh "$@"; }
tag=e2e-$E2E_NAME-$$

# A container runs over ssh, from the local image, without any registry.
assert_exit 0 ssh_host 1 "docker run --rm --pull never $CZ_IMAGE sh -c 'echo hi from \$(hostname)'"
assert_contains "$OUT" "hi from" "container output over ssh"

# Each host has its own engine, and an ssh session on host K talks to host K's.
id1=$(host_docker 1 info -f '{{.ID}}')
id2=$(host_docker 2 info -f '{{.ID}}')
[ "$id1" != "$id2" ] || fail "host1 and host2 report the same engine ID $id1"
assert_eq "$id1" "$(ssh_host 1 "docker info -f '{{.ID}}'")" "engine seen over ssh on host1"
assert_eq "$id2" "$(ssh_host 2 "docker info -f '{{.ID}}'")" "engine seen over ssh on host2"
assert_eq host1 "$(ssh_host 1 hostname)" "hostname of host1"

on_exit host_docker 1 rm -f "$tag-created"
ssh_host 1 "docker create --name $tag-created $CZ_IMAGE true" >/dev/null
assert_contains "$(host_docker 1 ps -a --format '{{.Names}}')" "$tag-created" "container on host1's engine"
assert_not_contains "$(host_docker 2 ps -a --format '{{.Names}}')" "$tag-created" "host2's engine"
assert_not_contains "$(ssh_host 2 "docker ps -a --format '{{.Names}}'")" "$tag-created" "host2 over ssh"

# Each host's /var/lib/calzion is its own directory; the root namespace's is
# untouched.
f=$tag-state
on_exit rm -f "$CZ_HOST1_STATE/$f"
ssh_host 1 "echo host1-wrote > /var/lib/calzion/$f"
assert_eq host1-wrote "$(cat "$CZ_HOST1_STATE/$f")" "file written over ssh lands in CZ_HOST1_STATE"
[ ! -e "$CZ_HOST2_STATE/$f" ] || fail "file written on host1 appears in CZ_HOST2_STATE"
[ ! -e "/var/lib/calzion/$f" ] || fail "file written on host1 appears in the root /var/lib/calzion"
assert_exit 1 ssh_host 2 "test -e /var/lib/calzion/$f"
if mountpoint -q /var/lib/calzion; then fail "/var/lib/calzion is a mount point in the root namespace"; fi

# The engine resolves bind mounts in the same /var/lib/calzion as the ssh
# session (calzion keeps bind-mounted volumes there).
assert_exit 0 ssh_host 1 "docker run --rm --pull never -v /var/lib/calzion/$f:/data/f $CZ_IMAGE cat /data/f"
assert_eq host1-wrote "$OUT" "bind mount from /var/lib/calzion on host1"

# On every host: a user-defined network where containers resolve each other
# by alias.
for k in $(seq 1 "$CZ_HOST_COUNT"); do
  on_exit host_docker "$k" network rm "$tag-net"
  on_exit host_docker "$k" rm -f "$tag-web"
  host_docker "$k" network create "$tag-net" >/dev/null
  host_docker "$k" run -d --pull never --name "$tag-web" --network "$tag-net" --network-alias web \
    "$CZ_IMAGE" sh -c "mkdir -p /www && echo served-by-host$k > /www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
  # httpd needs a moment to listen: retry for a few seconds. (Not `wget -T`:
  # it segfaults in busybox-static 1.35.)
  out=
  for _ in $(seq 1 25); do
    out=$(ssh_host "$k" "docker run --rm --pull never --network $tag-net $CZ_IMAGE timeout 5 wget -qO- http://web/" 2>&1) && break
    sleep 0.2
  done
  assert_eq "served-by-host$k" "$out" "wget http://web/ by alias on host$k"
done
