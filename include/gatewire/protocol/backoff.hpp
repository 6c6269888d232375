/// @file
/// Reconnect delays: exponential with jitter and a cap, so a failing server
/// never sees a reconnect storm.
#pragma once

#include "gatewire/core/export.hpp"

#include <chrono>

namespace gatewire {

struct GATEWIRE_API Backoff {
    std::chrono::milliseconds initial{1000};  ///< the delay after the second failure in a row
    std::chrono::milliseconds max{60000};
    /// READY or RESUMED resets the failure count. Connections in a row that
    /// were ready for less than this count as failures all the same (after
    /// the first), so a server that drops every session right after READY
    /// sees no storm.
    std::chrono::milliseconds stable_after{30000};

    /// The delay before attempt `failures` (0: the first after a healthy
    /// connection, which is immediate). `random` is in [0, 1).
    std::chrono::milliseconds delay(unsigned failures, double random) const noexcept;
};

}  // namespace gatewire
