#include "util/sha256.hpp"

#include <doctest/doctest.h>

#include <string>

using calzion::util::sha256_hex;

namespace {

// n bytes "abc...zabc...", the inputs whose digests were taken with sha256sum.
std::string alphabet(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += static_cast<char>('a' + i % 26);
    }
    return out;
}

}  // namespace

TEST_CASE("util::sha256") {
    SUBCASE("FIPS 180-4 vectors") {
        CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(sha256_hex(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    SUBCASE("lengths around the padding boundary, checked with sha256sum") {
        CHECK(sha256_hex(alphabet(55)) == "595615dbe4f0f407ae397d08b4c2cb870cb9b0e11937416f950c5160acf9c005");
        CHECK(sha256_hex(alphabet(56)) == "784f623b787495078e93ff28a25b581df0584055a7e71d8cd90c454716b92f51");
        CHECK(sha256_hex(alphabet(63)) == "5ca3e1ef5207490eac01a795e5cc94d59582a5118bf9534665c8668d87aa647c");
        CHECK(sha256_hex(alphabet(64)) == "2fcd5a0d60e4c941381fcc4e00a4bf8be422c3ddfafb93c809e8d1e2bfffae8e");
        CHECK(sha256_hex(alphabet(65)) == "1b3cd1877ab2f2f19f7be001722554f336cb799df0329de0bb4c118dc6abc06d");
    }
    SUBCASE("binary input, checked with sha256sum") {
        std::string every_byte;
        for (int i = 0; i < 256; ++i) {
            every_byte += static_cast<char>(i);
        }
        CHECK(sha256_hex(every_byte) == "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
        CHECK(sha256_hex(std::string("a\0b", 3)) ==
              "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
    }
}
