/// @file
/// One dispatch as it arrived: its name, sequence and undecoded payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gatewire {

struct RawEvent {
    std::uint32_t shard_id = 0;
    std::uint64_t seq = 0;
    /// What a resume may ask after once this event is handled: every event of
    /// the session up to it has been delivered (see docs/concepts.md).
    std::uint64_t resume_seq = 0;
    std::string name;     ///< `t`, e.g. "MESSAGE_CREATE"
    std::string message;  ///< the whole envelope text
    std::size_t data_offset = 0;
    std::size_t data_size = 0;
    /// The session it came in, where the event came through Redis
    /// (RedisEventWorker); empty from a Shard, whose Client::session() tells it.
    std::string session_id;

    /// `d` as raw JSON text.
    std::string_view data() const noexcept { return {message.data() + data_offset, data_size}; }
};

}  // namespace gatewire
