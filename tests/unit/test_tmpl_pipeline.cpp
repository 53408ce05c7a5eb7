#include "tmpl/pipeline.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "render/render.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::testing::joined;
using calzion::testing::k_file;
using calzion::testing::messages_of;
using calzion::testing::render_yaml;
using calzion::testing::validate_problems;
using calzion::tmpl::load_pipeline;
using calzion::tmpl::Pipeline;
using calzion::tmpl::PipelineStep;

namespace {

using Env = std::map<std::string, std::string>;
using Lines = std::vector<std::string>;

// The pipeline of the YAML, which must have no problem.
Pipeline loaded(const std::string& yaml) {
    try {
        return load_pipeline(k_file, yaml);
    } catch (const Error& error) {
        FAIL(joined(messages_of(error)));
    }
    return {};
}

// The problems load_pipeline() finds, one per line.
std::string problems(const std::string& yaml) {
    try {
        load_pipeline(k_file, yaml);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        return joined(messages_of(error));
    }
    return "";
}

// Everything a step holds, on one line per field, to compare whole steps.
std::string shown(const PipelineStep& step) {
    std::string out = step.name + " at " + step.where.to_string() + "\nimage " + step.image + "\nenv";
    for (const auto& [name, value] : step.env) {
        out += " " + name + "=" + value;
    }
    auto lines = [&](const std::string& title, const Lines& items) {
        out += "\n" + title;
        for (const auto& item : items) {
            out += " [" + item + "]";
        }
    };
    lines("pre", step.pre);
    lines("cmds", step.cmds);
    lines("post", step.post);
    if (step.cmd) {
        lines("cmd", *step.cmd);
    }
    out += step.docker_socket ? "\ndocker" : "";
    return out;
}

// The README example of the `.cion.yml` calzion descends from, in its list layout.
const std::string k_cion_lists = R"(build:
  - image: rohan/img
  - env:
      key1: val1
release:
  - image: rohan/release
  - env:
      key2: val2
)";

// The same pipeline with steps written as mappings.
const std::string k_cion_mappings = R"(build:
  image: rohan/img
  env:
    key1: val1
release:
  image: rohan/release
  env:
    key2: val2
)";

const std::string k_template = R"(web:
  image: local/web:1
  env: {GREETING: "${greeting:-hi}"}
pipeline:
  build:
    image: local/builder:1
    env: {GOFLAGS: -mod=vendor}
    pre:  [make deps]
    cmds: [make, "make test"]
    post: ["cp -r dist/* $ARTIFACTS_DIR/"]
  tasks:
    lint: {image: local/lint:1, cmds: [make lint]}
    unit: {image: local/builder:1, cmds: ["make unit", 'echo "${GOFLAGS%%=*}" $${#GOFLAGS}']}
  release:
    image: local/releaser:1
    env: {CHANNEL: stable}
)";

}  // namespace

TEST_CASE("tmpl::load_pipeline reads a .cion.yml in both layouts") {
    for (const auto& yaml : {k_cion_lists, k_cion_mappings}) {
        Pipeline pipeline = loaded(yaml);
        CHECK(pipeline.file == "t.yaml");
        CHECK(pipeline.where.to_string() == "t.yaml:1:1");
        REQUIRE(pipeline.build);
        CHECK(shown(*pipeline.build) == "build at t.yaml:1:1\nimage rohan/img\nenv key1=val1\npre\ncmds\npost");
        CHECK(pipeline.tasks.empty());
        REQUIRE(pipeline.release);
        CHECK(shown(*pipeline.release) ==
              "release at t.yaml:5:1\nimage rohan/release\nenv key2=val2\npre\ncmds\npost");
        CHECK_FALSE(pipeline.release_deploys);
        CHECK(pipeline.keep == 20);
        CHECK(pipeline.parallel == 4);
        CHECK_FALSE(pipeline.build->has_script());
    }
}

TEST_CASE("tmpl::load_pipeline reads the pipeline section of a template") {
    Pipeline pipeline = loaded(k_template);
    CHECK(pipeline.where.to_string() == "t.yaml:5:3");
    REQUIRE(pipeline.build);
    CHECK(shown(*pipeline.build) ==
          "build at t.yaml:5:3\nimage local/builder:1\nenv GOFLAGS=-mod=vendor\npre [make deps]\n"
          "cmds [make] [make test]\npost [cp -r dist/* $ARTIFACTS_DIR/]");
    CHECK(pipeline.build->has_script());
    REQUIRE(pipeline.tasks.size() == 2);
    CHECK(shown(pipeline.tasks[0]) == "lint at t.yaml:12:5\nimage local/lint:1\nenv\npre\ncmds [make lint]\npost");
    CHECK(shown(pipeline.tasks[1]) == "unit at t.yaml:13:5\nimage local/builder:1\nenv\npre\n"
          "cmds [make unit] [echo \"${GOFLAGS%%=*}\" $${#GOFLAGS}]\npost");
    REQUIRE(pipeline.release);
    CHECK(shown(*pipeline.release) == "release at t.yaml:14:3\nimage local/releaser:1\nenv CHANNEL=stable\npre\ncmds\npost");
}

TEST_CASE("tmpl::load_pipeline settings, layouts and literal values") {
    SUBCASE("notify: a shell line, an argv, one program alone") {
        Pipeline line = loaded("build: {image: local/b:1}\nnotify: ./post-status \"$CALZION_STEP\" | logger\n"
                               "notify_timeout: 3600\n");
        CHECK(line.notify == Lines{"./post-status \"$CALZION_STEP\" | logger"});
        CHECK(line.notify_timeout == 3600);
        Pipeline argv = loaded("build: {image: local/b:1}\nnotify: [/usr/bin/post, \"$CALZION_STEP\", a b]\n");
        CHECK(argv.notify == Lines{"/usr/bin/post", "$CALZION_STEP", "a b"});
        CHECK(argv.notify_timeout == 30);
        Pipeline alone = loaded("build: {image: local/b:1}\nnotify: [\"/opt/my tools/post\"]\n");
        CHECK(alone.notify == Lines{"'/opt/my tools/post'"});
        CHECK(loaded("build: {image: local/b:1}\n").notify.empty());
    }
    SUBCASE("keep, parallel, env as a list, lines as strings, tasks as a list, docker") {
        Pipeline pipeline = loaded(R"(keep: 3
parallel: 64
tasks:
  - lint:
      - image: local/lint:1
      - env: ["A=1", "B=x=y"]
      - cmds: make lint
      - docker: true
  - unit_2: {image: registry.example.com:5000/team/unit@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}
)");
        CHECK(pipeline.keep == 3);
        CHECK(pipeline.parallel == 64);
        CHECK_FALSE(pipeline.build);
        CHECK_FALSE(pipeline.release);
        REQUIRE(pipeline.tasks.size() == 2);
        CHECK(shown(pipeline.tasks[0]) == "lint at t.yaml:4:5\nimage local/lint:1\nenv A=1 B=x=y\npre\ncmds [make lint]\npost\ndocker");
        CHECK(pipeline.tasks[1].name == "unit_2");
        CHECK_FALSE(pipeline.tasks[1].docker_socket);
    }
    SUBCASE("values are taken as written: no interpolation, $$ stays $$") {
        Pipeline pipeline = loaded(R"(build:
  image: local/b:1
  env: {OUT: "${HOME}/out", COST: "$$5"}
  cmds: ['echo "$$" ${x:?} $(date) `id`']
)");
        REQUIRE(pipeline.build);
        CHECK(pipeline.build->env == Env{{"COST", "$$5"}, {"OUT", "${HOME}/out"}});
        CHECK(pipeline.build->cmds == Lines{"echo \"$$\" ${x:?} $(date) `id`"});
    }
    SUBCASE("cmd is an argv: a list, or a string split like a shell would") {
        Pipeline pipeline = loaded(R"(build:
  image: local/b:1
  cmd: [sh, -c, "make && make test"]
release:
  image: local/r:1
  cmd: "publish --channel 'a b' \"$X\""
)");
        REQUIRE(pipeline.build);
        CHECK(pipeline.build->cmd == Lines{"sh", "-c", "make && make test"});
        CHECK_FALSE(pipeline.build->has_script());
        REQUIRE(pipeline.release);
        CHECK(pipeline.release->cmd == Lines{"publish", "--channel", "a b", "$X"});
    }
    SUBCASE("release: {deploy: true}, in either layout") {
        for (const auto& yaml : {std::string("build: {image: local/b:1}\nrelease: {deploy: true}\n"),
                                 std::string("build: {image: local/b:1}\nrelease:\n  - deploy: true\n")}) {
            Pipeline pipeline = loaded(yaml);
            CHECK(pipeline.release_deploys);
            CHECK_FALSE(pipeline.release);
            CHECK_FALSE(pipeline.empty());
        }
        Pipeline alone = loaded("pipeline:\n  release: {deploy: true}\n");
        CHECK(alone.release_deploys);
        CHECK_FALSE(alone.empty());
    }
    SUBCASE("a template's pipeline section wins over root keys of the same names") {
        Pipeline pipeline = loaded("build: {image: a}\npipeline:\n  tasks: {t1: {image: local/t:1}}\n");
        CHECK_FALSE(pipeline.build);
        REQUIRE(pipeline.tasks.size() == 1);
        CHECK(pipeline.tasks[0].name == "t1");
    }
}

TEST_CASE("tmpl::load_pipeline reports every problem, located") {
    SUBCASE("no pipeline") {
        CHECK(problems("web: {image: nginx}\n") == "t.yaml:1:1: no pipeline: the template has no \"pipeline:\" section");
        CHECK(problems("- build\n") == "t.yaml:1:1: no pipeline: the template has no \"pipeline:\" section");
        CHECK(problems("") == "t.yaml:1:1: no pipeline: the template has no \"pipeline:\" section");
    }
    SUBCASE("no step") {
        CHECK(problems("pipeline:\n  keep: 5\n") == "t.yaml:2:3: the pipeline has no step: give it build, tasks or release");
        CHECK(problems("pipeline:\n") == "t.yaml:1:1: the pipeline has no step: give it build, tasks or release");
        CHECK(problems("release: {deploy: false}\n") == "t.yaml:1:1: the pipeline has no step: give it build, tasks or release");
        CHECK(problems("tasks: {}\nkeep: 0\n") ==
              "t.yaml:1:1: the pipeline has no step: give it build, tasks or release\n"
              "t.yaml:2:7: \"keep\" in the pipeline must be a whole number from 1 to 10000, not \"0\"");
        CHECK(problems("pipeline: [build]\n") ==
              "t.yaml:1:11: the pipeline must be a mapping of \"build\", \"tasks\", \"release\", \"keep\", "
              "\"parallel\", \"notify\" and \"notify_timeout\", not a list");
    }
    SUBCASE("top-level keys") {
        CHECK(problems(R"(buidl: {image: a}
services:
  - postgres
tasks: {t: {image: local/t:1}}
parallel: 65
)") == "t.yaml:1:1: unknown key \"buidl\" in the pipeline, did you mean \"build\"?\n"
       "t.yaml:2:1: pipeline services are not supported: run them as steps, or as services of the template\n"
       "t.yaml:5:11: \"parallel\" in the pipeline must be a whole number from 1 to 64, not \"65\"");
    }
    SUBCASE("notify and notify_timeout") {
        CHECK(problems(R"(build: {image: local/b:1}
notify: "  "
notify_timeout: 0
)") == "t.yaml:2:9: \"notify\" in the pipeline is empty: give a shell command line, or leave \"notify\" out\n"
       "t.yaml:3:17: \"notify_timeout\" in the pipeline must be a whole number from 1 to 3600, not \"0\"");
        CHECK(problems("build: {image: local/b:1}\nnotify: []\nnotify_timeout: 3601\n") ==
              "t.yaml:2:9: \"notify\" in the pipeline names no program\n"
              "t.yaml:3:17: \"notify_timeout\" in the pipeline must be a whole number from 1 to 3600, not \"3601\"");
        CHECK(problems("build: {image: local/b:1}\nnotify: {cmd: x}\n") ==
              "t.yaml:2:9: \"notify\" in the pipeline must be a shell command line or an argv list, not a mapping");
        CHECK(problems("build: {image: local/b:1}\nnotify:\n") ==
              "t.yaml:2:1: \"notify\" in the pipeline has no value: expected a shell command line or an argv list");
        CHECK(problems("build: {image: local/b:1}\nnotify: ['', x]\n") ==
              "t.yaml:2:9: \"notify\" in the pipeline names no program");
        CHECK(problems("build: {image: local/b:1}\nnotfiy: x\n") ==
              "t.yaml:2:1: unknown key \"notfiy\" in the pipeline, did you mean \"notify\"?");
    }
    SUBCASE("steps of the wrong shape") {
        CHECK(problems(R"(build: make
release:
tasks: [lint]
)") == "t.yaml:1:8: \"build\" must be a mapping of settings or a list of single-key mappings, not a scalar\n"
       "t.yaml:2:1: \"release\" has no value: expected a mapping of settings or a list of single-key mappings\n"
       "t.yaml:3:9: an item of \"tasks\" must be a mapping of one key, not a scalar");
    }
    SUBCASE("list layout: a key given twice, an item of several keys") {
        CHECK(problems(R"(build:
  - image: local/b:1
  - env: {A: b}
  - image: local/c:1
  - {cmds: make, post: x}
  - {}
  - imgae: x
)") == "t.yaml:4:5: duplicate key \"image\" in \"build\" (first defined on line 2)\n"
       "t.yaml:5:5: an item of \"build\" must be a mapping of one key, not of 2 keys\n"
       "t.yaml:6:5: an item of \"build\" must be a mapping of one key, not an empty mapping\n"
       "t.yaml:7:5: unknown key \"imgae\" in \"build\", did you mean \"image\"?");
    }
    SUBCASE("duplicate keys within one mapping") {
        CHECK(problems("build:\n  image: a\n  image: b\n") == "t.yaml:3:3: duplicate key \"image\" (first defined on line 2)");
    }
    SUBCASE("step keys") {
        CHECK(problems(R"(build:
  env: {1A: x, OK: [y]}
  cmds: {make: all}
  pre: [[a]]
  docker: yes
  environment: {}
tasks:
  lint:
    image: "Not An Image"
    cmd: ""
  unit:
    image: local/u:1
    post: x
    cmd: [a]
)") == "t.yaml:1:1: \"build\" has no \"image\": a step runs in a container of its image\n"
       "t.yaml:2:9: \"env\" in \"build\": \"1A\" is not a variable name (letters, digits and \"_\", not starting with a digit)\n"
       "t.yaml:2:20: \"OK\" in \"env\" in \"build\" must be a string, not a list\n"
       "t.yaml:3:9: \"cmds\" in \"build\" must be a string or a list of strings, not a mapping\n"
       "t.yaml:4:9: an item of \"pre\" in \"build\" must be a string, not a list\n"
       "t.yaml:5:11: \"docker\" in \"build\" must be true or false, not \"yes\"\n"
       "t.yaml:6:3: unknown key \"environment\" in \"build\", did you mean \"env\"?\n"
       "t.yaml:9:12: \"image\" in task \"lint\" is not a valid image reference: "
       "image names have lowercase letters, digits and separators (\".\", \"_\", \"-\") between them\n"
       "t.yaml:10:10: \"cmd\" in task \"lint\" is empty\n"
       "t.yaml:14:5: \"cmd\" in task \"unit\" cannot be given with \"post\": \"cmd\" is an argv run without a shell, "
       "\"pre\", \"cmds\" and \"post\" are shell lines");
    }
    SUBCASE("task names") {
        CHECK(problems(R"(tasks:
  Lint: {image: a}
  build: {image: a}
  9a: {image: a}
  a-very-long-task-name-of-more-than-forty-chars: {image: a}
  ok-name_1: {image: a}
  release: {image: a}
)") == "t.yaml:2:3: invalid task name \"Lint\": lowercase letters, digits, \"-\" and \"_\", starting with a letter, "
       "at most 40 characters\n"
       "t.yaml:3:3: invalid task name \"build\": \"build\" and \"release\" are steps of their own\n"
       "t.yaml:4:3: invalid task name \"9a\": lowercase letters, digits, \"-\" and \"_\", starting with a letter, "
       "at most 40 characters\n"
       "t.yaml:5:3: invalid task name \"a-very-long-task-name-of-more-than-forty-chars\": lowercase letters, "
       "digits, \"-\" and \"_\", starting with a letter, at most 40 characters\n"
       "t.yaml:7:3: invalid task name \"release\": \"build\" and \"release\" are steps of their own");
        CHECK(problems("tasks:\n  - lint: {image: a}\n  - lint: {image: b}\n") ==
              "t.yaml:3:5: duplicate key \"lint\" in \"tasks\" (first defined on line 2)");
        CHECK(problems("tasks: lint\n") ==
              "t.yaml:1:8: \"tasks\" must be a mapping of task names to steps or a list of single-key mappings, not a scalar");
    }
    SUBCASE("release: deploy with a container, deploy not a flag") {
        CHECK(problems(R"(build: {image: a}
release:
  deploy: true
  image: local/r:1
)") == "t.yaml:3:3: \"deploy\" in \"release\" cannot be given with \"image\": a release deploys the template or "
       "runs a container, not both");
        CHECK(problems("release: {deploy: on}\n") == "t.yaml:1:19: \"deploy\" in \"release\" must be true or false, not \"on\"");
        CHECK(problems("build: {image: a, deploy: true}\n") ==
              "t.yaml:1:19: unknown key \"deploy\" in \"build\"");
    }
}

TEST_CASE("render::validate and render with a pipeline section") {
    SUBCASE("validate passes: pipeline values are not calzion variables") {
        CHECK(joined(validate_problems(k_template)) == "");
    }
    SUBCASE("validate reports the pipeline's problems with the template's") {
        CHECK(joined(validate_problems(R"(web:
  image: local/web:1
  imgae: x
pipeline:
  build: {cmds: [make]}
  tasks: {Lint: {image: a}}
)")) == "t.yaml:3:3: unknown key \"imgae\" in service \"web\", did you mean \"image\"?\n"
        "t.yaml:5:3: \"build\" has no \"image\": a step runs in a container of its image\n"
        "t.yaml:6:11: invalid task name \"Lint\": lowercase letters, digits, \"-\" and \"_\", starting with a letter, "
        "at most 40 characters");
    }
    SUBCASE("render renders the services and leaves the pipeline alone") {
        auto deployment = render_yaml(k_template);
        REQUIRE(deployment.services.size() == 1);
        CHECK(deployment.services[0].name == "web");
        CHECK(deployment.services[0].image == "local/web:1");
    }
    SUBCASE("pipeline is reserved: never a service, in either form") {
        CHECK(joined(validate_problems("pipeline: {build: {image: a}}\n")) == "t.yaml:1:1: the template defines no services");
        CHECK(joined(validate_problems("services:\n  web: {image: a}\npipeline: {build: {image: a}}\n")) == "");
        auto deployment = render_yaml("services:\n  web: {image: a}\npipeline: {build: {image: a}}\n");
        REQUIRE(deployment.services.size() == 1);
        CHECK(deployment.services[0].name == "web");
    }
}
