#include "ssh/known_hosts_file.hpp"

#include <doctest/doctest.h>

using calzion::ssh::check_known_hosts;
using calzion::ssh::host_field_matches;
using calzion::ssh::HostKeyStatus;
using calzion::ssh::HostKeyVerdict;
using calzion::ssh::known_hosts_name;
using calzion::ssh::KnownHostsText;
using calzion::ssh::PublicKey;

namespace {

// Real keys made with ssh-keygen: the host's, another of its type, and an ECDSA one.
const std::string k_ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJb8sW22Km8eCHtsUaOUqmjGIBYQ0FAAghPJne2jdbpA";
const std::string k_other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpxX4QoJfqhUOK7UcipPS3UhJ+bNlmJS8hP2ygBNZdx";
const std::string k_ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBBZD0g3JUrugU159"
                            "AQM5DIT5GZ7RrtZqYULIm8nqB5COm0doJ2R2BnfCv0SO65K8vYgrlRVzqIqvf43vYySjnZg=";

PublicKey key_of(const std::string& line) {
    size_t space = line.find(' ');
    return {line.substr(0, space), line.substr(space + 1)};
}

const PublicKey k_offered = key_of(k_ed);

// The verdict of one file "kh" on the host key k_ed offered by `name`.
HostKeyVerdict check(const std::string& text, const std::string& name = "web1.example") {
    return check_known_hosts({{"kh", text}}, name, k_offered);
}

std::string where(const HostKeyVerdict& verdict) {
    return verdict.file + ":" + std::to_string(verdict.line);
}

}  // namespace

TEST_CASE("ssh::known_hosts_name") {
    CHECK(known_hosts_name("web1.example", 22) == "web1.example");
    CHECK(known_hosts_name("Web1.Example", 2222) == "[web1.example]:2222");
    CHECK(known_hosts_name("::1", 2222) == "[::1]:2222");
}

TEST_CASE("ssh::host_field_matches") {
    SUBCASE("plain names and lists, without regard to case") {
        CHECK(host_field_matches("web1.example", "web1.example"));
        CHECK(host_field_matches("WEB1.example", "web1.EXAMPLE"));
        CHECK(host_field_matches("db,web1.example,10.0.0.1", "web1.example"));
        CHECK_FALSE(host_field_matches("web1.example", "web2.example"));
        CHECK_FALSE(host_field_matches("web1", "web1.example"));
    }
    SUBCASE("wildcards") {
        CHECK(host_field_matches("*.example", "web1.example"));
        CHECK(host_field_matches("web?.example", "web1.example"));
        CHECK_FALSE(host_field_matches("web?.example", "web10.example"));
        CHECK(host_field_matches("*", "anything"));
        CHECK(host_field_matches("w*1*", "web1.example"));
    }
    SUBCASE("negation excludes, whatever else matches") {
        CHECK_FALSE(host_field_matches("*.example,!web1.example", "web1.example"));
        CHECK_FALSE(host_field_matches("!web1.example,*.example", "web1.example"));
        CHECK(host_field_matches("*.example,!web2.example", "web1.example"));
        CHECK_FALSE(host_field_matches("!web2.example", "web1.example"));  // a negation alone matches nothing
    }
    SUBCASE("the [host]:port form") {
        CHECK(host_field_matches("[web1.example]:2222", "[web1.example]:2222"));
        CHECK_FALSE(host_field_matches("[web1.example]:2222", "web1.example"));
        CHECK_FALSE(host_field_matches("web1.example", "[web1.example]:2222"));
        CHECK(host_field_matches("[web?.example]:2222", "[web1.example]:2222"));
        CHECK(host_field_matches("[10.0.0.*]:*", "[10.0.0.7]:2222"));
    }
    SUBCASE("hashed names, made by ssh-keygen -H") {
        CHECK(host_field_matches("|1|X0WPXNsJzX7Xy8RGIFB4qFAXRmE=|TDoPxZRmkrbrXXm3bAE08mFXuJg=", "web1.example"));
        CHECK(host_field_matches("|1|l262uA9kcidsVvxG5TX99x5Nc9E=|W/5onj+ceXCUK3jmyvsQf+R3+kY=",
                                 "[web1.example]:2222"));
        CHECK_FALSE(host_field_matches("|1|X0WPXNsJzX7Xy8RGIFB4qFAXRmE=|TDoPxZRmkrbrXXm3bAE08mFXuJg=", "web2.example"));
        CHECK_FALSE(host_field_matches("|1|l262uA9kcidsVvxG5TX99x5Nc9E=|W/5onj+ceXCUK3jmyvsQf+R3+kY=", "web1.example"));
        CHECK_FALSE(host_field_matches("|1|not base64|TDoPxZRmkrbrXXm3bAE08mFXuJg=", "web1.example"));
        CHECK_FALSE(host_field_matches("|1|X0WPXNsJzX7Xy8RGIFB4qFAXRmE=", "web1.example"));
    }
}

TEST_CASE("ssh::check_known_hosts") {
    SUBCASE("plain line: known") {
        HostKeyVerdict verdict = check("# comment\n\nweb1.example " + k_ed + " a comment\n");
        CHECK(verdict.status == HostKeyStatus::known);
        CHECK(where(verdict) == "kh:3");
        CHECK(verdict.skipped.empty());
    }
    SUBCASE("no line for the host: unknown") {
        CHECK(check("web2.example " + k_ed + "\n").status == HostKeyStatus::unknown);
        CHECK(check("").status == HostKeyStatus::unknown);
        CHECK(check("web1.example " + k_ed + "\n", "[web1.example]:2222").status == HostKeyStatus::unknown);
    }
    SUBCASE("hashed line") {
        std::string text = "|1|X0WPXNsJzX7Xy8RGIFB4qFAXRmE=|TDoPxZRmkrbrXXm3bAE08mFXuJg= " + k_ed + "\n";
        CHECK(check(text).status == HostKeyStatus::known);
        CHECK(check(text, "web2.example").status == HostKeyStatus::unknown);
    }
    SUBCASE("wildcard line") {
        CHECK(check("*.example " + k_ed + "\n").status == HostKeyStatus::known);
    }
    SUBCASE("negated pattern: the line is not about the host") {
        CHECK(check("*.example,!web1.example " + k_ed + "\n").status == HostKeyStatus::unknown);
        CHECK(check("*.example,!web1.example " + k_other + "\n").status == HostKeyStatus::unknown);
    }
    SUBCASE("port form") {
        std::string text = "[web1.example]:2222 " + k_ed + "\n";
        CHECK(check(text, "[web1.example]:2222").status == HostKeyStatus::known);
        CHECK(check(text, "web1.example").status == HostKeyStatus::unknown);
        CHECK(check("web1.example " + k_other + "\n" + text, "[web1.example]:2222").status == HostKeyStatus::known);
    }
    SUBCASE("changed key") {
        HostKeyVerdict verdict = check("web2.example " + k_ed + "\nweb1.example " + k_other + "\n");
        CHECK(verdict.status == HostKeyStatus::changed);
        CHECK(where(verdict) == "kh:2");
    }
    SUBCASE("a line with the key wins over a line with another key of its type") {
        CHECK(check("web1.example " + k_other + "\nweb1.example " + k_ed + "\n").status == HostKeyStatus::known);
    }
    SUBCASE("several key types per host") {
        CHECK(check("web1.example " + k_ecdsa + "\nweb1.example " + k_ed + "\n").status == HostKeyStatus::known);
        HostKeyVerdict other = check("web1.example " + k_ecdsa + "\n");
        CHECK(other.status == HostKeyStatus::other_type);
        CHECK(where(other) == "kh:1");
        CHECK(check("web1.example " + k_ecdsa + "\nweb1.example " + k_other + "\n").status ==
              HostKeyStatus::changed);
    }
    SUBCASE("revoked: refused even where another line records the key") {
        HostKeyVerdict verdict = check("web1.example " + k_ed + "\n@revoked * " + k_ed + "\n");
        CHECK(verdict.status == HostKeyStatus::revoked);
        CHECK(where(verdict) == "kh:2");
        CHECK(check("@revoked web1.example " + k_ed + "\n").status == HostKeyStatus::revoked);
        CHECK(check_known_hosts({{"user", "web1.example " + k_ed + "\n"}, {"global", "@revoked * " + k_ed + "\n"}},
                                "web1.example", k_offered)
                  .status == HostKeyStatus::revoked);
    }
    SUBCASE("revoked: only the key listed, only for the hosts it names") {
        CHECK(check("web1.example " + k_ed + "\n@revoked * " + k_other + "\n").status == HostKeyStatus::known);
        CHECK(check("web1.example " + k_ed + "\n@revoked web2.example " + k_ed + "\n").status ==
              HostKeyStatus::known);
        CHECK(check("@revoked * " + k_other + "\n").status == HostKeyStatus::unknown);
    }
    SUBCASE("cert-authority lines are not host keys") {
        CHECK(check("@cert-authority *.example " + k_ed + "\n").status == HostKeyStatus::unknown);
        CHECK(check("@cert-authority *.example " + k_other + "\nweb1.example " + k_ed + "\n").status ==
              HostKeyStatus::known);
    }
    SUBCASE("a line that cannot be read is skipped, and the lines after it are read") {
        std::string text = "garbage\n"
                           "web1.example ssh-ed25519\n"
                           "web1.example ssh-ed25519 !!!notbase64\n"
                           "web1.example ssh-rsa " + key_of(k_ed).base64 + "\n"
                           "@unknown web1.example " + k_ed + "\n"
                           "web1.example " + k_ed + "\r\n";
        HostKeyVerdict verdict = check(text);
        CHECK(verdict.status == HostKeyStatus::known);
        CHECK(where(verdict) == "kh:6");
        CHECK(verdict.skipped == std::vector<std::string>{
                                     "kh:1: expected host patterns, a key type and a key",
                                     "kh:2: expected host patterns, a key type and a key",
                                     "kh:3: the key is not base64",
                                     "kh:4: the key is not of type \"ssh-rsa\"",
                                     "kh:5: unknown marker \"@unknown\"",
                                 });
    }
    SUBCASE("several files are read in order, the first deciding line named") {
        HostKeyVerdict verdict = check_known_hosts({{"a", "web1.example " + k_other + "\n"},
                                                    {"b", "web1.example " + k_other + "\n"}},
                                                   "web1.example", k_offered);
        CHECK(verdict.status == HostKeyStatus::changed);
        CHECK(where(verdict) == "a:1");
        CHECK(check_known_hosts({{"a", ""}, {"b", "web1.example " + k_ed + "\n"}}, "web1.example", k_offered)
                  .status == HostKeyStatus::known);
    }
}
