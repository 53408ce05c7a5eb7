#include "state/scripts.hpp"

#include "exec/script_status.hpp"
#include "state/lock.hpp"
#include "state/state_dir_script.hpp"
#include "util/shell.hpp"

namespace calzion::state {

namespace {

constexpr const char* k_state_dir = k_resolve_state_dir;

// Print what the store holds about instance $2 in state dir $1: recorded state,
// lock holder, secrets, init markers. Then run the caller's observe fragment
// (calzion_observe, see state::Observer) with $3..., in a subshell so that its
// variables and exits stay its own, in the section "observed".
constexpr const char* k_dump = R"sh(
calzion_dump() {
  d=$1; i=$2; shift 2
  idir=$d/instances/$i
  echo "@@calzion state_dir"; echo "$d"
  echo "@@calzion format"; cat "$d/format" 2>/dev/null
  cur=$(cat "$idir/current" 2>/dev/null)
  echo "@@calzion current"; echo "$cur"
  echo "@@calzion revision"
  if [ -n "$cur" ]; then cat "$idir/revisions/$cur.json" 2>/dev/null; echo; fi
  echo "@@calzion lock"; cat "$idir/lock/owner" 2>/dev/null
  # Per secret env file: the service, then the names it holds; never the values.
  echo "@@calzion secrets"
  for f in "$idir"/secrets/*.env; do
    [ -f "$f" ] || continue
    n=${f##*/}; printf '%s' "${n%.env}"
    sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/ \1/p' "$f" 2>/dev/null | tr -d '\n'
    echo
  done
  # Per service: the digest of the secrets its running container was started with.
  echo "@@calzion secrets-applied"
  for f in "$idir"/secrets/*.applied; do
    [ -f "$f" ] || continue
    n=${f##*/}; printf '%s ' "${n%.applied}"; cat "$f"; echo
  done
  # Services whose init has run: one marker file each ("web.tmp.N" is one being written).
  echo "@@calzion init"
  for f in "$idir"/init/*; do
    n=${f##*/}
    [ -f "$f" ] && case $n in *.*) ;; *) echo "$n" ;; esac
  done
  echo "@@calzion observed"
  ( calzion_observe "$@" ) </dev/null
  echo "@@calzion end"
}
)sh";

constexpr const char* k_read = R"sh(
shift 1
calzion_dump "$d" "$@"
)sh";

// The instance's lock (state/lock.hpp), then its state under it.
constexpr const char* k_lock = R"sh(
i=$2; owner=$3; wait=$4; shift 4
# An instance directory that holds nothing else goes with the lock (destroy, a
# first deploy that never got going).
calzion_lock "$d/instances/$i" "$owner" "$wait" yes
calzion_dump "$d" "$i" "$@"
# Hold the lock until calzion closes stdin, finishes, dies or loses the connection.
cat > /dev/null
)sh";

constexpr const char* k_record = R"sh(
i=$2; rev=$3; audit=$4; format=$5
idir=$d/instances/$i
mkdir -p "$idir/revisions" || exit "$calzion_denied"
if [ ! -f "$d/format" ]; then
  echo "$format" > "$d/format.tmp.$$" && mv "$d/format.tmp.$$" "$d/format" || exit 1
fi
cat > "$idir/revisions/$rev.json.tmp" &&
  mv "$idir/revisions/$rev.json.tmp" "$idir/revisions/$rev.json" &&
  echo "$rev" > "$idir/current.tmp.$$" &&
  mv "$idir/current.tmp.$$" "$idir/current" &&
  printf '%s\n' "$audit" >> "$idir/audit.log"
)sh";

// Record which secrets (their digest) service $2's container now runs with.
constexpr const char* k_mark_secrets = R"sh(
idir=$1; service=$2; digest=$3
printf '%s' "$digest" > "$idir/secrets/$service.applied.tmp" &&
  chmod 600 "$idir/secrets/$service.applied.tmp" &&
  mv "$idir/secrets/$service.applied.tmp" "$idir/secrets/$service.applied"
)sh";

constexpr const char* k_write_secrets = R"sh(
idir=$1; service=$2
umask 077
mkdir -p "$idir/secrets" && chmod 700 "$idir/secrets" || exit "$calzion_denied"
cat > "$idir/secrets/$service.env.tmp" &&
  chmod 600 "$idir/secrets/$service.env.tmp" &&
  mv "$idir/secrets/$service.env.tmp" "$idir/secrets/$service.env"
)sh";

constexpr const char* k_write_init_marker = R"sh(
idir=$1; service=$2
mkdir -p "$idir/init" || exit "$calzion_denied"
cat > "$idir/init/$service.tmp.$$" &&
  mv "$idir/init/$service.tmp.$$" "$idir/init/$service"
)sh";

// Init markers stay with the data they describe: only --volumes removes both.
constexpr const char* k_forget = R"sh(
idir=$1; volumes=$2
[ -d "$idir" ] || exit 0
# Say whether anything but the lock is there: data an earlier destroy kept.
for f in "$idir"/* "$idir"/.[!.]*; do
  if [ -e "$f" ] && [ "${f##*/}" != lock ]; then echo kept; break; fi
done
if [ "$volumes" = yes ]; then rm -rf "$idir"; exit $?; fi
rm -rf "$idir/revisions" "$idir/current" "$idir/secrets"
)sh";

// Every revision of instance $2, each in a section of its own, and the current one.
constexpr const char* k_history = R"sh(
idir=$d/instances/$2
echo "@@calzion state_dir"; echo "$d"
echo "@@calzion format"; cat "$d/format" 2>/dev/null
echo "@@calzion current"; cat "$idir/current" 2>/dev/null
for f in "$idir"/revisions/*.json; do
  [ -f "$f" ] || continue
  n=${f##*/}
  echo "@@calzion revision ${n%.json}"
  cat "$f"; echo
done
echo "@@calzion end"
)sh";

constexpr const char* k_list = R"sh(
[ -d "$d/instances" ] || exit 0
for idir in "$d"/instances/*/; do
  [ -f "$idir/current" ] || continue
  i=$(basename "$idir")
  echo "@@calzion instance $i"
  cat "$idir/current"
  # The last deploy or rollback, not a later stop or lock break.
  grep -E '"command":"(deploy|rollback)"' "$idir/audit.log" 2>/dev/null | tail -n 1
done
)sh";

// The observe fragment as a function, then the dump function.
std::string dump_function(const Observer& observer) {
    return "calzion_observe() {\n" + (observer.script.empty() ? std::string(":") : observer.script) + "\n}\n" +
           k_dump;
}

}  // namespace

std::vector<std::string> read_state_argv(const std::string& state_dir, const std::string& instance,
                                         const Observer& observer) {
    std::vector<std::string> args = {state_dir, instance};
    args.insert(args.end(), observer.args.begin(), observer.args.end());
    return util::script_argv(std::string(k_state_dir) + dump_function(observer) + k_read, args);
}

std::vector<std::string> lock_argv(const std::string& state_dir, const std::string& instance,
                                   const std::string& owner, int wait_seconds, const Observer& observer) {
    std::vector<std::string> args = {state_dir, instance, owner, std::to_string(wait_seconds)};
    args.insert(args.end(), observer.args.begin(), observer.args.end());
    return util::script_argv(exec::script_status_prelude() + k_state_dir + lock_function() + dump_function(observer) +
                                 k_lock,
                             args);
}

std::vector<std::string> record_argv(const std::string& state_dir, const std::string& instance, int revision,
                                     const std::string& audit_line) {
    return util::script_argv(exec::script_status_prelude() + k_state_dir + k_record,
                 {state_dir, instance, std::to_string(revision), audit_line, std::to_string(k_state_format)});
}

std::vector<std::string> mark_secrets_argv(const std::string& instance_dir, const std::string& service,
                                           const std::string& digest) {
    return util::script_argv(k_mark_secrets, {instance_dir, service, digest});
}

std::vector<std::string> write_secrets_argv(const std::string& instance_dir, const std::string& service) {
    return util::script_argv(exec::script_status_prelude() + k_write_secrets, {instance_dir, service});
}

std::vector<std::string> write_init_marker_argv(const std::string& instance_dir, const std::string& service) {
    return util::script_argv(exec::script_status_prelude() + k_write_init_marker, {instance_dir, service});
}

std::vector<std::string> forget_instance_argv(const std::string& instance_dir, bool with_volumes) {
    return util::script_argv(k_forget, {instance_dir, with_volumes ? "yes" : "no"});
}

std::vector<std::string> history_argv(const std::string& state_dir, const std::string& instance) {
    return util::script_argv(std::string(k_state_dir) + k_history, {state_dir, instance});
}

std::vector<std::string> list_instances_argv(const std::string& state_dir) {
    return util::script_argv(std::string(k_state_dir) + k_list, {state_dir});
}

}  // namespace calzion::state
