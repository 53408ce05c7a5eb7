#!/usr/bin/env bash
# `cmake --install` puts the binary, both man pages, the three completions and
# the starter templates where a packager expects them, and the installed binary
# works on its own (starters are compiled in).
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"

build=$(dirname "$CALZION_BIN")
prefix=$T/prefix
assert_exit 0 cmake --install "$build" --prefix "$prefix"

for file in bin/calzion share/man/man1/calzion.1 share/man/man5/calzion-template.5 \
  share/bash-completion/completions/calzion share/zsh/vendor-completions/_calzion \
  share/fish/vendor_completions.d/calzion.fish share/calzion/templates/webapp.yaml \
  share/calzion/templates/single.yaml share/calzion/templates/worker.yaml; do
  [ -f "$prefix/$file" ] || fail "cmake --install did not install $file"
done
[ -x "$prefix/bin/calzion" ] || fail "the installed calzion is not executable"

cd "$T"
assert_exit 0 "$prefix/bin/calzion" init webapp
assert_exit 0 "$prefix/bin/calzion" validate calzion.yaml
assert_eq "$(cat "$prefix/share/calzion/templates/webapp.yaml")" "$(cat calzion.yaml)" "installed starter = written starter"
