#include "state/scripts.hpp"

#include "docker/inspect.hpp"
#include "exec/script_status.hpp"
#include "state/lock.hpp"
#include "state/state_dir_script.hpp"
#include "util/shell.hpp"

namespace calzion::state {

namespace {

constexpr const char* k_state_dir = k_resolve_state_dir;

// Print what calzion needs to know about instance $2 in state dir $1, and the
// ids of images $3... (references that cannot name a container): recorded state,
// lock holder, containers, images, volumes. One docker process lists
// containers, one inspects them and the images, one lists volumes.
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
  ids=$(docker ps -aq --no-trunc --filter "label=io.calzion.instance=$i") || { echo "@@calzion docker-failed"; return 0; }
  # The instance's containers and images $3... in one docker call, a JSON line each
  # ($inspect_format: what docker::parse_inspected reads; every label comes along).
  echo "@@calzion docker"
  if [ -n "$ids" ] || [ $# -gt 0 ]; then docker inspect --format "$inspect_format" $ids "$@" 2>/dev/null; fi
  # Named volumes labelled with the instance, each with the state directory that owns it.
  echo "@@calzion volumes"
  docker volume ls --filter "label=io.calzion.instance=$i" --format '{{.Name}} {{.Label "io.calzion.state"}}' 2>/dev/null
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

// $6... are $5 directories, then named volumes. A volume that exists must carry
// the labels calzion gives its own: any other (someone else's, or one from
// before volumes were labelled) is refused before anything is created.
constexpr const char* k_prepare = R"sh(
idir=$1; network=$2; instance=$3; owner=$4; ndirs=$5; shift 5
n=0
for v in "$@"; do
  n=$((n + 1)); [ "$n" -gt "$ndirs" ] || continue
  labels=$(docker volume inspect --format '{{index .Labels "io.calzion.instance"}} {{index .Labels "io.calzion.state"}}' "$v" 2>/dev/null) || continue
  if [ "$labels" != "$instance $owner" ]; then
    echo "volume \"$v\" exists on the host without the labels io.calzion.instance=$instance and io.calzion.state=$owner: calzion does not use a volume it did not create; remove or rename it" >&2
    exit 77
  fi
done
# The network gets a subnet of its own (the one docker picks, then given back
# to it explicitly): only there may a container that leaves and joins it again
# keep its address, as a start-first replacement needs (docker/hand_over.cpp).
if ! docker network inspect "$network" >/dev/null 2>&1; then
  docker network create --label "io.calzion.instance=$instance" "$network" >/dev/null || exit 1
  net=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' "$network") || exit 1
  subnet=${net%% *}; gateway=${net#* }
  if [ -n "$subnet" ] && [ -n "$gateway" ] && [ "$gateway" != "$net" ] && docker network rm "$network" >/dev/null; then
    docker network create --label "io.calzion.instance=$instance" --subnet "$subnet" --gateway "$gateway" \
      "$network" >/dev/null ||
      docker network create --label "io.calzion.instance=$instance" "$network" >/dev/null || exit 1
  fi
fi
n=0
for arg in "$@"; do
  n=$((n + 1))
  if [ "$n" -le "$ndirs" ]; then
    mkdir -p "$idir/$arg" || exit 77
  elif ! docker volume inspect "$arg" >/dev/null 2>&1; then
    docker volume create --label "io.calzion.instance=$instance" --label "io.calzion.state=$owner" "$arg" >/dev/null || exit 1
  fi
done
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

// The dump function with docker's --format template set before it: a constant
// of calzion's, quoted like every word that reaches a shell.
std::string dump_function() {
    return "inspect_format=" + util::shell_quote(docker::k_inspect_format) + "\n" + k_dump;
}

}  // namespace

std::vector<std::string> read_state_argv(const std::string& state_dir, const std::string& instance,
                                         const std::vector<std::string>& images) {
    std::vector<std::string> args = {state_dir, instance};
    auto references = docker::references_to_inspect(images);
    args.insert(args.end(), references.begin(), references.end());
    return util::script_argv(std::string(k_state_dir) + dump_function() + k_read, args);
}

std::vector<std::string> lock_argv(const std::string& state_dir, const std::string& instance,
                                   const std::string& owner, int wait_seconds, const std::vector<std::string>& images) {
    std::vector<std::string> args = {state_dir, instance, owner, std::to_string(wait_seconds)};
    auto references = docker::references_to_inspect(images);
    args.insert(args.end(), references.begin(), references.end());
    return util::script_argv(exec::script_status_prelude() + k_state_dir + lock_function() + dump_function() + k_lock,
                             args);
}

std::vector<std::string> record_argv(const std::string& state_dir, const std::string& instance, int revision,
                                     const std::string& audit_line) {
    return util::script_argv(exec::script_status_prelude() + k_state_dir + k_record,
                 {state_dir, instance, std::to_string(revision), audit_line, std::to_string(k_state_format)});
}

std::vector<std::string> prepare_argv(const std::string& instance_dir, const std::string& network,
                                      const std::string& instance, const std::vector<std::string>& directories,
                                      const std::string& state_dir, const std::vector<std::string>& volumes) {
    std::vector<std::string> args = {instance_dir, network, instance, state_dir, std::to_string(directories.size())};
    args.insert(args.end(), directories.begin(), directories.end());
    args.insert(args.end(), volumes.begin(), volumes.end());
    return util::script_argv(k_prepare, args);
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
