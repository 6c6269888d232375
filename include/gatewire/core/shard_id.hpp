/// @file
/// Which shard of how many: what Identify's `shard` field carries.
#pragma once

#include <cstdint>

namespace gatewire {

struct ShardId {
    std::uint32_t id = 0;
    std::uint32_t count = 1;
};

}  // namespace gatewire
