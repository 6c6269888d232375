/// @file
/// Reconnect delays: exponential with jitter and a cap, so a failing server
/// never sees a reconnect storm.
#pragma once

#include "gatewire/export.hpp"

#include <chrono>

namespace gatewire {

struct GATEWIRE_API Backoff {
    std::chrono::milliseconds initial{1000};  ///< the delay after the second failure in a row
    std::chrono::milliseconds max{60000};
    /// A connection that stayed ready this long resets the failure count.
    std::chrono::milliseconds stable_after{30000};

    /// The delay before attempt `failures` (0: the first after a healthy
    /// connection, which is immediate). `random` is in [0, 1).
    std::chrono::milliseconds delay(unsigned failures, double random) const noexcept;
};

}  // namespace gatewire
