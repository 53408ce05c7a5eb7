#!/bin/sh
# github-status.sh: a calzion notify command that posts a commit status to
# GitHub for each change of a job's or a step's state:
#
#   export GITHUB_REPOSITORY=acme/app GITHUB_TOKEN=...   # may write statuses
#   calzion pipeline run app.yaml app --ref main --notify examples/notify/github-status.sh
#
# or `notify: examples/notify/github-status.sh` in the template's pipeline.
#
# It reads:
#   GITHUB_TOKEN        the token, sent as "Authorization: Bearer ..." and never
#                       put on a command line (curl reads it from its stdin)
#   GITHUB_REPOSITORY   owner/name of the repository on GitHub
#   GITHUB_API_URL      the API (default https://api.github.com; GitHub
#                       Enterprise: https://HOST/api/v3)
#   CALZION_TARGET_URL  optional: the status's link (a CI page, the app)
# and what calzion sets: CALZION_COMMIT_SHA, CALZION_CONTEXT
# ("calzion/<instance>" or "calzion/<instance>/<step>"), CALZION_GITHUB_STATE
# (pending, success, failure or error) and CALZION_DESCRIPTION.
#
# It exits non-zero when the status cannot be posted; calzion then prints a
# note and the job goes on. POSIX sh and curl only.
set -eu

# calzion writes the job's record (JSON) on stdin: it is not needed here, and
# curl's stdin is taken below for its configuration.
cat >/dev/null

fail() {
  echo "github-status.sh: $*" >&2
  exit 2
}
[ -n "${GITHUB_TOKEN:-}" ] || fail "GITHUB_TOKEN is not set"
[ -n "${GITHUB_REPOSITORY:-}" ] || fail "GITHUB_REPOSITORY (owner/name) is not set"
[ -n "${CALZION_COMMIT_SHA:-}" ] || fail "CALZION_COMMIT_SHA is not set: run me as calzion's notify command"
[ -n "${CALZION_GITHUB_STATE:-}" ] || fail "CALZION_GITHUB_STATE is not set: run me as calzion's notify command"

# escaped TEXT: TEXT with \ and " backslash-escaped and control characters
# (newlines, tabs...) made spaces, for a JSON string or a curl config value.
escaped() {
  printf '%s' "$1" | tr '\000-\037' ' ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

body="{\"state\": \"$(escaped "$CALZION_GITHUB_STATE")\""
body="$body, \"context\": \"$(escaped "${CALZION_CONTEXT:-calzion}")\""
body="$body, \"description\": \"$(escaped "${CALZION_DESCRIPTION:-}")\""
if [ -n "${CALZION_TARGET_URL:-}" ]; then
  body="$body, \"target_url\": \"$(escaped "$CALZION_TARGET_URL")\""
fi
body="$body}"

api=${GITHUB_API_URL:-https://api.github.com}
url="${api%/}/repos/$GITHUB_REPOSITORY/statuses/$CALZION_COMMIT_SHA"

# The token goes in curl's configuration, read from the here-document on its
# stdin (`--config -`): it appears in no argv that `ps` could show. The body
# and URL are not secret. The answer (an error's reason) goes to stderr, which
# calzion shows when the post fails.
curl --silent --show-error --fail-with-body --max-time 20 \
  --request POST \
  --header "Accept: application/vnd.github+json" \
  --header "Content-Type: application/json" \
  --data-binary "$body" \
  --config - \
  "$url" >&2 <<CONFIG
header = "Authorization: Bearer $(escaped "$GITHUB_TOKEN")"
CONFIG
