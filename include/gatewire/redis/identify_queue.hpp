/// @file
/// One identify schedule for every process of a bot, kept in Redis: each
/// bucket's next free slot is reserved atomically (a Lua script, timed by
/// the Redis server's clock, so the machines' clocks need not agree), the
/// daily session budget is counted down in one place (and starts again from
/// its total at each reset), and a per-address identify window (Fluxer's,
/// resumes counted) is shared by every process behind one address.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "gatewire/core/export.hpp"
#include "gatewire/redis/connection.hpp"
#include "gatewire/scale/identify_queue.hpp"

namespace gatewire {

class GATEWIRE_API RedisIdentifyQueue final : public IdentifyQueue {
  public:
    /// `window`: at most that many identifies (and resumes) in any window of
    /// its length, for all the processes (Profile::identify_limit).
    RedisIdentifyQueue(std::shared_ptr<RedisConnection> redis, std::uint32_t max_concurrency,
                       std::chrono::milliseconds spacing = std::chrono::seconds(5),
                       std::optional<RateLimit> window = std::nullopt);
    ~RedisIdentifyQueue() override;

    /// When Redis cannot be reached this logs a warning and falls back to a
    /// schedule of this process alone, so shards still start.
    TimePoint reserve(std::uint32_t shard_id, TimePoint now) override;
    /// A resume's place in the shared window (none without a window).
    TimePoint reserve_resume(std::uint32_t shard_id, TimePoint now) override;
    /// Records the identify as sent, in Redis, unless the bucket's last one
    /// (from any process) left less than the spacing ago.
    TimePoint claim(std::uint32_t shard_id, TimePoint slot, TimePoint now) override;
    /// On a thread of the queue's own, one request after another: with Redis
    /// slow or gone (each command waits up to its timeout) the shards' I/O
    /// threads go on heartbeating.
    void async_reserve(const SlotRequest& request, std::function<void(TimePoint)> granted) override;
    /// Publishes the budget for every process (until its reset).
    void set_limit(const SessionStartLimit& limit, TimePoint now) override;

  private:
    void work();
    /// The slot Redis gives; none when it cannot be asked (logged).
    std::optional<TimePoint> reserve_in_redis(std::uint32_t shard_id, bool resume, TimePoint now);

    std::shared_ptr<RedisConnection> redis_;
    std::uint32_t max_concurrency_;
    std::chrono::milliseconds spacing_;
    std::optional<RateLimit> window_;
    LocalIdentifyQueue fallback_;
    std::mutex jobs_mutex_;
    std::condition_variable jobs_ready_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread worker_;  // last: started once everything above exists
};

}  // namespace gatewire
