#include "docker/hand_over.hpp"

#include "util/shell.hpp"

namespace calzion::docker {

namespace {

// on_net C prints "IP ALIAS..." of container C on $net (nothing when it is not
// on it); the network name is compared in sh, never put into the template.
constexpr const char* k_hand_over = R"sh(
net=$1; alias=$2; new=$3; old=$4; drain=$5
on_net() {
  docker container inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{range $v.Aliases}} {{.}}{{end}}{{"\n"}}{{end}}' "$1" |
    while read -r n rest; do if [ "$n" = "$net" ]; then echo "$rest"; fi; done
}
aliased() { case " $(on_net "$1") " in *" $alias "*) return 0 ;; esac; return 1; }
# rejoin C [ALIAS]: C leaves $net and joins it again with ALIAS (or none), at
# its address when the network lets a container choose one.
rejoin() {
  c=$1; a=$2
  ip=$(on_net "$c"); ip=${ip%% *}
  docker network disconnect "$net" "$c" >/dev/null || return 1
  if [ -n "$a" ]; then set -- --alias "$a"; else set --; fi
  if [ -n "$ip" ] && docker network connect "$@" --ip "$ip" "$net" "$c" 2>/dev/null; then return 0; fi
  docker network connect "$@" "$net" "$c"
}
aliased "$new" || rejoin "$new" "$alias" || exit 1
[ -n "$old" ] || exit 0
docker container inspect "$old" >/dev/null 2>&1 || exit 0
if aliased "$old"; then rejoin "$old" "" || exit 1; fi
if [ "$(docker container inspect -f '{{.State.Running}}' "$old")" = true ]; then
  sleep "$drain"
  docker stop "$old" >/dev/null || exit 1
fi
docker rm --force "$old" >/dev/null
)sh";

}  // namespace

std::vector<std::string> hand_over_argv(const std::string& network, const std::string& alias,
                                        const std::string& new_container, const std::string& old_container,
                                        int drain_seconds) {
    return util::script_argv(k_hand_over,
                             {network, alias, new_container, old_container, std::to_string(drain_seconds)});
}

}  // namespace calzion::docker
