/// @file
/// Who says when a shard may identify. A Cluster asks its queue once for
/// every new session; the default keeps the schedule in this process, a
/// shared one (gatewire/redis/identify_queue.hpp) lets several processes on
/// several machines keep one schedule for one bot.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "gatewire/core/clock.hpp"
#include "gatewire/core/export.hpp"
#include "gatewire/core/shard_id.hpp"
#include "gatewire/scale/identify_scheduler.hpp"

namespace gatewire {

/// What a shard asks its queue for (the session's action::ReserveSlot).
struct SlotRequest {
    std::uint32_t shard_id = 0;
    bool resume = false;              ///< a resume's place in the per-address window
    std::optional<TimePoint> claims;  ///< a reserved slot, reached: may it go now?
    TimePoint now{};
};

class GATEWIRE_API IdentifyQueue {
  public:
    virtual ~IdentifyQueue() = default;

    /// Reserves the earliest time at or after `now` when `shard_id` may
    /// identify, and returns it. Called from the shards' strands, so it is
    /// thread-safe and returns quickly (a shared queue answers within its
    /// own timeout, or falls back to a local schedule).
    virtual TimePoint reserve(std::uint32_t shard_id, TimePoint now) = 0;

    /// Reserves a resume's place in the per-address identify window, on a
    /// profile that counts resumes (Fluxer). Default: at once.
    virtual TimePoint reserve_resume(std::uint32_t shard_id, TimePoint now) {
        (void)shard_id;
        return now;
    }

    /// `shard_id` reached its reserved `slot` and would identify now. Returns
    /// `now` (go: the identify is recorded as sent now) unless its bucket's
    /// last identify left less than the spacing ago (its timer or its
    /// connection was late): then when to ask again. Default: `now`.
    virtual TimePoint claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) {
        (void)shard_id;
        (void)slot;
        return now;
    }

    /// The daily budget as fetched (GET /gateway/bot) at `now`.
    virtual void set_limit(const SessionStartLimit& limit, TimePoint now) = 0;

    /// What a shard calls, on its strand; it must not block. `granted` gets
    /// the slot, from any thread. Default: reserve, claim or reserve_resume
    /// at once (a local schedule answers in microseconds); a queue that waits
    /// on the network answers from a thread of its own.
    virtual void async_reserve(const SlotRequest& request, std::function<void(TimePoint)> granted);

  protected:
    /// Logs that `shard_id` waits `wait` for the spent budget's reset.
    static void report_spent_budget(std::uint32_t shard_id, std::chrono::milliseconds wait);
};

/// The schedule of one process: an IdentifyScheduler behind a mutex.
class GATEWIRE_API LocalIdentifyQueue final : public IdentifyQueue {
  public:
    explicit LocalIdentifyQueue(std::uint32_t max_concurrency = 1,
                                std::chrono::milliseconds spacing = std::chrono::seconds(5),
                                std::optional<RateLimit> window = std::nullopt);

    TimePoint reserve(std::uint32_t shard_id, TimePoint now) override;
    TimePoint reserve_resume(std::uint32_t shard_id, TimePoint now) override;
    TimePoint claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) override;
    void set_limit(const SessionStartLimit& limit, TimePoint now) override;

  private:
    std::mutex mutex_;
    IdentifyScheduler scheduler_;
};

}  // namespace gatewire
