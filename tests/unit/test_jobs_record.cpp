// The one writer and reader of job records (jobs/<n>/job.json on the host), and
// job ids.
#include <doctest/doctest.h>

#include "jobs/record.hpp"
#include "util/error.hpp"

using namespace calzion;
using namespace calzion::jobs;

namespace {

const std::string k_where = "/var/lib/calzion/instances/shop/jobs/12/job.json";
const std::string k_unreadable =
    "the job record \"/var/lib/calzion/instances/shop/jobs/12/job.json\" on \"web1\" cannot be read: ";

JobRecord full_record() {
    JobRecord job;
    job.id = "shop.12";
    job.instance = "shop";
    job.number = 12;
    job.state = JobState::failed;
    job.commit = {"0123456789abcdef0123456789abcdef01234567", "main", "git@example.test:shop.git", "Fix \"cart\""};
    job.created = "2026-11-22T09:14:03Z";
    job.started = "2026-11-22T09:14:04Z";
    job.finished = "2026-11-22T09:15:00Z";
    job.worker = {"web1", 4242, "laptop", "ann", 777};
    job.pipeline_file = "app.yaml";
    StepRecord build{"build", "build", "local/builder:1", StepState::succeeded, 0,
                     "2026-11-22T09:14:05Z", "2026-11-22T09:14:30Z", "logs/build.log", ""};
    StepRecord lint{"lint", "task", "local/lint:1", StepState::failed, 2,
                    "2026-11-22T09:14:31Z", "2026-11-22T09:14:40Z", "logs/lint.log", ""};
    StepRecord release{"release", "release", "local/releaser:1", StepState::skipped, std::nullopt, "", "", "", ""};
    job.steps = {build, lint, release};
    job.message = "step \"lint\" failed with exit status 2";
    return job;
}

std::string problem_in(const std::string& text) {
    try {
        parse_record(text, "web1", k_where);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::operation_failed);
        return error.message();
    }
    return "no error";
}

std::string usage_problem(const std::string& id) {
    try {
        parse_job_id(id);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::usage);
        return error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("jobs::states") {
    for (auto state : {JobState::queued, JobState::running, JobState::succeeded, JobState::failed, JobState::error,
                       JobState::canceled}) {
        CHECK(job_state_from_string(to_string(state)) == state);
    }
    for (auto state : {StepState::pending, StepState::running, StepState::succeeded, StepState::failed,
                       StepState::skipped, StepState::canceled, StepState::error}) {
        CHECK(step_state_from_string(to_string(state)) == state);
    }
    CHECK(to_string(JobState::canceled) == "canceled");
    CHECK(to_string(StepState::skipped) == "skipped");
    CHECK_THROWS_WITH_AS(job_state_from_string("done"),
                         "\"done\" is not a job state (queued, running, succeeded, failed, error, canceled, superseded)", Error);
    CHECK_THROWS_WITH_AS(step_state_from_string("Running"),
                         "\"Running\" is not a step state (pending, running, succeeded, failed, skipped, canceled, "
                         "error)",
                         Error);
    CHECK_FALSE(finished(JobState::queued));
    CHECK_FALSE(finished(JobState::running));
    CHECK(finished(JobState::succeeded));
    CHECK(finished(JobState::failed));
    CHECK(finished(JobState::error));
    CHECK(finished(JobState::canceled));
}

TEST_CASE("jobs::record_to_json") {
    SUBCASE("one line, keys in a fixed order") {
        JobRecord job = full_record();
        job.steps.resize(1);
        job.revision = 7;
        CHECK(record_to_json(job) ==
              R"({"format":1,"id":"shop.12","instance":"shop","number":12,"state":"failed",)"
              R"("commit":{"sha":"0123456789abcdef0123456789abcdef01234567","ref":"main",)"
              R"("repo":"git@example.test:shop.git","message":"Fix \"cart\""},)"
              R"("created":"2026-11-22T09:14:03Z","started":"2026-11-22T09:14:04Z","finished":"2026-11-22T09:15:00Z",)"
              R"("worker":{"host":"web1","pid":4242,"machine":"laptop","user":"ann","calzion_pid":777},)"
              R"("pipeline":"app.yaml","steps":[{"name":"build","kind":"build","image":"local/builder:1",)"
              R"("state":"succeeded","exit_code":0,"started":"2026-11-22T09:14:05Z","finished":"2026-11-22T09:14:30Z",)"
              R"("log":"logs/build.log","message":""}],"message":"step \"lint\" failed with exit status 2",)"
              R"("revision":7,"template":"","ship":false,"superseded_by":""})");
    }

    SUBCASE("no exit code and no revision are null") {
        JobRecord job;
        job.id = "shop.1";
        job.instance = "shop";
        job.number = 1;
        job.steps = {StepRecord{"build", "build", "b:1", StepState::pending, std::nullopt, "", "", "", ""}};
        std::string text = record_to_json(job);
        CHECK(text.find(R"("exit_code":null)") != std::string::npos);
        CHECK(text.find(R"("revision":null,")") != std::string::npos);
        CHECK(text.find('\n') == std::string::npos);
    }

    SUBCASE("a message with a newline and invalid UTF-8 stays on one line") {
        JobRecord job = full_record();
        job.commit.message = "first\nsecond \xff";
        std::string text = record_to_json(job);
        CHECK(text.find('\n') == std::string::npos);
        CHECK(parse_record(text, "web1", k_where).commit.message == "first\nsecond \xEF\xBF\xBD");
    }
}

TEST_CASE("jobs::parse_record") {
    SUBCASE("reads back what it wrote") {
        JobRecord job = full_record();
        job.revision = 3;
        JobRecord read = parse_record(record_to_json(job), "web1", k_where);
        CHECK(record_to_json(read) == record_to_json(job));
        CHECK(read.state == JobState::failed);
        CHECK(read.worker.pid == 4242);
        CHECK(read.worker.calzion_pid == 777);
        REQUIRE(read.steps.size() == 3);
        CHECK(read.steps[1].exit_code == 2);
        CHECK_FALSE(read.steps[2].exit_code.has_value());
        CHECK(read.revision == 3);
        REQUIRE(read.step("lint") != nullptr);
        CHECK(read.step("lint")->state == StepState::failed);
        CHECK(read.step("nope") == nullptr);
    }

    SUBCASE("missing keys read as empty, unknown keys are ignored") {
        JobRecord read = parse_record(R"({"instance":"shop","number":3,"state":"queued","later":{"x":1},)"
                                      R"("steps":[{"name":"build"}]})",
                                      "web1", k_where);
        CHECK(read.format == 1);
        CHECK(read.id == "shop.3");
        CHECK(read.state == JobState::queued);
        CHECK(read.commit.sha.empty());
        CHECK(read.worker.pid == 0);
        REQUIRE(read.steps.size() == 1);
        CHECK(read.steps[0].state == StepState::pending);
        CHECK_FALSE(read.steps[0].exit_code.has_value());
        CHECK_FALSE(read.revision.has_value());
    }

    SUBCASE("errors name the record and the host") {
        CHECK(problem_in("{nope") == k_unreadable + "it is not JSON");
        CHECK(problem_in("") == k_unreadable + "it is not JSON");
        CHECK(problem_in("[1]") == k_unreadable + "it is not a JSON object");
        CHECK(problem_in(R"({"instance":"shop"})") == k_unreadable + "it has no \"state\"");
        CHECK(problem_in(R"({"state":"done"})") ==
              k_unreadable + "\"done\" is not a job state (queued, running, succeeded, failed, error, canceled, superseded)");
        CHECK(problem_in(R"({"state":"running","steps":[{"state":"late"}]})") ==
              k_unreadable +
                  "\"late\" is not a step state (pending, running, succeeded, failed, skipped, canceled, error)");
        CHECK(problem_in(R"({"state":"running","number":"12"})") == k_unreadable + "\"number\" must be a whole number");
        CHECK(problem_in(R"({"state":"running","number":1.5})") == k_unreadable + "\"number\" must be a whole number");
        CHECK(problem_in(R"({"state":"running","commit":{"sha":5}})") ==
              k_unreadable + "\"commit.sha\" must be a string");
        CHECK(problem_in(R"({"state":"running","commit":"abc"})") == k_unreadable + "\"commit\" must be an object");
        CHECK(problem_in(R"({"state":"running","worker":{"pid":"1"}})") ==
              k_unreadable + "\"worker.pid\" must be a whole number");
        CHECK(problem_in(R"({"state":"running","steps":{}})") == k_unreadable + "\"steps\" must be a list");
        CHECK(problem_in(R"({"state":"running","steps":[{},3]})") == k_unreadable + "\"steps[1]\" must be an object");
        CHECK(problem_in(R"({"state":"running","steps":[{"exit_code":"1"}]})") ==
              k_unreadable + "\"steps[0].exit_code\" must be a whole number");
        CHECK(problem_in(R"({"state":"running","revision":true})") ==
              k_unreadable + "\"revision\" must be a whole number");
        CHECK(problem_in(R"({"format":2,"state":"running"})") ==
              k_unreadable + "it was written by a newer calzion (format 2, this calzion reads 1)");
    }
}

TEST_CASE("jobs::job_id") {
    CHECK(job_id("shop", 12) == "shop.12");
    CHECK(parse_job_id("shop.12") == std::pair<std::string, int>{"shop", 12});
    CHECK(parse_job_id("my-shop-2.1") == std::pair<std::string, int>{"my-shop-2", 1});
    CHECK(parse_job_id("a.999999999") == std::pair<std::string, int>{"a", 999999999});

    const std::string tail = " is not a job id: it reads <instance>.<number>, like \"shop.12\"";
    CHECK(usage_problem("shop") == "\"shop\"" + tail);
    CHECK(usage_problem("shop.") == "\"shop.\"" + tail);
    CHECK(usage_problem(".12") == "\".12\"" + tail);
    CHECK(usage_problem("shop.0") == "\"shop.0\"" + tail);
    CHECK(usage_problem("shop.012") == "\"shop.012\"" + tail);
    CHECK(usage_problem("shop.-1") == "\"shop.-1\"" + tail);
    CHECK(usage_problem("shop.1a") == "\"shop.1a\"" + tail);
    CHECK(usage_problem("shop.1234567890") == "\"shop.1234567890\"" + tail);
    CHECK(usage_problem("Shop.1") == "\"Shop.1\"" + tail);
    CHECK(usage_problem("a.b.1") == "\"a.b.1\"" + tail);
    CHECK(usage_problem("../x.1") == "\"../x.1\"" + tail);
}
