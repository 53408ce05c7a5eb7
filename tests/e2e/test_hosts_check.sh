#!/usr/bin/env bash
# hosts check: per host, in one round trip each, SSH reachability and
# authentication (or local), the host key verified, docker's client and engine
# versions, and the state directory (where it resolves to, whether it exists
# and can be written by the SSH user, its format version, free space). A table
# and --json. The exit code is the worst host's: 69 unreachable, 77 host key
# refused or a state directory the user cannot write (as deploy), 1 docker not answering;
# a failing host never hides the good ones.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

cz() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
error_line() { grep '^calzion: error: ' <<<"$ERR" || fail "no error line in: $ERR"; }
# config_for USER KNOWN_HOSTS: an ssh config for host1 as USER with this known_hosts.
config_for() {
  sed -n '/^Host host1$/,/^$/p' "$CZ_SSH_CONFIG" | sed "s#^  User .*#  User $1#; s#^  UserKnownHostsFile .*#  UserKnownHostsFile $2#"
}
client=$(host_ssh 1 "docker version -f '{{.Client.Version}}'")
engine=$(host_docker 1 version -f '{{.Server.Version}}')
api=$(host_docker 1 version -f '{{.Server.APIVersion}}')

# Two good hosts.
assert_exit 0 cz --host host1 --host host2 hosts check
assert_eq "HOST CONNECTION USER DOCKER CLIENT / ENGINE STATE DIR FORMAT FREE CHECK" "$(head -n 1 <<<"$OUT" | tr -s ' ')" \
  "table header"
for k in 1 2; do
  line=$(grep "^host$k " <<<"$OUT") || fail "no row for host$k: $OUT"
  [[ $line =~ ^host$k\ +ssh,\ host\ key\ verified\ +root\ +"$client / $engine"\ +/var/lib/calzion\ \(writable\)\ +(1|-)\ +[0-9.]+\ [KMGT]iB\ +ok$ ]] ||
    fail "row of host$k: $line"
done
assert_eq 3 "$(wc -l <<<"$OUT")" "lines: header and two rows, no problems"

assert_exit 0 cz --host host1 --host host2 --json hosts check
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout"
assert_eq '["host1","host2"]' "$(jq -c '[.hosts[].host]' <<<"$OUT")" "hosts checked"
assert_eq '["ssh",true,"verified","root",true,[],null]' \
  "$(jq -c '.hosts[0] | [.connection, .reached, .host_key, .user, .ok, .problems, .error]' <<<"$OUT")" "host1 --json"
assert_eq "{\"client\":\"$client\",\"engine\":\"$engine\",\"engine_api\":\"$api\"}" \
  "$(jq -c '.hosts[0].docker' <<<"$OUT")" "docker versions --json"
assert_eq '["/var/lib/calzion",true,true,true]' \
  "$(jq -c '.hosts[0].state_dir | [.path, .exists, .writable, (.format == 0 or .format == 1)]' <<<"$OUT")" \
  "state dir --json"
# Free space as df on the host says, give or take what other tests write meanwhile.
free=$(jq '.hosts[0].state_dir.free_bytes' <<<"$OUT")
df_free=$(( $(host_ssh 1 'df -Pk /var/lib/calzion' | sed -n '2s/  */ /gp' | cut -d' ' -f4) * 1024 ))
difference=$((free > df_free ? free - df_free : df_free - free))
[ "$difference" -lt 200000000 ] || fail "free space $free, df says $df_free"

# One round trip per host: one channel each.
assert_exit 0 cz --verbose --host host1 --host host2 hosts check
assert_contains "$ERR" "calzion: ssh channels opened: 2"

# An unreachable host: 69, and the good host is still reported.
gone="root@$CZ_HOST1_GATEWAY:1"
assert_exit 69 cz --host host1 --host "$gone" hosts check
assert_contains "$OUT" "host1 "
grep -q "^host1 .* ok$" <<<"$OUT" || fail "host1 not reported ok next to an unreachable host: $OUT"
grep -q "^$gone  *failed  *-  *-  *-  *-  *-  *problem$" <<<"$OUT" || fail "row of the unreachable host: $OUT"
assert_contains "$OUT" "$gone: cannot connect to \"$gone\" ($CZ_HOST1_GATEWAY:1): connection refused"
assert_eq "calzion: error: $gone: cannot connect to \"$gone\" ($CZ_HOST1_GATEWAY:1): connection refused" "$(error_line)"
assert_exit 69 cz --host host1 --host "$gone" --json hosts check
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout with an unreachable host"
assert_eq "[[\"host1\",true,true,null],[\"$gone\",false,false,69]]" \
  "$(jq -c '[.hosts[] | [.host, .reached, .ok, .error.exit_code]]' <<<"$OUT")" "--json with an unreachable host"
assert_eq '[null,null,null]' "$(jq -c '.hosts[1] | [.docker, .state_dir, .user]' <<<"$OUT")" "nothing known of it"

# A host key that does not match: 77, worse than unreachable.
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/other_key" </dev/null
echo "$CZ_HOST1_ADDR $(cut -d' ' -f1,2 "$T/other_key.pub")" >"$T/known_wrong"
{ cat "$CZ_SSH_CONFIG"; config_for root "$T/known_wrong" | sed 's/^Host host1$/Host badkey/'; } >"$T/mixed.cfg"
assert_exit 77 calzion --ssh-config "$T/mixed.cfg" --host badkey --host "$gone" --host host2 hosts check
assert_contains "$(error_line)" "calzion: error: badkey: host key of \"badkey\" ($CZ_HOST1_ADDR:22) has changed"
grep -q "^host2 .* ok$" <<<"$OUT" || fail "host2 not reported ok: $OUT"

# A user without root: the default state directory is in its home. It does not
# exist yet but can be created; then one owned by root cannot be written.
config_for czuser "$CZ_KNOWN_HOSTS" >"$T/czuser.cfg"
state=$CZ_HOST1_CZUSER_HOME/.local/state/calzion
rm -rf "$CZ_HOST1_CZUSER_HOME/.local"
on_exit rm -rf "$CZ_HOST1_CZUSER_HOME/.local"
assert_exit 0 calzion --ssh-config "$T/czuser.cfg" --host host1 hosts check
grep -q "^host1  *ssh, host key verified  *czuser  .*  $state (to be created)  *-  .* ok$" <<<"$OUT" ||
  fail "row of a user without root: $OUT"
[ ! -e "$state" ] || fail "hosts check created $state"
mkdir -p "$state"
assert_exit 77 calzion --ssh-config "$T/czuser.cfg" --host host1 hosts check
assert_contains "$OUT" "$state (not writable)"
assert_eq "calzion: error: host1: state directory \"$state\" is not writable by \"czuser\"" "$(error_line)"
assert_exit 77 calzion --ssh-config "$T/czuser.cfg" --host host1 --json hosts check
assert_eq '["czuser",true,false,{"kind":"permission","message":"state directory \"'"$state"'\" is not writable by \"czuser\"","exit_code":77}]' \
  "$(jq -c '.hosts[0] | [.user, .state_dir.exists, .state_dir.writable, .error]' <<<"$OUT")" "--json of a state dir that cannot be written"
# Written to by the user, it is fine again.
chown -R "$(stat -c %u:%g "$CZ_HOST1_CZUSER_HOME")" "$CZ_HOST1_CZUSER_HOME/.local"
assert_exit 0 calzion --ssh-config "$T/czuser.cfg" --host host1 hosts check
assert_contains "$OUT" "$state (writable)"

# local, with an engine that does not answer: 1. (In a private mount namespace
# whose /var/lib/calzion is a directory of this test.)
mkdir -p "$T/state" /var/lib/calzion
# shellcheck disable=SC2016
assert_exit 1 env DOCKER_HOST="unix://$T/no-engine.sock" unshare --mount --propagation private -- \
  sh -c 'mount --bind "$1" /var/lib/calzion && shift && exec "$@"' sh "$T/state" \
  "$CALZION_BIN" --host local hosts check
grep -q "^local  *local  *root  *$client / no answer  */var/lib/calzion (writable)  .* problem$" <<<"$OUT" ||
  fail "row of local without an engine: $OUT"
assert_contains "$(error_line)" "calzion: error: local: the docker engine does not answer: "
