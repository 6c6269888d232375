/// @file
/// Assembles the GUILD_MEMBERS_CHUNK replies to member requests: one result per
/// nonce once all `chunk_count` chunks have arrived. Plain data, no I/O and no
/// clock: the Client adds the deadlines and the callbacks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gatewire/core/export.hpp"
#include "gatewire/events/all.hpp"

namespace gatewire {

/// Everything the replies to one member request carried.
struct MembersResult {
    Snowflake guild_id;
    std::vector<Member> members;
    std::vector<Presence> presences;
    std::vector<Snowflake> not_found;
    std::int32_t chunks_received = 0;
    std::int32_t chunk_count = 0;  ///< 0 until the first chunk tells
};

class GATEWIRE_API MemberChunkAssembler {
  public:
    /// Starts collecting the replies carrying `nonce`. False when that nonce is already pending.
    bool expect(const std::string& nonce);
    /// Adds a chunk; returns the result when it completed its request. A chunk
    /// without a pending nonce, or one already received, changes nothing.
    std::optional<MembersResult> add(const events::GuildMembersChunk& chunk);
    /// Stops collecting `nonce` and returns what arrived (deadline passed, shard stopped).
    std::optional<MembersResult> take(const std::string& nonce);
    std::size_t pending() const noexcept { return requests_.size(); }

  private:
    struct Request {
        MembersResult result;
        std::vector<bool> received;  ///< by chunk_index
    };
    std::map<std::string, Request, std::less<>> requests_;
};

}  // namespace gatewire
