#include "gatewire/scale/identify_scheduler.hpp"

#include <algorithm>

namespace gatewire {

IdentifyScheduler::IdentifyScheduler(std::uint32_t max_concurrency,
                                     std::chrono::milliseconds spacing,
                                     std::optional<RateLimit> window)
    : spacing_(spacing),
      last_(std::max<std::uint32_t>(1, max_concurrency)),
      sent_(last_.size()),
      window_(window) {
    if (window_ && window_->count == 0) {
        window_.reset();
    }
}

void IdentifyScheduler::set_limit(const SessionStartLimit& limit, TimePoint now) {
    limit_ = limit;
    resets_at_ = now + limit.reset_after;
    if (limit.max_concurrency != max_concurrency() && limit.max_concurrency > 0) {
        last_.assign(limit.max_concurrency, std::nullopt);
        sent_.assign(limit.max_concurrency, std::nullopt);
    }
}

void IdentifyScheduler::refill(TimePoint from) {
    limit_->remaining = limit_->total;
    resets_at_ = from + std::chrono::hours(24);
}

TimePoint IdentifyScheduler::reserve(std::uint32_t shard_id, TimePoint now) {
    TimePoint slot = now;
    waited_for_budget_ = false;
    if (limit_) {
        if (now >= resets_at_) {
            refill(now);  // the day the budget was counted for is over
        }
        if (limit_->remaining == 0) {
            // Spent: wait for the reset rather than burn identifies on refusals.
            slot = resets_at_;
            waited_for_budget_ = true;
            refill(resets_at_);
        }
        --limit_->remaining;
    }
    return place(shard_id, slot);
}

TimePoint IdentifyScheduler::place(std::uint32_t shard_id, TimePoint slot) {
    auto& last = last_[shard_id % last_.size()];
    if (last) {
        slot = std::max(slot, *last + spacing_);
    }
    slot = reserve_window(slot);
    last = slot;
    return slot;
}

TimePoint IdentifyScheduler::claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) {
    (void)slot;
    auto& sent = sent_[shard_id % sent_.size()];
    TimePoint allowed = sent ? *sent + spacing_ + claim_margin(spacing_) : now;
    if (now < allowed) {
        return allowed;
    }
    sent = now;
    return now;
}

TimePoint IdentifyScheduler::reserve_window(TimePoint from) {
    TimePoint slot = from;
    if (window_) {
        if (latest_.size() == window_->count) {
            slot = std::max(slot, latest_.top() + window_->per);
            latest_.pop();
        }
        latest_.push(slot);
    }
    return slot;
}

}  // namespace gatewire
