#include "pipeline/queries.hpp"

#include "exec/executor.hpp"
#include "jobs/record.hpp"
#include "ops/fan_out.hpp"
#include "util/strings.hpp"

namespace calzion::pipeline {

std::vector<HostJobs> jobs_all(const deploy::Targets& targets, const std::string& instance) {
    return deploy::on_every_host<HostJobs>(targets, [&](HostJobs& outcome, exec::Runner& runner) {
        outcome.jobs = jobs::list_jobs(runner, targets.state_dir_for(outcome.host), instance);
    });
}

void with_job(const deploy::Targets& targets, const std::string& id,
              const std::function<void(const JobOnHost&, exec::Runner&)>& act) {
    jobs::parse_job_id(id);  // an id that is none is a usage error before any host is asked
    auto connections = deploy::connect_all(targets);
    struct Search {
        std::string host;
        std::optional<jobs::Found> job;
        std::optional<Error> error;
    };
    std::vector<Search> searches;
    ops::on_each(connections, searches, [&](size_t i) {
        searches[i].job = jobs::find_job(*connections[i].runner, targets.state_dir_for(searches[i].host), id);
    });
    std::vector<size_t> found;
    std::vector<std::string> hosts;
    std::vector<std::optional<Error>> errors;
    for (size_t i = 0; i < searches.size(); ++i) {
        hosts.push_back(searches[i].host);
        errors.push_back(searches[i].error);
        if (searches[i].job) {
            found.push_back(i);
        }
    }
    if (found.empty()) {
        deploy::throw_worst(errors);
        throw Error(ErrorKind::operation_failed, "no job " + util::quoted(id) + " on " + util::comma_list(hosts));
    }
    if (found.size() > 1) {
        std::vector<std::string> holders;
        for (size_t i : found) {
            holders.push_back(searches[i].host);
        }
        throw Error(ErrorKind::usage, "job " + util::quoted(id) + " is on " + util::comma_list(holders) +
                                          ": choose one with --host");
    }
    Search& search = searches[found.front()];
    try {
        act({search.host, *search.job}, *connections[found.front()].runner);
    } catch (const Error& error) {
        throw error.host().empty() ? error.on_host(search.host) : error;
    }
}

void stream_log(exec::Runner& host, const jobs::Found& job, const std::string& step, bool follow,
                const std::function<void(std::string_view)>& out) {
    exec::Command command;
    command.argv = jobs::log_argv(job, step, follow);
    command.on_output = [&](exec::Stream stream, std::string_view chunk) {
        if (stream == exec::Stream::out) {
            out(chunk);
        }
    };
    // `tail --pid` ends with the worker; calzion's end closes stdin.
    command.keep_stdin_open = follow;
    exec::Result result = host.run(command);
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "cannot read the log of job " + util::quoted(job.record.id) + ": " +
                                                     util::one_line(result.err));
    }
}

}  // namespace calzion::pipeline
