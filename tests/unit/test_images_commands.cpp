#include <doctest/doctest.h>

#include "images/commands.hpp"

using namespace calzion;

namespace {

images::Recipe recipe_in(const std::string& context) {
    images::Recipe recipe;
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
        CHECK(images::archive(recipe_in("")) ==
              images::Argv{"git", "-C", "/src/my app", "archive", "--format=tar",
                          "0123456789abcdef0123456789abcdef01234567"});
        CHECK(images::archive(recipe_in("services/web/")) ==
              images::Argv{"git", "-C", "/src/my app", "archive", "--format=tar",
                          "0123456789abcdef0123456789abcdef01234567:services/web/"});
    }
    SUBCASE("docker build reads the context from stdin, with the default Dockerfile") {
        CHECK(images::docker_build(recipe_in(""), "shop-web:0123456789ab") ==
              images::Argv{"docker", "build", "--force-rm", "--tag", "shop-web:0123456789ab", "-"});
    }
    SUBCASE("docker build with a Dockerfile, arguments (values as they are) and a target") {
        images::Recipe recipe = recipe_in("");
        recipe.dockerfile = "docker/Dockerfile.prod";
        recipe.args = {{"VERSION", "1.2 $(reboot)"}, {"A", "'x'"}};
        recipe.target = "runtime";
        CHECK(images::docker_build(recipe, "shop-web:0123456789ab") ==
              images::Argv{"docker", "build", "--force-rm", "--tag", "shop-web:0123456789ab", "--file", "docker/Dockerfile.prod",
                          "--build-arg", "A='x'", "--build-arg", "VERSION=1.2 $(reboot)", "--target", "runtime",
                          "-"});
    }
    SUBCASE("images: does it exist, save, load, remove") {
        CHECK(images::image_exists("shop-web:0123456789ab") ==
              images::Argv{"docker", "image", "inspect", "--format", "{{.Id}}", "shop-web:0123456789ab"});
        CHECK(images::docker_save("shop-web:0123456789ab") == images::Argv{"docker", "save", "shop-web:0123456789ab"});
        CHECK(images::docker_load() == images::Argv{"docker", "load"});
        CHECK(images::remove_image("shop-web:0123456789ab") ==
              images::Argv{"docker", "image", "rm", "shop-web:0123456789ab"});
    }
}
