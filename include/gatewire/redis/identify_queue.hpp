/// @file
/// One identify schedule for every process of a bot, kept in Redis: each
/// bucket's next free slot is reserved atomically (a Lua script, timed by
/// the Redis server's clock, so the machines' clocks need not agree), and
/// the daily session budget is counted down in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "gatewire/core/export.hpp"
#include "gatewire/redis/connection.hpp"
#include "gatewire/scale/identify_queue.hpp"

namespace gatewire {

class GATEWIRE_API RedisIdentifyQueue final : public IdentifyQueue {
  public:
    RedisIdentifyQueue(std::shared_ptr<RedisConnection> redis, std::uint32_t max_concurrency,
                       std::chrono::milliseconds spacing = std::chrono::seconds(5));

    /// When Redis cannot be reached this logs a warning and falls back to a
    /// schedule of this process alone, so shards still start.
    TimePoint reserve(std::uint32_t shard_id, TimePoint now) override;
    /// Publishes the budget for every process (until its reset).
    void set_limit(const SessionStartLimit& limit, TimePoint now) override;

  private:
    std::shared_ptr<RedisConnection> redis_;
    std::uint32_t max_concurrency_;
    std::chrono::milliseconds spacing_;
    LocalIdentifyQueue fallback_;
};

}  // namespace gatewire
