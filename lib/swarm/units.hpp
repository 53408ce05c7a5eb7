#pragma once

// Docker's units, as the template writes them and as Swarm keeps them.

#include <optional>
#include <string>

namespace calzion::swarm {

// A duration as the template writes it ("30s", "1m30s", "500ms", "10")
// in nanoseconds; nullopt when it is none.
std::optional<long long> duration_ns(const std::string& text);

// Nanoseconds as a duration docker reads back to the same value: "90s",
// "1500ms", "0s".
std::string duration_text(long long ns);

// A size as the template writes it ("512m", "2g", "1024") in bytes (1k is
// 1024, as docker reads it); nullopt when it is none.
std::optional<long long> size_bytes(const std::string& text);

// Bytes in the largest unit that holds them whole: "512m", "3k", "100".
std::string size_text(long long bytes);

// CPUs as the template writes them ("0.5", "2") in billionths; nullopt when
// it is none.
std::optional<long long> nano_cpus(const std::string& text);

// Billionths of a CPU as a decimal: "0.5", "2".
std::string cpus_text(long long nano);

}  // namespace calzion::swarm
