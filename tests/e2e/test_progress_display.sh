#!/usr/bin/env bash
# Progress output as a user sees it. With stderr on a terminal, deploy, restart
# and destroy draw a live display that is redrawn in place (cursor movement,
# a row per host and service, a check mark or a cross), and its final frame is
# on screen before any error; with TERM=dumb, off a terminal or with --dry-run,
# one plain line per event. Colour in the display and in the text of plan and
# status follows --color and NO_COLOR; ASCII symbols outside a UTF-8 locale.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
command -v script >/dev/null || fail "script (util-linux) is required"

instance_on_host1

cat >"$T/app.yaml" <<'EOF'
services:
  db:
    image: local/busybox:1
    cmd: sleep 3600
  web:
    image: ${WEB_IMAGE:-local/busybox:1}
    # Stops at once on SIGTERM, so that a restart takes no 10 s.
    cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    depends_on: [db]
EOF

esc=$'\x1b'

# on_tty [VAR=VALUE...] ARGS...: run calzion ARGS against host1 on a
# pseudo-terminal (stdin, stdout and stderr), with TERM=xterm, a UTF-8 locale
# and no NO_COLOR unless VAR=VALUE says otherwise. What the terminal received
# is in $TTY, the exit code in $STATUS.
on_tty() {
  local settings=(TERM=xterm LC_ALL=C.UTF-8 NO_COLOR=)
  while [[ ${1:-} == *=* ]]; do
    settings+=("$1")
    shift
  done
  local q
  printf -v q '%q ' env "${settings[@]}" "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"
  STATUS=0
  script -qec "$q" /dev/null </dev/null >"$T/tty" || STATUS=$?
  TTY=$(tr -d '\r' <"$T/tty")
}

# without_escapes TEXT: TEXT without ANSI sequences.
without_escapes() { sed "s/${esc}\[[0-9;?]*[A-Za-z]//g" <<<"$1"; }

# final_frame TEXT: what the last redraw of the block wrote (after its last
# cursor-up), without ANSI sequences.
final_frame() { without_escapes "${1##*"${esc}"\[[0-9]A}"; }

# A deploy on a terminal: redrawn in place, in colour, with a final frame
# that shows every row done.
on_tty deploy "$T/app.yaml" "$inst"
assert_eq 0 "$STATUS" "deploy on a terminal: $TTY"
[[ $TTY =~ ${esc}\[[0-9]+A ]] || fail "no cursor movement on a terminal: $(printf %q "$TTY")"
assert_contains "$TTY" "${esc}[2K"
assert_contains "$TTY" "${esc}[32m✓${esc}[0m host1 db "
assert_eq "✓ host1 db   ready
✓ host1 web  ready
✓ host1      recorded revision 1" "$(final_frame "$TTY")" "final frame of deploy"

# A failure: the row gets a red cross, and the error comes after the final
# frame, never inside it.
on_tty deploy "$T/app.yaml" "$inst" --pull never --set WEB_IMAGE=local/no-such-image:1
assert_eq 1 "$STATUS" "failing deploy on a terminal: $TTY"
assert_contains "$TTY" "${esc}[31m✗${esc}[0m"
after_error=${TTY#*calzion: }
[[ $after_error =~ ${esc}\[[0-9]*[AJK] ]] && fail "the display moved after the error: $(printf %q "$after_error")"
frame=$(final_frame "${TTY%%calzion: *}")
[[ $frame == *"✗ host1 web  "* ]] || fail "no cross for web in the final frame: $frame"
assert_contains "$(without_escapes "$TTY")" "calzion: error: host1: "

# NO_COLOR: the display still moves, without a colour; outside a UTF-8
# locale its symbols are ASCII.
on_tty NO_COLOR=1 LC_ALL=C restart "$inst" web
assert_eq 0 "$STATUS" "restart with NO_COLOR: $TTY"
[[ $TTY =~ ${esc}\[[0-9]+A ]] || fail "no live display with NO_COLOR: $(printf %q "$TTY")"
[[ $TTY =~ ${esc}\[[0-9\;]*m ]] && fail "colour despite NO_COLOR: $(printf %q "$TTY")"
assert_contains "$(final_frame "$TTY")" "+ host1 web  started"

# TERM=dumb, a pipe, --dry-run: plain lines, no escape sequence at all.
on_tty TERM=dumb restart "$inst" web
assert_eq 0 "$STATUS" "restart with TERM=dumb: $TTY"
assert_not_contains "$TTY" "$esc"
assert_contains "$TTY" "host1 web: started"
assert_exit 0 calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 restart "$inst" web
assert_contains "$ERR" "host1 web: started"
assert_not_contains "$ERR" "$esc"
host_docker 1 rm -f "${inst}_web" >/dev/null
on_tty deploy --dry-run "$T/app.yaml" "$inst"
assert_eq 0 "$STATUS" "dry run on a terminal: $TTY"
[[ $TTY =~ ${esc}\[[0-9]+A ]] && fail "live display during --dry-run: $(printf %q "$TTY")"
assert_contains "$TTY" "host1: would record revision"

# plan and status: colour when the colour decision says so, for stdout.
assert_exit 0 cz plan "$T/app.yaml" "$inst"
assert_not_contains "$OUT" "$esc" "plan piped"
assert_contains "$OUT" "  + web      create: "
assert_exit 0 cz --color always plan "$T/app.yaml" "$inst"
assert_contains "$OUT" "  ${esc}[32m+${esc}[0m web      ${esc}[32mcreate${esc}[0m: "
on_tty NO_COLOR=1 plan "$T/app.yaml" "$inst"
assert_not_contains "$TTY" "$esc" "plan on a terminal with NO_COLOR"
on_tty status "$inst"
assert_contains "$TTY" "${esc}[32mrunning${esc}[0m"
assert_contains "$TTY" "${esc}[31mmissing${esc}[0m"
assert_exit 0 cz status "$inst"
assert_not_contains "$OUT" "$esc" "status piped"

# destroy on a terminal: one host-wide row, left on screen.
on_tty destroy "$inst"
assert_eq 0 "$STATUS" "destroy on a terminal: $TTY"
assert_eq "✓ host1  destroyed \"$inst\" (1 container; data kept, destroy --volumes removes it)" \
  "$(final_frame "$TTY")" "final frame of destroy"
