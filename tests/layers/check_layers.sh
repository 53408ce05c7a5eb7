#!/usr/bin/env bash
# The dependency rule of ARCHITECTURE.md, checked: every #include "MODULE/..."
# in lib/ must name the file's own module or one its row of the table in
# ARCHITECTURE.md ("Modules and who may include whom") allows, and each row may
# only name modules of rows above it, so the modules form no cycle. Headers
# within lib/ must form no include cycle either.
#
#   tests/layers/check_layers.sh [REPO]      exit 0 when the rule holds
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"

declare -A allowed=()
declare -a order=()
failures=0
fail() { echo "layers: $*" >&2; failures=$((failures + 1)); }

# The table: lines "    module  -> dep dep ..." between the two markers.
in_table=0
while IFS= read -r line; do
  case $line in
    *'<!-- layers:begin -->'*) in_table=1; continue ;;
    *'<!-- layers:end -->'*) in_table=0; continue ;;
  esac
  [ "$in_table" = 1 ] || continue
  [[ $line =~ ^[[:space:]]*([a-z_]+)[[:space:]]*-\>(.*)$ ]] || continue
  module=${BASH_REMATCH[1]}
  deps=${BASH_REMATCH[2]}
  for dep in $deps; do
    [ -n "${allowed[$dep]+set}" ] || fail "ARCHITECTURE.md: $module may include $dep, which is not in a row above it"
  done
  allowed[$module]=" $deps "
  order+=("$module")
done <ARCHITECTURE.md
[ "${#order[@]}" -gt 0 ] || { echo "layers: no table between <!-- layers:begin --> and <!-- layers:end --> in ARCHITECTURE.md" >&2; exit 1; }

for dir in lib/*/; do
  module=$(basename "$dir")
  [ -n "${allowed[$module]+set}" ] || { fail "lib/$module has no row in ARCHITECTURE.md"; continue; }
  while IFS=: read -r file _ include; do
    dep=${include#*\"}; dep=${dep%%/*}
    [ "$dep" = "$module" ] && continue
    [ -d "lib/$dep" ] || continue
    case ${allowed[$module]} in
      *" $dep "*) ;;
      *) fail "$file includes \"$dep/...\": $module may include only:${allowed[$module]}" ;;
    esac
  done < <(grep -Hn '^#include "[a-z_]*/' "$dir"*.hpp "$dir"*.cpp 2>/dev/null || true)
done

# Header cycles: a depth-first walk over lib/'s headers.
declare -A state=()
walk() {
  local header=$1 next
  state[$header]=open
  for next in $(sed -n 's/^#include "\([a-z_]*\/[a-z_0-9]*\.hpp\)".*/\1/p' "lib/$header"); do
    [ -f "lib/$next" ] || continue
    case ${state[$next]:-} in
      open) fail "include cycle through lib/$header and lib/$next" ;;
      done) ;;
      *) walk "$next" ;;
    esac
  done
  state[$header]=done
}
for header in lib/*/*.hpp; do
  header=${header#lib/}
  [ -n "${state[$header]:-}" ] || walk "$header"
done

if [ "$failures" -gt 0 ]; then
  echo "layers: $failures problem(s); see ARCHITECTURE.md" >&2
  exit 1
fi
echo "layers: ${#order[@]} modules, dependencies point one way"
