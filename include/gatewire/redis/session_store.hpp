/// @file
/// Sessions kept in Redis (`<prefix>:session:<id>:<count>`), so a shard that
/// moves to another process or machine, or a process restarted by a deploy,
/// resumes where the last one stopped.
#pragma once

#include <chrono>
#include <memory>

#include "gatewire/core/export.hpp"
#include "gatewire/redis/connection.hpp"
#include "gatewire/scale/session_store.hpp"

namespace gatewire {

class GATEWIRE_API RedisSessionStore final : public SessionStore {
  public:
    /// Stored sessions expire `ttl` after their last save: a gateway keeps a
    /// dropped session only minutes, so an older one could not be resumed.
    explicit RedisSessionStore(std::shared_ptr<RedisConnection> redis,
                               std::chrono::milliseconds ttl = std::chrono::hours(1));

    std::optional<ResumableSession> load(ShardId shard) override;
    void save(ShardId shard, const ResumableSession& session) override;
    void erase(ShardId shard) override;

    std::string key_of(ShardId shard) const;

  private:
    std::shared_ptr<RedisConnection> redis_;
    std::chrono::milliseconds ttl_;
};

}  // namespace gatewire
