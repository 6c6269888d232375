/// @file
/// Sessions kept in Redis (`<prefix>:session:<id>:<count>`), so a shard that
/// moves to another process or machine, or a process restarted by a deploy,
/// resumes where the last one stopped. Saves and erases are written from a
/// thread of the store's own, the latest per shard, so a shard whose
/// handlers run on its I/O thread never waits for Redis.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

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
    /// Writes what is still waiting, for up to the connection's timeout.
    ~RedisSessionStore() override;

    /// What this store last took for the shard, else what Redis holds.
    std::optional<ResumableSession> load(ShardId shard) override;
    /// Returns at once; written in the background (retried while Redis is gone).
    void save(ShardId shard, const ResumableSession& session) override;
    void erase(ShardId shard) override;
    /// Waits until every save and erase taken is in Redis; false at the timeout.
    bool flush(std::chrono::milliseconds timeout);

    std::string key_of(ShardId shard) const;

  private:
    using Key = std::pair<std::uint32_t, std::uint32_t>;
    void write_pending();

    std::shared_ptr<RedisConnection> redis_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<Key, std::optional<ResumableSession>> pending_;  // nullopt: erase
    // The write taken from pending_ and not yet answered (one writer thread):
    // load() reads it while Redis may not have it yet.
    std::optional<std::pair<Key, std::optional<ResumableSession>>> in_flight_;
    bool stopping_ = false;
    std::thread writer_;  // last: started once everything above exists
};

}  // namespace gatewire
