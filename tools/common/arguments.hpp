// What the command-line tools share: numbers checked against their range, so
// `--port 70000` or `--shards -1` is an error naming the option, not a
// silently wrapped value.
#pragma once

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace gatewire::tools {

inline std::uint64_t bounded_number(const std::string& option, const std::string& text,
                                    std::uint64_t low, std::uint64_t high) {
    std::uint64_t n = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, n);
    if (text.empty() || error != std::errc() || stop != end || n < low || n > high) {
        throw std::runtime_error(option + " " + text + ": wants a whole number from " +
                                 std::to_string(low) + " to " + std::to_string(high));
    }
    return n;
}

}  // namespace gatewire::tools
