#include <doctest/doctest.h>

#include "output/operations.hpp"

using namespace calzion;

namespace {

state::LockHolder alice(state::Liveness liveness) {
    state::LockHolder holder;
    holder.user = "alice";
    holder.machine = "laptop";
    holder.command = "deploy";
    holder.since = "2026-11-22T09:14:03Z";
    holder.client_pid = 4242;
    holder.host_pid = "1234";
    holder.liveness = liveness;
    return holder;
}

deploy::HostLock held(const std::string& host, state::Liveness liveness) {
    deploy::HostLock lock;
    lock.host = host;
    lock.lock.held = true;
    lock.lock.holder = alice(liveness);
    return lock;
}

deploy::HostCheck fit_host() {
    deploy::HostCheck check;
    check.host = "web1";
    check.reached = true;
    check.probe.user = "deploy";
    check.probe.docker_exit = 0;
    check.probe.docker = {"24.0.7", "24.0.5", "1.43"};
    check.probe.state_dir = "/srv/cz";
    check.probe.state_dir_exists = true;
    check.probe.state_dir_writable = true;
    check.probe.format = 1;
    check.probe.free_bytes = 80LL << 30;
    return check;
}

}  // namespace

TEST_CASE("output::lock_text") {
    deploy::HostLock free;
    free.host = "web2";
    deploy::HostLock broken = held("web3", state::Liveness::gone);
    broken.broken = true;
    deploy::HostLock refused = held("web4", state::Liveness::alive);
    refused.error = Error(ErrorKind::lock_held, "instance \"shop\" is locked by someone");
    CHECK(output::lock_text({held("web1", state::Liveness::alive), free, held("web5", state::Liveness::gone), broken,
                             refused},
                            "shop") ==
          "web1: \"shop\" is locked by alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242); its process 1234 "
          "on the host is running\n"
          "web2: \"shop\" is not locked\n"
          "web5: \"shop\" is locked by alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242); its process 1234 "
          "on the host is gone: the lock is stale, calzion lock --break shop removes it\n"
          "web3: broke the lock of \"shop\" held by alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)\n"
          "web4: instance \"shop\" is locked by someone\n");
}

TEST_CASE("output::lock_json") {
    deploy::HostLock broken = held("web1", state::Liveness::gone);
    broken.broken = true;
    std::string json = output::lock_json({broken}, "shop");
    CHECK(json.find(R"("locked": false,)") != std::string::npos);
    CHECK(json.find(R"("host_pid": 1234,)") != std::string::npos);
    CHECK(json.find(R"("running": false)") != std::string::npos);
    CHECK(json.find(R"("stale": true,)") != std::string::npos);
    CHECK(json.find(R"("broken": true,)") != std::string::npos);
}

TEST_CASE("output::hosts_check_text") {
    deploy::HostCheck unwritable = fit_host();
    unwritable.host = "web2";
    unwritable.probe.state_dir_writable = false;
    unwritable.problems = {Error(ErrorKind::operation_failed, "state directory \"/srv/cz\" is not writable by \"deploy\"")};
    deploy::HostCheck unreachable;
    unreachable.host = "db1";
    unreachable.problems = {Error(ErrorKind::unreachable, "cannot connect to \"db1\" (db1:22): connection refused")};
    CHECK(output::hosts_check_text({fit_host(), unwritable, unreachable}) ==
          "HOST  CONNECTION              USER    DOCKER CLIENT / ENGINE  STATE DIR               FORMAT  FREE      CHECK\n"
          "web1  ssh, host key verified  deploy  24.0.7 / 24.0.5         /srv/cz (writable)      1       80.0 GiB  ok\n"
          "web2  ssh, host key verified  deploy  24.0.7 / 24.0.5         /srv/cz (not writable)  1       80.0 GiB  problem\n"
          "db1   failed                  -       -                       -                       -       -         problem\n"
          "web2: state directory \"/srv/cz\" is not writable by \"deploy\"\n"
          "db1: cannot connect to \"db1\" (db1:22): connection refused\n");
}

TEST_CASE("output::human_bytes") {
    CHECK(output::human_bytes(0) == "0 B");
    CHECK(output::human_bytes(1023) == "1023 B");
    CHECK(output::human_bytes(1536) == "1.5 KiB");
    CHECK(output::human_bytes(80LL << 30) == "80.0 GiB");
}
