/// @file
/// Presence and voice events, and Fluxer's DM calls.
#pragma once

#include "gatewire/core/export.hpp"
#include "gatewire/model/emoji.hpp"
#include "gatewire/model/fields.hpp"
#include "gatewire/model/presence.hpp"
#include "gatewire/model/voice_state.hpp"

GATEWIRE_VISIBLE_TYPES_BEGIN
namespace gatewire::events {

struct PresenceUpdate : Presence {};
BOOST_DESCRIBE_STRUCT(PresenceUpdate, (Presence), ())

struct VoiceStateUpdate : VoiceState {};
BOOST_DESCRIBE_STRUCT(VoiceStateUpdate, (VoiceState), ())

struct VoiceServerUpdate {
    Secret token;
    std::optional<Snowflake> guild_id;
    std::optional<Snowflake> channel_id;       ///< Fluxer DM calls
    Nullable<std::string> endpoint;            ///< null: the server went away
    std::optional<std::string> connection_id;  ///< Fluxer
};
BOOST_DESCRIBE_STRUCT(VoiceServerUpdate, (), (token, guild_id, channel_id, endpoint, connection_id))

struct VoiceChannelEffectSend {
    Snowflake channel_id;
    Snowflake guild_id;
    Snowflake user_id;
    Nullable<Emoji> emoji;
    std::optional<std::int32_t> animation_type;
    std::optional<std::int32_t> animation_id;
    std::optional<Snowflake> sound_id;
    std::optional<double> sound_volume;
};
BOOST_DESCRIBE_STRUCT(VoiceChannelEffectSend, (),
                      (channel_id, guild_id, user_id, emoji, animation_type, animation_id, sound_id,
                       sound_volume))

struct Call {
    Snowflake channel_id;
    std::optional<Snowflake> message_id;
    Nullable<std::string> region;
    std::vector<Snowflake> ringing;
    std::vector<VoiceState> voice_states;
};
BOOST_DESCRIBE_STRUCT(Call, (), (channel_id, message_id, region, ringing, voice_states))

struct CallCreate : Call {};
BOOST_DESCRIBE_STRUCT(CallCreate, (Call), ())

struct CallUpdate : Call {};
BOOST_DESCRIBE_STRUCT(CallUpdate, (Call), ())

struct CallDelete {
    Snowflake channel_id;
    std::optional<bool> unavailable;
};
BOOST_DESCRIBE_STRUCT(CallDelete, (), (channel_id, unavailable))

}  // namespace gatewire::events
GATEWIRE_VISIBLE_TYPES_END
