#include "exec/sequence.hpp"

#include "util/shell.hpp"

namespace calzion::exec {

namespace {

constexpr int k_first_exit = 100;

// Arguments: the number (from 1) of the step whose stdout is kept, then per
// step its word count N and its N words. A step runs as
// eval of "${1}" "${2}"...: only positional references are evaluated, the
// words themselves never are.
constexpr const char* k_sequence = R"sh(
keep=$1; shift; k=0
while [ $# -gt 0 ]; do
  n=$1; shift; k=$((k + 1))
  cmd=""; j=1
  while [ "$j" -le "$n" ]; do cmd="$cmd \"\${$j}\""; j=$((j + 1)); done
  if [ "$k" = "$keep" ]; then eval "$cmd" || exit $((99 + k))
  else eval "$cmd" >/dev/null || exit $((99 + k))
  fi
  shift "$n"
done
)sh";

}  // namespace

std::vector<std::string> sequence_argv(const std::vector<std::vector<std::string>>& steps, size_t keep_stdout) {
    std::vector<std::string> args = {std::to_string(keep_stdout + 1)};
    for (const auto& step : steps) {
        args.push_back(std::to_string(step.size()));
        args.insert(args.end(), step.begin(), step.end());
    }
    return util::script_argv(k_sequence, std::move(args));
}

std::vector<std::vector<std::string>> sequence_steps(const std::vector<std::string>& argv) {
    std::vector<std::vector<std::string>> steps;
    if (argv.size() < 5 || argv[0] != "sh" || argv[1] != "-c" || argv[2] != k_sequence) {
        return steps;
    }
    for (size_t i = 5; i < argv.size();) {
        size_t n = std::stoul(argv[i]);
        if (i + 1 + n > argv.size()) {
            return {};
        }
        steps.emplace_back(argv.begin() + static_cast<std::ptrdiff_t>(i + 1),
                           argv.begin() + static_cast<std::ptrdiff_t>(i + 1 + n));
        i += 1 + n;
    }
    return steps;
}

int sequence_exit(size_t index) { return k_first_exit + static_cast<int>(index); }

size_t failed_step(const Result& result, size_t count) {
    if (!result.signal.empty() || result.exit_code < k_first_exit ||
        result.exit_code >= k_first_exit + static_cast<int>(count)) {
        return count;
    }
    return static_cast<size_t>(result.exit_code - k_first_exit);
}

}  // namespace calzion::exec
