/// @file
/// The shards one process runs out of a bot's total: `16-31/64` is shards 16
/// to 31 of 64. Several processes, each with its own range, run one bot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gatewire/core/export.hpp"

namespace gatewire {

struct GATEWIRE_API ShardRange {
    std::uint32_t first = 0;
    std::uint32_t last = 0;   ///< inclusive
    std::uint32_t count = 1;  ///< the bot's total shard count

    /// "16-31/64", "7/64" (one shard) or "64" (all of them); nullopt when the
    /// text is not one of those or the range does not fit in the count.
    static std::optional<ShardRange> parse(std::string_view text);
    static ShardRange all(std::uint32_t count) { return {0, count == 0 ? 0 : count - 1, count}; }

    bool contains(std::uint32_t shard_id) const noexcept {
        return shard_id >= first && shard_id <= last;
    }
    std::uint32_t size() const noexcept { return last - first + 1; }
    std::string to_string() const;
};

}  // namespace gatewire
