#include <doctest/doctest.h>

#include <regex>
#include <sstream>
#include <thread>

#include "output/live_reporter.hpp"
#include "screen.hpp"

using namespace calzion;
using namespace std::chrono_literals;
using Kind = events::Event::Kind;
using Lines = std::vector<std::string>;

namespace {

// A LiveReporter drawing into a string, on a clock the test moves by hand.
struct Display {
    std::ostringstream out;
    std::chrono::steady_clock::time_point now{};
    output::LiveReporter reporter;

    explicit Display(output::LiveOptions options = {}) : reporter(out, with_fake_clock(std::move(options))) {}

    output::LiveOptions with_fake_clock(output::LiveOptions options) {
        options.ticker = false;
        options.now = [this] { return now; };
        return options;
    }

    void send(Kind kind, const std::string& host, const std::string& service, const std::string& text) {
        reporter.event({kind, host, service, text});
    }

    Lines screen() const { return test::screen_after(out.str()); }
};

bool has_color(const std::string& bytes) {
    return std::regex_search(bytes, std::regex("\x1b\\[[0-9;]*m"));
}

}  // namespace

TEST_CASE("output::LiveReporter") {
    SUBCASE("one row per host and service, grouped by host in the order first seen") {
        Display display;
        display.send(Kind::step, "host1", "db", "create: not deployed");
        display.send(Kind::step, "host2", "db", "create: not deployed");
        display.send(Kind::step, "host1", "web", "create: not deployed");
        CHECK(display.screen() == Lines{"⠋ host1 db   create: not deployed (0s)",
                                        "⠋ host1 web  create: not deployed (0s)",
                                        "⠋ host2 db   create: not deployed (0s)"});
    }

    SUBCASE("hosts in the order given, then the others as they appear") {
        output::LiveOptions options;
        options.hosts = {"web2", "web1"};
        Display display(options);
        display.send(Kind::step, "web3", "db", "create");
        display.send(Kind::step, "web1", "db", "create");
        display.send(Kind::step, "web2", "db", "create");
        display.send(Kind::done, "web1", "", "recorded revision 2");
        display.send(Kind::step, "web4", "db", "create");
        display.send(Kind::step, "web3", "web", "create");
        CHECK(display.screen() == Lines{"⠋ web2 db   create (0s)", "⠋ web1 db   create (0s)",
                                        "✓ web1      recorded revision 2", "⠋ web3 db   create (0s)",
                                        "⠋ web3 web  create (0s)", "⠋ web4 db   create (0s)"});
    }

    SUBCASE("the first frames, byte for byte") {
        Display display;
        display.send(Kind::step, "host1", "db", "create");
        CHECK(display.out.str() == "\r\x1b[2K⠋ host1 db  create (0s)\n\x1b[J");
        display.out.str("");
        display.send(Kind::done, "host1", "db", "ready");
        CHECK(display.out.str() == "\r\x1b[1A\x1b[2K✓ host1 db  ready\n\x1b[J");
    }

    SUBCASE("a tick turns the spinner and counts the seconds of the current step") {
        Display display;
        display.send(Kind::step, "host1", "db", "create: not deployed");
        display.now += 2300ms;
        display.send(Kind::step, "host1", "web", "create: not deployed");
        display.reporter.tick();
        CHECK(display.screen() == Lines{"⠇ host1 db   create: not deployed (2s)",
                                        "⠇ host1 web  create: not deployed (0s)"});
        // A new text for a step still running keeps counting from its start.
        display.now += 1000ms;
        display.send(Kind::step, "host1", "db", "waiting until healthy");
        display.reporter.tick();
        CHECK(display.screen() == Lines{"⠦ host1 db   waiting until healthy (3s)",
                                        "⠦ host1 web  create: not deployed (1s)"});
    }

    SUBCASE("on finish every row shows its final state") {
        Display display;
        display.send(Kind::step, "host1", "db", "create: not deployed");
        display.send(Kind::step, "host1", "web", "create: not deployed");
        display.send(Kind::step, "host2", "db", "create: not deployed");
        display.now += 4s;
        display.send(Kind::done, "host1", "db", "ready");
        display.send(Kind::failed, "host2", "db", "docker run failed: no such image\nits last log lines: ...");
        display.send(Kind::done, "host1", "", "recorded revision 4");
        display.reporter.finish();
        CHECK(display.screen() == Lines{"✓ host1 db   ready", "- host1 web  create: not deployed (4s)",
                                        "✓ host1      recorded revision 4",
                                        "✗ host2 db   docker run failed: no such image"});
        // Events after the end are plain lines below the final frame.
        display.send(Kind::failed, "host2", "", "late");
        CHECK(display.screen().back() == "host2: late");
        CHECK(display.screen().size() == 5);
    }

    SUBCASE("notes stay above the block") {
        Display display;
        display.send(Kind::step, "host1", "db", "replace: image changed");
        display.send(Kind::note, "host1", "old", "kept: not in the template");
        display.send(Kind::done, "host1", "db", "ready");
        display.send(Kind::note, "host1", "", "lock taken over");
        display.reporter.finish();
        CHECK(display.screen() ==
              Lines{"host1 old: kept: not in the template", "host1: lock taken over", "✓ host1 db  ready"});
    }

    SUBCASE("a restart runs again after done") {
        Display display;
        display.send(Kind::step, "host1", "web", "stop");
        display.now += 5s;
        display.send(Kind::done, "host1", "web", "stopped");
        display.send(Kind::step, "host1", "web", "start");
        display.now += 1s;
        display.reporter.tick();
        CHECK(display.screen() == Lines{"⠇ host1 web  start (1s)"});
    }

    SUBCASE("colour only when asked for") {
        Display plain;
        plain.send(Kind::step, "host1", "db", "create");
        plain.send(Kind::done, "host1", "db", "ready");
        plain.send(Kind::failed, "host1", "web", "failed");
        plain.reporter.finish();
        CHECK_FALSE(has_color(plain.out.str()));

        output::LiveOptions options;
        options.color = true;
        Display colored(options);
        colored.send(Kind::done, "host1", "db", "ready");
        colored.send(Kind::failed, "host1", "web", "docker run failed");
        colored.reporter.finish();
        CHECK(colored.out.str().find("\x1b[32m✓\x1b[0m host1 db   ready") != std::string::npos);
        CHECK(colored.out.str().find("\x1b[31m✗\x1b[0m \x1b[31mhost1 web  docker run failed\x1b[0m") !=
              std::string::npos);
        CHECK(colored.screen() == Lines{"✓ host1 db   ready", "✗ host1 web  docker run failed"});
    }

    SUBCASE("ASCII symbols when the terminal is not UTF-8") {
        output::LiveOptions options;
        options.unicode = false;
        Display display(options);
        display.send(Kind::step, "host1", "db", "create");
        display.send(Kind::step, "host1", "web", "create");
        display.send(Kind::failed, "host1", "cache", "failed");
        display.now += 125ms;
        display.reporter.tick();
        CHECK(display.screen() ==
              Lines{"/ host1 db     create (0s)", "/ host1 web    create (0s)", "x host1 cache  failed"});
        display.send(Kind::done, "host1", "db", "ready");
        display.reporter.finish();
        CHECK(display.screen().front() == "+ host1 db     ready");
    }

    SUBCASE("lines are cut to the width of the screen, keeping the seconds") {
        output::LiveOptions options;
        options.screen_size = [] { return output::ScreenSize{30, 0}; };
        Display display(options);
        display.send(Kind::step, "host1", "db", "replace: image changed (env, image, ports)");
        display.send(Kind::done, "host1", "web", "ready");
        CHECK(display.screen() == Lines{"⠋ host1 db   replace: i… (0s)", "✓ host1 web  ready"});
    }

    SUBCASE("a block taller than the screen moves finished rows above it") {
        output::LiveOptions options;
        options.screen_size = [] { return output::ScreenSize{0, 4}; };
        Display display(options);
        display.send(Kind::step, "host1", "a", "create");
        display.send(Kind::step, "host1", "b", "create");
        display.send(Kind::done, "host1", "a", "ready");
        display.send(Kind::step, "host1", "c", "create");
        display.send(Kind::step, "host1", "d", "create");
        CHECK(display.screen() == Lines{"✓ host1 a  ready", "⠋ host1 b  create (0s)", "⠋ host1 c  create (0s)",
                                        "⠋ host1 d  create (0s)"});
        // Nothing finished to move: show what fits and count the rest.
        display.send(Kind::step, "host1", "e", "create");
        CHECK(display.screen() ==
              Lines{"✓ host1 a  ready", "⠋ host1 b  create (0s)", "⠋ host1 c  create (0s)", "  and 2 more"});
        display.reporter.finish();
        CHECK(display.screen() == Lines{"✓ host1 a  ready", "- host1 b  create (0s)", "- host1 c  create (0s)",
                                        "- host1 d  create (0s)", "- host1 e  create (0s)"});
    }

    SUBCASE("nothing at all is drawn when nothing happened") {
        Display display;
        display.reporter.finish();
        CHECK(display.out.str().empty());
    }
}

TEST_CASE("output::LiveReporter from several threads with its ticker") {
    std::ostringstream out;
    {
        output::LiveOptions options;
        options.color = true;
        output::LiveReporter reporter(out, options);
        std::vector<std::thread> hosts;
        for (int h = 0; h < 4; ++h) {
            hosts.emplace_back([&reporter, h] {
                std::string host = "host" + std::to_string(h);
                for (int s = 0; s < 20; ++s) {
                    std::string service = "s" + std::to_string(s);
                    reporter.event({Kind::step, host, service, "create"});
                    std::this_thread::sleep_for(1ms);
                    reporter.event({Kind::done, host, service, "ready"});
                }
            });
        }
        for (auto& thread : hosts) {
            thread.join();
        }
    }  // the destructor finishes
    // Hosts appear in whichever order their first event came; each host's rows
    // stay together and in order.
    Lines screen = test::screen_after(out.str());
    REQUIRE(screen.size() == 80);
    for (size_t first = 0; first < 80; first += 20) {
        std::string host = screen[first].substr(std::string("✓ ").size(), 5);
        for (int s = 0; s < 20; ++s) {
            std::string label = host + " s" + std::to_string(s);
            CHECK(screen[first + static_cast<size_t>(s)] == "✓ " + label + std::string(9 - label.size(), ' ') +
                                                                "  ready");
        }
    }
    CHECK(has_color(out.str()));
}
