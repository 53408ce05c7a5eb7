#!/usr/bin/env bash
# logs and exec reach into a service's container from host state alone.
# logs keeps the container's stdout and stderr apart, honours --tail, --since
# and --timestamps, and with -f streams new lines; a calzion killed while
# following leaves no `docker logs` behind on the host, and the stream ends
# with the container. On two hosts each line names its host. exec passes the
# exit code through (128+N for a signal), allocates a terminal only when stdin
# is one (and then passes TERM), forwards stdin only on a terminal or with -i,
# and refuses to guess between two hosts. Unknown services and instances are
# usage errors (64); an unreachable host is 69.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2

instance_on_host1
cz2() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 --host host2 "$@"; }
on_exit calzion --ssh-config "$CZ_SSH_CONFIG" --host host2 destroy --missing-ok "$inst"

# web says two lines on stdout and one on stderr, then repeats whatever is
# dropped into /tmp/say.
cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo first-out; echo first-err >&2; echo second-out; trap 'exit 0' TERM; while :; do if [ -e /tmp/say ]; then cat /tmp/say; rm /tmp/say; fi; sleep 0.2; done"]
EOF
assert_exit 0 cz deploy "$T/app.yaml" "$inst"

# --- logs ---
assert_exit 0 cz logs "$inst" web
assert_eq "first-out
second-out" "$OUT" "logs stdout"
assert_eq "first-err" "$ERR" "logs stderr"

assert_exit 0 cz logs "$inst" web --tail 0
assert_eq "" "$OUT$ERR" "logs --tail 0"
assert_exit 0 cz logs "$inst" web --since 2099-01-01T00:00:00
assert_eq "" "$OUT$ERR" "logs --since in the future"
assert_exit 0 cz logs "$inst" web -t
assert_contains "$OUT" "Z second-out" "logs --timestamps"
assert_exit 64 cz logs "$inst" web --tail many
assert_eq 'calzion: error: --tail: expected a number of lines or "all", got "many"' "$ERR" "bad --tail"

assert_exit 64 cz logs "$inst" wbe
assert_eq "calzion: error: host1: unknown service \"wbe\" in instance \"$inst\", did you mean \"web\"? (its services: web)" \
  "$ERR" "logs of an unknown service"
assert_exit 64 cz logs "$inst-nope" web
assert_eq "calzion: error: instance \"$inst-nope\" is not deployed on host1" "$ERR" "logs of an unknown instance"

# -f streams what comes later; killing calzion ends the remote docker logs.
remote_follows() { pgrep -f "docker logs --follow ${inst}_web" >/dev/null; }
no_remote_follows() { ! remote_follows; }
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 logs -f "$inst" web >"$T/follow" 2>&1 &
follower=$!
wait_for 10 remote_follows
assert_exit 0 cz exec "$inst" web -- sh -c 'echo later-line > /tmp/say'
wait_for 10 grep -q later-line "$T/follow"
kill -9 "$follower"
wait "$follower" 2>/dev/null || true
wait_for 10 no_remote_follows

# A follow ends by itself, exit 0, when the container stops.
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 logs -f "$inst" web >"$T/follow2" 2>&1 &
follower=$!
wait_for 10 remote_follows
host_docker 1 stop "${inst}_web" >/dev/null
follow_status=0
wait "$follower" || follow_status=$?
assert_eq 0 "$follow_status" "exit of logs -f when the container stops"
assert_exit 0 cz start "$inst"

# --- exec ---
assert_exit 7 cz exec "$inst" web -- sh -c 'echo "in $CALZION_SERVICE"; echo oops >&2; exit 7'
assert_eq "in web" "$OUT" "exec stdout"
assert_eq "oops" "$ERR" "exec stderr"
assert_exit 137 cz exec "$inst" web -- sh -c 'kill -9 $$'
# stdin is not a terminal here: no terminal on the host, and stdin only with -i.
assert_exit 1 cz exec "$inst" web -- tty
assert_eq "not a tty" "$OUT" "exec without a terminal"
assert_exit 0 sh -c 'echo piped-in | "$@"' sh "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 exec -i "$inst" web -- cat
assert_eq "piped-in" "$OUT" "exec -i forwards stdin"
assert_exit 0 sh -c 'echo piped-in | "$@"' sh "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 exec "$inst" web -- cat
assert_eq "" "$OUT" "exec without -i reads no stdin"
assert_exit 0 cz exec --user 123 --workdir /etc "$inst" web -- sh -c 'echo "$(id -u) $(pwd)"'
assert_eq "123 /etc" "$OUT" "exec --user --workdir"

# On a terminal (script gives calzion one): a terminal on the host too, with
# our TERM; keys typed arrive, and the exit code still comes back.
tty_status=0
printf 'echo typed-$((6*7))\nexit 5\n' | TERM=vt220 script -qec \
  "$CALZION_BIN --ssh-config $CZ_SSH_CONFIG --host host1 exec $inst web -- sh -c 'tty; echo term=\$TERM; exec sh'" \
  "$T/typescript" >/dev/null || tty_status=$?
assert_eq 5 "$tty_status" "exit code through a terminal"
typescript=$(tr -d '\r\0' <"$T/typescript")
assert_contains "$typescript" "/dev/pts/" "exec on a terminal gets one on the host"
assert_contains "$typescript" "term=vt220" "exec passes TERM"
assert_contains "$typescript" "typed-42" "keys reach the remote shell"

assert_exit 64 cz exec "$inst" web
assert_contains "$ERR" "command is required" "exec without a command"

# --- two hosts ---
assert_exit 0 calzion --ssh-config "$CZ_SSH_CONFIG" --host host2 deploy "$T/app.yaml" "$inst"
assert_exit 0 cz2 logs "$inst" web
assert_contains "$OUT" "host1 | first-out" "logs from host1"
assert_contains "$OUT" "host2 | second-out" "logs from host2"
assert_contains "$ERR" "host2 | first-err" "stderr from host2"
assert_exit 64 cz2 exec "$inst" web -- true
assert_eq "calzion: error: service \"web\" of \"$inst\" runs on 2 hosts (host1, host2): choose one with --host" \
  "$ERR" "exec on two hosts"

# --- an unreachable host ---
assert_exit 69 calzion --ssh-config "$CZ_SSH_CONFIG" --host 127.0.0.1:1 logs "$inst" web
assert_contains "$ERR" "calzion: error: 127.0.0.1:1: " "logs on an unreachable host"
