// What every fuzz target shares: a check that stops the run with a message
// (libFuzzer saves the input), and cutting input into pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition)                                                                  \
    do {                                                                                       \
        if (!(condition)) {                                                                    \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (false)

namespace gatewire::fuzz {

using Bytes = std::span<const std::uint8_t>;

// GATEWIRE_FUZZ_TRACE set: a target says what it saw, to read a finding by.
// Read once: the targets run millions of inputs.
inline bool tracing() {
    static const bool on = std::getenv("GATEWIRE_FUZZ_TRACE") != nullptr;
    return on;
}

inline std::string_view text_of(Bytes bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Pieces of `bytes`, each ending just after `separator` (the last one may
// not end with it).
inline std::vector<Bytes> split_after(Bytes bytes, std::string_view separator) {
    std::vector<Bytes> pieces;
    std::string_view text = text_of(bytes);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t at = text.find(separator, start);
        std::size_t end = at == std::string_view::npos ? text.size() : at + separator.size();
        pieces.push_back(bytes.subspan(start, end - start));
        start = end;
    }
    return pieces;
}

// A small deterministic generator seeded from the input, for choices a
// target makes beyond the bytes themselves.
struct Choices {
    std::uint64_t state;
    explicit Choices(Bytes bytes) : state(0x9E3779B97F4A7C15ull) {
        for (std::uint8_t b : bytes) {
            state = (state ^ b) * 0x100000001B3ull;
        }
    }
    std::uint64_t next() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1Dull;
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

}  // namespace gatewire::fuzz
