#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "events/reporter.hpp"

namespace calzion::images {

// The images built on this machine for `deploy --build-local`, shared by every
// host of one deploy so that each is built at most once. Safe to use from
// several threads: different images build concurrently.
class LocalImages {
public:
    // `local` asks this machine's engine whether it has an image; it changes
    // nothing, so it is the real local runner even in a dry run.
    explicit LocalImages(exec::Runner& local) : m_local(local) {}

    // Make sure this machine's engine has `image`: unless it has it already,
    // call `before_build` and build `recipe` through `effects` (`git archive |
    // docker build`). Throws Error(operation_failed) when the build fails, then
    // and for every later call for the same image.
    void ensure(const Recipe& recipe, const std::string& image, exec::Runner& effects,
                const std::function<void()>& before_build);

private:
    // One image: its first caller holds `mutex` while it makes the image, so
    // later callers for the same image wait for it, and only for it.
    struct Image {
        std::mutex mutex;
        bool done = false;
        std::optional<std::string> failure;  // why its build failed, if it did
    };
    exec::Runner& m_local;
    std::mutex m_mutex;  // guards m_images only, never held during a build
    std::map<std::string, Image> m_images;
};

// What one host's builds run through.
struct BuildRunners {
    exec::Runner& host;   // the host (a dry-run runner for --dry-run)
    exec::Runner& local;  // this machine, for `git archive` and local builds (likewise)
    LocalImages* local_images = nullptr;  // set: build here and send the images (--build-local)
};

// Build the images that `plan` marks (plan::Action::build), one after the other,
// before anything changes on the host: stream `git archive` of the service's
// recipe from this machine into `docker build` on the host, or, with
// `local_images` and a host other than "local", make the image on this machine
// and stream `docker save` into `docker load` on the host. Nothing is written to
// the host's disk but what docker itself keeps. Reports a step per image. Throws
// Error(operation_failed) naming the service at the first failure, with the last
// lines of the failed command's output.
void build_images(const plan::Plan& plan, const std::map<std::string, Recipe>& recipes, const BuildRunners& runners,
                  events::Reporter& reporter);

// An image built from source (`git`/`build`) that a service runs.
struct BuiltImage {
    std::string service;
    std::string image;

    bool operator==(const BuiltImage&) const = default;
};

// The images built from source that the services `plan` creates or replaces
// run, whether deploy builds them now or the host has them already: those a
// swarm's nodes must be able to run. In the plan's order.
std::vector<BuiltImage> built_images(const plan::Plan& plan);

// Swarm with a registry: push each of `images` (named after the registry,
// "10.0.0.2:5000/shop_web:<commit>") from the manager, where deploy built
// them, one after the other, so that every node can pull them. Pushing an
// image the registry has already sends nothing again. Reports a step per
// image. Throws Error(operation_failed) naming the service at the first
// failure, with the last lines of docker's output.
void push_images(const std::vector<BuiltImage>& images, exec::Runner& manager, events::Reporter& reporter);

// Swarm without a registry: load each of `images` from the manager on every
// node of `nodes` (the others) that lacks it: `docker save` on the manager
// streamed into `docker load` on the node, nothing written to either's disk
// but what docker keeps. The nodes in parallel (at most
// exec::k_channel_limit at once), each node's images one after the other.
// `ask_first`: load only where `docker image inspect` on the node finds no
// such image (false for a dry run, which prints every load). Reports a step
// per image and node, as the node's. Throws Error(operation_failed), naming
// the service and the node, once every node has ended, when one failed.
void load_images(const std::vector<BuiltImage>& images, exec::Runner& manager, const std::vector<exec::Runner*>& nodes,
                 bool ask_first, events::Reporter& reporter);

}  // namespace calzion::images
