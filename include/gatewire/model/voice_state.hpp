/// @file
/// A user's connection to a voice channel or call.
#pragma once

#include "gatewire/model/fields.hpp"
#include "gatewire/model/member.hpp"

namespace gatewire {

struct VoiceState {
    std::optional<Snowflake> guild_id;  ///< absent for DM calls
    Nullable<Snowflake> channel_id;     ///< null when the user left
    Snowflake user_id;
    std::optional<Member> member;
    std::optional<std::string> session_id;
    std::optional<std::string> connection_id;  ///< Fluxer
    bool deaf = false;
    bool mute = false;
    bool self_deaf = false;
    bool self_mute = false;
    std::optional<bool> self_stream;
    std::optional<bool> self_video;
    std::optional<bool> suppress;
    Nullable<Timestamp> request_to_speak_timestamp;
    std::optional<bool> is_mobile;  ///< Fluxer, from here on
    std::vector<std::string> viewer_stream_keys;
    std::optional<std::int64_t> version;
};
BOOST_DESCRIBE_STRUCT(VoiceState, (),
                      (guild_id, channel_id, user_id, member, session_id, connection_id, deaf, mute,
                       self_deaf, self_mute, self_stream, self_video, suppress,
                       request_to_speak_timestamp, is_mobile, viewer_stream_keys, version))

}  // namespace gatewire
