/// @file
/// When each shard may identify. Discord lets a bot start `max_concurrency`
/// sessions at a time: shard `id` is in bucket `id % max_concurrency`, and
/// each bucket identifies at most once per 5 s. A daily budget
/// (`session_start_limit`) caps new sessions; when it is spent, identifies
/// wait for its reset instead of failing. Plain data with time as an input:
/// identify queues build on it, tests drive it with a manual clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <vector>

#include "gatewire/core/clock.hpp"
#include "gatewire/core/export.hpp"
#include "gatewire/core/profile.hpp"
#include "gatewire/core/shard_id.hpp"

namespace gatewire {

/// Discord's `session_start_limit` from GET /gateway/bot.
struct SessionStartLimit {
    std::uint32_t total = 1000;
    std::uint32_t remaining = 1000;
    std::chrono::milliseconds reset_after{0};  ///< from when it was fetched
    std::uint32_t max_concurrency = 1;
};

/// What a claim adds to the spacing: the server measures identifies as they
/// arrive, and a claim precedes its Identify's write and transit by a time
/// that varies (1 000 shards on a loaded 2-core machine: up to 17 ms). 5 % of
/// the spacing and at least 50 ms, never more than the spacing: 250 ms on
/// Discord's 5 s.
constexpr std::chrono::milliseconds claim_margin(std::chrono::milliseconds spacing) {
    using std::chrono::milliseconds;
    return std::min(spacing, std::max(spacing / 20, milliseconds{50}));
}

class GATEWIRE_API IdentifyScheduler {
  public:
    /// `window`: at most that many identifies in any window of its length
    /// (a profile's `identify_limit`), on top of the buckets.
    explicit IdentifyScheduler(std::uint32_t max_concurrency = 1,
                               std::chrono::milliseconds spacing = std::chrono::seconds(5),
                               std::optional<RateLimit> window = std::nullopt);

    /// The budget as fetched at `now`; identifies beyond `remaining` wait for the reset.
    void set_limit(const SessionStartLimit& limit, TimePoint now);

    /// Reserves the earliest time at or after `now` when `shard_id` may
    /// identify, and returns it. Callers asking in shard order get the
    /// buckets in order.
    TimePoint reserve(std::uint32_t shard_id, TimePoint now);
    /// `shard_id` reached its reserved `slot`: `now` (recorded as its
    /// bucket's last identify) when the bucket's last identify left at least
    /// the spacing (plus claim_margin) ago, else the time it may claim again. Reservations plan;
    /// claims hold the spacing between identifies that really leave.
    TimePoint claim(std::uint32_t shard_id, TimePoint slot, TimePoint now);
    /// Reserves a place at or after `from` in the per-address window only (a
    /// resume, where the profile counts resumes too): no bucket spacing, no
    /// daily budget.
    TimePoint reserve_window(TimePoint from);

    /// True when the last reservation had to wait for the daily budget's reset.
    bool waited_for_budget() const noexcept { return waited_for_budget_; }
    std::uint32_t max_concurrency() const noexcept {
        return static_cast<std::uint32_t>(last_.size());
    }

  private:
    void refill(TimePoint from);
    // The bucket's spacing and the window's, from `slot` on; takes the result.
    TimePoint place(std::uint32_t shard_id, TimePoint slot);

    std::chrono::milliseconds spacing_;
    std::vector<std::optional<TimePoint>>
        last_;  ///< per bucket (max_concurrency of them): its latest slot
    std::vector<std::optional<TimePoint>> sent_;  ///< per bucket: its last claimed identify
    std::optional<RateLimit> window_;
    /// The latest `window_->count` reserved slots, earliest on top: a new slot
    /// goes at least one window after the top, so no window holds more.
    std::priority_queue<TimePoint, std::vector<TimePoint>, std::greater<>> latest_;
    std::optional<SessionStartLimit> limit_;
    TimePoint resets_at_{};
    bool waited_for_budget_ = false;
};

}  // namespace gatewire
