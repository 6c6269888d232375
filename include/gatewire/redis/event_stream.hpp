/// @file
/// Where a gateway process's dispatches wait for the workers in Redis: one
/// Stream per shard (`<prefix>:events:shard:<id>`) or per guild bucket
/// (`<prefix>:events:guilds:<guild_id % buckets>`). Each entry holds the
/// event's name (`t`), `shard`, `session`, `seq` and its `d` as it arrived.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatewire/core/export.hpp"
#include "gatewire/core/snowflake.hpp"
#include "gatewire/events/raw_event.hpp"
#include "gatewire/redis/connection.hpp"

namespace gatewire {

struct EventStreams {
    enum class Partition {
        /// Every event of a shard in one stream, in seq order.
        shard,
        /// Every event of a guild in one stream (events without a guild, such
        /// as READY, go to bucket 0): a guild's events stay in order however
        /// the shards are spread.
        guild_bucket,
    };
    Partition partition = Partition::shard;
    std::uint32_t shard_count = 1;     ///< streams per shard: 0 … shard_count - 1
    std::uint32_t guild_buckets = 16;  ///< streams per guild bucket
    /// Each stream keeps about this many entries (XADD MAXLEN ~): what a
    /// worker outage of that many events can catch up on.
    std::size_t max_length = 100'000;

    /// The stream one event goes to; `guild` is 0 for events without one.
    std::string key_of(std::string_view prefix, std::uint32_t shard_id, Snowflake guild) const;
    /// Every stream, for a worker reading them all.
    std::vector<std::string> all_keys(std::string_view prefix) const;
};

/// The guild an event is routed by: `guild_id` of most events, `id` of
/// GUILD_CREATE, GUILD_UPDATE and GUILD_DELETE; 0 when it has none, or when
/// `d` is not an object. Reads only as far as that field.
GATEWIRE_API Snowflake routing_guild(const RawEvent& event);

/// The event a stream entry holds, from its fields as Redis returns them
/// (name, value, name, value, …): `t`, `shard`, `session`, `seq` and `d`,
/// each once. Empty, with `problem` saying what is wrong, when one is
/// missing, repeated or not what the publisher writes.
GATEWIRE_API std::optional<RawEvent> parse_stream_entry(const RedisReply& fields,
                                                        std::string& problem);

}  // namespace gatewire
