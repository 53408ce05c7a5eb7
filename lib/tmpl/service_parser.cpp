#include "tmpl/service_parser.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "tmpl/mounts.hpp"
#include "tmpl/names.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

const std::vector<std::string> k_service_keys = {
    "image",    "git",    "build",   "cmd",    "entrypoint", "env",    "secrets", "volumes",
    "ports",    "register", "expose", "depends_on", "healthcheck", "init", "restart", "update",
    "labels",   "user",   "workdir", "memory", "cpus",       "options", "pull"};

namespace {

// What a key handler needs: the service being filled, the value, and a name for messages.
struct Field {
    Service& service;
    const Node& value;
    Reader& reader;
    std::string what;  // "\"cmd\" in service \"web\""
};

using Handler = std::function<void(Field&)>;

void read_image(Field& f) {
    auto text = f.reader.string(f.value, f.what);
    if (!text) {
        return;
    }
    if (!f.reader.deferred(f.value)) {
        if (auto problem = image_reference_problem(*text)) {
            f.reader.error(f.value, f.what + " is not a valid image reference: " + *problem);
            return;
        }
    }
    f.service.image = *text;
}

void read_build(Field& f) {
    Build build;
    if (f.value.is_scalar()) {
        build.context = f.value.text;
        f.service.build = build;
        return;
    }
    if (!f.value.is_mapping()) {
        f.reader.error(f.value, f.what + " must be a path or a mapping of \"context\", \"dockerfile\", \"args\" and " +
                                    "\"target\", not " + describe(f.value));
        return;
    }
    check_known_keys(f.value, {"context", "dockerfile", "args", "target"}, f.what, *f.reader.diagnostics());
    for (const auto& [key, value] : f.value.entries) {
        std::string what = util::quoted(key.text) + " in " + f.what;
        if (key.text == "context") {
            build.context = f.reader.string(value, what).value_or(".");
        } else if (key.text == "dockerfile") {
            build.dockerfile = f.reader.string(value, what).value_or("");
        } else if (key.text == "target") {
            build.target = f.reader.string(value, what).value_or("");
        } else if (key.text == "args") {
            build.args = f.reader.string_map(value, what);
        }
    }
    f.service.build = build;
}

void read_env(Field& f, std::map<std::string, std::string>& target) { target = f.reader.env_map(f.value, f.what); }

void read_labels(Field& f) {
    f.service.labels = f.reader.string_map(f.value, f.what);
    for (const auto& [name, value] : f.service.labels) {
        if (util::starts_with(name, "io.calzion.")) {
            f.reader.error(entry_node(f.value, name), "label " + util::quoted(name) + " in service " +
                                                          util::quoted(f.service.name) +
                                                          ": labels under \"io.calzion.\" are set by calzion");
        }
    }
}

void read_secrets(Field& f) {
    auto names = f.reader.string_list(f.value, f.what);
    for (const auto& item : f.value.items) {
        if (item.is_scalar() && !is_env_name(item.text)) {
            f.reader.error(item, f.what + ": " + util::quoted(item.text) + " is not a variable name");
        }
    }
    f.service.secrets = names.value_or(std::vector<std::string>{});
}

void read_depends_on(Field& f) {
    if (!f.reader.string_list(f.value, f.what)) {
        return;
    }
    for (const auto& item : f.value.items) {
        f.service.depends_on.push_back(item.text);
        f.service.depends_on_where.push_back(item.where);
    }
}

void read_workdir(Field& f) {
    auto text = f.reader.string(f.value, f.what);
    if (!text) {
        return;
    }
    // Empty leaves the image's own working directory.
    if (!text->empty() && text->front() != '/' && !f.reader.deferred(f.value)) {
        f.reader.error(f.value, f.what + " must be an absolute path, not " + util::quoted(*text));
        return;
    }
    f.service.workdir = *text;
}

// Read a list of strings, each parsed by `parse` (which says what is wrong in
// `problem`) into `target`; `noun` names an item in messages ("volume", "port").
template <typename T, typename Parse>
void read_parsed_list(Field& f, std::vector<T>& target, Parse parse, const std::string& noun) {
    if (!f.value.is_sequence()) {
        f.reader.string_list(f.value, f.what);
        return;
    }
    for (const auto& item : f.value.items) {
        auto text = f.reader.string(item, "an item of " + f.what);
        if (!text || f.reader.deferred(item)) {
            continue;
        }
        std::string problem;
        if (auto parsed = parse(*text, problem)) {
            target.push_back(*parsed);
        } else {
            f.reader.error(item, "invalid " + noun + " " + util::quoted(*text) + ": " + problem);
        }
    }
}

void read_volumes(Field& f) { read_parsed_list(f, f.service.volumes, parse_volume, "volume"); }
void read_ports(Field& f) { read_parsed_list(f, f.service.ports, parse_port, "port"); }

void read_register(Field& f) {
    if (!f.value.is_mapping()) {
        f.reader.error(f.value, f.what + " must be a mapping of port numbers to names, not " + describe(f.value));
        return;
    }
    std::map<std::string, int> seen;
    for (const auto& [key, value] : f.value.entries) {
        auto port = f.reader.integer(key, "a port in " + f.what, 1, 65535);
        auto name = f.reader.string(value, "the name of port " + key.text + " in " + f.what);
        if (!port || !name) {
            continue;
        }
        if (dns_label_problem(*name)) {
            f.reader.error(value, "port name " + util::quoted(*name) + " in " + f.what +
                                      " must be lowercase letters, digits and \"-\"");
        } else if (!seen.emplace(*name, *port).second) {
            f.reader.error(value, "port name " + util::quoted(*name) + " is registered twice in " + f.what);
        }
        f.service.registered[*port] = *name;
    }
}

void read_expose_entry(Field& f, const Node& key, const Node& value) {
    Expose expose;
    expose.where = key.where;
    expose.format = "{host}:{port}";
    std::string target = key.text;
    size_t colon = target.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == target.size()) {
        f.reader.error(key, "a key of " + f.what + " must read \"service:port\", where port is a registered name" +
                                " or a number, not " + util::quoted(target));
        return;
    }
    expose.service = target.substr(0, colon);
    expose.port = target.substr(colon + 1);
    std::string what = util::quoted(target) + " in " + f.what;
    if (value.is_mapping()) {
        check_known_keys(value, {"env", "format"}, what, *f.reader.diagnostics());
        for (const auto& [k, v] : value.entries) {
            if (k.text == "env") {
                expose.env = f.reader.string(v, "\"env\" of " + what).value_or("");
            } else if (k.text == "format") {
                expose.format = f.reader.string(v, "\"format\" of " + what).value_or(expose.format);
            }
        }
        if (expose.env.empty()) {
            f.reader.error(value, what + " needs \"env\", the variable to set");
        }
    } else {
        expose.env = f.reader.string(value, what).value_or("");
    }
    if (!expose.env.empty() && !is_env_name(expose.env) && !f.reader.deferred(value)) {
        f.reader.error(value, what + ": " + util::quoted(expose.env) + " is not a variable name");
        return;
    }
    if (!expose.env.empty()) {
        f.service.expose.push_back(expose);
    }
}

void read_expose(Field& f) {
    if (!f.value.is_mapping()) {
        f.reader.error(f.value, f.what + " must be a mapping of \"service:port\" to a variable name, not " +
                                    describe(f.value));
        return;
    }
    for (const auto& [key, value] : f.value.entries) {
        if (key.is_scalar()) {
            read_expose_entry(f, key, value);
        } else {
            f.reader.error(key, "a key of " + f.what + " must be a string, not " + describe(key));
        }
    }
}

void read_healthcheck(Field& f) {
    if (!f.value.is_mapping()) {
        f.reader.error(f.value, f.what + " must be a mapping of \"cmd\", \"interval\", \"timeout\", \"retries\" and " +
                                    "\"start_period\", not " + describe(f.value));
        return;
    }
    check_known_keys(f.value, {"cmd", "interval", "timeout", "retries", "start_period"}, f.what,
                     *f.reader.diagnostics());
    Healthcheck check;
    bool has_cmd = false;
    for (const auto& [key, value] : f.value.entries) {
        std::string what = util::quoted(key.text) + " in " + f.what;
        if (key.text == "cmd") {
            has_cmd = true;
            if (value.is_scalar()) {
                check.cmd = {value.text};
            } else {
                check.cmd = f.reader.string_list(value, what).value_or(std::vector<std::string>{});
            }
        } else if (key.text == "retries") {
            check.retries = f.reader.integer(value, what, 1, 1000);
        } else if (key.text == "interval") {
            check.interval = f.reader.duration(value, what).value_or("");
        } else if (key.text == "timeout") {
            check.timeout = f.reader.duration(value, what).value_or("");
        } else if (key.text == "start_period") {
            check.start_period = f.reader.duration(value, what).value_or("");
        }
    }
    if (!has_cmd) {
        f.reader.error(f.value, f.what + " needs \"cmd\", the command that tells whether the service is healthy");
    }
    f.service.healthcheck = check;
}

void read_init(Field& f) {
    if (f.value.is_scalar()) {
        if (auto words = f.reader.command(f.value, f.what)) {
            f.service.init.push_back(*words);
        }
        return;
    }
    if (!f.value.is_sequence()) {
        f.reader.error(f.value, f.what + " must be a command or a list of commands, not " + describe(f.value));
        return;
    }
    for (const auto& item : f.value.items) {
        auto words = f.reader.command(item, "a command of " + f.what);
        if (!words) {
            continue;
        }
        // `init: [sh, -c, "..."]` is three commands; one written as words needs a
        // list of its own. No program is called "-c".
        if (item.is_scalar() && util::starts_with(words->front(), "-") && !f.reader.deferred(item)) {
            f.reader.error(item, "a command of " + f.what + " starts with " + util::quoted(words->front()) +
                                     ": each item is a command; write one command as words in a list of its "
                                     "own, [[sh, -c, \"...\"]]");
            continue;
        }
        f.service.init.push_back(*words);
    }
}

void read_restart(Field& f) {
    auto text = f.reader.string(f.value, f.what);
    if (!text) {
        return;
    }
    bool valid = *text == "no" || *text == "always" || *text == "unless-stopped" || *text == "on-failure" ||
                 (util::starts_with(*text, "on-failure:") && text->size() > 11 &&
                  text->find_first_not_of("0123456789", 11) == std::string::npos);
    if (!valid && !f.reader.deferred(f.value)) {
        f.reader.error(f.value, f.what + " must be \"no\", \"always\", \"unless-stopped\" or \"on-failure[:N]\", not " +
                                    util::quoted(*text));
        return;
    }
    f.service.restart = *text;
}

void read_memory(Field& f) {
    auto text = f.reader.string(f.value, f.what);
    if (!text || f.reader.deferred(f.value)) {
        return;
    }
    size_t digits = text->find_first_not_of("0123456789");
    bool valid = digits != 0 && (digits == std::string::npos ||
                                 (digits + 1 == text->size() && std::string("bkmgBKMG").find(text->back()) != std::string::npos));
    if (!valid) {
        f.reader.error(f.value, f.what + " must be a size such as \"512m\" or \"2g\", not " + util::quoted(*text));
        return;
    }
    f.service.memory = *text;
}

void read_cpus(Field& f) {
    auto text = f.reader.string(f.value, f.what);
    if (!text || f.reader.deferred(f.value)) {
        return;
    }
    char* end = nullptr;
    double value = std::strtod(text->c_str(), &end);
    if (end != text->c_str() + text->size() || !(value > 0) || value > 1024 || text->find_first_of("eExXnN") != std::string::npos) {
        f.reader.error(f.value, f.what + " must be a positive number such as \"0.5\" or \"2\", not " + util::quoted(*text));
        return;
    }
    f.service.cpus = *text;
}

void read_options(Field& f) {
    // Flags calzion itself manages would silently break naming, networking or updates.
    static const std::vector<std::string> managed = {"--name", "--network", "--net", "--rm", "-d", "--detach",
                                                     "--network-alias", "--net-alias", "-it", "-i", "-t"};
    auto words = f.reader.command(f.value, f.what);
    for (const auto& word : words.value_or(std::vector<std::string>{})) {
        std::string flag = word.substr(0, word.find('='));
        if (std::find(managed.begin(), managed.end(), flag) != managed.end()) {
            f.reader.error(f.value, f.what + ": " + util::quoted(flag) + " is managed by calzion and cannot be set here");
        }
    }
    f.service.options = words.value_or(std::vector<std::string>{});
}

void read_string_into(Field& f, std::string& target) { target = f.reader.string(f.value, f.what).value_or(""); }

const std::map<std::string, Handler>& handlers() {
    static const std::map<std::string, Handler> table = {
        {"image", read_image},
        {"git", [](Field& f) { f.service.git = f.reader.string(f.value, f.what); }},
        {"build", read_build},
        {"cmd", [](Field& f) { f.service.cmd = f.reader.command(f.value, f.what); }},
        {"entrypoint", [](Field& f) { f.service.entrypoint = f.reader.command(f.value, f.what); }},
        {"env", [](Field& f) { read_env(f, f.service.env); }},
        {"secrets", read_secrets},
        {"volumes", read_volumes},
        {"ports", read_ports},
        {"register", read_register},
        {"expose", read_expose},
        {"depends_on", read_depends_on},
        {"healthcheck", read_healthcheck},
        {"init", read_init},
        {"restart", read_restart},
        {"update", [](Field& f) { f.service.update = f.reader.choice(f.value, f.what, {"start-first", "stop-first"}).value_or(""); }},
        {"pull", [](Field& f) { f.service.pull = f.reader.choice(f.value, f.what, {"always", "missing", "never"}).value_or(""); }},
        {"labels", read_labels},
        {"user", [](Field& f) { read_string_into(f, f.service.user); }},
        {"workdir", read_workdir},
        {"memory", read_memory},
        {"cpus", read_cpus},
        {"options", read_options},
    };
    return table;
}

void check_service(const Service& service, const ServiceEntry& entry, Reader& reader) {
    const Node& body = *entry.body;
    if (!entry.image_from_key.empty()) {
        if (auto problem = image_reference_problem(entry.image_from_key)) {
            reader.error(*entry.key, util::quoted(entry.image_from_key) + " is not a valid image reference: " + *problem);
        }
    }
    if (!service.image.empty() && (service.git || service.build)) {
        reader.error(body, "service " + util::quoted(service.name) +
                               " has both \"image\" and \"git\" or \"build\": built images are named by calzion");
    }
    // Two containers cannot publish one host port: a new container started
    // beside the old one would fail on every change.
    bool publishes = std::any_of(service.ports.begin(), service.ports.end(),
                                 [](const Port& port) { return port.host_port != 0; });
    if (service.update == "start-first" && publishes) {
        for (const auto& [key, value] : body.entries) {
            if (key.text == "update") {
                reader.error(value, "service " + util::quoted(service.name) +
                                        " publishes host ports, so it cannot be updated \"start-first\": the new "
                                        "container could not start beside the old one (use \"stop-first\")");
            }
        }
    }
}

}  // namespace

Service parse_service(const ServiceEntry& entry, Reader& reader) {
    Service service;
    service.name = entry.name;
    service.where = entry.key->where;
    const Node& body = *entry.body;
    if (!body.is_null() && !body.is_mapping()) {
        reader.error(body, "service " + util::quoted(entry.name) + " must be a mapping of settings, not " + describe(body));
        return service;
    }
    std::string in_service = "service " + util::quoted(entry.name);
    check_known_keys(body, k_service_keys, in_service, *reader.diagnostics());
    for (const auto& [key, value] : body.entries) {
        auto handler = handlers().find(key.text);
        if (key.is_scalar() && handler != handlers().end()) {
            Field field{service, value, reader, util::quoted(key.text) + " in " + in_service};
            handler->second(field);
        }
    }
    check_service(service, entry, reader);
    // A key that reads as an image reference names the image, unless `image` says
    // otherwise; a bare key with nothing to build from is an image name too ("redis:").
    if (service.image.empty() && !service.git && !service.build) {
        service.image = entry.image_from_key.empty() ? entry.name : entry.image_from_key;
    }
    return service;
}

}  // namespace calzion::tmpl
