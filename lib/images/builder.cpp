#include "images/builder.hpp"

#include "exec/run_checked.hpp"

#include "images/commands.hpp"
#include "exec/executor.hpp"
#include "exec/pipe.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::images {

namespace {

constexpr size_t k_log_lines = 20;

exec::Command command(Argv argv) { return exec::command(std::move(argv)); }

Error failure(const std::string& what, const exec::Result& result) {
    std::string how =
        !result.signal.empty() ? "killed by SIG" + result.signal : "exit " + std::to_string(result.exit_code);
    std::string log = util::last_lines(result.out + result.err, k_log_lines);
    return Error(ErrorKind::operation_failed,
                 what + " failed (" + how + ")" + (log.empty() ? "" : "; its last lines:\n" + log));
}

// Stream `git archive` of the recipe's tree (run on `local`) into `docker build`
// on `builder`.
void build_from_git(const Recipe& recipe, const std::string& image, exec::Runner& local, exec::Runner& builder) {
    exec::PipeResult result =
        exec::pipe(local, command(archive(recipe)), builder, command(docker_build(recipe, image)));
    if (!result.producer.ok()) {
        if (result.consumer_started && result.consumer.ok()) {
            // docker may take a cut-off stream for a whole context: drop what it built.
            builder.run(command(remove_image(image)));
        }
        throw failure("git archive", result.producer);
    }
    if (!result.consumer.ok()) {
        throw failure("docker build", result.consumer);
    }
}

// Stream `docker save` of `image` on `from` into `docker load` on `to`.
void send_image(const std::string& image, exec::Runner& from, exec::Runner& to) {
    exec::PipeResult result = exec::pipe(from, command(docker_save(image)), to, command(docker_load()));
    if (!result.producer.ok()) {
        throw failure("docker save", result.producer);
    }
    if (!result.consumer.ok()) {
        throw failure("docker load", result.consumer);
    }
}

// The error of `service`'s image: reported as `host`'s, then thrown naming the service.
[[noreturn]] void fail_for(const std::string& service, const std::string& host, events::Reporter& reporter) {
    Error error = exec::current_error();
    reporter.event({events::Event::Kind::failed, host, service, error.message()});
    Error named(error.kind(), "service " + util::quoted(service) + ": " + error.message());
    throw error.host().empty() ? named : named.on_host(error.host());
}

void build_one(const plan::Action& action, const Recipe& recipe, const BuildRunners& runners,
               events::Reporter& reporter) {
    const std::string& image = action.desired->image;
    auto step = [&](const std::string& text) {
        reporter.event({events::Event::Kind::step, runners.host.host(), action.service, text});
    };
    // On "local", building on the host is building here: nothing to send.
    if (runners.local_images != nullptr && runners.host.host() != "local") {
        runners.local_images->ensure(recipe, image, runners.local, [&] { step("build " + image + " here"); });
        step("send " + image + " (docker save | docker load)");
        send_image(image, runners.local, runners.host);
        reporter.event({events::Event::Kind::done, runners.host.host(), action.service, "loaded " + image});
        return;
    }
    step("build " + image + " on the host");
    build_from_git(recipe, image, runners.local, runners.host);
    reporter.event({events::Event::Kind::done, runners.host.host(), action.service, "built " + image});
}

}  // namespace

void LocalImages::ensure(const Recipe& recipe, const std::string& image, exec::Runner& effects,
                         const std::function<void()>& before_build) {
    Image* entry = nullptr;
    {
        std::lock_guard lock(m_mutex);
        entry = &m_images[image];  // a map's elements stay where they are
    }
    std::lock_guard lock(entry->mutex);
    if (entry->done) {
        if (entry->failure) {
            throw Error(ErrorKind::operation_failed, *entry->failure);
        }
        return;
    }
    try {
        if (!m_local.run(command(image_exists(image))).ok()) {
            before_build();
            build_from_git(recipe, image, effects, effects);
        }
        entry->done = true;
    } catch (...) {
        Error error = exec::current_error();
        entry->failure = error.message();
        entry->done = true;
        throw error;
    }
}

void build_images(const plan::Plan& plan, const std::map<std::string, Recipe>& recipes, const BuildRunners& runners,
                  events::Reporter& reporter) {
    for (const auto& action : plan.actions) {
        if (!action.build || action.desired == nullptr) {
            continue;
        }
        try {
            auto recipe = recipes.find(action.service);
            if (recipe == recipes.end()) {
                throw Error(ErrorKind::operation_failed, "nothing says what to build it from");
            }
            build_one(action, recipe->second, runners, reporter);
        } catch (...) {
            fail_for(action.service, runners.host.host(), reporter);
        }
    }
}

std::vector<BuiltImage> built_images(const plan::Plan& plan) {
    std::vector<BuiltImage> images;
    for (const auto& action : plan.actions) {
        bool changes = action.kind == plan::ActionKind::create || action.kind == plan::ActionKind::replace;
        const render::RenderedService* service = action.desired;
        if (changes && service != nullptr && (service->git || service->build) && !service->image.empty()) {
            images.push_back({action.service, service->image});
        }
    }
    return images;
}

void push_images(const std::vector<BuiltImage>& images, exec::Runner& manager, events::Reporter& reporter) {
    for (const auto& [service, image] : images) {
        try {
            reporter.event({events::Event::Kind::step, manager.host(), service, "push " + image});
            exec::Result result = manager.run(command(docker_push(image)));
            if (!result.ok()) {
                throw failure("docker push", result);
            }
            reporter.event({events::Event::Kind::done, manager.host(), service, "pushed " + image});
        } catch (...) {
            fail_for(service, manager.host(), reporter);
        }
    }
}

void load_images(const std::vector<BuiltImage>& images, exec::Runner& manager, const std::vector<exec::Runner*>& nodes,
                 bool ask_first, events::Reporter& reporter) {
    auto errors = exec::run_each(nodes.size(), exec::k_channel_limit, [&](size_t i) {
        exec::Runner& node = *nodes[i];
        for (const auto& [service, image] : images) {
            try {
                if (ask_first && node.run(command(image_exists(image))).ok()) {
                    continue;
                }
                reporter.event({events::Event::Kind::step, node.host(), service,
                                "load " + image + " from " + manager.host() + " (docker save | docker load)"});
                send_image(image, manager, node);
                reporter.event({events::Event::Kind::done, node.host(), service, "loaded " + image});
            } catch (...) {
                Error error = exec::current_error();
                reporter.event({events::Event::Kind::failed, node.host(), service, error.message()});
                throw Error(error.kind(), "service " + util::quoted(service) + ": loading " + image + " on node " +
                                              util::quoted(node.host()) + ": " + error.message());
            }
        }
    });
    for (const auto& error : errors) {
        if (error) {
            throw *error;
        }
    }
}

}  // namespace calzion::images
