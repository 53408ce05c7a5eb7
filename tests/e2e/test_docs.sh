#!/usr/bin/env bash
# The documentation keeps up with the CLI. Every command that `calzion --help`
# lists is described in man/calzion.1 and completed by the bash, zsh and fish
# completions; every long option of `calzion --help` and of each command's
# --help is in the man page (under its command) and in every completion; the
# bash completion offers nothing the CLI lacks. The man pages render without
# warnings when groff and man are installed (they may be absent in CI: then
# only the text is checked). Needs no hosts.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN1=$ROOT/man/calzion.1
MAN5=$ROOT/man/calzion-template.5
BASH_COMPLETION=$ROOT/completions/calzion.bash
ZSH_COMPLETION=$ROOT/completions/_calzion
FISH_COMPLETION=$ROOT/completions/calzion.fish
for file in "$MAN1" "$MAN5" "$BASH_COMPLETION" "$ZSH_COMPLETION" "$FISH_COMPLETION"; do
  [ -s "$file" ] || fail "missing or empty: $file"
done

# The names in the first column of the "Subcommands:" section of a help text.
help_commands() {
  awk '/^[A-Z][A-Za-z]*:$/ { on = ($0 == "Subcommands:"); next } on && /^  [a-z]/ { print $1 }'
}

# The long options of the "Options:" section of a help text ("-h,--help" and
# "--color WHEN:{...}" give --help and --color), one per line.
help_long_options() {
  awk '/^[A-Z][A-Za-z]*:$/ { on = ($0 == "Options:"); next } on && /^ +-/ { print $1 }' |
    tr ',' '\n' | grep -E -- '^--[a-z]' | sort -u || true
}

# The long options written in roff text (where "-" is written "\-").
roff_long_options() {
  sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u || true
}

# The text of the section of man/calzion.1 that describes command $1: from
# its ".SS" line to the next ".SS" or ".SH".
man_command_section() {
  awk -v command="$1" '
    /^\.S[HS]/ { on = 0 }
    /^\.SS / { line = $0; sub(/^\.SS "?/, "", line); split(line, words, /[ "\\]/); on = (words[1] == command) }
    on { print }' "$MAN1"
}

man_section() {
  awk -v name="$1" '/^\.SH / { on = ($0 == ".SH " name || $0 == ".SH \"" name "\"") ; next } on { print }' "$MAN1"
}

# What the bash completion offers for the command line WORDS... (the last word
# being completed), one per line.
bash_complete() {
  bash --norc --noprofile -c '
    source "$1" || exit 1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _calzion || exit 1
    [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMPLETION" "$@"
}

# Lines joined by spaces.
one_line() {
  tr '\n' ' ' | sed 's/ $//'
}

# in_list WORD LIST: whether LIST (one item per line) holds WORD.
in_list() {
  grep -qxF -- "$1" <<<"$2"
}

assert_exit 0 calzion --help
commands=$(printf '%s\n' "$OUT" | help_commands)
global_options=$(printf '%s\n' "$OUT" | help_long_options)
[ -n "$commands" ] || fail "calzion --help lists no commands"$'\n'"$OUT"
in_list --host "$global_options" || fail "calzion --help lists no --host: is the help format still understood?"

zsh_options=$(grep -oE -- '--[a-z][a-z0-9-]*' "$ZSH_COMPLETION" | sort -u || true)
fish_options=$(grep -oE -- '-l [a-z][a-z0-9-]*' "$FISH_COMPLETION" | sed 's/^-l /--/' | sort -u || true)
global_section=$(man_section "GLOBAL OPTIONS" | roff_long_options)

# Global options.
bash_offers=$(bash_complete "$CALZION_BIN" --)
for option in $global_options; do
  in_list "$option" "$global_section" || fail "man/calzion.1: GLOBAL OPTIONS does not describe $option"
  in_list "$option" "$bash_offers" || fail "completions/calzion.bash does not offer $option before a command"
  in_list "$option" "$zsh_options" || fail "completions/_calzion does not complete $option"
  in_list "$option" "$fish_options" || fail "completions/calzion.fish does not complete $option"
done

# Commands.
bash_offers=$(bash_complete "$CALZION_BIN" "")
for command in $commands; do
  [ -n "$(man_command_section "$command")" ] ||
    fail "man/calzion.1 has no section for command \"$command\" (a line .SS \"$command ...\")"
  in_list "$command" "$bash_offers" || fail "completions/calzion.bash does not offer command \"$command\""
  grep -qE "^[[:space:]]*[\"']$command:" "$ZSH_COMPLETION" ||
    fail "completions/_calzion does not list command \"$command\""
  grep -qE -- "-a $command( |\$)" "$FISH_COMPLETION" || fail "completions/calzion.fish does not offer command \"$command\""
done
for offered in $bash_offers; do
  in_list "$offered" "$commands" || fail "completions/calzion.bash offers \"$offered\", which calzion --help does not list"
done

# Each command's options.
for command in $commands; do
  assert_exit 0 calzion "$command" --help
  options=$(printf '%s\n' "$OUT" | help_long_options)
  section_options=$(man_command_section "$command" | roff_long_options)
  bash_offers=$(bash_complete "$CALZION_BIN" "$command" --)
  for option in $options; do
    [ "$option" = --help ] && continue  # described once, under GLOBAL OPTIONS
    in_list "$option" "$section_options" || fail "man/calzion.1: the section of \"$command\" does not describe $option"
    in_list "$option" "$bash_offers" || fail "completions/calzion.bash does not offer $option after \"$command\""
    in_list "$option" "$zsh_options" || fail "completions/_calzion does not complete $option"
    in_list "$option" "$fish_options" || fail "completions/calzion.fish does not complete $option"
  done
  for offered in $bash_offers; do
    case $offered in --*) ;; *) continue ;; esac
    in_list "$offered" "$options" || in_list "$offered" "$global_options" ||
      fail "completions/calzion.bash offers $offered after \"$command\", which its --help does not list"
  done
done

# Values and starters the bash completion knows match the CLI.
assert_exit 0 calzion init --list
starters=$(printf '%s\n' "$OUT" | cut -f1)
bash_offers=$(bash_complete "$CALZION_BIN" init "")
for starter in $starters; do
  in_list "$starter" "$bash_offers" || fail "completions/calzion.bash does not offer starter \"$starter\""
done
assert_eq "auto always never" "$(bash_complete "$CALZION_BIN" --color "" | one_line)" "bash completion of --color"
assert_eq "yaml json" "$(bash_complete "$CALZION_BIN" render --format "" | one_line)" "bash completion of --format"
assert_eq "missing always never" "$(bash_complete "$CALZION_BIN" deploy --pull "" | one_line)" "bash completion of --pull"

# Every exit status is explained.
exit_section=$(man_section "EXIT STATUS")
for code in 0 1 2 64 65 69 75 77 130; do
  grep -qx "\.B $code" <<<"$exit_section" || fail "man/calzion.1: EXIT STATUS does not explain $code"
done
grep -q 'calzion\\-template (5)' "$MAN1" || fail "man/calzion.1 does not refer to calzion-template(5)"

# Syntax of the completion scripts, with the shells that are installed.
bash -n "$BASH_COMPLETION" || fail "completions/calzion.bash: syntax error"
if command -v zsh >/dev/null; then
  zsh -n "$ZSH_COMPLETION" || fail "completions/_calzion: syntax error"
fi
if command -v fish >/dev/null; then
  fish -n "$FISH_COMPLETION" || fail "completions/calzion.fish: syntax error"
  # shellcheck disable=SC2016 # $argv is fish's, not bash's
  fish_offers=$(fish --no-config -c 'source $argv[1]; complete -C "calzion "' "$FISH_COMPLETION" | cut -f1)
  for command in $commands; do
    in_list "$command" "$fish_offers" || fail "fish does not complete command \"$command\""
  done
fi

# Rendering.
for page in "$MAN1" "$MAN5"; do
  if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page: $warnings"
    assert_eq "" "$warnings" "groff warnings for $page"
  fi
  if command -v man >/dev/null && command -v groff >/dev/null; then
    MANPAGER=cat MANWIDTH=80 man -l "$page" >"$T/page" 2>"$T/man.err" || fail "man -l $page failed: $(cat "$T/man.err")"
    assert_eq "" "$(cat "$T/man.err")" "man -l $page printed on stderr"
    grep -q "^NAME" "$T/page" || fail "man -l $page: no NAME section in the output"
  fi
done
