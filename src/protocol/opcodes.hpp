// The gateway opcodes the session speaks (both protocols share them).
#pragma once

namespace gatewire::detail::op {

constexpr int dispatch = 0;
constexpr int heartbeat = 1;
constexpr int identify = 2;
constexpr int presence_update = 3;
constexpr int resume = 6;
constexpr int reconnect = 7;
constexpr int invalid_session = 9;
constexpr int hello = 10;
constexpr int heartbeat_ack = 11;
constexpr int gateway_error = 12;  // Fluxer

// What the session sends itself: as a command, one would start a second
// session or break the heartbeat schedule.
constexpr bool owned_by_session(int opcode) {
    return opcode == heartbeat || opcode == identify || opcode == resume;
}

}  // namespace gatewire::detail::op
