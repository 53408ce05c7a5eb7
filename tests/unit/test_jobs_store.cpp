// The host-side scripts of the job store, run for real by sh on this machine
// through the local runner on a temporary state directory (see TempStateDir,
// whose stand-in docker succeeds and prints nothing); where what matters is the
// argv a script is given (the containers of a job), a recording fake runner.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "exec/local_runner.hpp"
#include "exec/run_checked.hpp"
#include "fake_runner.hpp"
#include "jobs/store.hpp"
#include "state_dir.hpp"
#include "util/error.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

jobs::JobRecord record_of(const std::string& instance, int number, jobs::JobState state, int worker_pid) {
    jobs::JobRecord record;
    record.id = jobs::job_id(instance, number);
    record.instance = instance;
    record.number = number;
    record.state = state;
    record.commit = {"0123456789abcdef0123456789abcdef01234567", "main", "/src/app", "Add a feature"};
    record.created = "2026-11-22T09:14:03Z";
    record.worker = {"local", worker_pid, "laptop", "alice", 4242};
    jobs::StepRecord build;
    build.name = "build";
    build.kind = "build";
    build.image = "local/builder:1";
    build.log = "logs/build.log";
    build.state = state == jobs::JobState::running ? jobs::StepState::running : jobs::StepState::succeeded;
    jobs::StepRecord lint = build;
    lint.name = "lint";
    lint.kind = "task";
    lint.log = "logs/lint.log";
    lint.state = state == jobs::JobState::running ? jobs::StepState::pending : jobs::StepState::succeeded;
    record.steps = {build, lint};
    return record;
}

// Begin a job of `instance`, record it in `state` and let its lock go: a job
// whose worker is gone.
jobs::Begun ended_job(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                      jobs::JobState state, int keep = 100) {
    jobs::Begun begun = jobs::begin_job(runner, state_dir, instance, keep);
    jobs::write_record(runner, begun.dir, record_of(instance, begun.number, state, begun.holder_pid));
    begun.lock->release();
    return begun;
}

std::string text_of(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Replace TempStateDir's stand-in docker with one that logs its arguments to
// docker.log next to the state directory and lists containers c1 and c2.
fs::path logging_docker(const test::TempStateDir& state) {
    fs::path root = fs::path(state.dir()).parent_path();
    std::ofstream(root / "bin/docker") << "#!/bin/sh\necho \"$*\" >> '" << (root / "docker.log").string()
                                       << "'\n[ \"$1\" = ps ] && printf 'c1\\nc2\\n'\nexit 0\n";
    return root / "docker.log";
}

}  // namespace

TEST_CASE("jobs::store begin_job numbers the jobs 1, 2, 3 and holds each one's lock") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    fs::path jobs_dir = fs::path(state.dir()) / "instances/shop/jobs";

    jobs::Begun first = jobs::begin_job(runner, state.dir(), "shop", 10);
    jobs::Begun second = jobs::begin_job(runner, state.dir(), "shop", 10);
    jobs::Begun third = jobs::begin_job(runner, state.dir(), "shop", 10);
    CHECK(first.number == 1);
    CHECK(second.number == 2);
    CHECK(third.number == 3);
    CHECK(second.dir == fs::canonical(jobs_dir / "2").string());
    CHECK(std::stoi(text_of(jobs_dir / "2/lock/pid")) == second.holder_pid);
    CHECK(fs::exists(fs::path("/proc") / std::to_string(second.holder_pid)));
    CHECK(text_of(jobs_dir / "2/lock/owner").find("\"command\":\"pipeline\"") != std::string::npos);

    SUBCASE("released, the lock goes and the job directory stays") {
        second.lock->release();
        CHECK_FALSE(fs::exists(jobs_dir / "2/lock"));
        CHECK(fs::is_directory(jobs_dir / "2"));
    }
    SUBCASE("numbers only grow, past what is not a job") {
        fs::create_directories(jobs_dir / "notes");
        fs::create_directories(jobs_dir / "007");
        CHECK(jobs::begin_job(runner, state.dir(), "shop", 10).number == 4);
    }
    SUBCASE("another instance counts from 1") {
        CHECK(jobs::begin_job(runner, state.dir(), "blog", 10).number == 1);
    }
}

TEST_CASE("jobs::store begin_job prunes finished jobs beyond the newest `keep`, never unfinished ones") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    fs::path jobs_dir = fs::path(state.dir()) / "instances/shop/jobs";
    ended_job(runner, state.dir(), "shop", jobs::JobState::succeeded);  // 1
    ended_job(runner, state.dir(), "shop", jobs::JobState::running);    // 2: its worker is gone, nobody said so yet
    ended_job(runner, state.dir(), "shop", jobs::JobState::failed);     // 3
    ended_job(runner, state.dir(), "shop", jobs::JobState::succeeded);  // 4

    jobs::Begun fifth = jobs::begin_job(runner, state.dir(), "shop", 2);
    CHECK(fifth.number == 5);
    CHECK(names_in(jobs_dir) == std::vector<std::string>{"2", "4", "5"});

    SUBCASE("numbers keep growing after a prune, and the new job stays even with keep 0") {
        fifth.lock->release();
        jobs::Begun sixth = jobs::begin_job(runner, state.dir(), "shop", 0);
        CHECK(sixth.number == 6);
        // 5 has no record yet: it is no finished job.
        CHECK(names_in(jobs_dir) == std::vector<std::string>{"2", "5", "6"});
    }
    SUBCASE("a finished job whose worker still holds its lock stays") {
        jobs::write_record(runner, fifth.dir, record_of("shop", 5, jobs::JobState::succeeded, fifth.holder_pid));
        jobs::Begun sixth = jobs::begin_job(runner, state.dir(), "shop", 0);
        CHECK(names_in(jobs_dir) == std::vector<std::string>{"2", "5", "6"});
    }
}

TEST_CASE("jobs::store begin_job refuses a state directory it cannot write") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    state.write("blocker", "a file, not a directory\n");
    try {
        jobs::begin_job(runner, state.dir() + "/blocker", "shop", 10);
        FAIL("expected the state directory to be refused");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::permission);
        CHECK(error.message() == "cannot write the state directory on the host: permission denied (" + state.dir() +
                                     "/blocker/instances/shop/jobs)");
    }
}

TEST_CASE("jobs::store write_record writes the record and the state word, leaving no temporary file") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    jobs::Begun begun = jobs::begin_job(runner, state.dir(), "shop", 10);
    jobs::JobRecord record = record_of("shop", begun.number, jobs::JobState::running, begun.holder_pid);
    jobs::write_record(runner, begun.dir, record);
    record.state = jobs::JobState::succeeded;
    record.steps[0].exit_code = 0;
    jobs::write_record(runner, begun.dir, record);

    CHECK(text_of(fs::path(begun.dir) / "state") == "succeeded\n");
    jobs::JobRecord read = jobs::parse_record(text_of(fs::path(begun.dir) / "job.json"), "local", "job.json");
    CHECK(read.id == "shop.1");
    CHECK(read.state == jobs::JobState::succeeded);
    CHECK(read.steps.at(0).exit_code == 0);
    CHECK(read.commit.message == "Add a feature");
    CHECK(names_in(begun.dir) == std::vector<std::string>{"job.json", "lock", "state"});
}

TEST_CASE("jobs::store receive_source_argv and tidy_job") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    jobs::Begun begun = jobs::begin_job(runner, state.dir(), "shop", 10);
    exec::Result received = runner.run(exec::Command{jobs::receive_source_argv(begun.dir), "tar bytes", {}, {}});
    REQUIRE(received.ok());
    CHECK(text_of(fs::path(begun.dir) / "source.tar") == "tar bytes");
    fs::create_directories(fs::path(begun.dir) / "work/build");
    fs::create_directories(fs::path(begun.dir) / "logs");
    fs::create_directories(fs::path(begun.dir) / "artifacts");
    jobs::write_record(runner, begun.dir, record_of("shop", 1, jobs::JobState::succeeded, begun.holder_pid));

    jobs::tidy_job(runner, begun.dir);
    CHECK(names_in(begun.dir) == std::vector<std::string>{"artifacts", "job.json", "lock", "logs", "state"});
}

TEST_CASE("jobs::store list_jobs marks a job whose worker is gone as error and keeps one whose worker lives") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    jobs::Begun live = jobs::begin_job(runner, state.dir(), "shop", 10);
    jobs::write_record(runner, live.dir, record_of("shop", 1, jobs::JobState::running, live.holder_pid));
    jobs::Begun gone = ended_job(runner, state.dir(), "shop", jobs::JobState::running);
    fs::create_directories(fs::path(gone.dir) / "work/build");
    ended_job(runner, state.dir(), "blog", jobs::JobState::succeeded);
    fs::path docker_log = logging_docker(state);

    std::vector<jobs::Found> found = jobs::list_jobs(runner, state.dir(), "shop");
    REQUIRE(found.size() == 2);
    CHECK(found[0].record.id == "shop.1");
    CHECK(found[0].dir == live.dir);
    CHECK(found[0].worker_alive);
    CHECK(found[0].record.state == jobs::JobState::running);

    const jobs::JobRecord& settled = found[1].record;
    CHECK_FALSE(found[1].worker_alive);
    CHECK(settled.state == jobs::JobState::error);
    CHECK(settled.message == "its worker is gone (pid " + std::to_string(gone.holder_pid) + " on local)");
    CHECK_FALSE(settled.finished.empty());
    CHECK(settled.steps[0].state == jobs::StepState::error);
    CHECK_FALSE(settled.steps[0].finished.empty());
    CHECK(settled.steps[1].state == jobs::StepState::skipped);
    // What only a running job needs went with it.
    CHECK_FALSE(fs::exists(fs::path(gone.dir) / "work"));
    // Written back: the next reader finds it so.
    CHECK(text_of(fs::path(gone.dir) / "state") == "error\n");
    CHECK(jobs::parse_record(text_of(fs::path(gone.dir) / "job.json"), "local", "job.json").state ==
          jobs::JobState::error);

    SUBCASE("and removed its containers, by their label") {
        CHECK(text_of(docker_log) == "ps -aq --filter label=io.calzion.job=shop.2\nrm -f c1 c2\n");
    }
    SUBCASE("every instance's jobs, oldest first") {
        std::vector<jobs::Found> all = jobs::list_jobs(runner, state.dir(), "");
        REQUIRE(all.size() == 3);
        CHECK(all[0].record.id == "blog.1");
        CHECK(all[1].record.id == "shop.1");
        CHECK(all[2].record.id == "shop.2");
    }
    SUBCASE("find_job looks up one job, settled the same way") {
        auto one = jobs::find_job(runner, state.dir(), "shop.2");
        REQUIRE(one.has_value());
        CHECK(one->dir == gone.dir);
        CHECK(one->record.state == jobs::JobState::error);
        CHECK_FALSE(jobs::find_job(runner, state.dir(), "shop.3").has_value());
        CHECK_FALSE(jobs::find_job(runner, state.dir(), "cart.1").has_value());
        CHECK_THROWS_AS(jobs::find_job(runner, state.dir(), "shop"), Error);
    }
}

TEST_CASE("jobs::store list_jobs orders jobs by number and skips a job directory without a record") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    for (int number : {10, 9, 2}) {
        state.write("instances/shop/jobs/" + std::to_string(number) + "/job.json",
                    jobs::record_to_json(record_of("shop", number, jobs::JobState::succeeded, 1)));
    }
    fs::create_directories(fs::path(state.dir()) / "instances/shop/jobs/11");
    std::vector<jobs::Found> found = jobs::list_jobs(runner, state.dir(), "shop");
    REQUIRE(found.size() == 3);
    CHECK(found[0].record.number == 2);
    CHECK(found[1].record.number == 9);
    CHECK(found[2].record.number == 10);
    CHECK(jobs::list_jobs(runner, state.dir(), "blog").empty());
}

TEST_CASE("jobs::store list_jobs removes the containers of a job whose worker is gone, by its label") {
    test::FakeRunner runner("web1");
    std::string listed = "@@calzion job shop 2\n/srv/calzion/instances/shop/jobs/2\n0\n" +
                         jobs::record_to_json(record_of("shop", 2, jobs::JobState::running, 777)) + "\n" +
                         "@@calzion job shop 1\n/srv/calzion/instances/shop/jobs/1\n0\n" +
                         jobs::record_to_json(record_of("shop", 1, jobs::JobState::succeeded, 666)) + "\n";
    runner.on([](const std::vector<std::string>& argv) { return argv.size() == 7 && argv[5] == "shop"; },
              exec::Result{0, "", listed, ""});
    std::vector<jobs::Found> found = jobs::list_jobs(runner, "/srv/calzion", "shop");
    REQUIRE(found.size() == 2);
    CHECK(found[1].record.state == jobs::JobState::error);
    CHECK(found[1].record.message == "its worker is gone (pid 777 on local)");

    std::vector<exec::Command> commands = runner.commands();
    REQUIRE(commands.size() == 2);
    const std::vector<std::string>& settle = commands[1].argv;
    REQUIRE(settle.size() == 7);
    CHECK(std::vector<std::string>(settle.begin() + 3, settle.end()) ==
          std::vector<std::string>{"calzion", "/srv/calzion/instances/shop/jobs/2", "error", "label=io.calzion.job=shop.2"});
    CHECK(settle[2].find("docker ps -aq --filter \"$1\"") != std::string::npos);
    CHECK(jobs::parse_record(commands[1].input, "web1", "stdin").state == jobs::JobState::error);
}

TEST_CASE("jobs::store log_argv") {
    jobs::Found job;
    job.dir = "/srv/jobs/7";
    job.record = record_of("shop", 7, jobs::JobState::running, 4242);
    jobs::StepRecord release = job.record.steps[0];
    release.name = "release";
    release.log = "logs/release.log";
    job.record.steps.push_back(release);
    job.worker_alive = true;

    SUBCASE("follow a live job's step with GNU tail, until its worker ends") {
        CHECK(jobs::log_argv(job, "lint", true) ==
              std::vector<std::string>{"tail", "-n", "+1", "-F", "--pid=4242", "/srv/jobs/7/logs/lint.log"});
        CHECK(jobs::log_argv(job, "", true) ==
              std::vector<std::string>{"tail", "-n", "+1", "-F", "--pid=4242", "/srv/jobs/7/logs/build.log",
                                       "/srv/jobs/7/logs/lint.log", "/srv/jobs/7/logs/release.log"});
    }
    SUBCASE("without follow, or when the worker is gone, print what is there") {
        std::vector<std::string> expected_tail = {"calzion", "no", "lint", "/srv/jobs/7/logs/lint.log"};
        std::vector<std::string> argv = jobs::log_argv(job, "lint", false);
        REQUIRE(argv.size() == 7);
        CHECK(argv[0] == "sh");
        CHECK(argv[1] == "-c");
        CHECK(std::vector<std::string>(argv.begin() + 3, argv.end()) == expected_tail);
        job.worker_alive = false;
        CHECK(jobs::log_argv(job, "lint", true) == argv);
        std::vector<std::string> all = jobs::log_argv(job, "", true);
        CHECK(std::vector<std::string>(all.begin() + 3, all.end()) ==
              std::vector<std::string>{"calzion", "yes", "build", "/srv/jobs/7/logs/build.log", "lint",
                                       "/srv/jobs/7/logs/lint.log", "release", "/srv/jobs/7/logs/release.log"});
    }
    SUBCASE("a step the job does not have") {
        try {
            jobs::log_argv(job, "unit", false);
            FAIL("expected the step to be refused");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.message() == "job \"shop.7\" has no step \"unit\"; its steps: build, lint, release");
        }
    }
}

TEST_CASE("jobs::store log_argv prints every step's log under a header, skipping a step with no log yet") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    jobs::Found job;
    job.dir = state.dir() + "/job";
    job.record = record_of("shop", 7, jobs::JobState::succeeded, 4242);
    jobs::StepRecord release = job.record.steps[0];
    release.name = "release";
    release.log = "logs/release.log";
    job.record.steps.push_back(release);
    state.write("job/logs/build.log", "b1\nb2");
    state.write("job/logs/release.log", "r\n");

    CHECK(runner.run(exec::command(jobs::log_argv(job, "", false))).out ==
          "==> build <==\nb1\nb2\n==> release <==\nr\n");
    CHECK(runner.run(exec::command(jobs::log_argv(job, "build", false))).out == "b1\nb2");
    exec::Result missing = runner.run(exec::command(jobs::log_argv(job, "lint", false)));
    CHECK(missing.ok());
    CHECK(missing.out.empty());
}

TEST_CASE("jobs::store cancel_job") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;

    SUBCASE("a finished job cannot be canceled") {
        test::FakeRunner fake;
        jobs::Found job;
        job.dir = "/srv/jobs/1";
        job.record = record_of("shop", 1, jobs::JobState::succeeded, 4242);
        try {
            jobs::cancel_job(fake, job, 10);
            FAIL("expected the cancel to be refused");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.message() == "job \"shop.1\" has already finished: succeeded");
        }
        CHECK(fake.commands().empty());
    }
    SUBCASE("a job whose worker is gone is recorded canceled here") {
        jobs::Begun begun = ended_job(runner, state.dir(), "shop", jobs::JobState::running);
        jobs::Found job{record_of("shop", 1, jobs::JobState::running, begun.holder_pid), begun.dir, false};
        fs::path docker_log = logging_docker(state);
        jobs::JobRecord canceled = jobs::cancel_job(runner, job, 10);
        CHECK(text_of(docker_log).find("ps -aq --filter label=io.calzion.job=shop.1\nrm -f c1 c2\n") == 0);
        CHECK(canceled.state == jobs::JobState::canceled);
        CHECK(canceled.steps[0].state == jobs::StepState::canceled);
        CHECK(canceled.steps[1].state == jobs::StepState::canceled);
        CHECK(fs::exists(fs::path(begun.dir) / "cancel"));
        CHECK(text_of(fs::path(begun.dir) / "state") == "canceled\n");
    }
    SUBCASE("a live worker is asked, and what it records is returned") {
        jobs::Begun begun = jobs::begin_job(runner, state.dir(), "shop", 10);
        jobs::JobRecord running = record_of("shop", 1, jobs::JobState::running, begun.holder_pid);
        jobs::write_record(runner, begun.dir, running);
        jobs::Found job{running, begun.dir, true};

        jobs::JobRecord still = jobs::cancel_job(runner, job, 0);
        CHECK(still.state == jobs::JobState::running);
        CHECK(fs::exists(fs::path(begun.dir) / "cancel"));

        // The worker sees the mark, records the job canceled and lets its lock go.
        std::thread worker([&] {
            exec::LocalRunner own;
            while (!fs::exists(fs::path(begun.dir) / "cancel")) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            jobs::JobRecord canceled = running;
            canceled.state = jobs::JobState::canceled;
            canceled.message = "canceled by the worker";
            jobs::write_record(own, begun.dir, canceled);
        });
        jobs::JobRecord answered;
        std::exception_ptr failure;
        try {
            answered = jobs::cancel_job(runner, job, 30);
        } catch (...) {
            failure = std::current_exception();
        }
        worker.join();
        if (failure) {
            std::rethrow_exception(failure);
        }
        CHECK(answered.state == jobs::JobState::canceled);
        CHECK(answered.message == "canceled by the worker");
    }
}

TEST_CASE("jobs::store a queued job waits for a worker: never settled, claimed once") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    jobs::Begun queued = ended_job(runner, state.dir(), "shop", jobs::JobState::queued);

    // No worker is no dead worker: the job stays queued.
    auto found = jobs::list_jobs(runner, state.dir(), "shop");
    REQUIRE(found.size() == 1);
    CHECK(found[0].record.state == jobs::JobState::queued);

    std::optional<jobs::Begun> claimed = jobs::claim_job(runner, state.dir(), "shop", queued.number);
    REQUIRE(claimed);
    CHECK(claimed->dir == queued.dir);
    CHECK(claimed->holder_pid > 0);
    CHECK(text_of(fs::path(queued.dir) / "lock/pid") == std::to_string(claimed->holder_pid) + "\n");
    // A second worker finds it taken.
    CHECK_FALSE(jobs::claim_job(runner, state.dir(), "shop", queued.number));

    SUBCASE("a claim whose worker died is taken over while the job is still queued") {
        claimed->lock.reset();
        fs::create_directories(fs::path(queued.dir) / "lock");
        std::ofstream(fs::path(queued.dir) / "lock/pid") << "999999\n";
        CHECK(jobs::claim_job(runner, state.dir(), "shop", queued.number));
    }
    SUBCASE("a job queued no more is not claimed") {
        claimed->lock.reset();
        jobs::write_record(runner, queued.dir, record_of("shop", queued.number, jobs::JobState::succeeded, 0));
        CHECK_FALSE(jobs::claim_job(runner, state.dir(), "shop", queued.number));
    }
    SUBCASE("a job that is not there is not claimed") {
        CHECK_FALSE(jobs::claim_job(runner, state.dir(), "shop", 42));
    }
}

TEST_CASE("jobs::store one worker at a time works an instance's queue") {
    test::TempStateDir state("jobs-store");
    exec::LocalRunner runner;
    auto first = jobs::take_queue_lock(runner, state.dir(), "shop", 0);
    REQUIRE(first);
    try {
        jobs::take_queue_lock(runner, state.dir(), "shop", 0);
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::lock_held);
        CHECK(error.message().rfind("the queue of instance \"shop\" is worked by ", 0) == 0);
        CHECK(error.message().find("(pipeline work since ") != std::string::npos);
    }
    // Another instance's queue is its own.
    CHECK(jobs::take_queue_lock(runner, state.dir(), "blog", 0));
    first->release();
    CHECK(jobs::take_queue_lock(runner, state.dir(), "shop", 0));
    // The queue's lock is no job.
    CHECK(jobs::list_jobs(runner, state.dir(), "shop").empty());
}
