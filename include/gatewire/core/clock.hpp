/// @file
/// The clock every timed rule of gatewire reads: monotonic, so a wall-clock
/// jump never fires a heartbeat early or holds a reconnect back.
#pragma once

#include <chrono>

namespace gatewire {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

}  // namespace gatewire
