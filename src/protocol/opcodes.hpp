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

}  // namespace gatewire::detail::op
