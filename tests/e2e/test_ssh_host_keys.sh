#!/usr/bin/env bash
# Host keys are checked as strictly as OpenSSH does, against host1's real sshd:
# a key listed "@revoked" is refused (77) even where another line records it; a
# changed key is refused (77) even with "StrictHostKeyChecking no" in the ssh
# config and --accept-new-host-key, and known_hosts is left as it was; an
# unknown key is refused with "StrictHostKeyChecking yes" and accepted and
# recorded with "accept-new"; a line that cannot be read does not hide the lines
# after it; a negated pattern does not match; hashed names and several
# UserKnownHostsFile files work. --ssh-config naming a directory or a missing
# file is a usage error (64).
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1

error_line() { grep '^calzion: error: ' <<<"$ERR" || fail "no error line in: $ERR"; }

# config_for STRICT KNOWN_HOSTS...: an ssh config for host1 with these settings.
config_for() {
  local strict=$1
  shift
  sed -n '/^Host host1$/,/^$/p' "$CZ_SSH_CONFIG" |
    sed "s#^  UserKnownHostsFile .*#  UserKnownHostsFile $*#; s#^  StrictHostKeyChecking .*#  StrictHostKeyChecking $strict#"
}
# cz CONFIG [ARGS...]: list the instances on host1 through CONFIG.
cz() {
  local config=$1
  shift
  calzion --ssh-config "$config" --host host1 "$@" list
}

addr=$CZ_HOST1_ADDR
key=$(grep "^$addr " "$CZ_KNOWN_HOSTS" | cut -d' ' -f2,3)
[ -n "$key" ] || fail "no key for $addr in $CZ_KNOWN_HOSTS"
real_fp=$(ssh-keygen -lf <(echo "$addr $key") | cut -d' ' -f2)
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/other_key" </dev/null
other=$(cut -d' ' -f1,2 "$T/other_key.pub")

# ---- revoked: refused, even with the key also recorded and the flag given
printf '%s %s\n@revoked * %s\n' "$addr" "$key" "$key" >"$T/known_revoked"
config_for yes "$T/known_revoked" >"$T/revoked.cfg"
for flag in "" --accept-new-host-key; do
  # shellcheck disable=SC2086
  assert_exit 77 cz "$T/revoked.cfg" $flag
  assert_eq "calzion: error: host1: host key of \"host1\" ($addr:22) is revoked: the host offers ssh-ed25519 key $real_fp, which \"$T/known_revoked:2\" marks @revoked; never accept it" \
    "$(error_line)" "revoked key"
done
# ssh agrees.
assert_exit 255 ssh -F "$T/revoked.cfg" host1 true

# ---- changed: refused with StrictHostKeyChecking no, and known_hosts kept
echo "$addr $other" >"$T/known_changed"
for strict in no off accept-new; do
  config_for "$strict" "$T/known_changed" >"$T/changed.cfg"
  for flag in "" --accept-new-host-key; do
    # shellcheck disable=SC2086
    assert_exit 77 cz "$T/changed.cfg" $flag
    assert_contains "$(error_line)" "calzion: error: host1: host key of \"host1\" ($addr:22) has changed: the host offers ssh-ed25519 key $real_fp, which does not match \"$T/known_changed\""
  done
done
assert_eq "$addr $other" "$(cat "$T/known_changed")" "known_hosts after a changed key"

# ---- unknown: refused with StrictHostKeyChecking yes, recorded with accept-new
: >"$T/known_new"
config_for yes "$T/known_new" >"$T/strict.cfg"
assert_exit 77 cz "$T/strict.cfg"
assert_eq "calzion: error: host1: host key of \"host1\" ($addr:22) is not known: ssh-ed25519 key $real_fp is not in \"$T/known_new\"; check it, then accept it with --accept-new-host-key" \
  "$(error_line)" "unknown key with StrictHostKeyChecking yes"
assert_eq "" "$(cat "$T/known_new")" "known_hosts after refusing an unknown key"
config_for accept-new "$T/known_new" >"$T/accept.cfg"
assert_exit 0 cz "$T/accept.cfg"
assert_eq "$real_fp" "$(ssh-keygen -lf "$T/known_new" | cut -d' ' -f2)" "key recorded with accept-new"
assert_eq 1 "$(grep -c . "$T/known_new")" "known_hosts lines after accept-new"
# The recorded key is enough from now on, with the strict config too.
assert_exit 0 cz "$T/strict.cfg"
assert_exit 0 ssh -F "$T/strict.cfg" host1 true

# ---- a line that cannot be read does not hide the right key after it
printf 'garbage\n%s ssh-ed25519 !!!\n%s %s\n' "$addr" "$addr" "$key" >"$T/known_garbage"
config_for yes "$T/known_garbage" >"$T/garbage.cfg"
assert_exit 0 cz "$T/garbage.cfg"

# ---- a negated pattern excludes the line; the note names unreadable lines
printf 'garbage\n*,!%s %s\n' "$addr" "$key" >"$T/known_negated"
config_for yes "$T/known_negated" >"$T/negated.cfg"
assert_exit 77 cz "$T/negated.cfg"
assert_eq "calzion: error: host1: host key of \"host1\" ($addr:22) is not known: ssh-ed25519 key $real_fp is not in \"$T/known_negated\"; skipped lines it cannot read: $T/known_negated:1: expected host patterns, a key type and a key; check it, then accept it with --accept-new-host-key" \
  "$(error_line)" "negated pattern"
assert_exit 255 ssh -F "$T/negated.cfg" host1 true

# ---- hashed names and wildcards; several UserKnownHostsFile files
echo "$addr $key" >"$T/known_hashed"
ssh-keygen -q -H -f "$T/known_hashed" >/dev/null 2>&1
grep -q '^|1|' "$T/known_hashed" || fail "ssh-keygen -H made no hashed line"
config_for yes "$T/known_hashed" >"$T/hashed.cfg"
assert_exit 0 cz "$T/hashed.cfg"
echo "${addr%.*}.* $key" >"$T/known_wildcard"
: >"$T/known_empty"
config_for yes "$T/known_empty" "$T/known_wildcard" >"$T/several.cfg"
assert_exit 0 cz "$T/several.cfg"

# ---- --ssh-config must name a file
assert_exit 64 calzion --ssh-config "$T" --host host1 list
assert_eq "calzion: error: cannot read --ssh-config \"$T\": it is a directory, not a file" "$(error_line)" \
  "--ssh-config DIR"
assert_exit 64 calzion --ssh-config "$T/missing.cfg" --host host1 list
assert_eq "calzion: error: cannot read --ssh-config \"$T/missing.cfg\": no such file or directory" "$(error_line)" \
  "--ssh-config with a missing file"
