#include "ssh/config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

using calzion::ssh::ConfigValues;
using calzion::ssh::expand_path;
using calzion::ssh::IncludeLoader;
using calzion::ssh::parse_config;
using calzion::ssh::PathTokens;

namespace {

const IncludeLoader no_includes = [](const std::string&) { return std::vector<std::string>{}; };

std::vector<std::string> identities(std::string_view text, std::string_view alias,
                                    const IncludeLoader& include = no_includes) {
    return parse_config(text, alias, include).identity_files;
}

using List = std::vector<std::string>;

}  // namespace

TEST_CASE("ssh::parse_config") {
    SUBCASE("IdentityFile accumulates over matching blocks, in order") {
        std::string text = "IdentityFile ~/.ssh/global\n"
                           "Host web*\n"
                           "  HostName 10.0.0.1\n"
                           "  IdentityFile ~/.ssh/web\n"
                           "Host db1\n"
                           "  IdentityFile ~/.ssh/db\n"
                           "Host *\n"
                           "  IdentityFile=~/.ssh/all\n";
        CHECK(identities(text, "web1") == List{"~/.ssh/global", "~/.ssh/web", "~/.ssh/all"});
        CHECK(identities(text, "db1") == List{"~/.ssh/global", "~/.ssh/db", "~/.ssh/all"});
        CHECK(identities(text, "other") == List{"~/.ssh/global", "~/.ssh/all"});
    }

    SUBCASE("patterns: several, negated, ?, case-insensitive") {
        std::string text = "Host web? !web9 db1\n"
                           "  IdentityFile /k/a\n"
                           "host WEB9\n"
                           "  identityfile /k/b\n";
        CHECK(identities(text, "web1") == List{"/k/a"});
        CHECK(identities(text, "db1") == List{"/k/a"});
        CHECK(identities(text, "web9") == List{"/k/b"});
        CHECK(identities(text, "web10").empty());
        CHECK(identities(text, "Web1") == List{"/k/a"});
    }

    SUBCASE("comments, blank lines, quotes and none") {
        std::string text = "# a comment\n"
                           "\n"
                           "Host web1\n"
                           "   # indented comment\n"
                           "  IdentityFile \"/path with space/key\"\n"
                           "  IdentityFile none\n"
                           "\tIdentityFile\t/tab/key\r\n";
        CHECK(identities(text, "web1") == List{"/path with space/key", "/tab/key"});
    }

    SUBCASE("Match blocks") {
        std::string text = "Match all\n"
                           "  IdentityFile /k/all\n"
                           "Match host web*,db1\n"
                           "  IdentityFile /k/host\n"
                           "Match originalhost !web2,web*\n"
                           "  IdentityFile /k/original\n"
                           "Match exec true\n"
                           "  IdentityFile /k/exec\n"
                           "Match user root\n"
                           "  IdentityFile /k/user\n";
        CHECK(identities(text, "web1") == List{"/k/all", "/k/host", "/k/original"});
        CHECK(identities(text, "web2") == List{"/k/all", "/k/host"});
        CHECK(identities(text, "db1") == List{"/k/all", "/k/host"});
        CHECK(identities(text, "x") == List{"/k/all"});
    }

    SUBCASE("Include, only where active") {
        std::map<std::string, std::vector<std::string>> files{
            {"conf.d/*", {"IdentityFile /k/included\nHost web1\n  IdentityFile /k/included-web1\n"}},
            {"other", {"IdentityFile /k/other\n"}},
        };
        IncludeLoader include = [&](const std::string& pattern) { return files[pattern]; };
        std::string text = "Include conf.d/*\n"
                           "Host db1\n"
                           "  Include other\n";
        CHECK(identities(text, "web1", include) == List{"/k/included", "/k/included-web1"});
        CHECK(identities(text, "db1", include) == List{"/k/included", "/k/other"});
    }

    SUBCASE("known_hosts files and StrictHostKeyChecking: the first value wins") {
        std::string text = "Host web1\n"
                           "  UserKnownHostsFile ~/.ssh/a \"/b c\" %d/c\n"
                           "  StrictHostKeyChecking Accept-New\n"
                           "Host *\n"
                           "  UserKnownHostsFile /never\n"
                           "  GlobalKnownHostsFile=/etc/g1 /etc/g2\n"
                           "  StrictHostKeyChecking yes\n";
        ConfigValues web1 = parse_config(text, "web1", no_includes);
        CHECK(web1.user_known_hosts == List{"~/.ssh/a", "/b c", "%d/c"});
        CHECK(web1.global_known_hosts == List{"/etc/g1", "/etc/g2"});
        CHECK(web1.strict_host_key_checking == "accept-new");
        ConfigValues other = parse_config(text, "other", no_includes);
        CHECK(other.user_known_hosts == List{"/never"});
        CHECK(other.strict_host_key_checking == "yes");
        CHECK(parse_config("", "web1", no_includes).strict_host_key_checking.empty());
    }

    SUBCASE("an Include cycle ends") {
        IncludeLoader include = [](const std::string&) {
            return std::vector<std::string>{"IdentityFile /k/loop\nInclude self\n"};
        };
        CHECK(identities("Include self\n", "web1", include).size() == 16);
    }
}

TEST_CASE("ssh::expand_path") {
    PathTokens tokens{"/home/ann", "ann", "laptop", "10.0.0.1", "deploy", "2222", "1000"};
    CHECK(expand_path("~/.ssh/id_ed25519", tokens) == "/home/ann/.ssh/id_ed25519");
    CHECK(expand_path("%d/.ssh/%r@%h:%p", tokens) == "/home/ann/.ssh/deploy@10.0.0.1:2222");
    CHECK(expand_path("/keys/%u-%l-%i-100%%", tokens) == "/keys/ann-laptop-1000-100%");
    CHECK(expand_path("/keys/%x%", tokens) == "/keys/%x%");
    CHECK(expand_path("/a/~/b", tokens) == "/a/~/b");
}

TEST_CASE("ssh::read_config_file") {
    std::string dir = "/tmp/calzion-test-ssh-config-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir + "/conf.d");
    std::ofstream(dir + "/config") << "Include conf.d/*.conf\nHost web1\n  IdentityFile ~/.ssh/web1\n";
    std::ofstream(dir + "/conf.d/a.conf") << "Host web*\n  IdentityFile /k/a\n";
    std::ofstream(dir + "/conf.d/b.conf") << "Host web*\n  IdentityFile /k/b\n";
    CHECK(calzion::ssh::read_config_file(dir + "/config", "web1", dir, "/home/ann").identity_files ==
          List{"/k/a", "/k/b", "~/.ssh/web1"});
    CHECK(calzion::ssh::read_config_file(dir + "/missing", "web1", dir, "/home/ann").identity_files.empty());
    std::filesystem::remove_all(dir);
}
