#include "gatewire/redis/event_stream.hpp"

#include <algorithm>

namespace gatewire {

std::string EventStreams::key_of(std::string_view prefix, std::uint32_t shard_id,
                                 Snowflake guild) const {
    std::string key(prefix);
    if (partition == Partition::shard) {
        return key.append(":events:shard:").append(std::to_string(shard_id));
    }
    std::uint64_t bucket = guild_buckets == 0 ? 0 : guild.value % guild_buckets;
    return key.append(":events:guilds:").append(std::to_string(bucket));
}

std::vector<std::string> EventStreams::all_keys(std::string_view prefix) const {
    std::vector<std::string> keys;
    if (partition == Partition::shard) {
        for (std::uint32_t id = 0; id < shard_count; ++id) {
            keys.push_back(key_of(prefix, id, Snowflake()));
        }
    } else {
        for (std::uint32_t bucket = 0; bucket < std::max<std::uint32_t>(1, guild_buckets);
             ++bucket) {
            keys.push_back(key_of(prefix, 0, Snowflake(bucket)));
        }
    }
    return keys;
}

}  // namespace gatewire
