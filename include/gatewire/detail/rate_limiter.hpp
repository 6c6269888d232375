/// @file
/// A sliding-window limit on commands sent on one connection.
#pragma once

#include "gatewire/core/export.hpp"

#include <chrono>
#include <cstddef>
#include <deque>

#include "gatewire/core/rate_limit.hpp"

namespace gatewire {

class GATEWIRE_API RateLimiter {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit RateLimiter(RateLimit limit) : limit_(limit) {}

    /// Whether one more command fits while keeping `reserve` slots free.
    bool allows(TimePoint now, std::size_t reserve = 0) noexcept;
    void record(TimePoint now);
    /// The earliest time allows(·, reserve) becomes true (a past time: at once).
    TimePoint next_slot(std::size_t reserve = 0) const noexcept;
    /// Commands held in the window (at most its count, once expired ones go).
    std::size_t recorded() const noexcept { return sent_.size(); }

  private:
    void expire(TimePoint now) noexcept;
    RateLimit limit_;
    std::deque<TimePoint> sent_;
};

}  // namespace gatewire
