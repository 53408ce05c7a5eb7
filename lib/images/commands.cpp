#include "images/commands.hpp"

namespace calzion::images {

Argv archive(const Recipe& recipe) {
    return {"git", "-C", recipe.repository, "archive", "--format=tar", recipe.tree};
}

Argv docker_build(const Recipe& recipe, const std::string& image) {
    // --force-rm: a failed step leaves no container behind on the host.
    Argv argv = {"docker", "build", "--force-rm", "--tag", image};
    if (!recipe.dockerfile.empty()) {
        argv.insert(argv.end(), {"--file", recipe.dockerfile});
    }
    for (const auto& [name, value] : recipe.args) {
        argv.insert(argv.end(), {"--build-arg", name + "=" + value});
    }
    if (!recipe.target.empty()) {
        argv.insert(argv.end(), {"--target", recipe.target});
    }
    argv.push_back("-");
    return argv;
}

Argv image_exists(const std::string& image) {
    return {"docker", "image", "inspect", "--format", "{{.Id}}", image};
}

Argv docker_push(const std::string& image) { return {"docker", "push", image}; }
Argv docker_save(const std::string& image) { return {"docker", "save", image}; }
Argv docker_load() { return {"docker", "load"}; }
Argv remove_image(const std::string& image) { return {"docker", "image", "rm", image}; }

}  // namespace calzion::images
