#include "gatewire/identify_queue.hpp"

namespace gatewire {

LocalIdentifyQueue::LocalIdentifyQueue(std::uint32_t max_concurrency,
                                       std::chrono::milliseconds spacing,
                                       std::optional<RateLimit> window)
    : scheduler_(max_concurrency, spacing, window) {}

TimePoint LocalIdentifyQueue::reserve(std::uint32_t shard_id, TimePoint now) {
    std::lock_guard lock(mutex_);
    return scheduler_.reserve(shard_id, now);
}

void LocalIdentifyQueue::set_limit(const SessionStartLimit& limit, TimePoint now) {
    std::lock_guard lock(mutex_);
    scheduler_.set_limit(limit, now);
}

}  // namespace gatewire
