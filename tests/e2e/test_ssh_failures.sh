#!/usr/bin/env bash
# calzion(1) EXIT STATUS and SECURITY over real SSH: an unreachable or unresolvable host exits 69
# naming the host; a key that is refused by the host exits 69; a host key that
# differs from known_hosts exits 77 ("host key ... has changed"), even with
# --accept-new-host-key; an unknown host key exits 77 unless
# --accept-new-host-key, which records it so that the next run needs no flag.
# A failing host does not hide the others: the rest are still handled, and
# --json stays one document.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

inst=$E2E_NAME
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
on_exit cz --host host2 destroy --volumes --missing-ok "$inst"

cat >"$T/app.yaml" <<'EOF'
services:
  box: {image: local/busybox:1, cmd: sleep 3600}
EOF

# config_for KNOWN_HOSTS [IDENTITY]: an ssh config for host1 with these files.
config_for() {
  sed -n '/^Host host1$/,/^$/p' "$CZ_SSH_CONFIG" |
    sed "s#^  UserKnownHostsFile .*#  UserKnownHostsFile $1#; s#^  IdentityFile .*#  IdentityFile ${2:-$CZ_KEY}#"
}
error_line() { grep '^calzion: error: ' <<<"$ERR" || fail "no error line in: $ERR"; }

# Nothing listens: connection refused, 69, the host named.
port_host="root@$CZ_HOST1_GATEWAY:1"
assert_exit 69 cz --host "$port_host" deploy "$T/app.yaml" "$inst"
assert_eq "calzion: error: $port_host: cannot connect to \"$port_host\" ($CZ_HOST1_GATEWAY:1): connection refused" \
  "$(error_line)" "unreachable host"
assert_exit 69 cz --host nonexistent.invalid status "$inst"
assert_contains "$(error_line)" "calzion: error: nonexistent.invalid: cannot connect to \"nonexistent.invalid\""
assert_exit 69 cz --host nonexistent.invalid list
grep -q '^nonexistent\.invalid  *error: cannot connect to "nonexistent.invalid"' <<<"$OUT" || fail "list with an unreachable host: $OUT"

# A key the host does not accept: 69, naming user and key.
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/other_key" </dev/null
config_for "$CZ_KNOWN_HOSTS" "$T/other_key" >"$T/auth.cfg"
assert_exit 69 calzion --ssh-config "$T/auth.cfg" --host host1 status "$inst"
assert_eq "calzion: error: host1: cannot connect to \"host1\" ($CZ_HOST1_ADDR:22): authentication failed for user \"root\" with \"$T/other_key\"" \
  "$(error_line)" "refused key"

# A different key recorded for host1's address: refused, 77.
echo "$CZ_HOST1_ADDR $(cut -d' ' -f1,2 "$T/other_key.pub")" >"$T/known_wrong"
config_for "$T/known_wrong" >"$T/wrong.cfg"
real_fp=$(ssh-keygen -lf <(grep "^$CZ_HOST1_ADDR " "$CZ_KNOWN_HOSTS") | cut -d' ' -f2)
for flag in "" --accept-new-host-key; do
  # shellcheck disable=SC2086
  assert_exit 77 calzion --ssh-config "$T/wrong.cfg" --host host1 $flag deploy "$T/app.yaml" "$inst"
  assert_contains "$(error_line)" "calzion: error: host1: host key of \"host1\" ($CZ_HOST1_ADDR:22) has changed: the host offers ssh-ed25519 key $real_fp, which does not match \"$T/known_wrong\""
done
assert_eq "$CZ_HOST1_ADDR $(cut -d' ' -f1,2 "$T/other_key.pub")" "$(cat "$T/known_wrong")" "known_hosts after a refused key"
# Nothing was deployed.
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after a refused host key"
[ ! -e "$CZ_HOST1_STATE/instances/$inst" ] || fail "state written despite a refused host key"

# An unknown host: refused (77) until accepted once.
: >"$T/known_new"
config_for "$T/known_new" >"$T/new.cfg"
assert_exit 77 calzion --ssh-config "$T/new.cfg" --host host1 status "$inst"
assert_eq "calzion: error: host1: host key of \"host1\" ($CZ_HOST1_ADDR:22) is not known: ssh-ed25519 key $real_fp is not in \"$T/known_new\"; check it, then accept it with --accept-new-host-key" \
  "$(error_line)" "unknown host key"
assert_eq "" "$(cat "$T/known_new")" "known_hosts after refusing an unknown key"
assert_exit 0 calzion --ssh-config "$T/new.cfg" --host host1 --accept-new-host-key status --missing-ok "$inst"
assert_eq "host1: no instance \"$inst\"" "$OUT" "status after accepting the key"
# The recorded key is host1's real one, and ssh itself accepts the file.
assert_eq "$real_fp" "$(ssh-keygen -lf "$T/known_new" | cut -d' ' -f2)" "recorded key"
assert_eq 1 "$(grep -c . "$T/known_new")" "known_hosts lines"
assert_exit 0 ssh -F "$T/new.cfg" host1 true
assert_exit 0 calzion --ssh-config "$T/new.cfg" --host host1 status --missing-ok "$inst"
# A missing known_hosts file counts as empty, and accepting creates it.
rm "$T/known_new"
assert_exit 77 calzion --ssh-config "$T/new.cfg" --host host1 status "$inst"
assert_contains "$(error_line)" "is not known"
assert_exit 0 calzion --ssh-config "$T/new.cfg" --host host1 --accept-new-host-key status --missing-ok "$inst"
assert_eq "$real_fp" "$(ssh-keygen -lf "$T/known_new" | cut -d' ' -f2)" "recorded key in a new file"

# One bad host among good ones: the good one is deployed, the exit code is the
# worst (77 over 69), and --json prints one document holding both errors.
cat "$CZ_SSH_CONFIG" >"$T/mixed.cfg"
config_for "$T/known_wrong" | sed 's/^Host host1$/Host badkey/' >>"$T/mixed.cfg"
assert_exit 77 calzion --ssh-config "$T/mixed.cfg" --host host2 --host badkey --host "$port_host" --json \
  deploy "$T/app.yaml" "$inst"
assert_eq running "$(host_docker 2 inspect -f '{{.State.Status}}' "${inst}_box")" "box on the good host"
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout"
assert_eq '[["host2",null],["badkey",77],["'"$port_host"'",69]]' \
  "$(jq -c '[.hosts[] | [.host, .error.exit_code]]' <<<"$OUT")" "deploy --json with failing hosts"
assert_contains "$(error_line)" "calzion: error: badkey: host key of \"badkey\""
# The same for status and list.
assert_exit 77 calzion --ssh-config "$T/mixed.cfg" --host host2 --host badkey --json status "$inst"
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout of status"
assert_eq '[["host2",1]] [["host2",null],["badkey",77]]' \
  "$(jq -c '[.instances[] | [.host, .revision]], [.hosts[] | [.host, .error.exit_code]]' <<<"$OUT" | paste -sd' ')" \
  "status --json with a failing host"
assert_exit 77 calzion --ssh-config "$T/mixed.cfg" --host host2 --host badkey --json list
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout of list"
assert_eq '[["host2",null],["badkey",77]]' "$(jq -c '[.hosts[] | [.host, .error.exit_code]]' <<<"$OUT")" "list --json with a failing host"
