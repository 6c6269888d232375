// The payloads the session writes itself: Identify, Resume and Heartbeat.
#pragma once

#include <cstdint>
#include <string>

#include "gatewire/protocol/session.hpp"

namespace gatewire::detail {

// {"op":2,"d":{token, properties, intents where the profile has them, shard,
// presence}} with the configured extra fields merged in. `presence_json`:
// the presence object's text, empty for none.
std::string identify_payload(const SessionConfig& config, const Profile& profile,
                             const std::string& presence_json);

// The seq is always a number: Fluxer refuses a Resume whose seq is null.
std::string resume_payload(const Secret& token, const std::string& session_id, std::uint64_t seq);

// A seq of 0 (nothing received yet) is sent as null.
std::string heartbeat_payload(std::uint64_t acknowledged_seq);

}  // namespace gatewire::detail
