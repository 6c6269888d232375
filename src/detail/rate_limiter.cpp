#include "gatewire/detail/rate_limiter.hpp"

namespace gatewire {

void RateLimiter::expire(TimePoint now) noexcept {
    while (!sent_.empty() && sent_.front() + limit_.per <= now) {
        sent_.pop_front();
    }
}

bool RateLimiter::allows(TimePoint now, std::size_t reserve) noexcept {
    expire(now);
    std::size_t budget = limit_.count > reserve ? limit_.count - reserve : 0;
    return sent_.size() < budget;
}

void RateLimiter::record(TimePoint now) {
    expire(now);  // an idle shard's heartbeats alone must not pile up
    sent_.push_back(now);
}

RateLimiter::TimePoint RateLimiter::next_slot(std::size_t reserve) const noexcept {
    std::size_t budget = limit_.count > reserve ? limit_.count - reserve : 0;
    if (sent_.size() < budget) {
        return TimePoint{};
    }
    if (budget == 0) {
        return TimePoint::max();
    }
    // The window frees a slot when the oldest command that keeps us at the budget expires.
    return sent_[sent_.size() - budget] + limit_.per;
}

}  // namespace gatewire
