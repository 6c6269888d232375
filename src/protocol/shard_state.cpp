#include "gatewire/protocol/shard_state.hpp"

namespace gatewire {

std::string_view to_string(ShardState state) noexcept {
    switch (state) {
        case ShardState::idle:
            return "idle";
        case ShardState::connecting:
            return "connecting";
        case ShardState::identifying:
            return "identifying";
        case ShardState::resuming:
            return "resuming";
        case ShardState::ready:
            return "ready";
        case ShardState::reconnecting:
            return "reconnecting";
        case ShardState::stopping:
            return "stopping";
        case ShardState::stopped:
            return "stopped";
        case ShardState::failed:
            return "failed";
    }
    return "?";
}

}  // namespace gatewire
