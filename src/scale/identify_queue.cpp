#include "gatewire/scale/identify_queue.hpp"

#include <spdlog/spdlog.h>

#include "gatewire/core/log.hpp"

namespace gatewire {

LocalIdentifyQueue::LocalIdentifyQueue(std::uint32_t max_concurrency,
                                       std::chrono::milliseconds spacing,
                                       std::optional<RateLimit> window)
    : scheduler_(max_concurrency, spacing, window) {}

TimePoint LocalIdentifyQueue::reserve_resume(std::uint32_t, TimePoint now) {
    std::lock_guard lock(mutex_);
    return scheduler_.reserve_window(now);
}

TimePoint LocalIdentifyQueue::reserve(std::uint32_t shard_id, TimePoint now) {
    std::lock_guard lock(mutex_);
    TimePoint slot = scheduler_.reserve(shard_id, now);
    if (scheduler_.waited_for_budget()) {
        report_spent_budget(shard_id,
                            std::chrono::duration_cast<std::chrono::milliseconds>(slot - now));
    }
    return slot;
}

TimePoint LocalIdentifyQueue::claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) {
    std::lock_guard lock(mutex_);
    return scheduler_.claim(shard_id, slot, now);
}

void IdentifyQueue::async_reserve(const SlotRequest& request,
                                  std::function<void(TimePoint)> granted) {
    TimePoint slot = request.resume   ? reserve_resume(request.shard_id, request.now)
                     : request.claims ? claim(request.shard_id, *request.claims, request.now)
                                      : reserve(request.shard_id, request.now);
    granted(slot);
}

void LocalIdentifyQueue::set_limit(const SessionStartLimit& limit, TimePoint now) {
    std::lock_guard lock(mutex_);
    scheduler_.set_limit(limit, now);
}

void IdentifyQueue::report_spent_budget(std::uint32_t shard_id, std::chrono::milliseconds wait) {
    if (auto log = logger()) {
        log->warn(
            "shard {}: the day's session starts are spent; identifying in {} s, when the "
            "budget resets",
            shard_id, std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
}

}  // namespace gatewire
