/// @file
/// Where a shard's connection stands, as its owner sees it.
#pragma once

#include "gatewire/core/export.hpp"

#include <string_view>

namespace gatewire {

enum class ShardState {
    idle,          ///< not started
    connecting,    ///< opening TCP/TLS/WebSocket
    identifying,   ///< Identify sent, waiting for READY
    resuming,      ///< Resume sent, waiting for RESUMED
    ready,         ///< receiving events
    reconnecting,  ///< waiting (with backoff) before the next connect
    stopping,      ///< closing at the owner's request
    stopped,       ///< ended by the owner
    failed,        ///< ended by a fatal close code
};

GATEWIRE_API std::string_view to_string(ShardState state) noexcept;

}  // namespace gatewire
