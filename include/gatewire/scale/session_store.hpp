/// @file
/// Where a shard keeps what it takes to resume its session, so that a
/// restarted process (or another one) resumes instead of identifying. A shard
/// with a store loads its session when it is built, saves it after the
/// events it handled, and erases it when the session ends.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gatewire/core/clock.hpp"
#include "gatewire/core/export.hpp"
#include "gatewire/core/shard_id.hpp"
#include "gatewire/protocol/resumable_session.hpp"

namespace gatewire {

/// Implementations are called from handler threads and may block briefly;
/// they report failures by throwing (the shard logs them and carries on).
class GATEWIRE_API SessionStore {
  public:
    virtual ~SessionStore() = default;
    virtual std::optional<ResumableSession> load(ShardId shard) = 0;
    virtual void save(ShardId shard, const ResumableSession& session) = 0;
    virtual void erase(ShardId shard) = 0;
};

/// For handing sessions between shards of one process (a restart in place).
class GATEWIRE_API MemorySessionStore final : public SessionStore {
  public:
    std::optional<ResumableSession> load(ShardId shard) override;
    void save(ShardId shard, const ResumableSession& session) override;
    void erase(ShardId shard) override;

  private:
    std::mutex mutex_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, ResumableSession> sessions_;
};

/// One small JSON file per shard in a folder (`shard-3-of-16.json`),
/// replaced atomically and readable only by its owner.
class GATEWIRE_API FileSessionStore final : public SessionStore {
  public:
    explicit FileSessionStore(std::filesystem::path folder);

    std::optional<ResumableSession> load(ShardId shard) override;
    void save(ShardId shard, const ResumableSession& session) override;
    void erase(ShardId shard) override;

    std::filesystem::path path_of(ShardId shard) const;

  private:
    std::filesystem::path folder_;
};

/// The stored form, shared by every store: `{"session_id":…,"seq":…,"resume_url":…}`.
GATEWIRE_API std::string to_json(const ResumableSession& session);
/// Empty when `text` is not a stored session.
GATEWIRE_API std::optional<ResumableSession> resumable_session_from_json(std::string_view text);

}  // namespace gatewire
