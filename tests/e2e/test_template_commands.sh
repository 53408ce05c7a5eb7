#!/usr/bin/env bash
# The commands that need no host, through the real binary: validate reports
# every problem at once as file:line:col, source line and caret, exit 65;
# render is pure and byte-identical across runs (json and yaml), with located
# errors for unresolved variables; init writes starters that validate, and with
# --json says which file it wrote from which starter;
# --version, --help and usage errors (exit 64).
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_jq
cd "$T"

# validate: three problems, all reported, each with its line and a caret.
cat >bad.yaml <<'EOF'
services:
  web:
    imgae: local/busybox:1
    cmd: sleep 1
  db:
    image: local/busybox:1
    depends_on: [nothere]
    restart: sometimes
EOF
assert_exit 65 calzion validate bad.yaml
assert_eq "" "$OUT" "validate stdout"
assert_eq 'calzion: error: bad.yaml:3:5: unknown key "imgae" in service "web", did you mean "image"?
 3 |     imgae: local/busybox:1
   |     ^
calzion: error: bad.yaml:7:18: service "db" depends on "nothere", but there is no service "nothere"
 7 |     depends_on: [nothere]
   |                  ^
calzion: error: bad.yaml:8:14: "restart" in service "db" must be "no", "always", "unless-stopped" or "on-failure[:N]", not "sometimes"
 8 |     restart: sometimes
   |              ^
calzion: 3 problems found' "$ERR" "validate stderr"
assert_exit 65 calzion --json validate bad.yaml
assert_eq '65 [["bad.yaml",3,5],["bad.yaml",7,18],["bad.yaml",8,14]]' \
  "$(jq -c '.error.exit_code, [.error.diagnostics[] | [.file, .line, .column]]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" \
  "validate --json"

# A YAML syntax error is located too.
printf 'services:\n  web:\n    image: [unclosed\n' >syntax.yaml
assert_exit 65 calzion validate syntax.yaml
assert_contains "$ERR" "calzion: error: syntax.yaml:"

cat >good.yaml <<'EOF'
vars: {TAG: "1", ZETA: z, ALPHA: a}
env: {SHARED: "${ALPHA}${ZETA}"}
services:
  web:
    image: local/busybox:${TAG}
    cmd: sleep 3600
    env: {B: "2", A: "1", WHO: "${instance}/${service}/${revision}"}
    register: {8080: http}
  api:
    image: local/busybox:${TAG}
    expose: {"web:http": {env: WEB_URL, format: "http://{host}:{port}/x"}}
    volumes: [/data, "named:/named"]
EOF
assert_exit 0 calzion validate good.yaml
assert_eq "good.yaml: ok" "$ERR" "validate of a good template"

# render: the same bytes every time, whatever else is in the environment.
for format in json yaml; do
  calzion render --format "$format" good.yaml inst-x >"render1.$format"
  UNRELATED_VAR=noise LANG=C.UTF-8 calzion render --format "$format" good.yaml inst-x >"render2.$format"
  cmp "render1.$format" "render2.$format" || fail "render --format $format differs between runs"
done
cmp render1.yaml <(calzion render good.yaml inst-x) || fail "yaml is not render's default format"
assert_eq "inst-x cz-inst-x 1" "$(jq -r '"\(.instance) \(.network) \(.revision)"' render1.json)" "render: header"
assert_eq '["web","api"]' "$(jq -c '[.services[].name]' render1.json)" "render: services in start order"
assert_eq '{"A":"1","B":"2","CALZION_INSTANCE":"inst-x","CALZION_SERVICE":"web","SHARED":"az","WHO":"inst-x/web/1"}' \
  "$(jq -c '.services[0].env' render1.json)" "render: env of web"
assert_eq '"http://web:8080/x" "local/busybox:1" "inst-x_api" ["web"]' \
  "$(jq -c '.services[1] | .env.WEB_URL, .image, .container, .after' render1.json | tr '\n' ' ' | sed 's/ $//')" "render: api"
assert_eq '["volumes/api/data","cz_inst-x_named"]' "$(jq -c '[.services[1].mounts[].source]' render1.json)" "render: volumes"
assert_contains "$(cat render1.yaml)" "container: inst-x_web"
# --set and --revision change the output, and only where they should.
assert_exit 0 calzion render --format json good.yaml inst-x --set TAG=2 --revision 7
assert_eq '"local/busybox:2" "inst-x/web/7" "7"' \
  "$(jq -c '.services[0] | .image, .env.WHO, .labels["io.calzion.revision"]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "render --set --revision"
hash1=$(jq -r '.services[1].spec_hash' render1.json)
[[ $hash1 =~ ^[0-9a-f]{64}$ ]] || fail "spec hash of api: $hash1"
[ "$hash1" != "$(jq -r '.services[1].spec_hash' <<<"$OUT")" ] || fail "the spec hash of api ignores its image"

# Unresolved variables are errors naming file:line:col, never empty strings.
cat >vars.yaml <<'EOF'
services:
  web:
    image: ${IMG:?set IMG to the image}
    env: {A: "${UNSET_X}"}
EOF
assert_exit 65 env -u IMG -u UNSET_X "$CALZION_BIN" render vars.yaml inst-x
assert_eq "" "$OUT" "render stdout on error"
assert_eq 'calzion: error: vars.yaml:3:12: variable "IMG" is required: set IMG to the image
 3 |     image: ${IMG:?set IMG to the image}
   |            ^
calzion: error: vars.yaml:4:15: variable "UNSET_X" is not set
 4 |     env: {A: "${UNSET_X}"}
   |               ^
calzion: 2 problems found' "$ERR" "render with unset variables"
# The process environment is a source, --set the strongest.
assert_exit 0 env IMG=from-env UNSET_X=x "$CALZION_BIN" render --format json vars.yaml inst-x --set IMG=from-set
assert_eq '"from-set" "x"' "$(jq -c '.services[0] | .image, .env.A' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "variable sources"

# render needs no host and validates the instance name.
assert_exit 64 calzion render good.yaml Bad_Name
assert_eq 'calzion: error: invalid instance name "Bad_Name": a name starts with a lowercase letter or a digit' "$ERR" "bad instance name"

# init: starters that validate; no silent overwrite.
mkdir init && cd init
assert_exit 0 calzion init --list
for starter in single webapp worker; do
  assert_contains "$OUT" "$starter"
done
assert_exit 0 calzion init
assert_contains "$ERR" 'wrote calzion.yaml from the "single" starter'
assert_exit 0 calzion validate calzion.yaml
assert_exit 0 calzion render calzion.yaml hello-staging
assert_exit 1 calzion init
assert_eq 'calzion: error: "calzion.yaml" already exists: use --force to overwrite it' "$ERR" "init over a file"
for starter in webapp worker; do
  assert_exit 0 calzion init "$starter" -o "$starter.yaml"
  assert_exit 0 calzion validate "$starter.yaml"
done
echo "# mine" >calzion.yaml
assert_exit 0 calzion init --force webapp
cmp calzion.yaml webapp.yaml || fail "init --force did not write the starter"
assert_exit 64 calzion init nosuch
assert_eq 'calzion: error: no starter "nosuch" (there are: single, webapp, worker)' "$ERR" "unknown starter"
# init --json: the file and the starter on stdout; the human line stays on stderr.
assert_exit 0 calzion --json init worker -o json.yaml
assert_eq '{"file":"json.yaml","starter":"worker","overwritten":false}' "$(jq -c '{file, starter, overwritten}' <<<"$OUT")" "init --json"
assert_contains "$ERR" 'wrote json.yaml from the "worker" starter'
cmp json.yaml worker.yaml || fail "init --json did not write the starter"
assert_exit 0 calzion --json init --force -o json.yaml
assert_eq '{"file":"json.yaml","starter":"single","overwritten":true}' "$(jq -c '{file, starter, overwritten}' <<<"$OUT")" "init --json --force"
assert_exit 1 calzion --json init -o json.yaml
assert_eq '1 null' "$(jq -c '.error.exit_code, .file' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "init --json refused"
assert_exit 0 calzion --json init --list
assert_eq 'single webapp worker' "$(jq -r '.starters[].name' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "init --list --json"
assert_eq 0 "$(jq '[.starters[] | select(.description == "")] | length' <<<"$OUT")" "starter descriptions"
# -o DIR writes DIR/calzion.yaml; --force overwrites that file.
mkdir -p into
assert_exit 0 calzion init webapp -o into
cmp into/calzion.yaml webapp.yaml || fail "init -o DIR did not write DIR/calzion.yaml"
assert_exit 1 calzion init -o into
assert_contains "$ERR" "\"into/calzion.yaml\" already exists: use --force to overwrite it"
assert_exit 0 calzion init --force -o into worker
cmp into/calzion.yaml worker.yaml || fail "init -o DIR --force did not overwrite DIR/calzion.yaml"
cd ..

# --version, --help, usage errors.
assert_exit 0 calzion --version
[[ $OUT =~ ^calzion\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version: $OUT"
assert_exit 0 calzion --help
for command in validate render init plan deploy status list destroy; do
  grep -q "^  $command " <<<"$OUT" || fail "--help does not list $command: $OUT"
done
assert_exit 0 calzion deploy --help
for option in --dry-run --prune --force --pull --wait-timeout --secrets-file; do
  assert_contains "$OUT" "$option"
done
assert_exit 64 calzion frobnicate
assert_eq 'calzion: error: unknown command "frobnicate" (see calzion --help)' "$ERR" "unknown command"
assert_exit 64 calzion deploi good.yaml inst-x
assert_eq 'calzion: error: unknown command "deploi", did you mean "deploy"? (see calzion --help)' "$ERR" "mistyped command"
assert_exit 64 calzion
assert_eq 'calzion: error: a subcommand is required (see calzion --help)' "$ERR" "no command"
assert_exit 64 calzion deploy
assert_eq 'calzion: error: template is required (see calzion --help)' "$ERR" "missing template"
assert_exit 64 calzion --bogus validate good.yaml
assert_exit 64 calzion render good.yaml inst-x --format toml
assert_exit 64 calzion --json frobnicate
assert_eq 64 "$(jq .error.exit_code <<<"$OUT")" "--json usage error"
