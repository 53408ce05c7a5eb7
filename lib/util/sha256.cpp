// SHA-256 as specified in FIPS 180-4, section 6.2: the message is padded to a
// multiple of 64 bytes (a 0x80 byte, zeros, and the length in bits as a 64-bit
// big-endian number) and each 64-byte block is folded into eight 32-bit words of
// state by 64 rounds. Full blocks are read straight from the input; only the last
// one or two (padded) blocks are copied.

#include "util/sha256.hpp"

#include <array>
#include <bit>
#include <cstdint>

namespace calzion::util {

namespace {

constexpr size_t k_block_size = 64;

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr std::array<uint32_t, 64> k_round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// The first 32 bits of the fractional parts of the square roots of the first 8 primes.
constexpr std::array<uint32_t, 8> k_initial_state = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

using State = std::array<uint32_t, 8>;

uint32_t load_big_endian(const unsigned char* bytes) {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

// The message schedule W[0..63] of one block.
std::array<uint32_t, 64> schedule(const unsigned char* block) {
    std::array<uint32_t, 64> w{};
    for (size_t t = 0; t < 16; ++t) {
        w[t] = load_big_endian(block + 4 * t);
    }
    for (size_t t = 16; t < 64; ++t) {
        const uint32_t s0 = std::rotr(w[t - 15], 7) ^ std::rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const uint32_t s1 = std::rotr(w[t - 2], 17) ^ std::rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    return w;
}

// Fold one 64-byte block into state.
void compress(State& state, const unsigned char* block) {
    const std::array<uint32_t, 64> w = schedule(block);
    auto [a, b, c, d, e, f, g, h] = state;
    for (size_t t = 0; t < 64; ++t) {
        const uint32_t sigma1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        const uint32_t choose = (e & f) ^ (~e & g);
        const uint32_t t1 = h + sigma1 + choose + k_round_constants[t] + w[t];
        const uint32_t sigma0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        const uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t t2 = sigma0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    const State added = {a, b, c, d, e, f, g, h};
    for (size_t i = 0; i < state.size(); ++i) {
        state[i] += added[i];
    }
}

// Pad the last partial block (tail) of a message of total_size bytes and fold it in.
void compress_tail(State& state, std::string_view tail, uint64_t total_size) {
    // Room for the tail, the 0x80 byte and the 8-byte length: one block or two.
    std::array<unsigned char, 2 * k_block_size> padded{};
    const size_t blocks = tail.size() + 1 + 8 <= k_block_size ? 1 : 2;
    for (size_t i = 0; i < tail.size(); ++i) {
        padded[i] = static_cast<unsigned char>(tail[i]);
    }
    padded[tail.size()] = 0x80;
    const uint64_t bits = total_size * 8;
    const size_t end = blocks * k_block_size;
    for (size_t i = 0; i < 8; ++i) {
        padded[end - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
    }
    for (size_t i = 0; i < blocks; ++i) {
        compress(state, padded.data() + i * k_block_size);
    }
}

std::string to_hex(const State& state) {
    constexpr std::string_view digits = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (const uint32_t word : state) {
        for (int shift = 28; shift >= 0; shift -= 4) {
            out += digits[(word >> shift) & 0xF];
        }
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    State state = k_initial_state;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    const size_t full_blocks = data.size() / k_block_size;
    for (size_t i = 0; i < full_blocks; ++i) {
        compress(state, bytes + i * k_block_size);
    }
    compress_tail(state, data.substr(full_blocks * k_block_size), data.size());
    return to_hex(state);
}

}  // namespace calzion::util
