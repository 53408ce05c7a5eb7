#!/usr/bin/env bash
# calzion(1) SECURITY: every value that reaches the remote shell is quoted in exactly one
# place. Hostile env values, a hostile command and hostile --set values arrive
# in the container byte for byte, and nothing in them runs on the host (or in
# the container) on the way there.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1

instance_on_host1

# Anything executed would touch a file named after this run, on the host
# (which shares /tmp with this machine) or in the container.
mark=/tmp/cz-e2e-$E2E_NAME-$$-pwned
on_exit rm -f "$mark" "$mark"2 "$mark"3 "$mark"4 "$mark"5

# In YAML double quotes: \" is a quote, \\ a backslash, \n and \t are
# control characters. $$ is a literal $ for calzion.
cat >"$T/q.yaml" <<EOF
services:
  box:
    image: local/busybox:1
    cmd: ["sleep", "3600"]
    env:
      HOSTILE: "\$\$(touch $mark) '; touch ${mark}2 \"x\" \`touch ${mark}3\` \\\\ && reboot"
      MULTI: "line one\nline two\ttabbed ünïcødé ✓ 日本"
      DOLLARS: "\$\$HOME \$\${HOME} \$\$\$\$ %s %n"
      EMPTY: ""
      SPACES: "  leading and trailing  "
      FROM_SET: "\${EVIL}"
  args:
    image: local/busybox:1
    cmd: ["sh", "-c", "printf '%s|' \"\$\$@\" > /tmp/args; exec sleep 3600", "calzion", "a b", "\$\$(touch ${mark}4)", "'", "", "*"]
EOF
evil='$(touch '"${mark}5"') ; `id` "'"'"'"'
assert_exit 0 cz deploy "$T/q.yaml" "$inst" --set "EVIL=$evil"

# getenv NAME: the variable exactly as the container's process sees it.
getenv() { host_docker 1 exec "${inst}_box" sh -c "printf %s \"\$$1\""; }
assert_eq "\$(touch $mark) '; touch ${mark}2 \"x\" \`touch ${mark}3\` \\ && reboot" "$(getenv HOSTILE)" "HOSTILE"
assert_eq $'line one\nline two\ttabbed ünïcødé ✓ 日本' "$(getenv MULTI)" "MULTI"
assert_eq '$HOME ${HOME} $$ %s %n' "$(getenv DOLLARS)" "DOLLARS"
assert_eq "  leading and trailing  " "$(getenv SPACES)" "SPACES"
assert_eq "$evil" "$(getenv FROM_SET)" "FROM_SET (--set)"
# EMPTY is set, to nothing.
assert_eq "EMPTY=" "$(host_docker 1 exec "${inst}_box" env | grep '^EMPTY')" "EMPTY"

# The command's arguments, each one word, none of them expanded.
assert_exit 0 host_docker 1 exec "${inst}_args" cat /tmp/args
assert_eq "a b|\$(touch ${mark}4)|'||*|" "$OUT" "command arguments"

# Nothing ran: not on the host, not in the containers.
for f in "$mark" "${mark}2" "${mark}3" "${mark}4" "${mark}5"; do
  [ ! -e "$f" ] || fail "$f exists: a value was executed on the host"
  assert_exit 1 host_ssh 1 "test -e $f"
  for c in box args; do
    assert_exit 1 host_docker 1 exec "${inst}_$c" test -e "$f"
  done
done

# The same values survive the revision record and a second deploy: the host
# state reads them back exactly, so nothing is replaced.
assert_exit 0 cz plan --detailed-exitcode "$T/q.yaml" "$inst" --set "EVIL=$evil"
assert_contains "$OUT" "= box"
assert_exit 0 cz deploy "$T/q.yaml" "$inst" --set "EVIL=$evil"
assert_contains "$ERR" "host1: up to date at revision 1"
