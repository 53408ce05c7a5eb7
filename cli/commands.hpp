#pragma once

#include "invocation.hpp"

namespace calzion::cli {

// Each command returns the process exit code; failures throw calzion::Error.
int run_validate(const Invocation& run);
int run_render(const Invocation& run);
int run_init(const Invocation& run);
int run_plan(const Invocation& run);
int run_deploy(const Invocation& run);
int run_status(const Invocation& run);
int run_list(const Invocation& run);
int run_destroy(const Invocation& run);
int run_history(const Invocation& run);
int run_rollback(const Invocation& run);
int run_lifecycle(const Invocation& run);  // restart, stop, start
int run_lock(const Invocation& run);
int run_hosts_check(const Invocation& run);
int run_logs(const Invocation& run);
int run_exec(const Invocation& run);
int run_router_sync(const Invocation& run);
int run_pipeline_validate(const Invocation& run);
int run_pipeline_run(const Invocation& run);
int run_pipeline_enqueue(const Invocation& run);
int run_pipeline_work(const Invocation& run);
int run_ship(const Invocation& run);
int run_jobs(const Invocation& run);
int run_job_show(const Invocation& run);
int run_job_logs(const Invocation& run);
int run_job_cancel(const Invocation& run);

}  // namespace calzion::cli
