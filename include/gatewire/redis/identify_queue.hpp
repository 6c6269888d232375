/// @file
/// One identify schedule for every process of a bot, kept in Redis: each
/// bucket's next free slot is reserved atomically (a Lua script, timed by
/// the Redis server's clock, so the machines' clocks need not agree), and
/// the daily session budget is counted down in one place.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "gatewire/core/export.hpp"
#include "gatewire/redis/connection.hpp"
#include "gatewire/scale/identify_queue.hpp"

namespace gatewire {

class GATEWIRE_API RedisIdentifyQueue final : public IdentifyQueue {
  public:
    RedisIdentifyQueue(std::shared_ptr<RedisConnection> redis, std::uint32_t max_concurrency,
                       std::chrono::milliseconds spacing = std::chrono::seconds(5));
    ~RedisIdentifyQueue() override;

    /// When Redis cannot be reached this logs a warning and falls back to a
    /// schedule of this process alone, so shards still start.
    TimePoint reserve(std::uint32_t shard_id, TimePoint now) override;
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

    std::shared_ptr<RedisConnection> redis_;
    std::uint32_t max_concurrency_;
    std::chrono::milliseconds spacing_;
    LocalIdentifyQueue fallback_;
    std::mutex jobs_mutex_;
    std::condition_variable jobs_ready_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread worker_;  // last: started once everything above exists
};

}  // namespace gatewire
