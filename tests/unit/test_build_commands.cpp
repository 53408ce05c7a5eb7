#include <doctest/doctest.h>

#include "build/commands.hpp"

using namespace calzion;

namespace {

build::Recipe recipe_in(const std::string& context) {
    build::Recipe recipe;
    recipe.service = "web";
    recipe.repository = "/src/my app";
    recipe.context = context;
    recipe.commit = "0123456789abcdef0123456789abcdef01234567";
    recipe.tree = context.empty() ? recipe.commit : recipe.commit + ":" + context;
    recipe.tag = "0123456789ab";
    return recipe;
}

}  // namespace

TEST_CASE("build commands") {
    SUBCASE("git archive sends the recipe's tree as tar") {
        CHECK(build::archive(recipe_in("")) ==
              build::Argv{"git", "-C", "/src/my app", "archive", "--format=tar",
                          "0123456789abcdef0123456789abcdef01234567"});
        CHECK(build::archive(recipe_in("services/web/")) ==
              build::Argv{"git", "-C", "/src/my app", "archive", "--format=tar",
                          "0123456789abcdef0123456789abcdef01234567:services/web/"});
    }
    SUBCASE("docker build reads the context from stdin, with the default Dockerfile") {
        CHECK(build::docker_build(recipe_in(""), "shop-web:0123456789ab") ==
              build::Argv{"docker", "build", "--force-rm", "--tag", "shop-web:0123456789ab", "-"});
    }
    SUBCASE("docker build with a Dockerfile, arguments (values as they are) and a target") {
        build::Recipe recipe = recipe_in("");
        recipe.dockerfile = "docker/Dockerfile.prod";
        recipe.args = {{"VERSION", "1.2 $(reboot)"}, {"A", "'x'"}};
        recipe.target = "runtime";
        CHECK(build::docker_build(recipe, "shop-web:0123456789ab") ==
              build::Argv{"docker", "build", "--force-rm", "--tag", "shop-web:0123456789ab", "--file", "docker/Dockerfile.prod",
                          "--build-arg", "A='x'", "--build-arg", "VERSION=1.2 $(reboot)", "--target", "runtime",
                          "-"});
    }
    SUBCASE("images: does it exist, save, load, remove") {
        CHECK(build::image_exists("shop-web:0123456789ab") ==
              build::Argv{"docker", "image", "inspect", "--format", "{{.Id}}", "shop-web:0123456789ab"});
        CHECK(build::docker_save("shop-web:0123456789ab") == build::Argv{"docker", "save", "shop-web:0123456789ab"});
        CHECK(build::docker_load() == build::Argv{"docker", "load"});
        CHECK(build::remove_image("shop-web:0123456789ab") ==
              build::Argv{"docker", "image", "rm", "shop-web:0123456789ab"});
    }
}
