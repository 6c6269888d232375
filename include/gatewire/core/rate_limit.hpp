/// @file
/// A limit of so many actions in any window of a given length.
#pragma once

#include <chrono>
#include <cstddef>

namespace gatewire {

/// At most `count` commands in any window of `per`.
struct RateLimit {
    std::size_t count;
    std::chrono::milliseconds per;
};

}  // namespace gatewire
