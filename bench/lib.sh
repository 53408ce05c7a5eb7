# Shared by the bench/ scripts: test hosts from the e2e harness, a template of
# N identical services, and a clock. Source it from the repository's root with
# `services` and `dir` set.

bin=${CALZION_BIN:-$PWD/build/calzion}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 1; }

# hosts_up COUNT: start COUNT hosts in $dir, stopped again when the script exits.
hosts_up() {
  bash tests/e2e/harness/hosts.sh up "$dir" "$1" >/dev/null
  trap 'bash tests/e2e/harness/hosts.sh down "$dir" >/dev/null 2>&1' EXIT
  . "$dir/env"
}

template=$dir/bench.yaml
write_template() {  # $1: the value of one service's env, to make a change
  echo "services:" >"$template"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    cmd: sleep 1000000\n    env: {N: "%s"}\n' \
      "$i" "$CZ_IMAGE" "$([ "$i" = 1 ] && echo "$1" || echo "$i")" >>"$template"
  done
}

now() { date +%s.%N; }
